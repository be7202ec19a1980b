"""Vectors shipped with the package for texts the package itself brings (models/bundled-vectors.npz).

The scope check compares statements with ~600 in-scope exemplars (the bundled
taxonomy's examples and descriptions, scope.toml's examples): with an empty
cache directory, encoding them was ~1.5 s of a first `check` of 100
statements. `scripts/bundle_vectors.py` encodes them once with the default
model and stores each vector under its embedding-cache key (sha256 of the
model's cache id and the text), so `CachedEmbedder` takes them from the file
when its cache does not have them yet. A text that is not in the file (an
edited taxonomy, another model, another revision of the encoder) is encoded
as before: the file only spares work, it never decides a vector.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

BUNDLED = "bundled-vectors.npz"
_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str], dict[bytes, np.ndarray]] = {}


def path() -> Path:
    from statementkit.resources import models_dir

    return models_dir() / BUNDLED


def vectors(key_id: str, source: Path | None = None) -> dict[bytes, np.ndarray]:
    """cache key -> vector of the bundled texts for the encoder whose cache id is `key_id` (empty
    when the file is missing, unreadable or made with another encoder). Read once per process."""
    source = source or path()
    memo = (key_id, str(source))
    with _LOCK:
        if memo not in _LOADED:
            _LOADED[memo] = _read(source, key_id)
        return _LOADED[memo]


def _read(source: Path, key_id: str) -> dict[bytes, np.ndarray]:
    try:
        with np.load(source, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("key_id") != key_id:
                return {}
            keys, vecs = z["keys"], z["vectors"].astype(np.float32, copy=False)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return {}
    if keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != 32 or len(keys) != len(vecs):
        return {}
    return {k.tobytes(): v for k, v in zip(keys, vecs)}


def write(target: Path, key_id: str, keys: list[bytes], vecs: np.ndarray, texts_from: str) -> None:
    """Store `vecs` (float32, one row per key) under `keys` for the encoder `key_id`."""
    meta = {"key_id": key_id, "count": len(keys), "texts": texts_from}
    # keys as (n, 32) bytes: a fixed-width bytes array would drop a digest's trailing zero bytes
    key_bytes = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 32)
    np.savez_compressed(target, keys=key_bytes, vectors=np.asarray(vecs, dtype=np.float32),
                        meta=np.array(json.dumps(meta)))
