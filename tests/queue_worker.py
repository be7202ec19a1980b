"""A moderator in another process, for the crash and concurrency tests.

    python queue_worker.py DB WHO batches SIZE   decide pending items SIZE at a time, printing each committed batch
    python queue_worker.py DB WHO claim GO       claim_next + decide until nothing is left (waits for file GO)
    python queue_worker.py DB WHO race GO        decide every item in order, no claims, skipping conflicts
    python queue_worker.py DB WHO import N       import N statements in one go, then print "done"
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from statementkit.errors import QueueConflict
from statementkit.queue import Filter, Queue


def wait_for(go: str) -> None:
    while not os.path.exists(go):
        time.sleep(0.005)


def main() -> None:
    db, who, mode, arg = sys.argv[1:5]
    q = Queue(Path(db), who=who, timeout=30)
    if mode == "batches":
        size = int(arg)
        pending = [r.id for r in q.list(Filter(status="pending"))]
        for start in range(0, len(pending), size):
            ids = pending[start:start + size]
            action = ("accept", "reject", "merge")[(start // size) % 3]
            if action == "reject":
                q.reject(ids, ["vague"], note=f"batch {start // size}")
            elif action == "merge":
                q.merge(ids, into="ref")
            else:
                q.accept(ids)
            print(" ".join(ids), flush=True)  # only after the commit returned
    elif mode == "claim":
        wait_for(arg)
        while True:
            sid = q.claim_next()
            if sid is None:
                break
            time.sleep(0.003)  # a (very fast) moderator reads the item; lets the other session in
            q.reject([sid], ["vague"]) if hash(sid) % 2 else q.accept([sid])
            print(sid, flush=True)
    elif mode == "import":
        from statementkit.pipeline import ScreenRow
        from statementkit.records import Statement

        print("start", flush=True)
        q.add_screened([ScreenRow(Statement(f"imp{i}", f"Imported statement {i} " * 8, "en"))
                        for i in range(int(arg))])
        print("done", flush=True)
    elif mode == "race":
        wait_for(arg)
        for row in q.list(Filter(status="all")):
            try:
                q.accept([row.id])
                print(row.id, flush=True)
            except QueueConflict:
                pass
    q.close()


if __name__ == "__main__":
    main()
