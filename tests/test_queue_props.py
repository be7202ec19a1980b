"""Property tests: any text survives the database, edits and exports unchanged."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from statementkit.errors import QueueError
from statementkit.io import parse_text
from statementkit.queue import Queue
from statementkit.records import Statement

# Any Unicode except lone surrogates (which UTF-8 cannot carry); NUL, emoji, RTL, combining marks included.
texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200).filter(
    lambda t: t.strip() == t and t != "")

settings.register_profile("queue", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def q():
    with tempfile.TemporaryDirectory() as d:
        queue = Queue.create(Path(d) / "p.db")
        yield queue
        queue.close()


_counter = iter(range(10**9))


@settings(settings.get_profile("queue"))
@given(text=texts, edit=texts, note=st.text(st.characters(blacklist_categories=("Cs",)), max_size=50))
def test_text_round_trip(q, text, edit, note):
    assume(edit != text)
    sid = f"h{next(_counter)}"
    q.add_screened([_row(Statement(sid, text, "en", {"note": text}))])
    assert q.get(sid).text == text and q.get(sid).statement.meta == {"note": text}
    q.edit(sid, edit, note=note or None)
    item = q.get(sid)
    assert item.text == edit.strip() and item.original_text == text and item.note == (note or None)
    out = io.StringIO()
    q.export("statements", out, "jsonl")
    exported = {s.id: s for s in parse_text(out.getvalue(), "<x>", "jsonl")}
    assert exported[sid].text == edit.strip() and exported[sid].meta["original_text"] == text
    q.undo()
    assert q.get(sid).text == text and q.get(sid).status == "pending"


@settings(settings.get_profile("queue"))
@given(sid=texts)
def test_any_id_round_trips(q, sid):
    if q.seq_of(sid) is None:
        q.add_screened([_row(Statement(sid, "Museums should open their archives.", "en"))])
    assert q.get(sid).id == sid
    assert [r.id for r in q.list()].count(sid) == 1


def test_unpaired_surrogates_are_refused_clearly(q):
    with pytest.raises(QueueError, match="unpaired surrogate"):
        q.add([Statement("bad", "broken \ud800 text", "en")])
    with pytest.raises(QueueError, match="unpaired surrogate"):
        q.add_screened([_row(Statement("bad2", "ok", "en", {"x": "\udcff"}))])


def _row(statement: Statement):
    from statementkit.pipeline import ScreenRow

    return ScreenRow(statement)
