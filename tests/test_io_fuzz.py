"""Any bytes into a reader: statements that survive a round trip, or an error naming the place (never a
traceback, never a silent loss). Bounded examples, so it runs in CI."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statementkit.errors import InputError, StatementkitError, VotesError
from statementkit.io import parse_text, read_statements, write_statements

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# bytes that look like each format: a valid header or opening, then anything
ALPHABET = st.sampled_from([b"a", b"1", b",", b'"', b"\n", b"\r", b"{", b"}", b":", b"[", b"]", b" ", b"\x00",
                            b"\xff", b"\xc3\xa9", b"\xe2\x80\xa8", b"\x0c", b"=", b"'", b"id", b"text", b'"id"',
                            b'"text"', b"\t", b"\\", b"\xef\xbb\xbf"])
NOISE = st.lists(ALPHABET, max_size=40).map(b"".join)
STARTS = {".csv": b"id,text\n", ".jsonl": b'{"id": "a", "text": "x"}\n', ".json": b'[{"id": "a", "text": "',
          ".txt": b"", ".tsv": b"id\ttext\n"}


def _round_trips(statements) -> None:
    for fmt in ("csv", "jsonl"):
        out = io.StringIO()
        write_statements(statements, out, fmt)
        back = parse_text(out.getvalue(), "<again>", fmt)
        assert [(s.id, s.text) for s in back] == [(s.id, s.text) for s in statements], fmt


@pytest.mark.parametrize("suffix", sorted(STARTS))
@FUZZ
@given(noise=NOISE)
def test_any_bytes_read_or_fail_with_a_place(tmp_path, suffix, noise):
    path = tmp_path / f"in{suffix}"
    path.write_bytes(STARTS[suffix] + noise)
    try:
        statements = read_statements(path, skip_empty=True)
    except InputError as e:
        assert str(path) in str(e)
        assert e.line is not None or "item" in e.problem or "format" in e.problem, str(e)
        return
    assert all(s.id and s.text == s.text.strip() and s.text for s in statements)
    _round_trips(statements)


@FUZZ
@given(noise=NOISE)
def test_any_bytes_on_stdin_read_or_fail_with_a_line(noise):
    class Stdin(io.TextIOWrapper):
        pass

    stdin = Stdin(io.BytesIO(b"id,text\n" + noise), encoding="utf-8")
    try:
        statements = read_statements("-", stdin=stdin, skip_empty=True)
    except InputError as e:
        assert "<stdin>" in str(e) and e.line is not None, str(e)
        return
    _round_trips(statements)


@FUZZ
@given(noise=NOISE)
def test_any_bytes_as_a_votes_export_read_or_fail_as_votes_error(tmp_path, noise):
    from statementkit.votes.conversation import read_conversation

    folder = tmp_path / "conv"
    folder.mkdir(exist_ok=True)
    (folder / "comments.csv").write_bytes(b"timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,"
                                          b"comment-body\n1,x,1,1,0,0,1,hello\n" + noise)
    (folder / "votes.csv").write_bytes(b"timestamp,datetime,comment-id,voter-id,vote\n1,x,1,1,1\n" + noise)
    try:
        conv = read_conversation(folder)
    except (VotesError, InputError) as e:
        assert isinstance(e, StatementkitError) and str(folder) in str(e)
        return
    assert set(conv.votes.statements) <= {s.id for s in conv.statements}
