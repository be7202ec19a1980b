"""What a rerun of the themes stage costs, before and after caching the fitted classifier.

The few-shot classifier (fewshot.fit) used to be refitted on every run of
`statementkit demo`, `statementkit themes` and every import into the triage
queue. It is now stored on disk under a content address (classifier_cache).
Measured here, on the demo batch + the paper's published statements (what
`statementkit demo` themes):

  - in one process, after every import is warm: assign_themes with the cache
    turned off (the old behaviour: a full fit) vs a fresh process's view of a
    warm cache (in-process memo cleared, model read from disk); per-step
    seconds from ThemeResult.info;
  - end to end, separate processes: `statementkit demo` and
    `statementkit themes corpus/demo-submissions.jsonl` with an empty
    classifier cache (first run) and with a warm one (second run). The
    embedding cache is warm for both (a seeding run fills a private cache
    folder first), so the difference is the classifier alone.

    python benchmarks/themes_speed.py
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, options, print_table, write_result
from themes_common import embedder

from statementkit.io import read_statements
from statementkit.pipeline import DEMO_SUBMISSIONS, load_published
from statementkit.resources import corpus_dir
from statementkit.text.language import with_languages
from statementkit.themes import fewshot
from statementkit.themes.assign import assign_themes
from statementkit.themes.decisions import ThemeDecisions
from statementkit.themes.taxonomy import load_taxonomy

REPEATS = 3


def demo_input():
    """What pipeline.screen gives the themes stage for `statementkit demo`."""
    subs = with_languages(read_statements(corpus_dir() / DEMO_SUBMISSIONS))
    published = with_languages(load_published())
    taxonomy = load_taxonomy()
    decisions = ThemeDecisions()
    for s in published:
        if s.meta.get("theme") is not None and str(s.meta["theme"]) in taxonomy.ids:
            decisions.pin_statement(s.id, str(s.meta["theme"]), s.text, s.lang)
    return subs + published, taxonomy, decisions


def in_process(folder: Path) -> dict:
    statements, taxonomy, decisions = demo_input()
    emb = embedder()
    assign_themes(statements, taxonomy, embedder=emb, decisions=copy.deepcopy(decisions), model_cache=False)  # warm
    out = {}
    for mode in ("refit", "disk_cache"):
        runs = []
        for _ in range(REPEATS):
            fewshot._FITTED.clear()  # as in a new process
            t = time.perf_counter()
            result = assign_themes(statements, taxonomy, embedder=emb, decisions=copy.deepcopy(decisions),
                                   model_cache=False if mode == "refit" else folder)
            runs.append({"total": time.perf_counter() - t, **result.info["seconds"]})
        best = min(runs, key=lambda r: r["total"])
        out[mode] = {k: round(v, 3) for k, v in best.items()}
    out["statements"] = len(statements)
    out["examples"] = result.info["examples"]
    return out


def end_to_end(cache: Path) -> dict:
    env = {**os.environ, "STATEMENTKIT_CACHE": str(cache), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    commands = {"demo": ["demo", "--format", "json"],
                "themes": ["themes", "run", str(ROOT / "corpus" / DEMO_SUBMISSIONS), "--no-save", "--format", "json"]}
    out = {}
    for name, args in commands.items():
        run = [sys.executable, "-m", "statementkit", *args]
        subprocess.run(run, env=env, check=True, capture_output=True)  # seed the embedding cache
        times: dict[str, list[float]] = {"empty_classifier_cache": [], "warm_classifier_cache": []}
        for _ in range(REPEATS):  # alternate, so load from other processes hits both alike
            for label in times:
                if label.startswith("empty"):
                    shutil.rmtree(cache / "theme-models", ignore_errors=True)
                t = time.perf_counter()
                subprocess.run(run, env=env, check=True, capture_output=True)
                times[label].append(round(time.perf_counter() - t, 2))
        best = {label: min(v) for label, v in times.items()}
        out[name] = {**best, "saved_seconds": round(best["empty_classifier_cache"] - best["warm_classifier_cache"], 2),
                     "runs": times}
    return out


def main() -> None:
    options(__doc__)
    with tempfile.TemporaryDirectory(prefix="statementkit-speed-") as tmp:
        tmp = Path(tmp)
        proc = in_process(tmp / "models")
        e2e = end_to_end(tmp / "cache")
    print_table(["assign_themes (demo input)", "total s", "encode", "fit", "cluster", "classify", "labels"],
                [[m, *(proc[m].get(k, 0.0) for k in ("total", "encode", "fit", "cluster", "classify", "labels"))]
                 for m in ("refit", "disk_cache")])
    print()
    print_table(["command (separate process)", "empty cache s", "warm cache s", "saved s"],
                [[f"statementkit {n}", t["empty_classifier_cache"], t["warm_classifier_cache"], t["saved_seconds"]]
                 for n, t in e2e.items()])
    write_result("themes_speed", {"embedder": embedder().id, "in_process": proc, "end_to_end": e2e,
                                  "note": "best of 3 (in_process: after warm-up imports; end_to_end: "
                                          "alternating runs); the embedding cache is warm in both, only the "
                                          "classifier cache differs"})


if __name__ == "__main__":
    main()
