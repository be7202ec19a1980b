"""Reliability: kill -9 in the middle of deciding, and two moderators deciding from one queue at once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from statementkit.pipeline import ScreenRow
from statementkit.queue import Queue
from statementkit.records import Statement

WORKER = Path(__file__).parent / "queue_worker.py"


def make(path: Path, n: int) -> None:
    with Queue.create(path, published=[Statement("ref", "Museums should open their archives.", "en")]) as q:
        q.add_screened([ScreenRow(Statement(f"x{i:05d}", f"Statement number {i} about archives.", "en"))
                        for i in range(n)])


def spawn(db: Path, who: str, mode: str, arg: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    return subprocess.Popen([sys.executable, str(WORKER), str(db), who, mode, arg], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def check_consistent(q: Queue, batch_size: int) -> dict[str, str]:
    """Every decided statement has exactly its log entry; every batch is whole; the file is sound."""
    assert q.check() == []
    log = q.log()
    states = {r.id: r for r in q.list()}
    decided = {sid: r for sid, r in states.items() if r.status != "pending"}
    by_target = Counter(d.target for d in log)
    assert set(by_target) == set(decided)
    assert all(n == 1 for n in by_target.values())
    for d in log:
        row = states[d.target]
        assert row.status == d.after["status"] and row.codes == d.after["codes"]
    sizes = Counter(d.batch for d in log)
    assert all(n == batch_size for n in sizes.values()), sizes
    return {sid: r.status for sid, r in decided.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_mid_batch_loses_nothing_committed_and_half_writes_nothing(tmp_path, seed):
    db = tmp_path / "crash.db"
    make(db, 4000)
    size = 40
    proc = spawn(db, "killed", "batches", str(size))
    committed = []
    rng = random.Random(seed)
    wanted = rng.randint(3, 12)
    while len(committed) < wanted:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        committed.append(line.split())
    time.sleep(rng.uniform(0, 0.05))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Queue(db) as q:
        decided = check_consistent(q, size)
        for ids in committed:
            assert all(sid in decided for sid in ids), "a committed decision was lost"
        assert len(decided) % size == 0 and len(decided) >= len(committed) * size
        # and the queue carries on where it stopped
        rest = [r.id for r in q.list() if r.status == "pending"][:size]
        q.accept(rest)


def test_two_moderators_with_claims_never_decide_the_same_item(tmp_path):
    db = tmp_path / "two.db"
    make(db, 300)
    go = tmp_path / "go"
    procs = [spawn(db, who, "claim", str(go)) for who in ("alice", "bob")]
    time.sleep(0.5)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    done = [out.split() for out, _ in outputs]
    assert set(done[0]).isdisjoint(done[1])
    assert len(done[0]) + len(done[1]) == 300 and done[0] and done[1]
    with Queue(db) as q:
        decided = check_consistent(q, 1)
        assert len(decided) == 300
        whom = Counter(d.who for d in q.log())
        assert whom["alice"] == len(done[0]) and whom["bob"] == len(done[1])


def test_two_processes_racing_for_the_same_items_decide_each_once(tmp_path):
    """Worst case without claims: both walk the same list in the same order."""
    db = tmp_path / "race.db"
    make(db, 300)
    go = tmp_path / "go"
    procs = [spawn(db, who, "race", str(go)) for who in ("alice", "bob")]
    time.sleep(0.5)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    done = [out.split() for out, _ in outputs]
    assert set(done[0]).isdisjoint(done[1]) and len(done[0]) + len(done[1]) == 300
    with Queue(db) as q:
        assert len(check_consistent(q, 1)) == 300
        print(json.dumps({"alice": len(done[0]), "bob": len(done[1])}))


def test_kill_9_during_an_import_leaves_all_or_nothing(tmp_path):
    db = tmp_path / "imp.db"
    make(db, 10)
    proc = spawn(db, "importer", "import", "60000")
    assert proc.stdout.readline().strip() == "start"
    time.sleep(0.3)  # inside the single import transaction (it takes seconds)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Queue(db) as q:
        assert q.check() == []
        n = q.stats()["submissions"]
        print("submissions after the kill:", n)
        assert n in (10, 60010)
        assert q.conn.execute("SELECT count(*) FROM runs").fetchone()[0] == (3 if n == 60010 else 2)
