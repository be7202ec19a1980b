"""The whole import as a moderator runs it: `queue init` + `queue add` of 10,000 real comments.

Comments: the bundled pol.is exports (`../shared/data/polis/`, or `$STATEMENTKIT_POLIS_DIR`), all
conversations, distinct texts, the first N. Two runs, each a fresh process:

  - cold: an empty cache directory (statement vectors, lemma tables, compiled patterns, the
    classifiers' example vectors all built on the way);
  - warm: the same cache again, a new queue (the vectors are there; every stage still runs).

Then, in this process with the warm cache, each stage of `pipeline.screen` timed on its own
(language, checks, dedup, themes), so the table says where the time goes.

Target (issue 20): the import in <= 30 s (>= 330 statements/s) with a cold vector cache.

    python benchmarks/pipeline_speed.py [--n 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, polis_comments, print_table, write_result  # noqa: E402


def comments(n: int) -> list[dict]:
    found = polis_comments(n)
    if not found:
        raise SystemExit("needs the pol.is exports: set STATEMENTKIT_POLIS_DIR")
    return [{"id": sid, "text": text} for sid, text in found]


def cli_import(rows_file: Path, cache: Path, work: Path) -> dict:
    """`queue init` + `queue add` in fresh processes; wall time of each."""
    env = {**os.environ, "STATEMENTKIT_CACHE": str(cache), "STATEMENTKIT_DATA": str(work / "state"),
           "HF_HUB_OFFLINE": "1"}
    exe = [sys.executable, "-m", "statementkit"]
    db = work / f"q{time.monotonic_ns()}.db"
    t = time.perf_counter()
    subprocess.run([*exe, "queue", "init", str(db)], env=env, check=True, capture_output=True)
    init = time.perf_counter() - t
    t = time.perf_counter()
    done = subprocess.run([*exe, "queue", "add", str(db), str(rows_file)], env=env, capture_output=True, text=True)
    add = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"queue add failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"init_s": round(init, 1), "add_s": round(add, 1)}


def stages(rows: list[dict]) -> dict:
    """Each stage of the screening pipeline on its own, warm caches, one process."""
    from statementkit.checks import check
    from statementkit.embed import installed_embedder
    from statementkit.pipeline import ScreenResult, ScreenRow, _dedup_stage, _themes_stage
    from statementkit.records import Statement
    from statementkit.text.language import with_languages
    from statementkit.checks.ruleset import load_rules

    rules = load_rules()
    statements = [Statement(r["id"], r["text"]) for r in rows]
    embedder = installed_embedder()
    out = {}
    t = time.perf_counter()
    subs = with_languages(statements, rules.languages)
    out["language"] = time.perf_counter() - t
    t = time.perf_counter()
    screenings = check(subs, rules, embedder=embedder)
    out["checks (with the model's classifiers and encoding)"] = time.perf_counter() - t
    result = ScreenResult([ScreenRow(s, screening=sc) for s, sc in zip(subs, screenings)], [], ["lang", "checks"])
    t = time.perf_counter()
    _dedup_stage(result, None, embedder)
    out["dedup (within the batch)"] = time.perf_counter() - t
    t = time.perf_counter()
    _themes_stage(result, None, embedder, None)
    out["themes"] = time.perf_counter() - t
    return {k: round(v, 1) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="comments to import")
    args = parser.parse_args()
    rows = comments(args.n)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows_file = work / "comments.jsonl"
        rows_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        cache = work / "cache"
        cold = cli_import(rows_file, cache, work)
        warm = cli_import(rows_file, cache, work)
        os.environ["STATEMENTKIT_CACHE"] = str(cache)
        per_stage = stages(rows)
    n = len(rows)
    print(f"{n} distinct real comments; load average at the start {load[0]:.2f}")
    print_table(["run", "queue init s", "queue add s", "statements/s"],
                [["cold cache", cold["init_s"], cold["add_s"], round(n / cold["add_s"])],
                 ["warm cache", warm["init_s"], warm["add_s"], round(n / warm["add_s"])]])
    print()
    print_table(["stage (warm, in process)", "seconds", "share"],
                [[k, v, f"{v / max(sum(per_stage.values()), 1e-9):.0%}"] for k, v in per_stage.items()])
    print(f"target: queue add <= 30 s with a cold vector cache: {cold['add_s']} s "
          f"({'met' if cold['add_s'] <= 30 else 'not met'})")
    path = write_result("pipeline_speed", {"n": n, "load_average": list(load), "cold": cold, "warm": warm,
                                           "stages_warm_s": per_stage, "root": str(ROOT.name)})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
