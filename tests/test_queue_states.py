"""Random sequences of imports, decisions, edits, merges, undos, reclusters and analyst decisions: every
state the queue reaches is valid (hypothesis state machine, bounded so it runs in CI).

Invariants after every step:
- a merged statement points at a statement that is published; nothing else points anywhere;
- `published` is exactly: reference, accepted or edited;
- a statement's verdict is what its stored flags say;
- every decision in the log that is not undone describes a status the statement passed through,
  and the audit log only grows;
- every statement's cluster exists, and a cluster id is never given to a different group: an id that
  survives a rerun keeps most of its former members, and a new group never gets an id used before;
- an analyst's cluster decision either applies to a cluster of the last run or is reported as not
  carried over.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from statementkit.embed import HashingEmbedder
from statementkit.errors import QueueError
from statementkit.pipeline import ScreenRow
from statementkit.queue import Queue
from statementkit.records import Flag, Screening, Statement
from statementkit.themes.decisions import MATCH_OVERLAP

TEXTS = ["Museums should label AI texts.", "Archives should publish their AI policies.",
         "Libraries should teach AI literacy.", "AI should not decide which records are destroyed.",
         "Heritage data must not train AI without consent.", "Museums should test AI with visitors first."]
SEVERITY_ORDER = {"reject": 2, "review": 1}


class QueueMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.counter = itertools.count()  # per run, so a failing sequence replays identically
        self.dir = tempfile.mkdtemp()
        self.q = Queue.create(Path(self.dir) / "q.db", published=[Statement("p0", "Museums should publish AI rules.",
                                                                             "en")])
        self.log_size = 0
        self.seen_clusters: set[int] = set()
        self.members_before: dict[int, set[str]] = {}
        self.moved_before: set[str] = set()
        self.uncarried: list[str] = []
        self.reclustered = False

    def teardown(self):
        self.q.close()

    def _ids(self, sql: str) -> list[str]:
        return [r[0] for r in self.q.conn.execute(sql)]

    @rule(n=st.integers(1, 3), reject_flag=st.booleans())
    def add(self, n, reject_flag):
        rows = []
        for _ in range(n):
            i = next(self.counter)
            text = f"{TEXTS[i % len(TEXTS)]} ({i})"
            flags = [Flag("vague", "vague", None, None, "reject" if reject_flag else "review", "vague")]
            rows.append(ScreenRow(Statement(f"s{i}", text, "en"),
                                  screening=Screening(f"s{i}", "reject" if reject_flag else "review", flags, "en")))
        self.q.add_screened(rows)

    def _pending(self):
        return self._ids("SELECT id FROM statements WHERE status = 'pending' ORDER BY seq")

    @precondition(lambda self: bool(self._pending()))
    @rule(data=st.data(), action=st.sampled_from(["accept", "reject", "merge", "edit"]))
    def decide(self, data, action):
        sid = data.draw(st.sampled_from(self._pending()))
        try:
            if action == "accept":
                self.q.accept([sid])
            elif action == "reject":
                self.q.reject([sid], ["vague"])
            elif action == "edit":
                self.q.edit(sid, f"Museums should label every AI text clearly ({next(self.counter)}).")
            else:
                into = data.draw(st.sampled_from(self._ids("SELECT id FROM statements ORDER BY seq")))
                self.q.merge([sid], into=into)
        except QueueError:
            pass  # refused: nothing may have changed, the invariants check that

    @precondition(lambda self: bool(self._ids("SELECT id FROM statements WHERE kind = 'submission' "
                                              "AND status != 'pending'")))
    @rule(data=st.data(), action=st.sampled_from(["accept", "reject", "merge"]))
    def revise(self, data, action):
        sid = data.draw(st.sampled_from(self._ids("SELECT id FROM statements WHERE kind = 'submission' "
                                                  "AND status != 'pending'")))
        try:
            if action == "accept":
                self.q.accept([sid], expect=None)
            elif action == "reject":
                self.q.reject([sid], ["vague"], expect=None)
            else:
                self.q.merge([sid], into="p0", expect=None)
        except QueueError:
            pass

    def _members(self) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for sid, cluster in self.q.conn.execute("SELECT statement_id, cluster FROM themes WHERE cluster IS NOT NULL"):
            out.setdefault(cluster, set()).add(sid)
        return out

    @rule()
    def recluster(self):
        self.members_before = self._members()
        self.moved_before = {i for split in self.q.theme_decisions().splits for i in split.ids}
        self.seen_clusters |= set(self.members_before)
        try:
            result = self.q.recluster(embedder=HashingEmbedder())
        except QueueError:
            return  # nothing to cluster yet
        self.uncarried = result.uncarried
        self.reclustered = True

    @precondition(lambda self: bool(self.q.clusters()))
    @rule(data=st.data(), action=st.sampled_from(["cluster_theme", "cluster_label", "cluster_merge", "split"]))
    def decide_cluster(self, data, action):
        clusters = [c.id for c in self.q.clusters()]
        cluster = data.draw(st.sampled_from(clusters))
        try:
            if action == "cluster_theme":
                themes = [t[0] for t in self.q.taxonomy()] + ["none"]
                self.q.decide_cluster(cluster, action, data.draw(st.sampled_from(themes)))
            elif action == "cluster_label":
                self.q.decide_cluster(cluster, action, f"Label {next(self.counter)}")
            elif action == "cluster_merge":
                into = data.draw(st.sampled_from(clusters + [max(clusters) + 7]))
                self.q.decide_cluster(cluster, action, str(into))
            else:
                members = [m["id"] for m in self.q.cluster_members(cluster)]
                self.q.split_cluster(cluster, members[:1])
        except QueueError:
            pass

    @rule()
    def undo(self):
        try:
            self.q.undo()
        except QueueError:
            pass

    @invariant()
    def merges_point_at_published_statements(self):
        for sid, status, into in self.q.conn.execute("SELECT id, status, merged_into FROM statements"):
            if status == "merged":
                target = self.q.conn.execute("SELECT published FROM statements WHERE id = ?", (into,)).fetchone()
                assert target is not None and target[0] == 1, (sid, into)
            else:
                assert into is None, sid

    @invariant()
    def published_means_public(self):
        for sid, kind, status, published in self.q.conn.execute(
                "SELECT id, kind, status, published FROM statements"):
            assert bool(published) == (kind == "reference" or status in ("accepted", "edited")), sid

    @invariant()
    def verdict_follows_the_flags(self):
        for sid, verdict in self.q.conn.execute("SELECT id, verdict FROM statements WHERE kind = 'submission'"):
            severities = [r[0] for r in self.q.conn.execute("SELECT severity FROM flags WHERE statement_id = ?",
                                                            (sid,))]
            worst = max((SEVERITY_ORDER.get(s, 0) for s in severities), default=0)
            assert verdict == {2: "reject", 1: "review", 0: "accept"}[worst], (sid, verdict, severities)

    @invariant()
    def the_log_only_grows(self):
        size = self.q.conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
        assert size >= self.log_size
        self.log_size = size


    @invariant()
    def every_statement_points_at_a_cluster_that_exists(self):
        dangling = self.q.conn.execute("SELECT statement_id, cluster FROM themes WHERE cluster IS NOT NULL "
                                       "AND cluster NOT IN (SELECT id FROM clusters)").fetchall()
        assert not dangling

    @invariant()
    def cluster_ids_follow_their_members(self):
        if not self.reclustered:
            return
        self.reclustered = False
        after = self._members()
        # statements an analyst's split moves, or moved before the rerun (an undone split gives them back)
        moved = {i for split in self.q.theme_decisions().splits for i in split.ids} | self.moved_before
        merged = {int(k) for row in self.q.conn.execute("SELECT key, value FROM theme_decisions WHERE kind = 'merge'")
                  for k in row}
        common = (set().union(*after.values(), set()) & set().union(*self.members_before.values(), set())) - moved
        for cluster, members in after.items():
            if cluster in merged:
                continue  # holds another cluster's statements by the analyst's choice
            if cluster in self.members_before:
                old = self.members_before[cluster] & common
                new = members & common
                if old or new:
                    assert len(old & new) / len(old | new) >= MATCH_OVERLAP, (cluster, old, new)
            else:
                assert cluster not in self.seen_clusters, f"cluster id {cluster} reused for another group"

    @invariant()
    def cluster_decisions_apply_or_are_reported(self):
        alive = {c.id for c in self.q.clusters()}
        merges = dict(self.q.conn.execute("SELECT key, value FROM theme_decisions WHERE kind = 'merge'"))
        for (key,) in self.q.conn.execute("SELECT key FROM theme_decisions WHERE kind IN ('cluster_theme', "
                                          "'cluster_label') ORDER BY key"):
            at, hops = key, 0
            while at in merges and hops < 50:
                at, hops = merges[at], hops + 1
            assert int(at) in alive or int(key) in alive or any(f"cluster {key} " in n for n in self.uncarried), \
                (key, alive, self.uncarried)


# derandomize: the same 8 histories on every run, so CI's verdict does not depend on the draw. Run with
# STATEMENTKIT_RANDOM_HISTORIES=1 to explore new histories; a failure they find becomes a test of its
# own below, replayed step by step.
QueueMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=25, deadline=None,
                                          derandomize=not os.environ.get("STATEMENTKIT_RANDOM_HISTORIES"),
                                          suppress_health_check=[HealthCheck.too_slow])
test_queue_states = pytest.mark.slow(QueueMachine.TestCase)


class LongQueueRun(QueueMachine):
    """One long history (200 steps): states that only arise after many imports and reruns."""


LongQueueRun.TestCase.settings = settings(max_examples=1, stateful_step_count=200, deadline=None,
                                          derandomize=not os.environ.get("STATEMENTKIT_RANDOM_HISTORIES"),
                                          suppress_health_check=[HealthCheck.too_slow])
test_long_queue_run = pytest.mark.slow(LongQueueRun.TestCase)


def test_a_split_cluster_id_is_not_given_again_after_the_split_is_undone():
    """The shortest history a random run found (2026-12-07): a split's new cluster 3 was shown after a
    rerun, the split was undone, and the next rerun gave id 3 to a group holding none of its statements."""
    state = QueueMachine()
    state.start()
    state.recluster()
    state.add(3, False)
    state.q.decide_cluster(0, "cluster_label", f"Label {next(state.counter)}")
    state.recluster()
    state.add(3, True)
    state.recluster()
    state.q.merge(["s0"], into="p0")
    split = state.q.split_cluster(1, ["p0"])
    assert split.target == "cluster:3"
    state.q.accept(["s1"])
    state.q.undo()
    state.recluster()
    assert {m["id"] for m in state.q.cluster_members(3)} == {"p0"}  # the analyst has seen cluster 3
    state.q.undo()  # the split
    state.q.accept(["s1"])
    state.add(3, False)
    state.recluster()
    state.cluster_ids_follow_their_members()
    assert 3 not in {c.id for c in state.q.clusters()}
    assert int(state.q.split_cluster(2, ["p0"]).target.removeprefix("cluster:")) > 3
    state.teardown()


def test_a_statement_waiting_to_be_split_out_cannot_be_split_out_again():
    """Found by feeding bad input: splitting the same statement twice before the themes run reserved
    a second new cluster that would never hold anything; and a split naming 100,000 ids wrote them all
    into its message."""
    state = QueueMachine()
    state.start()
    state.recluster()
    state.add(3, False)
    state.q.decide_cluster(0, "cluster_label", f"Label {next(state.counter)}")
    state.recluster()
    state.add(3, True)
    state.recluster()  # as in the test above: clusters 1 and 2
    cluster = max(state.q.clusters(), key=lambda c: c.size).id
    first = state.q.cluster_members(cluster)[0]["id"]
    split = state.q.split_cluster(cluster, [first])
    with pytest.raises(QueueError, match=rf"{first} already moves out of cluster {cluster} into new cluster "
                                         rf"{split.target.removeprefix('cluster:')} on the next themes run"):
        state.q.split_cluster(cluster, [first])
    with pytest.raises(QueueError) as refused:
        state.q.split_cluster(cluster, [f"x{i}" for i in range(100_000)])
    assert f"x7 and 99992 more out of cluster {cluster}" in str(refused.value) and len(str(refused.value)) < 300
    state.teardown()
