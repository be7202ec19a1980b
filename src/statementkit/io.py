"""Read and write statements: JSONL, CSV, pol.is comments.csv, plain text, stdin.

Readers return `Statement`s and raise `InputError` naming the file, line and
field of the first problem (never a traceback, never a silently skipped row).
Field names accept the spellings of the common exports (`id`/`comment-id`/
`tid`/`statement_id`, `text`/`comment-body`/`txt`), like red-dwarf does.
Files larger than `LARGE_FILE_BYTES` are read through `datasets` (Arrow,
memory-mapped) instead of the pure-Python readers.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

from statementkit.errors import InputError
from statementkit.records import Statement

FORMATS = ("jsonl", "json", "csv", "polis", "txt")
ID_FIELDS = ("id", "comment-id", "comment_id", "tid", "statement_id", "statement-id")
TEXT_FIELDS = ("text", "comment-body", "comment_body", "txt", "statement", "body")
LANG_FIELDS = ("lang", "language")
POLIS_COLUMNS = ("timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                 "moderated", "comment-body")
POLIS_INT_FIELDS = ("author-id", "agrees", "disagrees", "moderated", "timestamp")
LARGE_FILE_BYTES = 64 * 1024 * 1024

csv.field_size_limit(16 * 1024 * 1024)


# ---------------------------------------------------------------- reading


def read_statements(source: str | Path, fmt: str | None = None, *, stdin: TextIO | None = None,
                    large: bool | None = None, skip_empty: bool = False) -> list[Statement]:
    """Read statements from a file path, or from stdin when `source` is "-".

    `fmt` is one of FORMATS; by default it is guessed from the extension and,
    for CSV, from the header (a header with `comment-id` and `comment-body` is
    a pol.is export). `large=True` forces the `datasets` reader. An empty text
    is an error unless `skip_empty` (real pol.is exports hold the odd empty,
    moderated-out comment).
    """
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'", hint=f"valid: {', '.join(FORMATS)}")
    if str(source) == "-":
        text = (stdin or sys.stdin).read()
        return parse_text(text, "<stdin>", fmt or _sniff(text), skip_empty)
    path = Path(source)
    _check_file(path)
    if large or (large is None and path.stat().st_size > LARGE_FILE_BYTES):
        return read_large(path, fmt, skip_empty)
    text = decode(path.read_bytes(), path)
    return parse_text(text, path, fmt or _format_from_name(path) or _sniff(text), skip_empty)


def parse_text(text: str, where: str | Path, fmt: str, skip_empty: bool = False) -> list[Statement]:
    """Parse already-decoded text in the given format."""
    if fmt == "jsonl":
        rows = _jsonl_rows(text, where)
    elif fmt == "json":
        rows = _json_rows(text, where)
    elif fmt in ("csv", "polis"):
        rows = _csv_rows(text, where)
    elif fmt == "txt":
        rows = ((n, {"id": str(n), "text": line.rstrip("\r")})
                for n, line in enumerate(text.split("\n"), 1) if line.strip())
    else:
        raise InputError(f"unknown format '{fmt}'", where, hint=f"valid: {', '.join(FORMATS)}")
    return _to_statements(rows, where, skip_empty)


def decode(data: bytes, path: str | Path) -> str:
    """UTF-8 (with or without BOM) or an InputError naming the line of the bad bytes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[e.start]:02x} at column {col})", path, line,
            hint="save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 IN > OUT`",
        ) from None


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        hint = "give a statements file"
        if (path / "comments.csv").exists():
            hint = f"did you mean {path / 'comments.csv'}?"
        raise InputError("is a directory, not a file", path, hint=hint)


def _format_from_name(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
            ".tsv": "csv", ".txt": "txt"}.get(suffix)


def _sniff(text: str) -> str:
    head = text.lstrip()[:1]
    if head == "{":
        return "jsonl"
    if head == "[":
        return "json"
    first = text.split("\n", 1)[0]
    if any(name in first.lower().replace(" ", "").split(",") for name in ID_FIELDS + TEXT_FIELDS):
        return "csv"
    return "txt"


def _jsonl_rows(text: str, where: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"malformed JSON: {e.msg} at column {e.colno}", where, n) from None
        if not isinstance(obj, dict):
            raise InputError(f"expected a JSON object, got {type(obj).__name__}", where, n)
        yield n, obj


def _json_rows(text: str, where: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"malformed JSON: {e.msg} at column {e.colno}", where, e.lineno) from None
    if isinstance(data, dict) and isinstance(data.get("statements"), list):
        data = data["statements"]
    if not isinstance(data, list):
        raise InputError("expected a JSON array of objects", where, 1,
                         hint="or JSON Lines: one object per line")
    for i, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise InputError(f"item {i} is not a JSON object", where)
        yield i + 1, obj


def _csv_rows(text: str, where: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    delimiter = "\t" if str(where).lower().endswith(".tsv") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file (expected a header row with id,text)", where, 1) from None
    header = [h.strip() for h in header]
    _find_field(header, ID_FIELDS, "id", where)
    _find_field(header, TEXT_FIELDS, "text", where)
    start = reader.line_num + 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if len(row) > len(header):
                raise InputError(f"{len(row)} cells but the header has {len(header)} columns",
                                 where, start, hint="quote text that contains commas")
            yield start, dict(zip(header, row))
            start = reader.line_num + 1
    except csv.Error as e:
        raise InputError(f"malformed CSV: {e}", where, reader.line_num) from None


def _find_field(header: Sequence[str], names: Sequence[str], role: str, where: str | Path) -> str:
    for name in names:
        if name in header:
            return name
    raise InputError(f"missing column '{role}'", where, 1,
                     hint=f"found columns: {', '.join(header) or 'none'}; "
                          f"accepted names: {', '.join(names)}")


def _pick(row: dict[str, Any], names: Sequence[str]) -> tuple[str | None, Any]:
    for name in names:
        if name in row:
            return name, row[name]
    return None, None


def _to_statements(rows: Iterable[tuple[int, dict[str, Any]]], where: str | Path,
                   skip_empty: bool = False) -> list[Statement]:
    out: list[Statement] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        id_key, raw_id = _pick(row, ID_FIELDS)
        if id_key is None or raw_id is None or str(raw_id).strip() == "":
            raise InputError("missing id", where, line, "id",
                             hint=f"accepted names: {', '.join(ID_FIELDS)}")
        if not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool):
            raise InputError(f"id must be a string or integer, got {type(raw_id).__name__}",
                             where, line, id_key)
        sid = str(raw_id).strip()
        text_key, text = _pick(row, TEXT_FIELDS)
        if text_key is None:
            raise InputError("missing text", where, line, "text",
                             hint=f"accepted names: {', '.join(TEXT_FIELDS)}")
        if not isinstance(text, str):
            raise InputError(f"text must be a string, got {type(text).__name__}", where, line, text_key)
        if not text.strip():
            if skip_empty:
                continue
            raise InputError(f"empty text for id '{sid}'", where, line, text_key,
                             hint="fill it in, remove the row, or pass --skip-empty")
        if sid in seen:
            raise InputError(f"duplicate id '{sid}' (first on line {seen[sid]})", where, line, id_key)
        seen[sid] = line
        lang_key, lang = _pick(row, LANG_FIELDS)
        lang = str(lang).strip().lower() if lang not in (None, "") else None
        meta = {k: _coerce(k, v) for k, v in row.items() if k not in (id_key, text_key, lang_key)}
        out.append(Statement(sid, text.strip(), lang, meta))
    return out


def _coerce(key: str, value: Any) -> Any:
    """pol.is integer columns arrive as strings from CSV; keep them numeric."""
    if key in POLIS_INT_FIELDS and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def read_large(path: Path, fmt: str | None = None, skip_empty: bool = False) -> list[Statement]:
    """Read a big JSONL/CSV file through `datasets` (Arrow, memory-mapped)."""
    import datasets  # heavy: only for big inputs

    fmt = fmt or _format_from_name(path) or "jsonl"
    builder = {"jsonl": "json", "json": "json", "csv": "csv", "polis": "csv"}.get(fmt)
    if builder is None:
        raise InputError(f"format '{fmt}' cannot be read as a large file", path)
    datasets.disable_progress_bars()
    try:
        ds = datasets.load_dataset(builder, data_files=str(path), split="train")
    except Exception as e:  # datasets raises many types; report them as input errors
        raise InputError(f"cannot read with datasets: {e}", path) from None
    columns = ds.column_names
    _find_field(columns, ID_FIELDS, "id", path)
    _find_field(columns, TEXT_FIELDS, "text", path)
    first_line = 2 if builder == "csv" else 1
    rows = ((i + first_line, row) for i, row in enumerate(ds))
    return _to_statements(rows, path, skip_empty)


# ---------------------------------------------------------------- writing


def write_statements(statements: Iterable[Statement], out: IO[str], fmt: str = "jsonl") -> int:
    """Write statements as jsonl, json, csv (id,text,lang + meta) or polis comments.csv."""
    statements = list(statements)
    if fmt == "jsonl":
        for s in statements:
            out.write(json.dumps(s.to_dict(), ensure_ascii=False) + "\n")
    elif fmt == "json":
        json.dump([s.to_dict() for s in statements], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        extra = _meta_columns(statements)
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["id", "text", "lang", *extra])
        for s in statements:
            w.writerow([s.id, s.text, s.lang or "", *(_cell(s.meta.get(k)) for k in extra)])
    elif fmt == "polis":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(POLIS_COLUMNS)
        for s in statements:
            m = s.meta
            w.writerow([m.get("timestamp", ""), m.get("datetime", ""), s.id, m.get("author-id", ""),
                        m.get("agrees", 0), m.get("disagrees", 0), m.get("moderated", 0), s.text])
    elif fmt == "txt":
        for s in statements:
            out.write(s.text.replace("\n", " ") + "\n")
    else:
        raise InputError(f"unknown output format '{fmt}'", hint=f"valid: {', '.join(FORMATS)}")
    return len(statements)


def _meta_columns(statements: Sequence[Statement]) -> list[str]:
    cols: dict[str, None] = {}
    for s in statements:
        for k in s.meta:
            cols.setdefault(k, None)
    return list(cols)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_records(records: Iterable[dict[str, Any]], out: IO[str], fmt: str = "jsonl") -> None:
    """Write result records (the output contract) as jsonl or json."""
    if fmt == "jsonl":
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "json":
        json.dump(list(records), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        raise InputError(f"unknown record format '{fmt}'", hint="valid: json, jsonl, table")


def output_format_for(path: str | Path, fmt: str | None = None) -> str:
    """The statements format to write to `path` (explicit `fmt` wins)."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format '{fmt}'", hint=f"valid: {', '.join(FORMATS)}")
        return fmt
    guess = _format_from_name(Path(path))
    if guess is None:
        raise InputError("cannot tell the output format from the file name", path,
                         hint=f"use a .jsonl/.json/.csv/.txt name or --to {{{','.join(FORMATS)}}}")
    return guess
