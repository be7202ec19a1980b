"""The triage queue: one crash-safe SQLite database per assembly.

Submissions come in with every available stage's results (flags, duplicate
candidates, themes); moderators accept, reject with reason codes, edit or
merge them; analysts confirm themes. Every change is appended to an audit
log and can be undone; several moderators can work on one queue at once.

    from statementkit.queue import Queue, Filter

    q = Queue.create("assembly.db", published="corpus/paper-statements.jsonl")
    q.add("corpus/demo-submissions.jsonl")
    for row in q.list(Filter(status="pending", code="jargon")):
        print(row.id, row.text)
"""

from __future__ import annotations

from statementkit.queue.actions import Skipped
from statementkit.queue.core import Queue, default_user
from statementkit.queue.items import (
           AddReport,
           Candidate,
           ClusterInfo,
           Item,
           LogEntry,
           Row,
)
from statementkit.queue.query import Filter

__all__ = ["AddReport", "Candidate", "ClusterInfo", "LogEntry", "Filter", "Item", "Queue", "Row", "Skipped",
           "default_user"]
