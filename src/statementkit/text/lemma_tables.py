"""spacy-lookups-data's lemma tables, converted once per language and kept on disk.

The lookup tables are large (Portuguese 825,000 forms, Spanish 490,000).
Reading one from its gzipped JSON took 0.2-0.9 s, and folding its forms for
text typed without accents (`musees` -> musée) as long again: a batch in six
languages paid ~7 s (1.7 M `fold` calls) before checking a single statement.
Now each language's tables are converted the first time a statement of that
language needs them into one SQLite file under the statementkit cache
directory, named by a hash of the source files (a new spacy-lookups-data
release gets new files), and read word by word afterwards: a process pays
only for the words it meets. Where the cache cannot be written, the tables are
read into memory as before.

The suffix rules' lemma index and exceptions live in the same file and are
queried word by word too: held in memory they took ~110 MB (French 60 MB,
Dutch 34 MB) of a streaming `check`'s ~570 MB, for the few words the lookup
tables do not know.

`statementkit models prepare` (run by `scripts/install.sh`) builds the same
files for the bundled assembly's languages into `lookups/` of
`resources.prepared_dir()`, so a first run with an empty cache need not
convert them (German ~0.7 s, English ~0.25 s). A prepared file is only read,
never written at run time, and only under the very name the cache would use
(the format, the language and the hash of the installed source files): one
made from another spacy-lookups-data release, or a damaged one, is ignored
and the cache is used as without it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import os
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from statementkit.text.normalise import fold, fold_many

#: Bump when the layout or the folding changes: old files are then simply not used.
FORMAT = 5  # 2: keys folded with unified apostrophes; 3: and invisible characters and look-alikes (text.normalise);
# 4: lemma index and exceptions in tables of their own; 5: each form's place in the source (lemma.at)
_LOCK = threading.Lock()
FOLDER = "lookups"  # in the cache and in the prepared folder


def source_file(lang: str, table: str) -> Path | None:
    """spacy-lookups-data's `<lang>_<table>.json.gz`, or None."""
    import importlib.util

    spec = importlib.util.find_spec("spacy_lookups_data")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "data" / f"{lang}_{table}.json.gz"
    return path if path.exists() else None


def _read(path: Path | None) -> dict:
    if path is None:
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def _lemmas(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """(form -> lemma, accent-free form -> lemma) of the lookup table, in memory."""
    table: dict[str, str] = {}
    folded: dict[str, str] = {}
    for form, lemma in _read(source_file(lang, "lemma_lookup")).items():
        if isinstance(lemma, list):  # French values are lists
            lemma = lemma[0] if lemma else form
        table[form] = str(lemma)
        key = fold(form)
        if key != form.lower():
            folded.setdefault(key, str(lemma).lower())
    return table, folded


def _rules(lang: str) -> tuple[dict, dict[str, list[str]], dict[str, dict[str, str]]]:
    """(suffix rules, lemma index, exceptions) per POS, or empty. An exception maps a form to
    its first lemma, the one the lemmatiser uses."""
    rules, index = _read(source_file(lang, "lemma_rules")), _read(source_file(lang, "lemma_index"))
    if not rules or not index:
        return {}, {}, {}
    exc = {pos: {form: str(lemmas[0]) for form, lemmas in forms.items() if isinstance(lemmas, list) and lemmas}
           for pos, forms in _read(source_file(lang, "lemma_exc")).items() if isinstance(forms, dict)}
    return rules, index, exc


class Table:
    """A read-only `form -> lemma` mapping in a SQLite file (`get`, `in`, truth). `pos` selects
    one part of speech of the lemma index or the exceptions (the index maps a lemma to itself)."""

    def __init__(self, con: sqlite3.Connection, name: str, size: int, pos: str | None = None):
        where = "form = ?" if pos is None else "pos = ? AND form = ?"
        self._con, self._sql, self._size = con, f"SELECT lemma FROM {name} WHERE {where}", size
        self._params: tuple[str, ...] = () if pos is None else (pos,)

    def get(self, key: str, default: Any = None) -> Any:
        with _LOCK:
            row = self._con.execute(self._sql, (*self._params, key)).fetchone()
        return row[0] if row else default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __len__(self) -> int:
        return self._size

    def __bool__(self) -> bool:
        return self._size > 0


def cache_path(lang: str) -> Path | None:
    """The SQLite file for `lang`'s tables: named by a hash of its source files, or None without any."""
    from statementkit.resources import cache_dir

    name = file_name(lang)
    return None if name is None else cache_dir() / FOLDER / name


def prepared_path(lang: str) -> Path | None:
    """Where `prepare` puts `lang`'s file: the cache's name in `lookups/` of the prepared folder."""
    from statementkit.resources import prepared_dir

    name = file_name(lang)
    return None if name is None else prepared_dir() / FOLDER / name


def file_name(lang: str) -> str | None:
    """`<lang>-<hash of the format, the language and the source files>.sqlite`, or None without any."""
    sources = [p for t in ("lemma_lookup", "lemma_rules", "lemma_index", "lemma_exc")
               if (p := source_file(lang, t)) is not None]
    if not sources:
        return None
    h = hashlib.sha256(f"{FORMAT}\0{lang}".encode())
    for p in sources:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return f"{lang}-{h.hexdigest()[:16]}.sqlite"


#: A lookup table's entries as (form, lemma, place in the source) rows, parsed by SQLite's JSON
#: functions from the source text: French values are lists (their first lemma, else the form
#: itself), as in `_lemmas`.
_ENTRIES = ("SELECT key AS form, CASE type WHEN 'array' THEN coalesce(value ->> 0, key) ELSE value END AS lemma,"
            " id AS at FROM json_each(?)")


def _fill_lookup(con: sqlite3.Connection, lang: str) -> tuple[int, int]:
    """The `lemma` and `folded` tables of `_lemmas`, filled without a Python dict of every form:
    SQLite parses the JSON and inserts (German: 355,000 forms; parsing them into Python objects and
    inserting them one by one was ~2 of the 3 s a first German statement paid); only the forms
    with a non-ASCII character come back to be folded in Python (all at once, `fold_many`), in the
    source's order, so the first form of a folded key wins as before. They are read back from the
    table, which keeps each form's place in the source (`at`), instead of parsing the JSON a second
    time (~0.25 s for German), unless a form is repeated in the source (the table then holds only
    its last entry). Returns the two tables' sizes."""
    path = source_file(lang, "lemma_lookup")
    text = "{}"
    if path is not None:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            text = f.read()
    try:  # last value of a repeated form wins, as in a dict
        entries = con.execute(f"INSERT OR REPLACE INTO lemma (form, lemma, at) {_ENTRIES}", (text,)).rowcount
        (n_table,) = con.execute("SELECT count(*) FROM lemma").fetchone()
        non_ascii = "WHERE length(CAST(form AS BLOB)) != length(form) ORDER BY at"
        if entries == n_table:
            rows = con.execute(f"SELECT form, lemma FROM lemma {non_ascii}").fetchall()
        else:
            rows = con.execute(f"SELECT form, lemma FROM ({_ENTRIES}) {non_ascii}", (text,)).fetchall()
    except sqlite3.OperationalError:  # JSON SQLite does not take (Python's json is laxer): as before
        con.execute("DELETE FROM lemma")
        table, folded = _lemmas(lang)
        con.executemany("INSERT OR IGNORE INTO lemma (form, lemma) VALUES (?, ?)", table.items())
        con.executemany("INSERT OR IGNORE INTO folded VALUES (?, ?)", folded.items())
        return len(table), len(folded)
    folded: dict[str, str] = {}
    for (form, lemma), key in zip(rows, fold_many([form for form, _ in rows])):
        if key != form.lower():
            folded.setdefault(key, str(lemma).lower())
    # back through json_each too: ~3x faster than executemany's row-by-row binding (keys are unique)
    con.execute("INSERT INTO folded SELECT key, value FROM json_each(?)", (json.dumps(folded, ensure_ascii=False),))
    return n_table, len(folded)


def _build(lang: str, target: Path) -> None:
    rules, index, exc = _rules(lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("CREATE TABLE lemma (form TEXT PRIMARY KEY, lemma TEXT NOT NULL, at INTEGER) WITHOUT ROWID")
        con.execute("CREATE TABLE folded (form TEXT PRIMARY KEY, lemma TEXT NOT NULL) WITHOUT ROWID")
        n_table, n_folded = _fill_lookup(con, lang)
        by_name = {"idx": {pos: {form: form for form in forms} for pos, forms in index.items()}, "exc": exc}
        for name, by_pos in by_name.items():
            con.execute(f"CREATE TABLE {name} (pos TEXT, form TEXT, lemma TEXT NOT NULL, PRIMARY KEY (pos, form))"
                        " WITHOUT ROWID")
            for pos, forms in by_pos.items():  # through json_each: ~3x faster than executemany
                con.execute(f"INSERT INTO {name} SELECT ?, key, value FROM json_each(?)",
                            (pos, json.dumps(forms, ensure_ascii=False)))
        sizes = {name: {pos: len(forms) for pos, forms in by_pos.items()} for name, by_pos in by_name.items()}
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("name", target.name), ("sizes", marshal.dumps((n_table, n_folded))), ("rules", marshal.dumps(rules)),
            ("pos_sizes", marshal.dumps(sizes))])
        con.commit()
    finally:
        con.close()
    os.replace(tmp, target)


_ERRORS = (OSError, sqlite3.Error, KeyError, ValueError, EOFError, TypeError)


def _connect(path: Path, prepared: bool = False) -> tuple[Any, Any, tuple]:
    """The tables of a built file. A prepared file must also say it was built under its own name
    (`meta` `name`: the same format and source files) and be whole (as long as its pages): a
    truncated copy fails here rather than in a look-up."""
    # immutable: the file is written once to a temporary name and moved into place, never changed
    # after, so SQLite need not lock it and check it for changes on every look-up (~half of
    # a look-up's 30 us, ~18,000 look-ups in a first check of 100 statements)
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta"))
        if prepared:
            (pages,), (page_size,) = (con.execute(f"PRAGMA {x}").fetchone() for x in ("page_count", "page_size"))
            if meta.get("name") != path.name or path.stat().st_size != pages * page_size:
                raise ValueError(f"{path} is not a whole prepared table")
        n_table, n_folded = marshal.loads(meta["sizes"])
        sizes = marshal.loads(meta["pos_sizes"])
        index, exc = ({pos: Table(con, name, n, pos) for pos, n in sizes[name].items()} for name in ("idx", "exc"))
        return (Table(con, "lemma", n_table), Table(con, "folded", n_folded),
                (marshal.loads(meta["rules"]), index, exc))
    except BaseException:
        con.close()
        raise


@lru_cache(maxsize=None)
def _open(lang: str) -> tuple[Any, Any, tuple] | None:
    """(lemma table, folded table, rule tables) from the prepared file when there is a valid one,
    else from the cache file, built if missing; None if the cache cannot be used."""
    from statementkit.resources import cache_dir, prepared_dir

    try:
        name = file_name(lang)
        if name is None:
            return None
    except OSError:
        return None
    try:  # the name is worked out once (it hashes the source files), for both folders
        prepared = prepared_dir() / FOLDER / name
        if prepared.is_file():
            return _connect(prepared, prepared=True)
    except _ERRORS:
        pass  # stale or damaged: the cache, as without it
    try:
        path = cache_dir() / FOLDER / name
        if not path.exists():
            _build(lang, path)
        return _connect(path)
    except _ERRORS:
        return None  # unwritable or damaged cache: fall back to memory


def prepare(langs: list[str]) -> list[Path]:
    """Build `langs`' files into the prepared folder (`statementkit models prepare`), replacing
    files of older source data or format, and return their paths (languages without lookup data
    are left out). Raises OSError when the folder cannot be written."""
    made = []
    for lang in langs:
        target = prepared_path(lang)
        if target is None:
            continue
        try:
            _connect(target, prepared=True)[0]._con.close()
        except _ERRORS:
            _build(lang, target)
            os.chmod(target, 0o644)  # readable by every user of the installation
        for old in target.parent.glob(f"{lang}-*.sqlite"):
            if old != target:
                old.unlink(missing_ok=True)
        made.append(target)
    return made


@lru_cache(maxsize=None)
def _in_memory(lang: str) -> tuple[dict, dict, tuple]:
    table, folded = _lemmas(lang)
    return table, folded, _rules(lang)


def lemma_table(lang: str) -> Any:
    """`form -> lemma` for `lang` (a `Table`, or a dict when the cache is unusable)."""
    return (_open(lang) or _in_memory(lang))[0]


def folded_table(lang: str) -> Any:
    """`accent-free form -> lemma`: for text typed without diacritics."""
    return (_open(lang) or _in_memory(lang))[1]


def rule_tables(lang: str) -> tuple[dict, dict, dict]:
    """(suffix rules, lemma index, exceptions) per POS, or empty dicts. The index and the
    exceptions are `Table`s (lists and dicts when the cache is unusable): `form in index[pos]`,
    `exc[pos].get(form)` gives the first lemma."""
    return (_open(lang) or _in_memory(lang))[2]
