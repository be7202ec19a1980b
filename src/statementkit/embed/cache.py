"""Vectors kept on disk by (model id, text), and batch encoding through them.

`CachedEmbedder` stores vectors by (model id, text hash) in SQLite so a
growing queue is never re-encoded. An encoder whose vectors changed with its
implementation has a `cache_id` (model id and revision) used in its stead.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from statementkit.embed.encoders import Embedder

Progress = Callable[[int, int], None]  # (done, total)
BATCH = 256


def default_cache_path() -> Path:
    from statementkit.resources import cache_dir

    return cache_dir() / "embeddings.sqlite"


class EmbeddingCache:
    """Content-addressed store of vectors: key = sha256(model id, text)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")

    @staticmethod
    def key(model_id: str, text: str) -> bytes:
        return hashlib.sha256(f"{model_id}\0{text}".encode("utf-8")).digest()

    def each(self, keys: Sequence[bytes]) -> Iterator[tuple[bytes, np.ndarray]]:
        """(key, vector) of each stored one of `keys`, one at a time."""
        keys = list(keys)
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for k, v in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk):
                    yield bytes(k), np.frombuffer(v, dtype=np.float32)

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                 [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items])

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        self._db.close()


class CachedEmbedder:
    """Wraps an embedder: encodes only texts the cache has not seen, in batches."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None = None, batch_size: int = BATCH):
        self.inner = embedder
        self.cache = cache if cache is not None else EmbeddingCache()
        self.batch_size = batch_size
        self.id = embedder.id
        # vectors are stored under what computed them: the model, and for an encoder whose
        # implementation changed its vectors (even by rounding), its `cache_id`
        self.key_id = getattr(embedder, "cache_id", embedder.id)
        self.encoded = 0  # texts actually sent to the model, for tests and stats

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        keys = [EmbeddingCache.key(self.key_id, t) for t in texts]
        rows: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            rows.setdefault(k, []).append(i)
        # each vector goes straight to its rows: held as 100 k separate arrays and then stacked, a
        # 100 k batch cost three times its vectors' size
        out: np.ndarray | None = None
        found: set[bytes] = set()

        def place(key: bytes, vector: np.ndarray) -> None:
            nonlocal out
            if out is None:  # a model may learn its dimension only when it loads
                out = np.empty((len(texts), len(vector)), dtype=np.float32)
            out[rows[key]] = vector
            found.add(key)

        for k, v in self.cache.each(list(rows)):
            place(k, v)
        if len(found) < len(rows):  # texts the package ships vectors for (embed.bundled)
            from statementkit.embed import bundled

            shipped = bundled.vectors(self.key_id)
            if shipped:
                for k in [k for k in rows if k not in found and k in shipped]:
                    place(k, shipped[k])
        missing = {t: k for t, k in zip(texts, keys) if k not in found}  # text -> key, each text once
        texts_missing = list(missing)
        done = len(texts) - len(missing)
        for i in range(0, len(texts_missing), self.batch_size):
            batch = texts_missing[i:i + self.batch_size]
            vecs = self.inner.encode(batch)
            batch_keys = [missing[t] for t in batch]
            self.cache.put_many(list(zip(batch_keys, vecs)))
            for k, v in zip(batch_keys, vecs):
                place(k, v)
            self.encoded += len(batch)
            done += len(batch)
            if progress:
                progress(min(done, len(texts)), len(texts))
        return out


def encode(embedder: Embedder, texts: Sequence[str], progress: Progress | None = None,
           batch_size: int = BATCH) -> np.ndarray:
    """Encode in batches, reporting progress; any embedder, cached or not."""
    if isinstance(embedder, CachedEmbedder):
        return embedder.encode(texts, progress)
    texts = list(texts)
    if not texts:
        return np.zeros((0, getattr(embedder, "dim", 0) or 0), dtype=np.float32)
    out = None  # filled batch by batch: a list of batches and their concatenation were twice the vectors
    for i in range(0, len(texts), batch_size):
        vecs = embedder.encode(texts[i:i + batch_size])
        if out is None:
            out = np.empty((len(texts), vecs.shape[1]), dtype=np.float32)
        out[i:i + len(vecs)] = vecs
        if progress:
            progress(min(i + batch_size, len(texts)), len(texts))
    return out
