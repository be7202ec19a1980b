"""Where the bundled data lives: `rules/`, `models/` and `corpus/`.

In a source checkout (or an editable install) they are the top-level folders
of the repository; a wheel carries copies under `statementkit/_data/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def data_dir(name: str) -> Path:
    """Path of a bundled data folder (`rules`, `models` or `corpus`)."""
    for candidate in (_CHECKOUT / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    return _CHECKOUT / name


def rules_dir() -> Path:
    return data_dir("rules")


def models_dir() -> Path:
    return data_dir("models")


def corpus_dir() -> Path:
    return data_dir("corpus")
