"""Compiled lexicon patterns kept on disk, so a fresh process does not recompile them.

Every `check`, `selfcheck` or import compiles each language's ~2,700 patterns
(lemmatising every word of the lexicons): ~0.3 s per language, paid again by
every short-lived process. A compiled pattern depends only on its source
string, the language, its data and the code that compiles it, so a language's
set is stored under a content address:

    sha256(format, language, every (source, forms_only, data) in order,
           the compiling modules' source, the lemma data packages' versions)

in `patterns/` under `resources.cache_dir()`. Files are plain JSON (no
pickle: a cache file is never code). A file that cannot be read is compiled
again and replaced: a cache never turns into an error.

`statementkit models prepare` (run by `scripts/install.sh`) writes the bundled
rules' sets the same way into `patterns/` of `resources.prepared_dir()`
(`prepare`), and `cached_patterns` reads a set from there first (~0.6 s of a
first run with an empty cache). A prepared file is only read, never written or
touched at run time; being named by the same content address, it is found only
for exactly the sources, code and lemma data it was compiled from (any other
rules folder, or the bundled rules after an upgrade, use the cache as before),
and one that cannot be read is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from statementkit.checks.patterns import Item, Pattern

FORMAT = 1
FOLDER = "patterns"
KEEP = 64
#: Packages whose data the lemmatiser reads: a new version may lemmatise a word differently.
LEMMA_PACKAGES = ("spacy-lookups-data", "snowballstemmer", "pystemmer", "spacy")

Source = tuple[str, bool, dict[str, Any]]  # (pattern source, forms_only, data)


def cached_patterns(lang: str, sources: Sequence[Source], compile_all: Callable[[], list[Pattern]],
                    folder: Path | None = None) -> list[Pattern]:
    """The compiled patterns of `sources`, from the cache when an identical set was compiled before."""
    if os.environ.get("STATEMENTKIT_NO_PATTERN_CACHE"):
        return compile_all()
    key = _key(lang, sources)
    if folder is None:
        from statementkit.resources import cache_dir, prepared_dir

        try:
            return [_pattern(row) for row in json.loads((prepared_dir() / FOLDER / f"{key}.json").read_text(encoding="utf-8"))]
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass  # none prepared for these sources, or damaged: the cache
        folder = cache_dir() / FOLDER
    path = folder / f"{key}.json"
    try:
        patterns = [_pattern(row) for row in json.loads(path.read_text(encoding="utf-8"))]
        os.utime(path)  # recently used: kept when old files are pruned
        return patterns
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    patterns = compile_all()
    _store(path, [_row(p) for p in patterns])
    return patterns


def prepare(rules: Any) -> list[Path]:
    """Write every language's compiled set of `rules` (a `RuleSet`, the bundled one) into the
    prepared folder, removing sets no longer current, and return their paths. Raises OSError
    when the folder cannot be written.

    Compiled into an empty folder first: what it then holds is exactly the current sets."""
    import shutil
    import tempfile

    from statementkit.resources import prepared_dir

    folder = prepared_dir() / FOLDER
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{FOLDER}.", dir=folder.parent))
    try:
        for lang in rules.lexicons:
            rules._compile(lang, fresh)
        made = sorted(fresh.glob("*.json"))
        if len(made) != len(rules.lexicons):
            raise OSError(f"cannot write the compiled patterns into {fresh}")
        folder.mkdir(exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        return [p.replace(folder / p.name) for p in made]
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _key(lang: str, sources: Sequence[Source]) -> str:
    h = hashlib.sha256(f"{FORMAT}\0{lang}\0{_code_fingerprint()}\0".encode())
    for source, forms_only, data in sources:
        h.update(json.dumps([source, forms_only, data], sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()[:40]


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The source of the modules that turn a pattern string into items, and the lemma data versions."""
    from statementkit.checks import document, patterns
    from statementkit.text import lemma_tables, nlp, normalise

    h = hashlib.sha256()
    for module in (patterns, document, nlp, lemma_tables, normalise):
        h.update(Path(module.__file__).read_bytes())
    for package in LEMMA_PACKAGES:
        try:
            h.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=none".encode())
    return h.hexdigest()


def _store(path: Path, rows: list[Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rows, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
        files = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk: compile each time, as before


def _row(p: Pattern) -> list[Any]:
    return [p.source, [_item_row(i) for i in p.items], p.at_start, p.at_end, p.data]


def _pattern(row: list[Any]) -> Pattern:
    source, items, at_start, at_end, data = row
    return Pattern(source, tuple(_item(i) for i in items), at_start, at_end, data)


def _item_row(item: Item) -> list[Any]:
    k, v = item.kind, item.value
    if k == "key":
        return [k, sorted(v)]
    if k in ("exact", "prefix", "suffix", "infix"):
        return [k, [v[0], v[1]]]
    if k in ("alt", "seq"):
        return [k, [_item_row(i) for i in v]]
    if k == "opt":
        return [k, _item_row(v)]
    if k in ("acro", "punct", "any", "gap"):
        return [k, v]
    raise TypeError(f"unknown pattern item kind {k!r}")


def _item(row: list[Any]) -> Item:
    k, v = row
    if k == "key":
        return Item(k, frozenset(v))
    if k in ("exact", "prefix", "suffix", "infix"):
        return Item(k, (v[0], bool(v[1])))
    if k in ("alt", "seq"):
        return Item(k, tuple(_item(i) for i in v))
    if k == "opt":
        return Item(k, _item(v))
    if k in ("acro", "punct", "any", "gap"):
        return Item(k, v)
    raise KeyError(k)
