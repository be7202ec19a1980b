"""Exports: published set (CSV, JSONL, pol.is comments.csv, pol.is seed upload), states, moderation log, themes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from queue_helpers import make_queue

from statementkit.errors import QueueError
from statementkit.io import parse_text
from statementkit.queue.export import FORMATS


@pytest.fixture
def q(tmp_path):
    queue = make_queue(tmp_path / "a.db")
    queue.accept(["s4"], note="clear")
    queue.edit("s1", "Europeana should further train an open language model on its metadata.")
    queue.reject(["s2"], ["duplicate", "vague"], note="see p1")
    queue.merge(["s5"], into="p1")
    queue.set_theme(["s4"], "5")
    yield queue
    queue.close()


def export(q, what, fmt, **kw) -> str:
    out = io.StringIO()
    q.export(what, out, fmt, **kw)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_published_round_trips_through_the_readers(q, fmt):
    statements = parse_text(export(q, "published", fmt), "<export>", fmt)
    assert [s.id for s in statements] == ["p1", "p2", "s1", "s4"]
    edited = statements[2]
    assert edited.text.startswith("Europeana should further train")
    assert edited.meta["original_text"].startswith("Europeana should fine-tune")
    assert edited.meta["status"] == "edited" and statements[3].meta["theme"] == "5"


def test_published_new_only(q):
    ids = [s.id for s in parse_text(export(q, "published", "jsonl", new_only=True), "<x>", "jsonl")]
    assert ids == ["s1", "s4"]


def test_published_as_polis_comments_csv(q):
    text = export(q, "published", "polis")
    assert text.startswith("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body")
    statements = parse_text(text, "<x>", "polis")
    assert [s.meta["moderated"] for s in statements] == [1, 1, 1, 1]


def test_published_as_polis_seed_upload(q):
    rows = list(csv.reader(io.StringIO(export(q, "published", "polis-seed", new_only=True))))
    assert rows[0] == ["comment_text"]
    assert [r[0][:20] for r in rows[1:]] == ["Europeana should fur", "Archives should publ"]


def test_all_statements_as_polis_with_moderation(q):
    statements = parse_text(export(q, "statements", "polis"), "<x>", "polis")
    assert {s.id: s.meta["moderated"] for s in statements} == {"s1": 1, "s2": -1, "s3": 0, "s4": 1, "s5": -1}


def test_moderation_log_csv_with_reason_codes(q):
    q.undo()  # the theme decision
    rows = list(csv.DictReader(io.StringIO(export(q, "log", "csv"))))
    assert [r["action"] for r in rows] == ["accept", "edit", "reject", "merge", "theme", "undo"]
    reject = rows[2]
    assert (reject["target"], reject["codes"], reject["note"], reject["who"]) == ("s2", "duplicate;vague", "see p1",
                                                                                  "alice")
    assert rows[1]["text_before"].startswith("Europeana should fine-tune")
    assert rows[1]["text_after"].startswith("Europeana should further")
    assert rows[3]["merged_into"] == "p1"
    assert (rows[4]["theme_after"], rows[4]["undone_by"]) == ("5", rows[5]["seq"])
    assert rows[5]["undoes"] == rows[4]["seq"]


def test_theme_assignments(q):
    records = [json.loads(line) for line in export(q, "themes", "jsonl").splitlines()]
    by_id = {r["id"]: r for r in records}
    assert list(by_id) == ["p1", "p2", "s1", "s4"]
    assert by_id["s4"]["theme"] == "5" and by_id["s4"]["source"] == "analyst" and by_id["s4"]["suggested"] == "1"
    assert by_id["s1"]["theme"] == "7" and by_id["s1"]["cluster_label"] == "AI descriptions and metadata"
    assert by_id["p1"]["theme"] is None
    header = export(q, "themes", "csv").splitlines()[0]
    assert header.startswith("id,theme,source,suggested")


def test_unknown_export_or_format(q):
    with pytest.raises(QueueError, match="unknown export 'votes'"):
        export(q, "votes", "csv")
    with pytest.raises(QueueError, match="cannot export log as 'polis'"):
        export(q, "log", "polis")
    assert "polis-seed" in FORMATS["published"]
