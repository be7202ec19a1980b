"""Random sequences of imports, decisions, edits, merges and undos: every state the queue reaches is
valid (hypothesis state machine, bounded so it runs in CI).

Invariants after every step:
- a merged statement points at a statement that is published; nothing else points anywhere;
- `published` is exactly: reference, accepted or edited;
- a statement's verdict is what its stored flags say;
- every decision in the log that is not undone describes a status the statement passed through,
  and the audit log only grows.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from statementkit.errors import QueueError
from statementkit.pipeline import ScreenRow
from statementkit.queue import Queue
from statementkit.records import Flag, Screening, Statement

TEXTS = ["Museums should label AI texts.", "Archives should publish their AI policies.",
         "Libraries should teach AI literacy.", "AI should not decide which records are destroyed.",
         "Heritage data must not train AI without consent.", "Museums should test AI with visitors first."]
SEVERITY_ORDER = {"reject": 2, "review": 1}


class QueueMachine(RuleBasedStateMachine):
    counter = itertools.count()

    @initialize()
    def start(self):
        self.dir = tempfile.mkdtemp()
        self.q = Queue.create(Path(self.dir) / "q.db", published=[Statement("p0", "Museums should publish AI rules.",
                                                                             "en")])
        self.log_size = 0

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


QueueMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=25, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_queue_states = pytest.mark.slow(QueueMachine.TestCase)
