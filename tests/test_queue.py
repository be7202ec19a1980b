"""The triage queue: decisions, undo, audit log, filters, claims, stage results."""

from __future__ import annotations

import sqlite3

import pytest
from queue_helpers import REFERENCE, SUBMISSIONS, make_queue

from statementkit.embed import HashingEmbedder
from statementkit.errors import QueueConflict, QueueError
from statementkit.pipeline import ScreenRow
from statementkit.queue import Filter, Queue
from statementkit.queue.db import APPLICATION_ID, schema_version
from statementkit.records import Statement


@pytest.fixture
def q(tmp_path):
    queue = make_queue(tmp_path / "a.db")
    yield queue
    queue.close()


def status(q: Queue, sid: str) -> str:
    return q.get(sid).status


# ---------------------------------------------------------------- opening


def test_create_records_schema_and_migrations(tmp_path):
    with Queue.create(tmp_path / "x.db") as q:
        conn = q.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY version")]
        assert names[0] == "initial_schema"
        assert [t[0] for t in q.taxonomy()] == ["1", "2", "3", "4", "5", "6", "7"]


def test_reopen_keeps_everything(tmp_path, q):
    q.reject(["s1"], ["jargon"], note="LoRA")
    q.close()
    with Queue(tmp_path / "a.db") as again:
        item = again.get("s1")
        assert (item.status, item.codes, item.note, item.decided_by) == ("rejected", ["jargon"], "LoRA", "alice")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(QueueError, match="no such queue.*queue init"):
        Queue(tmp_path / "nope.db")


def test_create_refuses_existing_file(tmp_path, q):
    with pytest.raises(QueueError, match="already exists"):
        Queue.create(tmp_path / "a.db")


def test_corrupted_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not an sqlite database at all" * 100)
    with pytest.raises(QueueError, match="corrupted or not an SQLite database"):
        Queue(bad)


def test_truncated_database_is_a_clear_error(tmp_path):
    path = tmp_path / "t.db"
    with Queue.create(path, published=REFERENCE) as q:
        q.add_screened([])  # nothing, but a write
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 3000 + data[3100:])
    with pytest.raises(QueueError, match="corrupted"):
        with Queue(path) as q:
            q.list()


def test_other_sqlite_database_is_not_a_queue(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(QueueError, match="not a statementkit queue"):
        Queue(other)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Queue.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    with pytest.raises(QueueError, match="newer statementkit.*upgrade"):
        Queue(path)


def test_locked_database_is_a_clear_error(tmp_path, q):
    blocker = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        q.conn.execute("PRAGMA busy_timeout = 200")
        with pytest.raises(QueueError, match="locked by another process"):
            q.accept(["s4"])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert q.accept(["s4"])  # usable again once the lock is gone


# ---------------------------------------------------------------- stage results


def test_stage_results_are_stored_with_the_statement(q):
    item = q.get("s1")
    assert item.verdict == "reject"
    assert [f.code for f in item.flags] == ["jargon", "jargon"]
    assert item.flags[0].span.of(item.text) == "fine-tune" and item.flags[0].suggestion == "further train"
    dup = q.get("s2")
    assert [c.duplicate.id for c in dup.candidates] == ["p1", "s5"]
    assert dup.candidates[0].text == REFERENCE[0].text and dup.candidates[0].status == "accepted"
    assert dup.group_members == ["s5"]
    assert dup.theme.theme == "3" and dup.theme.theme2 == "1" and dup.cluster_label == "Control over collections"
    assert [c.id for c in q.clusters()] == [1, 2]


@pytest.mark.slow
def test_import_runs_the_pipeline_stages(tmp_path):
    # the criteria checks and the themes stage run on import (pipeline.screen); dedup is not run here
    from statementkit.embed import HashingEmbedder

    with Queue.create(tmp_path / "e.db") as q:
        q.add([Statement("x", "Museums should open their digitised archives to researchers.")],
              embedder=HashingEmbedder())
        item = q.get("x")
        assert item.statement.lang == "en"
        assert item.flags == [] and item.verdict == "accept"
        assert item.candidates == [] and item.theme is not None and item.theme.source == "model"


def test_reimport_skips_same_ids_and_refuses_changed_text(q):
    report = q.add(SUBMISSIONS[:2])
    assert report.added == [] and report.skipped == ["s1", "s2"]
    with pytest.raises(QueueError, match="'s1'.*different text"):
        q.add([Statement("s1", "Something else entirely.")])


def test_accepting_publishes_and_later_imports_are_checked_against_it(q, monkeypatch):
    import statementkit.pipeline as pipeline

    seen = {}

    def spy(submissions, published, rules=None, **kw):
        """Records what the queue hands the pipeline; the stages themselves are not what this test is about."""
        seen["published"] = [s.id for s in published]
        return pipeline.ScreenResult([pipeline.ScreenRow(s) for s in submissions], list(published), [])

    monkeypatch.setattr(pipeline, "screen", spy)
    q.accept(["s4"])
    q.edit("s3", "Museums should label AI-generated descriptions.")
    q.reject(["s1"], ["jargon"])
    q.add([Statement("s9", "Archives should publish how they use AI.")])
    assert seen["published"] == ["p1", "p2", "s3", "s4"]
    assert [s.id for s in q.published()] == ["p1", "p2", "s3", "s4"]


# ---------------------------------------------------------------- decisions


def test_decisions_record_codes_note_who_and_when(q):
    (d,) = q.reject(["s1"], ["jargon", "jargon"], note="LoRA")
    assert (d.action, d.codes, d.note, d.who) == ("reject", ["jargon"], "LoRA", "alice")
    assert d.before["status"] == "pending" and d.after["status"] == "rejected"
    item = q.get("s1")
    assert item.decided_at == d.at and item.history[-1].seq == d.seq


def test_reject_needs_a_known_reason(q):
    with pytest.raises(QueueError, match="at least one reason code"):
        q.reject(["s1"], [])
    with pytest.raises(QueueError, match="unknown reason code 'rude'.*incivility"):
        q.reject(["s1"], ["rude"])
    assert status(q, "s1") == "pending" and q.log() == []


def test_edit_keeps_the_original_text(q):
    q.edit("s1", "  Europeana should further train an open language model on its metadata. ")
    item = q.get("s1")
    assert item.status == "edited" and item.published
    assert item.text == "Europeana should further train an open language model on its metadata."
    assert item.original_text == SUBMISSIONS[0].text and item.edited
    q.undo()
    assert q.get("s1").text == SUBMISSIONS[0].text


def test_merge_links_to_the_canonical_statement(q):
    q.merge(["s2", "s5"], into="p1", note="same claim")
    for sid in ("s2", "s5"):
        item = q.get(sid)
        assert (item.status, item.merged_into, item.codes, item.published) == ("merged", "p1", ["duplicate"], False)


def test_merge_target_must_be_alive(q):
    q.reject(["s4"], ["vague"])
    with pytest.raises(QueueError, match="it was rejected"):
        q.merge(["s2"], into="s4")
    with pytest.raises(QueueError, match="no such statement"):
        q.merge(["s2"], into="zzz")
    with pytest.raises(QueueError, match="into itself"):
        q.merge(["s2"], into="s2")


def test_deciding_twice_is_a_conflict_unless_revising(q):
    q.accept(["s4"])
    with pytest.raises(QueueConflict, match="already accepted by alice"):
        q.reject(["s4"], ["vague"])
    q.reject(["s4"], ["vague"], expect=None)
    assert status(q, "s4") == "rejected"


def test_batch_is_all_or_nothing(q):
    q.accept(["s4"])
    with pytest.raises(QueueConflict):
        q.reject(["s2", "s4", "s5"], ["duplicate"])
    assert status(q, "s2") == "pending" and status(q, "s5") == "pending"
    made, skipped = q.decide(["s2", "s4", "s5"], "reject", codes=["duplicate"], skip_conflicts=True)
    assert [d.target for d in made] == ["s2", "s5"] and [s.id for s in skipped] == ["s4"]
    assert len({d.batch for d in made}) == 1


def test_unknown_id_writes_nothing(q):
    with pytest.raises(QueueError, match="no statement 'nope'"):
        q.accept(["s4", "nope"])
    assert status(q, "s4") == "pending"


# ---------------------------------------------------------------- undo and audit


def test_undo_restores_every_field_and_is_logged(q):
    before = q.get("s2")
    q.merge(["s2"], into="p1", note="dup")
    (u,) = q.undo()
    after = q.get("s2")
    for name in ("status", "text", "published", "merged_into", "codes", "note", "decided_by", "decided_at"):
        assert getattr(after, name) == getattr(before, name), name
    log = q.log()
    assert [d.action for d in log] == ["merge", "undo"]
    assert log[0].undone_by == u.seq and log[1].undoes == log[0].seq


def test_undo_takes_back_a_whole_batch(q):
    q.accept(["s4"])
    q.reject(["s2", "s5"], ["duplicate"])
    assert len(q.undo()) == 2
    assert status(q, "s2") == status(q, "s5") == "pending" and status(q, "s4") == "accepted"
    q.undo()
    assert status(q, "s4") == "pending"
    with pytest.raises(QueueError, match="nothing to undo"):
        q.undo()


def test_undo_is_per_moderator_and_refuses_stale_state(tmp_path, q):
    bob = Queue(tmp_path / "a.db", who="bob")
    q.accept(["s4"])
    bob.reject(["s1"], ["jargon"])
    q.undo()  # alice's accept, not bob's reject
    assert status(q, "s4") == "pending" and status(q, "s1") == "rejected"
    bob.accept(["s4"])
    # alice's undone accept cannot be undone again; bob's decision on s1 can be undone by seq
    seq = next(d.seq for d in q.log() if d.target == "s1")
    q.decide(["s1"], "accept", expect=None)
    with pytest.raises(QueueConflict, match="changed since"):
        bob.undo(seq)
    bob.close()


def test_audit_log_is_append_only(q):
    q.accept(["s4"])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        q.conn.execute("UPDATE decisions SET who = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        q.conn.execute("DELETE FROM decisions")


def test_audit_replay_reproduces_current_state(q):
    """Replaying the log's 'after' snapshots in order gives every statement's current state."""
    q.accept(["s4"])
    q.reject(["s1"], ["jargon"])
    q.merge(["s2", "s5"], into="p1")
    q.undo()
    q.edit("s3", "Museums should label AI texts.")
    q.decide(["s4"], "reject", codes=["vague"], expect=None)
    state = {}
    for d in q.log():
        if "status" in d.after:
            state[d.target] = d.after
    for sid, snap in state.items():
        item = q.get(sid)
        assert (item.status, item.text, item.codes) == (snap["status"], snap["text"], snap["codes"])


# ---------------------------------------------------------------- themes


def test_statement_and_cluster_theme_decisions(q):
    q.set_theme(["s1"], "4")
    assert q.get("s1").theme.theme == "4" and q.get("s1").theme.source == "analyst"
    assert q.get("s1").suggested_theme == "7"
    q.decide_cluster(1, "cluster_theme", "2")
    assert q.get("s3").theme.theme == "2" and q.get("s3").theme.source == "cluster"
    assert q.get("s1").theme.theme == "4"  # the statement pin wins over the cluster's
    assert next(c for c in q.clusters() if c.id == 1).confirmed
    q.decide_cluster(1, "cluster_label", "Labelling AI output")
    assert q.get("s3").cluster_label == "Labelling AI output"
    assert [r.id for r in q.list(Filter(theme="2"))] == ["s3", "s4"]
    q.undo()
    q.undo()
    assert q.get("s3").theme.theme == "7" and q.get("s3").cluster_label == "AI descriptions and metadata"
    with pytest.raises(QueueError, match="unknown theme '99'"):
        q.set_theme(["s1"], "99")
    with pytest.raises(QueueError, match="no cluster 9"):
        q.decide_cluster(9, "cluster_theme", "1")


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize("flt, expected", [
    (Filter(), ["s1", "s2", "s3", "s4", "s5"]),
    (Filter(code="jargon"), ["s1"]),
    (Filter(code="duplicate"), ["s2", "s3", "s5"]),
    (Filter(lang="de"), ["s3"]),
    (Filter(theme="3"), ["s2", "s5"]),
    (Filter(theme="1"), ["s2", "s4"]),  # s2's second theme
    (Filter(text="COLLECTIONS"), ["s2", "s5"]),
    (Filter(text="museen"), ["s3"]),
    (Filter(verdict="review"), ["s3"]),
    (Filter(group=1), ["s2", "s5"]),
    (Filter(kind="reference"), ["p1", "p2"]),
    (Filter(status="published", kind="all"), ["p1", "p2"]),
])
def test_filters(q, flt, expected):
    assert [r.id for r in q.list(flt)] == expected


def test_status_and_decision_code_filters(q):
    q.reject(["s4"], ["vague"])
    q.accept(["s3"])
    assert [r.id for r in q.list(Filter(status="pending"))] == ["s1", "s2", "s5"]
    assert [r.id for r in q.list(Filter(status="decided"))] == ["s3", "s4"]
    assert [r.id for r in q.list(Filter(code="vague"))] == ["s4"]
    assert [r.id for r in q.list(Filter(status="published", kind="all"))] == ["p1", "p2", "s3"]


def test_bad_filter_values(q):
    with pytest.raises(QueueError, match="unknown status 'done'"):
        Filter(status="done")
    with pytest.raises(QueueError, match="unknown reason code"):
        Filter(code="spam")


def test_near_duplicates_of_a_statement(q):
    assert q.near_duplicates_of("p1") == ["s2", "s5"]
    assert q.near_duplicates_of("s2") == ["s5"]
    q.reject(["s5"], ["duplicate"])
    assert q.near_duplicates_of("p1") == ["s2"]


def test_stats(q):
    q.reject(["s1"], ["jargon"])
    s = q.stats()
    assert s["submissions"] == 5 and s["reference"] == 2 and s["status"] == {"pending": 4, "rejected": 1}
    assert s["flags"]["duplicate"] == 3 and s["reasons"] == {"jargon": 1} and s["moderators"] == {"alice": 1}
    assert s["stages"] == ["checks", "dedup", "lang", "themes"]
    assert s["checker_vs_moderators"] == {"decided": 1, "both_accept": 0, "both_reject": 1,
                                          "checker_accept_moderator_reject": 0,
                                          "checker_reject_moderator_accept": 0, "checker_review": 0}


# ---------------------------------------------------------------- claims


def test_claims_keep_two_moderators_apart(tmp_path, q):
    bob = Queue(tmp_path / "a.db", who="bob")
    assert q.claim("s1") is None
    assert bob.claim("s1") == "alice"
    with pytest.raises(QueueConflict, match="being looked at by alice"):
        bob.reject(["s1"], ["jargon"])
    assert bob.holders() == {"s1": "alice"} and q.holders() == {}
    assert bob.claim_next() == "s2"  # skips alice's
    assert q.claim_next(after_seq=q.seq_of("s1")) == "s3"  # skips bob's
    assert [r.claimed_by for r in bob.list(Filter(text="s1"))] == ["alice"]
    q.accept(["s1"])  # deciding releases the claim
    assert bob.holders() == {"s3": "alice"} and q.holders() == {"s2": "bob"}
    bob.close()


def test_claims_expire(tmp_path, q):
    bob = Queue(tmp_path / "a.db", who="bob")
    assert q.claim("s1", ttl=-1) is None  # already expired
    assert bob.claim("s1") is None
    bob.accept(["s1"])
    bob.close()


def test_claim_next_within_a_filter_and_when_done(q):
    seqs = q.seqs(Filter(code="duplicate"))
    assert q.claim_next(candidates=seqs) == "s2"
    assert q.claim_next(after_seq=q.seq_of("s2"), candidates=seqs) == "s3"
    q.accept(["s1", "s2", "s3", "s4", "s5"])
    assert q.claim_next() is None


def test_closing_releases_claims(tmp_path, q):
    bob = Queue(tmp_path / "a.db", who="bob")
    bob.claim("s1")
    bob.close()
    assert q.holders() == {}


def test_an_edit_must_change_the_text(q):
    with pytest.raises(QueueError, match="unchanged; accept it instead"):
        q.edit("s4", SUBMISSIONS[3].text + "  ")


def test_filter_query_syntax_round_trips():
    f = Filter.parse("s:pending code:jargon lang:de museum archive theme:3 group:2")
    assert (f.status, f.code, f.lang, f.theme, f.group, f.text) == ("pending", "jargon", "de", "3", 2, "museum archive")
    assert Filter.parse(f.to_query()) == f
    assert Filter.parse("") == Filter()
    with pytest.raises(QueueError, match="unknown status"):
        Filter.parse("status:done")
    assert Filter.parse("http://example.org").text == "http://example.org"


def test_duplicate_ids_in_one_import_are_refused(q):
    with pytest.raises(QueueError, match="'n1' appears twice"):
        q.add([Statement("n1", "One text."), Statement("n1", "Another text.")])
    assert q.seq_of("n1") is None


def test_themes_given_with_a_published_set_are_recorded_as_decisions(tmp_path):
    published = [Statement("a", "Museums should label AI texts.", "en", {"theme": "7"}),
                 Statement("b", "Heritage data needs consent.", "en", {"theme": "42"}),  # not in the taxonomy
                 Statement("c", "Archives should join forces.", "en")]
    with Queue.create(tmp_path / "t.db", published=published, who="importer") as q:
        assert q.get("a").theme.theme == "7" and q.get("a").theme.source == "analyst"
        assert q.get("b").theme is None and q.get("c").theme is None
        (entry,) = q.log()
        assert entry.action == "theme" and entry.who == "importer" and "theme given in" in entry.note
        examples = [r for r in q.theme_decision_records() if r["kind"] == "example"]
        assert examples == [{"kind": "example", "key": "a", "value": "7", "text": published[0].text, "lang": "en"}]


def test_migrations_are_atomic_recorded_and_rerun_safely(tmp_path, monkeypatch):
    from statementkit.queue import schema

    path = tmp_path / "m.db"
    Queue.create(path).close()
    v = schema_version()
    registry = dict(schema.MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", registry)

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("bug in the migration")

    registry[v + 1] = ("broken", broken)
    with pytest.raises(QueueError, match=f"migration {v + 1} \\(broken\\) failed.*unchanged at schema version {v}"):
        Queue(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == v
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
    conn.close()

    registry[v + 1] = ("add_notes", lambda conn: conn.execute("CREATE TABLE notes (x)"))
    with Queue(path) as q:
        assert q.conn.execute("PRAGMA user_version").fetchone()[0] == v + 1
        assert [r[0] for r in q.conn.execute("SELECT name FROM _migrations ORDER BY version")][-1] == "add_notes"
    with Queue(path) as q:  # opening again applies nothing twice
        assert q.conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == v + 1


def test_a_merge_target_must_be_published_and_stays_so_while_followed(q):
    """No statement is 'merged into' a pending, rejected or merged one, and no chain of merges forms
    (issue 15, finding 5)."""
    with pytest.raises(QueueError, match="it is pending, not published; accept it first"):
        q.merge(["s2"], into="s4")
    q.accept(["s4"])
    q.merge(["s2", "s5"], into="s4")
    with pytest.raises(QueueError, match=r"'s4' has 2 statements merged into it \(s2, s5\)"):
        q.reject(["s4"], ["vague"], expect=None)
    with pytest.raises(QueueError, match="merged into it"):
        q.merge(["s4"], into="p1", expect=None)
    with pytest.raises(QueueError, match="merged into it"):
        q.undo(seq=q.log()[-3].seq)  # the accept of s4
    assert status(q, "s4") == "accepted"
    q.undo()  # the merges first ...
    q.reject(["s4"], ["vague"], expect=None)  # ... then s4 may go
    assert status(q, "s4") == "rejected"


def test_undo_passes_over_a_decision_someone_revised(tmp_path):
    """After bob revises alice's decision, alice's undo reaches her previous one (issue 15, finding 7)."""
    path = tmp_path / "u.db"
    alice = make_queue(path, who="alice")
    alice.reject(["s1"], ["jargon"])
    alice.accept(["s4"])
    bob = Queue(path, who="bob")
    bob.reject(["s4"], ["vague"], expect=None)
    undone = alice.undo()
    assert [d.target for d in undone] == ["s1"] and status(alice, "s1") == "pending"
    assert status(alice, "s4") == "rejected"
    alice.close()
    bob.close()


def test_an_edit_is_checked_again_and_refused_over_the_length_limit(q):
    """An edit stores the new text's own verdict and flags; the original's no longer show; undo
    brings the original's back; an edit over the hard limit is refused (issue 15, finding 6)."""
    assert "jargon" in [f.code for f in q.get("s1").flags]
    q.edit("s1", "Europeana should further train an open language model on its metadata.")
    item = q.get("s1")
    assert "jargon" not in [f.code for f in item.flags] and item.verdict == "accept"
    q.undo()
    assert "jargon" in [f.code for f in q.get("s1").flags]
    with pytest.raises(QueueError, match="the edited text has 170 characters; the limit is 140"):
        q.edit("s4", "x" * 170)
    assert q.get("s4").text == SUBMISSIONS[3].text


def test_a_cluster_merge_needs_a_cluster_that_exists(q):
    """The queue refuses what the themes stage would refuse (issue 15, finding 3: M accepted 999)."""
    clusters = sorted(c.id for c in q.clusters())
    with pytest.raises(QueueError, match=r"no cluster 999 to merge into \(clusters: "):
        q.decide_cluster(clusters[0], "cluster_merge", "999")
    with pytest.raises(QueueError, match="into itself"):
        q.decide_cluster(clusters[0], "cluster_merge", str(clusters[0]))
    q.decide_cluster(clusters[0], "cluster_merge", str(clusters[1]))
    with pytest.raises(QueueError, match=f"already merged into {clusters[1]}"):
        q.decide_cluster(clusters[1], "cluster_merge", str(clusters[0]))


def test_two_conversations_share_a_queue_with_an_id_prefix(tmp_path):
    """pol.is numbers comments from 0 in each conversation (issue 15, finding 10)."""
    q = Queue.create(tmp_path / "two.db")
    first = [Statement("0", "Trams should run every five minutes.", "en")]
    second = [Statement("0", "Heat pumps should get a subsidy.", "en")]
    q.add_screened([ScreenRow(s) for s in first])
    with pytest.raises(QueueError, match="--id-prefix"):
        q.add(second)
    report = q.add(second, id_prefix="energy:", embedder=HashingEmbedder())
    assert report.added == ["energy:0"] and q.get("energy:0").text == "Heat pumps should get a subsidy."
    q.close()


def test_polis_moderation_is_imported_as_decisions_of_a_named_moderator(tmp_path):
    """`--moderation polis` takes the export's moderated column (issue 15, finding 10)."""
    comments = tmp_path / "comments.csv"
    comments.write_text("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
                        "1,x,1,1,0,0,1,Trams should run every five minutes in the city centre.\n"
                        "2,x,2,2,0,0,-1,buy cheap watches here\n"
                        "3,x,3,3,0,0,0,Heat pumps should get a subsidy for every household.\n", encoding="utf-8")
    q = Queue.create(tmp_path / "m.db")
    q.add(comments, moderation="polis", moderator="klimarat-mods", embedder=HashingEmbedder())
    assert [(status(q, sid), q.get(sid).decided_by) for sid in ("1", "2", "3")] == \
        [("accepted", "klimarat-mods"), ("rejected", "klimarat-mods"), ("pending", None)]
    assert q.get("2").codes == [] and "pol.is" in q.get("2").note
    with pytest.raises(QueueError, match="unknown moderation source"):
        q.add(comments, moderation="decidim")
    q.close()
