"""Fitted theme classifiers kept on disk, so a rerun does not refit.

Fitting the few-shot classifier (`fewshot.fit`: logistic regression over ~700
examples, plus five calibration folds) takes seconds, and `statementkit demo`,
`statementkit themes` and every import into the triage queue paid it each time
for the same examples. A fitted model depends only on what it learns from, so
it is stored under a content address:

    sha256(format, embedding model id, classes, settings,
           every example's text, theme and source, the examples' vectors)

in `theme-models/` next to the embedding cache (`embed.default_cache_path()`,
so `STATEMENTKIT_CACHE` moves both). Hashing the vectors as well as the model
id means two embedders that share an id (test doubles, a re-trained local
model) can never share a classifier; with the embedding cache the vectors cost
milliseconds. A confirmed example or a changed setting gives a new key. Files
are plain numpy arrays (`ThemeClassifier.state()`; loaded with pickle disabled);
the most recently used `KEEP` are kept. A file that cannot be read is refitted
and replaced: a cache never turns into an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import numpy as np

from statementkit.themes.taxonomy import ThemeExample

FORMAT = 1
KEEP = 16
FOLDER = "theme-models"
T = TypeVar("T")


def default_dir() -> Path:
    from statementkit.embed import default_cache_path

    return default_cache_path().parent / FOLDER


def model_key(examples: Sequence[ThemeExample], vectors: np.ndarray, classes: Sequence[str], settings,
              model_id: str = "") -> str:
    """The content address of the classifier these inputs produce."""
    h = hashlib.sha256()
    h.update(json.dumps([FORMAT, model_id, list(classes), asdict(settings),
                         [(e.text, e.theme, e.source) if e.weight == 1.0 else (e.text, e.theme, e.source, e.weight)
                          for e in examples]], ensure_ascii=False).encode("utf-8"))
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    h.update(repr(v.shape).encode())
    h.update(v.tobytes())
    return h.hexdigest()


def load(key: str, restore: Callable[[dict[str, np.ndarray]], T], folder: Path | None = None) -> T | None:
    """The cached model for `key`, rebuilt from its arrays by `restore` (e.g.
    `ThemeClassifier.from_state`), or None when it is missing or unreadable."""
    path = (folder or default_dir()) / f"{key}.npz"
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as state:
            model = restore(dict(state))
        os.utime(path)  # most recently used: kept longest
        return model
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_stored(key: str, folder: Path | None = None) -> bool:
    return ((folder or default_dir()) / f"{key}.npz").exists()


def save(key: str, model, folder: Path | None = None) -> Path | None:
    """Store `model` atomically; returns the path, or None when the folder is not writable."""
    folder = folder or default_dir()
    path = folder / f"{key}.npz"
    tmp = folder / f".{key}.{os.getpid()}.tmp.npz"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, **model.state())
        tmp.replace(path)
        _evict(folder)
    except OSError:
        tmp.unlink(missing_ok=True)
        return None
    return path


def _evict(folder: Path) -> None:
    """Keep the `KEEP` most recently used models (another process may be evicting too)."""
    aged = []
    for path in folder.glob("[!.]*.npz"):
        try:
            aged.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    for _, old in sorted(aged, reverse=True)[KEEP:]:
        old.unlink(missing_ok=True)
