"""Input and output that never lose, mangle or weaponise a participant's text (hostile and careless input)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from queue_helpers import make_queue
from typer.testing import CliRunner

from statementkit.cli.main import app
from statementkit.errors import InputError
from statementkit.io import (
    FORMULA_TRIGGERS,
    neutralise_cell,
    parse_text,
    read_statements,
    restore_cell,
    write_statements,
)
from statementkit.pipeline import ScreenRow
from statementkit.records import Screening, Statement

runner = CliRunner()

FORMULAS = [
    '=HYPERLINK("http://evil.example","Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted once",
    "''",
    "'",
    "it's fine",
]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _no_formula(text: str) -> None:
    bad = [c for c in _cells(text) if c[:1] in FORMULA_TRIGGERS]
    assert bad == [], bad


@pytest.mark.parametrize("text", FORMULAS)
def test_a_neutralised_cell_reads_back_as_the_same_text(text):
    assert restore_cell(neutralise_cell(text)) == text
    assert neutralise_cell(text)[:1] not in FORMULA_TRIGGERS
    assert neutralise_cell(-1) == -1  # numbers we write ourselves stay numbers


@pytest.mark.parametrize("fmt", ["csv", "polis"])
def test_csv_files_carry_no_formula_and_round_trip(fmt):
    statements = [Statement(f"=id{i}" if i == 0 else f"s{i}", text, "en", {"note": "=1+2"})
                  for i, text in enumerate(t for t in FORMULAS if t.strip("'"))]
    out = io.StringIO()
    write_statements(statements, out, fmt)
    _no_formula(out.getvalue())
    back = parse_text(out.getvalue(), "<x>", fmt)
    assert [(s.id, s.text) for s in back] == [(s.id, s.text.strip()) for s in statements]


def test_every_queue_export_is_safe_in_a_spreadsheet(tmp_path):
    q = make_queue(tmp_path / "q.db")
    evil = Statement("=evil", '=HYPERLINK("http://evil.example","Click")', "en")
    q.add_screened([ScreenRow(evil, screening=Screening("=evil", "accept", [], "en"))])
    q.accept(["=evil"], note="@note")
    q.edit("s4", "+cmd|' /C calc'!A0")
    for what, fmt in [("statements", "csv"), ("published", "csv"), ("published", "polis"),
                      ("published", "polis-seed"), ("log", "csv"), ("themes", "csv")]:
        out = io.StringIO()
        q.export(what, out, fmt)
        _no_formula(out.getvalue())
    out = io.StringIO()
    q.export("published", out, "csv")
    texts = {s.id: s.text for s in parse_text(out.getvalue(), "<x>", "csv")}
    assert texts["=evil"] == evil.text and texts["s4"] == "+cmd|' /C calc'!A0"
    q.close()


def test_convert_writes_safe_csv(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "=1+1 is a formula"}) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["convert", str(src), str(tmp_path / "out.csv")])
    assert r.exit_code == 0, r.output
    _no_formula((tmp_path / "out.csv").read_text(encoding="utf-8"))
    assert read_statements(tmp_path / "out.csv")[0].text == "=1+1 is a formula"


def _error(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as e:
        read_statements(path)
    return str(e.value)


def test_an_unclosed_quote_is_an_error_naming_its_line(tmp_path):
    msg = _error(tmp_path, "q.csv", b'id,text\na,"fine"\nb,"never closed\nc,swallowed\nd,also swallowed\n')
    assert "q.csv:3" in msg and "never closed" in msg


@pytest.mark.parametrize("char", ["\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x0b"])
def test_cells_with_other_line_breaks_are_text_not_line_ends(tmp_path, char):
    path = tmp_path / "s.csv"
    path.write_text(f'id,text\na,"one{char}two"\nb,three{char}four\n', encoding="utf-8")
    got = read_statements(path)
    assert [(s.id, s.text) for s in got] == [("a", f"one{char}two"), ("b", f"three{char}four")]
    jsonl = tmp_path / "s.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "text": f"x{char}y"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_statements(jsonl)[0].text == f"x{char}y"


def test_utf16_is_named_with_the_right_conversion(tmp_path):
    msg = _error(tmp_path, "u16.csv", "id,text\na,Grüße\n".encode("utf-16"))
    assert "UTF-16" in msg and "iconv -f UTF-16" in msg and "latin1" not in msg
    msg = _error(tmp_path, "u16le.jsonl", '{"id": "a", "text": "x"}\n'.encode("utf-16-le"))
    assert "UTF-16" in msg


def test_latin1_error_names_line_and_column(tmp_path):
    msg = _error(tmp_path, "l1.csv", "id,text\na,ok\nb,Gr\xfc\xdfe\n".encode("latin-1"))
    assert "l1.csv:3" in msg and "0xfc" in msg and "column 5" in msg


@pytest.mark.parametrize("content", [b"", b"\n\n", b"id,text\n"])
def test_an_empty_csv_holds_no_statements_like_an_empty_jsonl(tmp_path, content):
    (tmp_path / "e.csv").write_bytes(content)
    (tmp_path / "e.jsonl").write_bytes(content if content != b"id,text\n" else b"")
    assert read_statements(tmp_path / "e.csv") == [] and read_statements(tmp_path / "e.jsonl") == []


@pytest.mark.parametrize("command", [["check", "-", "--no-embed"], ["lang", "-"], ["dedup", "-", "--copies-only"],
                                     ["convert", "-", "-"]])
def test_non_utf8_on_stdin_is_an_input_error(command):
    r = runner.invoke(app, command, input=b'{"id": "a", "text": "Gr\xfc\xdfe"}\n')
    assert r.exit_code == 3, r.output
    assert "<stdin>:1" in r.output and "UTF-8" in r.output and "Traceback" not in r.output


def test_selfcheck_non_utf8_on_stdin_is_not_a_verdict():
    r = runner.invoke(app, ["selfcheck", "-"], input=b"Gr\xfc\xdfe aus Wien\n")
    assert r.exit_code == 3 and "UTF-8" in r.output


def test_skip_empty_reports_what_it_dropped(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,text\na,one\nb,\nc,  \nd,four\n", encoding="utf-8")
    skipped: list[int] = []
    assert [s.id for s in read_statements(path, skip_empty=True, skipped=skipped)] == ["a", "d"]
    assert skipped == [3, 4]
    r = runner.invoke(app, ["lang", str(path), "--skip-empty", "--format", "jsonl"])
    said = " ".join(r.output.split())  # the note wraps at 80 columns wherever the temporary path ends
    assert r.exit_code == 0 and "skipped 2 rows with empty text" in said and "lines 3, 4" in said


HOSTILE = "Museums should label AI texts \x1b]0;PWNED\x07\x1b[8mhidden\x1b[0m \u202eevil\u202c now."


def _no_raw_controls(output: str) -> None:
    assert "\x1b]0;" not in output and "\x1b[8m" not in output and "\x07" not in output
    assert "\u202e" not in output and "\u202c" not in output


@pytest.mark.parametrize("command", [["check", "{f}", "--no-embed"], ["lang", "{f}"], ["selfcheck", HOSTILE],
                                     ["dedup", "{f}", "--copies-only"]])
def test_tables_show_control_characters_as_placeholders(tmp_path, command):
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"id": "h\x1b[2J1", "text": HOSTILE}) + "\n", encoding="utf-8")
    r = runner.invoke(app, [arg.replace("{f}", str(path)) for arg in command], terminal_width=200, color=True)
    assert r.exit_code in (0, 10, 11), r.output
    _no_raw_controls(r.output)
    if command[0] == "check":  # the statement is shown: its escapes as placeholders
        assert "␛]0;PWNED" in r.output


def test_queue_show_and_errors_show_placeholders(tmp_path):
    q = make_queue(tmp_path / "q.db")
    q.add_screened([ScreenRow(Statement("evil", HOSTILE, "en"), screening=Screening("evil", "accept", [], "en"))])
    q.close()
    r = runner.invoke(app, ["queue", "show", str(tmp_path / "q.db"), "evil"], color=True, terminal_width=200)
    assert r.exit_code == 0, r.output
    _no_raw_controls(r.output)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x\x1b]0;T\x07", "text": " "}) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["lang", str(bad)])
    assert r.exit_code == 3 and "x␛]0;T" in r.output
    _no_raw_controls(r.output)


def test_an_unknown_model_is_refused_at_once_without_the_network(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Museums should label AI texts."}) + "\n", encoding="utf-8")
    for command in (["check", str(path), "--model", "someone/not-a-model"],
                    ["dedup", str(path), "--model", str(tmp_path / "no-such-folder")],
                    ["themes", str(path), "--model", "not-registered"]):
        r = runner.invoke(app, command)
        assert r.exit_code == 3, (command, r.output)
        assert "unknown embedding model" in r.output and "never downloads" in " ".join(r.output.split())


def test_themes_of_an_empty_file_writes_nothing(tmp_path):
    from statementkit.themes.decisions import decisions_path

    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    r = runner.invoke(app, ["themes", str(path), "--model", "hashing"])
    assert r.exit_code == 3 and "no statements to cluster" in " ".join(r.output.split())
    assert not decisions_path(path).exists() and sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl"]


@pytest.mark.parametrize("name, content", [("empty.jsonl", ""), ("x.xyz", "a"), ("header-only.csv", "id,text\n")])
def test_report_refuses_inputs_with_nothing_to_report(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    r = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 3, r.output
    assert not (tmp_path / "r.html").exists()


def test_check_jsonl_streams_the_same_records_as_a_whole_batch(tmp_path):
    from statementkit.checks import check, check_stream, load_rules

    from statementkit.resources import corpus_dir

    rules = load_rules()
    demo = str(corpus_dir() / "demo-submissions.jsonl")
    statements = read_statements(demo)
    whole = [s.to_dict() for s in check(statements, rules)]
    assert [s.to_dict() for s in check_stream(iter(statements), rules, chunk=7)] == whole
    r = runner.invoke(app, ["check", demo, "--no-embed", "--format", "jsonl"])
    assert r.exit_code == 0 and [json.loads(line) for line in r.output.splitlines()] == whole


def test_checking_an_empty_file_says_so(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    r = runner.invoke(app, ["check", str(path), "--no-embed"])
    assert r.exit_code == 0 and "no statements to check in" in r.output and "verdicts:" not in r.output
