"""Where the bundled data lives (`rules/`, `models/`, `corpus/`), and where a user's cache and state go.

In a source checkout (or an editable install) they are the top-level folders
of the repository; a wheel carries copies under `statementkit/_data/`.
"""

from __future__ import annotations

import os
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


def state_dir() -> Path:
    """Where statementkit keeps a user's work that it cannot recompute (the analyst's theme
    decisions for a statements file): `$STATEMENTKIT_DATA`, else `$XDG_DATA_HOME/statementkit`,
    else `~/.local/share/statementkit`. Never beside an input file, by surprise."""
    root = os.environ.get("STATEMENTKIT_DATA") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "statementkit")
    return Path(root)


def cache_dir() -> Path:
    """Where statementkit keeps what it can recompute (embeddings, lemma tables, fitted models):
    `$STATEMENTKIT_CACHE`, else `$XDG_CACHE_HOME/statementkit`, else `~/.cache/statementkit`."""
    root = os.environ.get("STATEMENTKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "statementkit")
    return Path(root)


def prepared_dir() -> Path:
    """Where `statementkit models prepare` (run by `scripts/install.sh`) keeps fast-loading copies of
    installed models' files (`embed.use_prepared`): `$STATEMENTKIT_PREPARED`, else `prepared/` in
    the bundled models folder. Made at install time from installed packages, not a cache."""
    root = os.environ.get("STATEMENTKIT_PREPARED")
    return Path(root) if root else models_dir() / "prepared"
