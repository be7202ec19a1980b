"""Speed of the vote analysis on a synthetic conversation of pol.is' largest kind.

1,000,000 votes by 8,000 participants on 8,000 statements (the issue's target:
under 60 s on this 2-core machine; pol.is' own Python port needs about 87 s).
Votes come from three latent groups, with power-law participant activity like
real conversations. Timed phases: writing votes.csv (not part of the target),
reading it back, and the full analysis (shares, intervals, categories, PCA,
base clusters, k by silhouette, repness, group-informed consensus).

    python benchmarks/votes_speed.py [--votes N --participants N --statements N]

Also times the whole HTML report of that conversation (10 % of its
statements moderated out). Writes benchmarks/results/votes_speed.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

TARGET_SECONDS = 60.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--votes", type=int, default=1_000_000)
    ap.add_argument("--participants", type=int, default=8_000)
    ap.add_argument("--statements", type=int, default=8_000)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "votes_speed.json")
    args = ap.parse_args()

    import numpy as np
    from sklearn.metrics import adjusted_rand_score
    from votes_synth import random_votes

    from statementkit.votes.analysis import analyse_votes, load_vote_rules
    from statementkit.votes.conversation import read_votes_csv

    t = time.perf_counter()
    votes = random_votes(args.participants, args.statements, args.votes, n_groups=3, seed=0)
    t_generate = time.perf_counter() - t
    rules = load_vote_rules()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "votes.csv"
        t = time.perf_counter()
        ts = np.arange(len(votes), dtype=np.int64) + 1_600_000_000_000
        with path.open("w", encoding="utf-8") as f:
            f.write("timestamp,datetime,comment-id,voter-id,vote\n")
            for chunk in range(0, len(votes), 200_000):
                sl = slice(chunk, chunk + 200_000)
                lines = [f"{a},,{c},{r},{v}" for a, c, r, v in
                         zip(ts[sl], votes.cols[sl], votes.rows[sl], votes.values[sl])]
                f.write("\n".join(lines) + "\n")
        t_write = time.perf_counter() - t
        size_mb = path.stat().st_size / 1e6

        t = time.perf_counter()
        read = read_votes_csv(path)
        t_read = time.perf_counter() - t

        # the whole report on the same conversation (comments.csv with placeholder texts)
        with (Path(tmp) / "comments.csv").open("w", encoding="utf-8") as f:
            f.write("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n")
            f.writelines(f"{1_600_000_000_000 + j},,{j},0,0,0,{-1 if j % 10 == 0 else 1},synthetic statement {j}\n"
                         for j in range(args.statements))
        from statementkit.report.data import build_report_data
        from statementkit.report.html import render_report

        t = time.perf_counter()
        html = render_report(build_report_data([tmp]))
        t_report = time.perf_counter() - t
        report_mb = len(html.encode()) / 1e6

    phases: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(step: str) -> None:
        now = time.perf_counter()
        phases[step] = now - last[0]
        last[0] = now

    t = time.perf_counter()
    progress("start")
    analysis = analyse_votes(read, rules, progress=progress)
    t_analyse = time.perf_counter() - t
    phases = {k: round(v, 3) for k, v in phases.items() if k != "start"}
    # phase times are attributed to the step that *ended* them; shift to the step that ran
    names, secs = list(phases), list(phases.values())
    phases = dict(zip(names, secs[1:] + [round(time.perf_counter() - last[0], 3)]))

    og = analysis.groups
    truth_ari = None
    if og is not None and og.k:
        rng = np.random.default_rng(0)  # same latent groups as random_votes(seed=0)
        group = rng.integers(0, 3, args.participants)
        clustered = og.labels >= 0
        ids = np.array([int(p) for p in og.participants])
        truth_ari = round(float(adjusted_rand_score(group[ids[clustered]], og.labels[clustered])), 4)
    total = t_read + t_analyse
    result = {
        "benchmark": "votes_speed",
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "platform": platform.platform()},
        "size": {"votes": len(read), "participants": len(read.participants), "statements": len(read.statements),
                 "votes_csv_mb": round(size_mb, 1)},
        "seconds": {"generate": round(t_generate, 2), "write_csv": round(t_write, 2), "read_csv": round(t_read, 2),
                    "analyse": round(t_analyse, 2), "read_and_analyse": round(total, 2),
                    "full_report_html": round(t_report, 2)},
        "report_html_mb": round(report_mb, 1),
        "analyse_phases_seconds": phases,
        "target_seconds": TARGET_SECONDS,
        "ratio_to_target": round(total / TARGET_SECONDS, 3),
        "meets_target": total < TARGET_SECONDS,
        "groups": {"k": og.k if og else 0, "sizes": og.sizes if og else [], "clustered": og.n_clustered if og else 0,
                   "ari_vs_latent_groups": truth_ari},
        "categories": dict(analysis.category_counts()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{'phase':<34}{'seconds':>10}")
    for k, v in result["seconds"].items():
        print(f"{k:<34}{v:>10.2f}")
    for k, v in phases.items():
        print(f"  analyse: {k:<24}{v:>10.2f}")
    print(f"{len(read):,} votes, {len(read.participants):,} participants, {len(read.statements):,} statements: "
          f"read + analyse {total:.1f} s (target < {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'MISSED'}); "
          f"groups k={result['groups']['k']} ARI vs latent groups {truth_ari}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
