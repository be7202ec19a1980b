"""Where the `polis` method departs from pol.is, step by step, on every export that has pol.is' groups.

`votes_polis.py` scores the end result (ARI); this says which step the
difference comes from, using only what an export carries:

1. **participants** (in-conv): ours (replayed over the vote times, or pol.is'
   rule on the final votes) against the participants pol.is grouped; the
   extras are split into those admitted by the early top-up to 15 (fewer than
   7 votes) and the rest;
2. **the map**: how many of pol.is' grouped participants a linear classifier
   in *our* projection puts in pol.is' group. Near 1 means the projection
   agrees and the groups differ only in how the map is cut;
3. **k**: ours, pol.is', and our silhouettes per k (a k won by < 0.01 is a
   knife edge: any difference in base clusters can flip it);
4. **groups from pol.is' participants**: one fresh final update from pol.is'
   own grouped participants (in-conv fixed, base clusters fresh);
5. **group k-means optima**: the weighted group k-means of those fresh base
   clusters started from 300 random pairs (triples, ...) of base-cluster
   centres, with pol.is' k; the ARI of each distinct optimum and how often it
   is reached. When one of them is pol.is' partition (ARI ~1), only the start
   (base-cluster ids, i.e. history) separates us from pol.is.

    python benchmarks/votes_polis_steps.py [--data /work/shared/data/polis] [--api /work/shared/data/polis-api-fixtures] [NAME ...]

Writes benchmarks/results/votes_polis_steps.json. Reads no pol.is group to
compute anything but the comparisons themselves.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

STARTS = 300


def ari_over(conv, labels, participants) -> float:
    from sklearn.metrics import adjusted_rand_score

    rows = [r for r in participants if labels[r] >= 0]
    truth = [conv.polis_groups[conv.votes.participants[r]] for r in rows]
    return round(float(adjusted_rand_score(truth, [labels[r] for r in rows])), 3)


def labels_of(n: int, base, groups):
    import numpy as np

    labels = np.full(n, -1)
    members = {c.id: c.members for c in base}
    for g, group in enumerate(groups):
        for bid in group.members:
            labels[members[bid]] = g
    return labels


def diagnose(folder: Path) -> dict:
    import numpy as np
    from sklearn.svm import LinearSVC

    from statementkit.votes.conversation import read_conversation
    from statementkit.votes.polis_kmeans import Cluster, kmeans, same_clustering, step
    from statementkit.votes.polis_method import GREEDY_N, MIN_VOTES, group_clusters, in_conv_joins, poll_batches
    from statementkit.votes.projection import clusterable, project

    conv = read_conversation(folder)
    votes = conv.votes
    n_p = len(votes.participants)
    index = {p: i for i, p in enumerate(votes.participants)}
    theirs = sorted(index[p] for p in conv.polis_groups if p in index)
    truth = np.array([conv.polis_groups[votes.participants[r]] for r in theirs])
    per = votes.votes_per_participant()
    final_rule = set(np.flatnonzero(clusterable(votes, MIN_VOTES, GREEDY_N)).tolist())
    replayed = None
    if conv.history is not None and len(conv.history):
        ends = poll_batches(conv.history)
        replayed = {r for j in in_conv_joins(conv.history, n_p, ends) for r in j}
    ours = replayed if replayed is not None else final_rule

    def diff(a: set[int]) -> dict:
        extra, missing = a - set(theirs), set(theirs) - a
        return {"n": len(a), "extra": len(extra), "extra_topped_up": int(sum(per[r] < MIN_VOTES for r in extra)),
                "missing": len(missing), "missing_votes": sorted(int(per[r]) for r in missing)[:12]}

    proj = project(votes, conv.moderated_out)
    clf = LinearSVC(C=100.0, max_iter=50_000).fit(proj.coords[theirs], truth)
    separable = float((clf.predict(proj.coords[theirs]) == truth).mean())
    base = kmeans(theirs, proj.coords[theirs], 100, max_iters=100)
    groups, k, sil = group_clusters(base)
    k_polis = len(set(truth.tolist()))
    ids = [c.id for c in base]
    centres = np.stack([c.center for c in base])
    weights = np.array([len(c.members) for c in base], dtype=float)
    optima: dict[float, int] = {}
    rng = np.random.default_rng(0)
    for _ in range(STARTS if len(base) > k_polis else 0):
        pick = rng.choice(len(base), k_polis, replace=False)
        clusters = [Cluster(i, [], centres[j].copy()) for i, j in enumerate(pick)]
        for _it in range(21):  # pol.is' group k-means: at most 20 + 1 Lloyd steps
            new = step(ids, centres, clusters, weights)
            if same_clustering(clusters, new):
                break
            clusters = new
        a = ari_over(conv, labels_of(n_p, base, new), theirs)
        optima[a] = optima.get(a, 0) + 1
    return {
        "conversation": folder.name, "source": "api" if conv.polis_math else "csv",
        "vote_times": conv.history is not None,
        "polis_grouped": len(theirs), "in_conv_ours": diff(ours), "in_conv_final_rule": diff(final_rule),
        "map_separates_polis_groups": round(separable, 3),
        "k_polis": k_polis, "k_from_polis_participants": int(k),
        "silhouettes": {str(kk): round(v, 3) for kk, v in sil.items()},
        "ari_from_polis_participants": ari_over(conv, labels_of(n_p, base, groups.get(k, [])), theirs),
        "group_kmeans_optima": [{"ari": a, "starts": c} for a, c in sorted(optima.items(), key=lambda x: -x[1])[:6]],
        "best_optimum_ari": max(optima) if optima else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="only these conversations (substring of the folder name)")
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/polis"))
    ap.add_argument("--api", type=Path, default=Path("/work/shared/data/polis-api-fixtures"))
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "votes_polis_steps.json")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    folders = sorted(p for p in args.data.iterdir() if (p / "participants-votes.csv").exists()) \
        if args.data.is_dir() else []
    folders += sorted(p for p in args.api.iterdir() if (p / "math-pca2.json").exists()) if args.api.is_dir() else []
    folders = [f for f in folders if not args.names or any(n in f.name for n in args.names)]
    rows = []
    print(f"{'conversation':<34}{'in-conv ours/pol.is':>22}{'map':>7}{'k':>6}  silhouettes{'':<22}"
          f"{'ARI given':>10}{'best optimum':>13}")
    with threadpool_limits(1, user_api="blas"):
        for folder in folders:
            r = diagnose(folder)
            rows.append(r)
            ic = r["in_conv_ours"]
            sils = " ".join(f"{k}:{v:.3f}" for k, v in r["silhouettes"].items())
            print(f"{r['conversation'][:33]:<34}{ic['n']:>6} (+{ic['extra']}/-{ic['missing']}) / {r['polis_grouped']:<5}"
                  f"{r['map_separates_polis_groups']:>7.3f}{r['k_from_polis_participants']:>3}/{r['k_polis']:<2}  "
                  f"{sils:<33}{r['ari_from_polis_participants']:>10}{r['best_optimum_ari']!s:>13}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmark": "votes_polis_steps", "rows": rows}, indent=2) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
