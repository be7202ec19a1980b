"""The queue with the real stages (language, checks, themes) on the demo batch.

A hashing embedder stands in for the embedding model; the stages themselves
run for real (marked slow: their lexicons and classifiers take ~20 s to set up).
"""

from __future__ import annotations

import pytest

from statementkit.embed import HashingEmbedder
from statementkit.io import read_statements
from statementkit.queue import Filter, Queue
from statementkit.resources import corpus_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def q(tmp_path_factory):
    path = tmp_path_factory.mktemp("stages") / "demo.db"
    queue = Queue.create(path, published=corpus_dir() / "paper-statements.jsonl", who="alice")
    subs = read_statements(corpus_dir() / "demo-submissions.jsonl")[:16]
    report = queue.add(subs, embedder=HashingEmbedder())
    assert report.stages[:2] == ["lang", "checks"]
    yield queue
    queue.close()


def test_checks_results_are_stored_with_spans(q):
    jargon = q.get("sub-02")
    assert jargon.verdict == "reject" and "jargon" in jargon.flag_codes
    span = next(f.span for f in jargon.flags if f.code == "jargon")
    assert jargon.text[span.start:span.end].lower() in jargon.text.lower()
    assert [r.id for r in q.list(Filter(code="jargon"))][0] == "sub-02"


def test_themes_stage_fills_statements_clusters_and_bookkeeping(q):
    assert "themes" in q.stats()["stages"]
    published = q.get("aa-002")
    assert published.theme is not None and published.theme.theme == "1"  # the paper's theme, kept as a decision
    clusters = q.clusters()
    assert clusters and all(c.size >= 1 for c in clusters)
    kinds = {r["kind"] for r in q.theme_decision_records()}
    assert {"cluster_members", "next_cluster", "statement_theme", "example"} <= kinds


def test_analyst_decisions_survive_a_rerun_with_stable_cluster_ids(q):
    cluster = max(q.clusters(), key=lambda c: c.size)
    members = {m["id"] for m in q.cluster_members(cluster.id)}
    q.decide_cluster(cluster.id, "cluster_theme", "5")
    q.decide_cluster(cluster.id, "cluster_label", "Renamed by the analyst")
    q.recluster(embedder=HashingEmbedder())
    again = next(c for c in q.clusters() if c.id == cluster.id)
    assert again.theme == "5" and again.confirmed and again.label == "Renamed by the analyst"
    assert {m["id"] for m in q.cluster_members(cluster.id)} == members
    d = q.theme_decisions()
    assert d.cluster_themes[cluster.id] == "5" and d.cluster_labels[cluster.id] == "Renamed by the analyst"


def test_a_split_recorded_in_the_queue_takes_shape_on_the_next_themes_run(q):
    cluster = max(q.clusters(), key=lambda c: c.size)
    moved = [m["id"] for m in q.cluster_members(cluster.id)][:2]
    decision = q.split_cluster(cluster.id, moved)
    into = int(decision.target.removeprefix("cluster:"))
    q.recluster(embedder=HashingEmbedder())
    assert {m["id"] for m in q.cluster_members(into)} == set(moved)
    assert not {m["id"] for m in q.cluster_members(cluster.id)} & set(moved)
    assert into in {c.id for c in q.clusters()}


def _groups(queue) -> set[frozenset[str]]:
    rows = queue.conn.execute("SELECT id, dup_group FROM statements WHERE dup_group IS NOT NULL").fetchall()
    by: dict[int, set[str]] = {}
    for sid, group in rows:
        by.setdefault(group, set()).add(sid)
    return {frozenset(v) for v in by.values()}


def test_two_imports_give_the_groups_and_clusters_of_one(tmp_path):
    """Near-duplicate groups and clusters are the queue's: importing a file in two halves gives what one
    import of the whole file gives (issue 15, findings 1 and 2)."""
    subs = read_statements(corpus_dir() / "demo-submissions.jsonl")
    published = corpus_dir() / "paper-statements.jsonl"
    whole = Queue.create(tmp_path / "whole.db", published=published)
    whole.add(subs, embedder=HashingEmbedder())
    halves = Queue.create(tmp_path / "halves.db", published=published)
    halves.add(subs[:32], embedder=HashingEmbedder())
    halves.add(subs[32:], embedder=HashingEmbedder())
    assert _groups(halves) == _groups(whole) and _groups(whole)
    flags = "SELECT statement_id, code, severity FROM flags WHERE code = 'duplicate' ORDER BY statement_id"
    assert halves.conn.execute(flags).fetchall() == whole.conn.execute(flags).fetchall()
    # every statement points at a cluster that exists
    dangling = "SELECT count(*) FROM themes t WHERE t.cluster IS NOT NULL AND t.cluster NOT IN (SELECT id FROM clusters)"
    assert halves.conn.execute(dangling).fetchone()[0] == 0
    whole.close()
    halves.close()


def test_the_queue_keeps_a_similar_statement_apart_from_duplicates(tmp_path):
    """A pair the detector is not sure of is similar, not a duplicate (issue 14; before, a duplicate with
    `sure: false`): the queue shows it as a candidate for context but does not count it as a duplicate."""
    from statementkit.pipeline import ScreenRow
    from statementkit.records import DedupResult, Duplicate, Screening, Statement

    q = Queue.create(tmp_path / "q.db", published=[Statement("p1", "Museums should label AI texts.", "en")])
    similar = Duplicate("p1", 0.7, is_duplicate=False, reason="related (left over: signaler vs label)")
    q.add_screened([ScreenRow(Statement("s1", "Les musées devraient signaler les textes IA.", "fr"),
                              screening=Screening("s1", "accept", [], "fr"),
                              duplicates=DedupResult("s1", [similar]))])
    item = q.get("s1")
    [candidate] = item.candidates
    assert not candidate.duplicate.is_duplicate and candidate.duplicate.reason == similar.reason
    assert item.verdict == "accept"
    assert tuple(q.conn.execute("SELECT n_duplicates, dup_group FROM statements WHERE id = 's1'").fetchone()) == (0, None)
    q.close()


def test_a_queue_made_before_issue_14_shows_its_unsure_duplicates_as_similar(tmp_path):
    """Migration 3: a pair stored as a duplicate the detector was not sure of (schema 2) opens as
    similar and leaves the statement's duplicate count; a sure one stays a duplicate."""
    import sqlite3

    from statementkit.pipeline import ScreenRow
    from statementkit.records import DedupResult, Duplicate, Screening, Statement

    path = tmp_path / "old.db"
    q = Queue.create(path, published=[Statement("p1", "Museums should label AI texts.", "en"),
                                      Statement("p2", "Museums should train staff in AI.", "en")])
    q.add_screened([ScreenRow(Statement("s1", "Museums must label AI texts.", "en"),
                              screening=Screening("s1", "reject", [], "en"),
                              duplicates=DedupResult("s1", [Duplicate("p1", 0.95), Duplicate("p2", 0.7)]))])
    q.close()
    conn = sqlite3.connect(path)  # as schema 2 stored it: p2 a duplicate the detector was unsure of
    conn.execute("UPDATE duplicates SET sure = 0 WHERE other_id = 'p2'")
    conn.execute("UPDATE statements SET n_duplicates = 2 WHERE id = 's1'")
    conn.execute("DELETE FROM _migrations WHERE version = 3")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Queue(path) as q:
        kinds = {c.duplicate.id: c.duplicate.is_duplicate for c in q.get("s1").candidates}
        assert kinds == {"p1": True, "p2": False}
        assert q.conn.execute("SELECT n_duplicates FROM statements WHERE id = 's1'").fetchone()[0] == 1
