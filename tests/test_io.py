"""Readers and writers: round trips on every format and every bad-input case."""

from __future__ import annotations

import io
import json

import pytest

from statementkit.errors import InputError
from statementkit.io import iter_statements, read_statements, write_statements
from statementkit.records import Statement

STATEMENTS = [
    Statement("1", "Museums should label AI-generated images.", "en"),
    Statement("x-2", 'Text with "quotes", commas, and\nanother line', None, {"theme": "2"}),
    Statement("3", "Archive sollten Metadaten offen teilen — mit Umlauten äöü ß", "de",
              {"author-id": 7, "moderated": 1, "agrees": 3, "disagrees": 0}),
]


@pytest.mark.parametrize("fmt,suffix", [("jsonl", ".jsonl"), ("json", ".json"), ("csv", ".csv")])
def test_round_trip(tmp_path, fmt, suffix):
    path = tmp_path / f"out{suffix}"
    with open(path, "w", encoding="utf-8", newline="") as f:
        write_statements(STATEMENTS, f, fmt)
    back = read_statements(path)
    assert [(s.id, s.text, s.lang) for s in back] == [(s.id, s.text.strip(), s.lang) for s in STATEMENTS]
    assert back[1].meta["theme"] == "2"
    assert back[2].meta["moderated"] == 1


def test_polis_round_trip_keeps_moderation_and_counts(tmp_path, fixtures):
    original = read_statements(fixtures / "polis" / "austria-energy-comments.csv")
    assert len(original) == 40
    first = original[0]
    assert {"author-id", "moderated", "agrees", "disagrees"} <= set(first.meta)
    assert {s.meta["moderated"] for s in original} == {1, -1}
    path = tmp_path / "comments.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        write_statements(original, f, "polis")
    back = read_statements(path)
    assert [(s.id, s.text, s.meta["author-id"], s.meta["moderated"], s.meta["agrees"]) for s in back] == \
           [(s.id, s.text, s.meta["author-id"], s.meta["moderated"], s.meta["agrees"]) for s in original]


def test_txt_and_stdin():
    back = read_statements("-", stdin=io.StringIO("first statement\n\nsecond one\n"))
    assert [(s.id, s.text) for s in back] == [("1", "first statement"), ("3", "second one")]
    back = read_statements("-", stdin=io.StringIO('{"id": "a", "text": "from stdin"}\n'))
    assert back[0].id == "a"


def test_jsonl_fixture_keeps_extra_fields(fixtures):
    s = read_statements(fixtures / "statements.jsonl")
    assert s[0].lang == "en" and s[1].lang is None
    assert s[2].meta["tags"] == ["skills", "fr"]


def test_one_streaming_reader_for_every_size(tmp_path):
    """Statements come one at a time: the first arrive before a later line is even read."""
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": f"statement {i}"}) + "\n" for i in range(500))
                    + "not json\n")
    stream = iter_statements(path)
    assert [next(stream).id for _ in range(3)] == ["0", "1", "2"]
    with pytest.raises(InputError, match="big.jsonl:501: malformed JSON"):
        list(stream)


# ------------------------------------------------------------- bad input


def _err(tmp_path, name: str, content: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as e:
        read_statements(path)
    return str(e.value)


def test_missing_column(tmp_path):
    msg = _err(tmp_path, "s.csv", "id,body_text\n1,hello\n")
    assert "s.csv:1" in msg and "missing column 'text'" in msg and "body_text" in msg


def test_malformed_json_line(tmp_path):
    msg = _err(tmp_path, "s.jsonl", '{"id": 1, "text": "ok"}\n{"id": 2, "text": "bad\n')
    assert "s.jsonl:2" in msg and "malformed JSON" in msg


def test_non_utf8(tmp_path):
    msg = _err(tmp_path, "s.csv", b"id,text\n1,ok\n2,caf\xe9 latin-1\n")
    assert "s.csv:3" in msg and "UTF-8" in msg


def test_empty_text(tmp_path):
    msg = _err(tmp_path, "s.jsonl", '{"id": "a", "text": "fine"}\n{"id": "b", "text": "   "}\n')
    assert "s.jsonl:2" in msg and "empty text" in msg and "'text'" in msg


def test_duplicate_ids(tmp_path):
    msg = _err(tmp_path, "s.csv", "id,text\n1,one\n2,two\n1,three\n")
    assert "s.csv:4" in msg and "duplicate id '1'" in msg and "line 2" in msg


def test_csv_line_numbers_count_multiline_cells(tmp_path):
    msg = _err(tmp_path, "s.csv", 'id,text\n1,"two\nlines"\n2,\n')
    assert "s.csv:4" in msg


def test_missing_id(tmp_path):
    msg = _err(tmp_path, "s.jsonl", '{"text": "no id"}\n')
    assert "s.jsonl:1" in msg and "missing id" in msg


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "conv").mkdir()
    (tmp_path / "conv" / "comments.csv").write_text("comment-id,comment-body\n1,x\n")
    with pytest.raises(InputError) as e:
        read_statements(tmp_path / "conv")
    assert "is a directory" in str(e.value) and "comments.csv" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_statements(tmp_path / "nope.jsonl")


def test_json_array_not_objects(tmp_path):
    msg = _err(tmp_path, "s.json", '["just", "strings"]')
    assert "not a JSON object" in msg
