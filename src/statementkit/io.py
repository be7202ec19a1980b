"""Read and write statements: JSONL, CSV, pol.is comments.csv, plain text, stdin.

Readers return `Statement`s and raise `InputError` naming the file, line and
field of the first problem (never a traceback, never a silently skipped row).
Field names accept the spellings of the common exports (`id`/`comment-id`/
`tid`/`statement_id`, `text`/`comment-body`/`txt`), like red-dwarf does.
There is one reader per format, streaming, for files of any size and for
stdin (read as bytes, decoded by the same rules). CSV is written with
`SafeCSVWriter` (no cell a spreadsheet would run as a formula) and read back
with the same text.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from statementkit.errors import InputError
from statementkit.records import Statement

FORMATS = ("jsonl", "json", "csv", "polis", "txt")
ID_FIELDS = ("id", "comment-id", "comment_id", "tid", "statement_id", "statement-id")
TEXT_FIELDS = ("text", "comment-body", "comment_body", "txt", "statement", "body")
LANG_FIELDS = ("lang", "language")
POLIS_COLUMNS = ("timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                 "moderated", "comment-body")
POLIS_INT_FIELDS = ("author-id", "agrees", "disagrees", "moderated", "timestamp")

#: A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

csv.field_size_limit(16 * 1024 * 1024)


# ---------------------------------------------------------------- reading


def read_statements(source: str | Path, fmt: str | None = None, *, stdin: IO[Any] | None = None,
                    skip_empty: bool = False, skipped: list[int] | None = None) -> list[Statement]:
    """Read statements from a file path, or from stdin when `source` is "-".

    `fmt` is one of FORMATS; by default it is guessed from the extension and,
    for CSV, from the header (a header with `comment-id` and `comment-body` is
    a pol.is export). An empty text is an error unless `skip_empty` (real pol.is
    exports hold the odd empty, moderated-out comment); the lines of the rows
    skipped are appended to `skipped`, so a caller can say what it dropped.
    """
    return list(iter_statements(source, fmt, stdin=stdin, skip_empty=skip_empty, skipped=skipped))


def iter_statements(source: str | Path, fmt: str | None = None, *, stdin: IO[Any] | None = None,
                    skip_empty: bool = False, skipped: list[int] | None = None) -> Iterator[Statement]:
    """`read_statements` one statement at a time: a file of any size is read as a stream, with
    the same checks and the same errors (file, line, field) whatever its size."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'", hint=f"valid: {', '.join(FORMATS)}")
    if str(source) == "-":
        stream = stdin if stdin is not None else sys.stdin
        where: str | Path = "<stdin>"
        lines = _text_lines(stream, where)
    else:
        where = Path(source)
        _check_file(where)
        lines = _file_lines(where)
    first, lines = _peek(lines)
    fmt = fmt or (None if where == "<stdin>" else format_from_name(Path(where))) or _sniff(first)
    yield from _to_statements(_rows(lines, where, fmt), where, skip_empty, skipped)


def parse_text(text: str, where: str | Path, fmt: str, skip_empty: bool = False) -> list[Statement]:
    """Parse already-decoded text in the given format."""
    lines = iter(_split_lines(text))
    return list(_to_statements(_rows(lines, where, fmt), where, skip_empty))


def _rows(lines: Iterator[str], where: str | Path, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if fmt == "jsonl":
        return _jsonl_rows(lines, where)
    if fmt == "json":
        return _json_rows("".join(lines), where)
    if fmt in ("csv", "polis"):
        return _csv_rows(lines, where)
    if fmt == "txt":
        return ((n, {"id": str(n), "text": line.rstrip("\r\n")}) for n, line in enumerate(lines, 1) if line.strip())
    raise InputError(f"unknown format '{fmt}'", where, hint=f"valid: {', '.join(FORMATS)}")


_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def decode(data: bytes, path: str | Path) -> str:
    """UTF-8 (with or without BOM) or an InputError naming the line of the bad bytes."""
    return "".join(_decoded_lines(iter(data.splitlines(keepends=True)), path))


def _file_lines(path: Path) -> Iterator[str]:
    with open(path, "rb") as f:
        yield from _decoded_lines(iter(f), path)


def _text_lines(stream: IO[Any], where: str) -> Iterator[str]:
    """Lines of stdin, decoded from its bytes with the same rules as a file's."""
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        yield from _decoded_lines(iter(raw), where)
    else:  # a text stream (tests, embedding code): already decoded
        yield from stream


def _decoded_lines(raw: Iterator[bytes], where: str | Path) -> Iterator[str]:
    """Lines split on b"\n" only (a form feed or U+2028 inside a cell is text, not a line end),
    each decoded as UTF-8; the error names the line and column of the first bad byte."""
    n = 0
    for n, line in enumerate(raw, 1):
        if n == 1:
            for bom, name in _BOMS:
                if line.startswith(bom):
                    raise InputError(f"the file is {name}, not UTF-8", where, 1,
                                     hint=f"convert it, e.g. `iconv -f {name} -t UTF-8 IN > OUT`")
            if line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8):]
        if b"\x00" in line:  # valid UTF-8, but no text file of statements holds NUL bytes: UTF-16 or 32
            raise InputError("NUL bytes: the file looks like UTF-16, not UTF-8", where, n,
                             hint="convert it, e.g. `iconv -f UTF-16 -t UTF-8 IN > OUT`")
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"not valid UTF-8 (byte 0x{line[e.start]:02x} at column {e.start + 1})", where, n,
                             hint="save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 IN > OUT`") from None


def _split_lines(text: str) -> list[str]:
    """Lines ending in "\n" (kept), as a file is read: other line breaks stay inside the line."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _peek(lines: Iterator[str]) -> tuple[str, Iterator[str]]:
    """The first non-blank line (for sniffing the format), and every line as before."""
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    return (head[-1] if head else ""), itertools.chain(head, lines)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        hint = "give a statements file"
        if (path / "comments.csv").exists():
            hint = f"did you mean {path / 'comments.csv'}?"
        raise InputError("is a directory, not a file", path, hint=hint)


def format_from_name(path: Path) -> str | None:
    """The statements format a file's extension names, or None."""
    suffix = path.suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
            ".tsv": "csv", ".txt": "txt"}.get(suffix)


def _sniff(first: str) -> str:
    head = first.lstrip()[:1]
    if head == "{":
        return "jsonl"
    if head == "[":
        return "json"
    if any(name in first.lower().replace(" ", "").strip().split(",") for name in ID_FIELDS + TEXT_FIELDS):
        return "csv"
    return "txt"


def read_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) of a JSON Lines file of any records (not only statements), read by the same
    rules as statements: UTF-8, lines split on "\n" only, errors naming the file and line."""
    path = Path(path)
    _check_file(path)
    return _jsonl_rows(_file_lines(path), path)


def _jsonl_rows(lines: Iterable[str], where: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(lines, 1):
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
    if not text.strip():
        return
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


def _csv_rows(lines: Iterator[str], where: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a CSV file, read strictly: a quote that never closes is an error naming the line
    where its cell starts, not the rest of the file swallowed into one statement."""
    delimiter = "\t" if str(where).lower().endswith(".tsv") else ","
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:  # an empty file holds no statements, as an empty JSONL file does
            return
        header = [h.strip() for h in header]
        _find_field(header, ID_FIELDS, "id", where)
        _find_field(header, TEXT_FIELDS, "text", where)
        start = reader.line_num + 1
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if len(row) > len(header):
                raise InputError(f"{len(row)} cells but the header has {len(header)} columns",
                                 where, start, hint="quote text that contains commas")
            yield start, {key: restore_cell(cell) for key, cell in zip(header, row)}
            start = reader.line_num + 1
    except csv.Error as e:
        if "unexpected end of data" in str(e) or "EOF" in str(e):
            raise InputError("a quoted cell is never closed (a missing \")", where, start,
                             hint="close the quote, or double a quote inside quoted text (\"\")") from None
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
                   skip_empty: bool = False, skipped: list[int] | None = None) -> Iterator[Statement]:
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
                if skipped is not None:
                    skipped.append(line)
                continue
            raise InputError(f"empty text for id '{sid}'", where, line, text_key,
                             hint="fill it in, remove the row, or skip such rows (--skip-empty)")
        if sid in seen:
            raise InputError(f"duplicate id '{sid}' (first on line {seen[sid]})", where, line, id_key)
        seen[sid] = line
        lang_key, lang = _pick(row, LANG_FIELDS)
        lang = str(lang).strip().lower() if lang not in (None, "") else None
        meta = {k: _coerce(k, v) for k, v in row.items() if k not in (id_key, text_key, lang_key)}
        yield Statement(sid, text.strip(), lang, meta)


def _coerce(key: str, value: Any) -> Any:
    """pol.is integer columns arrive as strings from CSV; keep them numeric."""
    if key in POLIS_INT_FIELDS and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


# ---------------------------------------------------------------- writing


def neutralise_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with `'` (as OWASP recommends);
    anything else unchanged.

    Moderators open exports in spreadsheets, and a participant's text or id can start with
    `=HYPERLINK(...)`. A cell that already starts with `'` before a trigger (or before another
    `'`) gets one more, so `restore_cell` gives back exactly the text that was written.
    """
    if isinstance(value, str) and value and (
            value[0] in FORMULA_TRIGGERS
            or (value[0] == "'" and len(value) > 1 and value[1] in (*FORMULA_TRIGGERS, "'"))):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """The text `neutralise_cell` wrote: one leading `'` before a trigger (or `'`) removed."""
    if len(value) > 1 and value[0] == "'" and value[1] in (*FORMULA_TRIGGERS, "'"):
        return value[1:]
    return value


class SafeCSVWriter:
    """`csv.writer` whose every text cell goes through `neutralise_cell`: the only way this
    package writes CSV."""

    def __init__(self, out: IO[str], **options: Any):
        # CRLF line ends (RFC 4180): a cell holding a lone "\r" is then quoted, and reads back whole
        self._writer = csv.writer(out, lineterminator="\r\n", **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise_cell(cell) for cell in row])


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
        w = SafeCSVWriter(out)
        w.writerow(["id", "text", "lang", *extra])
        for s in statements:
            w.writerow([s.id, s.text, s.lang or "", *(_cell(s.meta.get(k)) for k in extra)])
    elif fmt == "polis":
        w = SafeCSVWriter(out)
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
    guess = format_from_name(Path(path))
    if guess is None:
        raise InputError("cannot tell the output format from the file name", path,
                         hint=f"use a .jsonl/.json/.csv/.txt name or --to {{{','.join(FORMATS)}}}")
    return guess
