"""Triage queue at 10,000 statements: import, decide, query, export, and opening the TUI.

Statements are the real comments of the bundled pol.is exports (German,
English, Chinese; ~9,600), topped up to N with repeats under new ids (which
are near-duplicates, as in a real consultation); without the exports, the
corpus statements are varied instead. Each figure is measured within this one
run; compare the ratios (e.g. 10,000 vs 100 items for the TUI) across machines.

    python benchmarks/queue_triage.py [--n 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, polis_dir, print_table, write_result

sys.path.insert(0, str(ROOT / "src"))

from statementkit.pipeline import ScreenRow  # noqa: E402
from statementkit.queue import Filter, Queue  # noqa: E402
from statementkit.records import Statement  # noqa: E402


def statements(n: int) -> tuple[list[Statement], str]:
    from statementkit.io import read_statements

    found: list[Statement] = []
    source = "pol.is exports"
    base = polis_dir()
    if base is not None:
        for path in sorted(base.glob("*/comments.csv")):
            for s in read_statements(path, skip_empty=True):
                found.append(Statement(f"{path.parent.name}-{s.id}", s.text))
    if not found:
        source = "corpus (varied)"
        corpus = read_statements(ROOT / "corpus" / "demo-submissions.jsonl")
        found = [Statement(f"c{i}", f"{s.text} ({i})") for i, s in enumerate(corpus)]
    out = list(found[:n])
    i = 0
    while len(out) < n:
        s = found[i % len(found)]
        out.append(Statement(f"r{len(out)}-{s.id}", s.text))
        i += 1
    return out, f"{source}, {len(found)} distinct"


def timed(fn, *args, **kw):
    t = time.perf_counter()
    result = fn(*args, **kw)
    return time.perf_counter() - t, result


def bench_backend(workdir: Path, subs: list[Statement]) -> tuple[list[list], dict]:
    rows, res = [], {}
    n = len(subs)
    published = [Statement("pub-1", "Museums should open their archives to researchers.", "en")]

    # import through the pipeline (every available stage) and, separately, the storage alone
    q = Queue.create(workdir / "import.db", published=published, who="bench")
    t_import, report = timed(q.add, subs)
    q.close()
    q = Queue.create(workdir / "store.db", published=published, who="bench")
    screened = [ScreenRow(Statement(s.id, s.text, "de")) for s in subs]
    t_store, _ = timed(q.add_screened, screened)
    res["import_s"] = round(t_import, 3)
    res["import_stages"] = report.stages
    res["store_only_s"] = round(t_store, 3)
    rows += [[f"import {n} (stages: {', '.join(report.stages)})", t_import, n / t_import, "statements/s"],
             [f"store {n} pre-screened", t_store, n / t_store, "statements/s"]]

    # deciding one at a time: each its own durable transaction (synchronous=FULL)
    ids = [s.id for s in subs]
    lat = []
    t0 = time.perf_counter()
    for i, sid in enumerate(ids[: n // 2]):
        t = time.perf_counter()
        if i % 3 == 0:
            q.reject([sid], ["vague"], note="bench")
        elif i % 3 == 1:
            q.accept([sid])
        else:
            q.merge([sid], into="pub-1")
        lat.append(time.perf_counter() - t)
    t_single = time.perf_counter() - t0
    lat.sort()
    res["decide_single"] = {"n": len(lat), "s": round(t_single, 3), "per_s": round(len(lat) / t_single, 1),
                            "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
                            "p95_ms": round(lat[int(len(lat) * 0.95)] * 1000, 2)}
    rows.append([f"decide {len(lat)} one by one (FULL sync)", t_single, len(lat) / t_single,
                 f"decisions/s, p50 {res['decide_single']['p50_ms']} ms"])

    # the rest in batches of 100 (a batch action: one transaction each)
    rest = ids[n // 2:]
    t_batch = 0.0
    for start in range(0, len(rest), 100):
        t, _ = timed(q.accept, rest[start:start + 100])
        t_batch += t
    res["decide_batches_of_100"] = {"n": len(rest), "s": round(t_batch, 3), "per_s": round(len(rest) / t_batch, 1)}
    rows.append([f"decide {len(rest)} in batches of 100", t_batch, len(rest) / t_batch, "decisions/s"])

    # the same single decisions with synchronous=NORMAL, to show what durability costs
    q2 = Queue.create(workdir / "normal.db", published=published, who="bench")
    q2.add_screened(screened[:2000])
    q2.conn.execute("PRAGMA synchronous = NORMAL")
    t_normal, _ = timed(lambda: [q2.accept([s.id]) for s in subs[:2000]])
    q2.close()
    res["decide_single_normal_sync_per_s"] = round(2000 / t_normal, 1)
    rows.append(["decide 2000 one by one (NORMAL sync)", t_normal, 2000 / t_normal, "decisions/s"])

    # undo
    t_undo, done = timed(lambda: [len(q.undo()) for _ in range(20)])
    res["undo_20_batches"] = {"s": round(t_undo, 3), "decisions": sum(done)}
    rows.append([f"undo the last 20 batches ({sum(done)} decisions)", t_undo, sum(done) / t_undo, "decisions/s"])

    # queries the TUI makes
    for label, flt in (("list pending", Filter(status="pending")), ("list all", Filter()),
                       ("filter code=vague", Filter(code="vague")), ("search text", Filter(text="klima"))):
        t, found = timed(q.seqs, flt)
        res[f"query_{label.replace(' ', '_').replace('=', '_')}_ms"] = round(t * 1000, 2)
        rows.append([f"{label} ({len(found)} of {n})", t, None, ""])
    t, _ = timed(q.rows, q.seqs()[:200])
    rows.append(["fetch 200 list rows", t, None, ""])
    t, _ = timed(q.get, ids[7])
    rows.append(["fetch one item in full", t, None, ""])
    res["fetch_page_ms"] = round(t * 1000, 2)

    for what, fmt in (("published", "polis"), ("log", "csv")):
        buf = io.StringIO()
        t, count = timed(q.export, what, buf, fmt)
        res[f"export_{what}_s"] = round(t, 3)
        rows.append([f"export {what} ({count} records, {fmt})", t, count / t, "records/s"])
    assert q.check() == []
    q.close()
    return rows, res


async def open_tui(db: Path) -> dict[str, float]:
    """Open the UI headless at 80x24, then time the handlers behind the keys.

    The handlers are timed directly (the pilot's own round trip waits for
    animations and adds ~0.1 s per key, which no user sees).
    """
    from statementkit.queue import Filter
    from statementkit.tui.app import TriageApp

    def each(fn, times: int) -> float:
        t = time.perf_counter()
        for _ in range(times):
            fn()
        return (time.perf_counter() - t) / times

    t0 = time.perf_counter()
    q = Queue(db, who="viewer")
    app = TriageApp(q)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t_open = time.perf_counter() - t0
        screen = app.screen
        assert screen.item is not None and len(screen.list.seqs) > 0
        out = {"open_s": t_open,
               "move_s": each(lambda: (screen.list.action_move(1), screen.show_detail()), 50),
               "page_s": each(lambda: (screen.list.action_page(1), screen.show_detail()), 20),
               "accept_s": each(screen.action_accept, 20)}

        def search() -> None:
            screen.flt = Filter(text="klima")
            screen.reload()

        out["search_s"] = each(search, 10)
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("j")
        out["pilot_key_roundtrip_s"] = time.perf_counter() - t
    q.close()
    return out


COLD = """
import asyncio, sys, time
from statementkit.queue import Queue
from statementkit.tui.app import TriageApp

async def main():
    q = Queue(sys.argv[1], who="cold")
    app = TriageApp(q)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.item is not None
        print("shown", flush=True)
        app.exit()
    q.close()

asyncio.run(main())
"""


def cold_open(db: Path) -> float:
    """A fresh process: interpreter, imports, open the queue, first full screen (to the "shown" line)."""
    import subprocess

    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", COLD, str(db)], stdout=subprocess.PIPE, text=True,
                            env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")})
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t
    proc.wait()
    assert line.strip() == "shown", line
    return elapsed


def bench_tui(workdir: Path, subs: list[Statement]) -> tuple[list[list], dict]:
    t, _ = timed(__import__, "statementkit.tui.app")
    rows, res = [["import textual + the UI modules", t, None, "(once per process)"]], {"import_ui_s": round(t, 3)}
    for n in (100, len(subs)):
        db = workdir / f"tui{n}.db"
        with Queue.create(db, who="bench") as q:
            q.add_screened([ScreenRow(Statement(s.id, s.text, "de")) for s in subs[:n]])
        runs = [asyncio.run(open_tui(db)) for _ in range(3)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        med["cold_process_open_s"] = statistics.median(cold_open(db) for _ in range(3))
        res[f"tui_{n}"] = {k: round(v, 4) for k, v in med.items()}
        rows += [[f"TUI open, {n} items (median of 3)", med["open_s"], None, "to first full screen"],
                 [f"TUI open in a fresh process, {n} items", med["cold_process_open_s"], None,
                  "python start + imports + first screen"],
                 [f"TUI cursor move + detail, {n} items", med["move_s"], med["move_s"] * 1000, "ms per key"],
                 [f"TUI page down + detail, {n} items", med["page_s"], med["page_s"] * 1000, "ms per key"],
                 [f"TUI accept + reload + next, {n} items", med["accept_s"], med["accept_s"] * 1000, "ms per key"],
                 [f"TUI search the text, {n} items", med["search_s"], med["search_s"] * 1000, "ms per query"]]
    res["tui_open_ratio_10k_vs_100"] = round(res[f"tui_{len(subs)}"]["open_s"] / res["tui_100"]["open_s"], 2)
    return rows, res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    subs, source = statements(args.n)
    with tempfile.TemporaryDirectory() as d:
        rows, res = bench_backend(Path(d), subs)
        tui_rows, tui_res = bench_tui(Path(d), subs)
    print(f"queue benchmark: {len(subs)} statements from {source}\n")
    print_table(["what", "seconds", "rate", "unit"], [[r[0], round(r[1], 4), "" if r[2] is None else round(r[2], 1), r[3]]
                                                      for r in rows + tui_rows])
    write_result("queue_triage", {"n": len(subs), "source": source, **res, **tui_res})


if __name__ == "__main__":
    main()
