"""Fit the same-claim pair judge (`statementkit.dedup.pair_judge`) on dev data only, and write it.

Training pairs, each measured exactly as `find_duplicates` measures a candidate (the claims
stage's features, the sentence cosine), kept when no rule before the judge settles them:

- benchmarks/data/dedup-dev.jsonl: the labelled pair set's dev split;
- benchmarks/dedup_batch/*-dev.jsonl: every submission against every published statement and
  every other submission of the same-topic batch, at or above the model's candidate cosine; a
  pair is a duplicate when `duplicate_of` says so, every other pair a negative.

The test splits are never read. A logistic regression on standardised features (scikit-learn,
lbfgs, deterministic); C and the operating point are chosen on out-of-fold probabilities
(5-fold, 5 shuffles with fixed seeds): the best recall of the batch's `duplicate` flags per
statement (as `check` raises them, the rules' own duplicates included) while their precision,
and the pair set's, reach `--precision`. Writes models/pair-judge/<model>.json.

    python scripts/fit_pair_judge.py            # fit, report the cross-validation, write
    python scripts/fit_pair_judge.py --dry-run  # report only
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODEL = "use-multilingual-v3"
FOLDS, REPEATS = 5, 5
C_GRID = (0.1, 0.3, 1.0)   # inverse regularisation strength tried
#: The same-topic batches the judge learns from (benchmarks/dedup_batch/*-<name>.jsonl); never "test".
DEV_BATCHES = ("dev",)  # what the shipped judge learned from; add mobility and schools to compare


@dataclass
class Training:
    """The dev pairs the judge decides, and what scoring the batch's flags per statement needs."""

    x: np.ndarray                      # features of each open pair
    y: np.ndarray                      # ... its label
    source: list[str]                  # ... "pairs" or the name of its batch
    ids: list[tuple[str, str]]         # ... (earlier, new) ids (batch pairs)
    cosine: list[float]
    settled: list[tuple[str, str, float, str]]   # batch pairs the rules call duplicates: (earlier, new, cosine, batch)
    order: dict[str, int]              # submission id -> position in its batch (ids are unique across batches)
    gold: dict[str, set[str]]          # submission id -> its true duplicates
    floor: float                       # the candidate cosine
    batch_of: dict[str, str] = field(default_factory=dict)   # submission id -> its batch
    texts: list[tuple[str, str]] | None = None   # (earlier, new) texts of each open pair


def training_pairs(model_id: str = MODEL, batches: tuple[str, ...] = DEV_BATCHES, with_pairs: bool = True) -> Training:
    """Every dev pair the judge decides, measured as `find_duplicates` measures it."""
    from statementkit.dedup.detect import thresholds_for
    from statementkit.dedup.stance import load_stance
    from statementkit.embed import CachedEmbedder, load_embedder
    from statementkit.records import Statement

    emb = CachedEmbedder(load_embedder(model_id))
    t = thresholds_for(emb)
    stance = load_stance()
    data = Training(np.zeros((0, 0)), np.zeros(0, dtype=bool), [], [], [], [], {}, {}, t["candidate"], texts=[])
    rows: list[tuple[Statement, Statement, bool]] = []
    if with_pairs:
        for line in (ROOT / "benchmarks" / "data" / "dedup-dev.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows.append((Statement("a", r["a"], r["a_lang"]), Statement("b", r["b"], r["b_lang"]), bool(r["label"])))
    x: list[list[float]] = []
    y: list[bool] = []
    _measure(rows, "pairs", emb, t, stance, data, x, y)
    for name in batches:
        _measure(_batch_rows(name, data), name, emb, t, stance, data, x, y)
    data.x, data.y = np.array(x), np.array(y)
    return data


def _batch_rows(name: str, data: Training) -> list:
    """Every submission of batch `name` against every published statement and every other submission."""
    from statementkit.checks import load_rules
    from statementkit.records import Statement
    from statementkit.text.language import with_languages

    batch = ROOT / "benchmarks" / "dedup_batch"
    published = [json.loads(x) for x in (batch / f"published-{name}.jsonl").read_text(encoding="utf-8").splitlines() if x]
    submitted = [json.loads(x) for x in (batch / f"submissions-{name}.jsonl").read_text(encoding="utf-8").splitlines()
                 if x]
    languages = load_rules().languages  # as `check` detects them (benchmarks/dedup_batch.py)
    pub = with_languages([Statement(p["id"], p["text"]) for p in published], languages)
    new = with_languages([Statement(s["id"], s["text"]) for s in submitted], languages)
    gold = {s["id"]: set(s["duplicate_of"]) for s in submitted}
    data.gold.update(gold)
    data.order.update({s.id: n for n, s in enumerate(new)})
    data.batch_of.update({s.id: name for s in new})
    return [(other, s, other.id in gold[s.id]) for i, s in enumerate(new) for other in pub + new[i + 1:]]


def _measure(rows: list, source: str, emb, t: dict, stance, data: Training, x: list, y: list) -> None:
    """Add the pairs of `rows` that no rule settles to `data` (and x, y), with the features the judge sees."""
    from statementkit.dedup.claims import ClaimJudge, analyse_many, settled
    from statementkit.dedup.copies import copy_candidates
    from statementkit.dedup.detect import Rivals
    from statementkit.dedup.pair_judge import pair_features

    if not rows:
        return
    texts = sorted({s.text for a, b, _ in rows for s in (a, b)})
    vectors = dict(zip(texts, emb.encode(texts)))
    cosines = [float(vectors[a.text] @ vectors[b.text]) for a, b, _ in rows]
    # below the candidate cosine only a copy is looked at (the search's rule); the batches' copies all lie above it
    open_rows = [k for k, (a, b, _) in enumerate(rows)
                 if cosines[k] >= t["candidate"] or (source == "pairs" and copy_candidates([b.text], [a.text]))]
    rivals = None
    if source != "pairs":  # each batch statement's best candidates, as the search gives them to the judge
        ids: dict[str, int] = {}
        for k in open_rows:
            for s in rows[k][:2]:
                ids.setdefault(s.id, len(ids))
        rivals = Rivals(np.array([ids[rows[k][0].id] for k in open_rows], dtype=np.int64),
                        np.array([ids[rows[k][1].id] for k in open_rows], dtype=np.int64),
                        np.array([cosines[k] for k in open_rows]), len(ids))
    keyed = sorted({(s.text, s.lang) for k in open_rows for s in rows[k][:2]})
    claims = dict(zip(keyed, analyse_many(keyed, stance)))
    judge = ClaimJudge(emb, {**t, "judge": 0.0}, rules=stance)
    judge.prepare(list(claims.values()))
    for k in open_rows:
        a, b, label = rows[k]
        f = judge.features(claims[(a.text, a.lang)], claims[(b.text, b.lang)])
        decided = settled(f, cosines[k], t) if a.text != b.text else True
        if decided is not None:
            if source != "pairs" and (decided is True or decided.duplicate):
                data.settled.append((a.id, b.id, cosines[k], source))
            continue
        if rivals is not None:
            i, j = ids[a.id], ids[b.id]
            f.rivals = (rivals.of(i, j), rivals.of(j, i))
        x.append(pair_features(f, cosines[k], t["candidate"]))
        y.append(label)
        data.source.append(source)
        data.ids.append((a.id, b.id))
        data.cosine.append(cosines[k])
        data.texts.append((a.text, b.text))


def flags_per_statement(data: Training, p: np.ndarray, at: float, batches=None) -> tuple[float, float]:
    """(precision, recall) of the batches' `duplicate` flags when the judge calls a pair at probability `at`,
    as `check` raises them: a submission is flagged for a published statement or an earlier submission it
    duplicates (a published one first, then the closest), and rightly so when that one is a true duplicate.
    `batches`: the batches counted (default: all)."""
    counted = set(data.source) - {"pairs"} if batches is None else set(batches)
    found: dict[str, list[tuple[bool, float, str]]] = {}
    called = [(a, b, c) for (a, b), c, pr, s in zip(data.ids, data.cosine, p, data.source)
              if s in counted and pr >= at] + [(a, b, c) for a, b, c, s in data.settled if s in counted]
    for a, b, c in called:
        for this, other in ((b, a), (a, b)):
            if this in data.order and (other not in data.order or data.order[other] < data.order[this]):
                found.setdefault(this, []).append((other not in data.order, c, other))
    tp = fp = 0
    for sid, options in found.items():
        named = max(options)[2]
        if named in data.gold[sid]:
            tp += 1
        else:
            fp += 1
    should = sum(1 for sid, g in data.gold.items() if data.batch_of[sid] in counted and
                 any(d not in data.order or data.order[d] < data.order[sid] for d in g))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / should if should else 1.0)


def out_of_fold(x: np.ndarray, y: np.ndarray, make) -> np.ndarray:
    """Mean out-of-fold probability of each pair over `REPEATS` shuffled `FOLDS`-fold splits."""
    from sklearn.model_selection import StratifiedKFold

    total = np.zeros(len(y))
    for seed in range(REPEATS):
        for train, held in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x, y):
            total[held] += make().fit(x[train], y[train]).predict_proba(x[held])[:, 1]
    return total / REPEATS


def logistic(c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return lambda: make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))


def precision_recall(p: np.ndarray, y: np.ndarray, at: float) -> tuple[float, float]:
    called = p >= at
    tp = int((called & y).sum())
    return (tp / called.sum() if called.sum() else 1.0), (tp / y.sum() if y.sum() else 1.0)


def operating_point(data: Training, p: np.ndarray, precision: float) -> tuple[float, dict]:
    """The probability with the best out-of-fold recall of the batch's flags per statement while their
    precision and the pair set's precision both reach `precision` (ties: the better pair-set recall)."""
    src, y = np.array(data.source), data.y
    best, best_key, best_stats = 0.95, None, {}
    for at in np.round(np.arange(0.30, 0.96, 0.01), 2):
        stats = {"batch": flags_per_statement(data, p, float(at)),
                 "pairs": precision_recall(p[src == "pairs"], y[src == "pairs"], float(at))}
        if min(stats["batch"][0], stats["pairs"][0]) < precision:
            continue
        key = (stats["batch"][1], stats["pairs"][1], -at)
        if best_key is None or key > best_key:
            best, best_key, best_stats = float(at), key, stats
    return best, best_stats


#: Each feature's direction for the trees: +1 more of it never lowers the probability of a duplicate,
#: -1 never raises it, 0 free (whether the pair crosses languages; the smaller side's size).
DIRECTION = {"cosine": 1, "cross": 0, "cosine_cross": 1, "soft": 1, "coverage": 1, "claim": 1, "claim_cross": 1,
             "claim_left_max": -1, "claim_left_min": -1, "left_max": -1, "left_min": -1, "near_copy": 1,
             "weak_flip": -1, "substitution": -1, "size_ratio": 1, "size_min": 0, "names_one_side": -1,
             "left_best": 1, "soft_cross": 1, "claim_left_max_cross": -1, "left_best_cross": 1, "gap": 1,
             "best_of": 1}
#: The trees' settings, chosen by leaving one topic out (200 x depth 3 found the most duplicates of an
#: unseen topic at precision 0.9 among 50/100/200 trees of depth 2/3, with and without the directions).
TREES, DEPTH, RATE, LEAF = 200, 3, 0.1, 10


def trees():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from statementkit.dedup.pair_judge import FEATURES

    return lambda: HistGradientBoostingClassifier(max_iter=TREES, learning_rate=RATE, max_depth=DEPTH,
                                                  min_samples_leaf=LEAF, early_stopping=False, random_state=0,
                                                  monotonic_cst=[DIRECTION[f] for f in FEATURES])


def held_out(data: Training, make) -> np.ndarray:
    """Each pair's probability from a judge that never saw it: a batch's pairs from one fitted on every
    other source (a topic the judge has not seen, as a user's assembly is), the pair set's out of fold."""
    src = np.array(data.source)
    p = np.zeros(len(data.y))
    for name in dict.fromkeys(data.source):
        held = src == name
        if name == "pairs":
            inner = out_of_fold(data.x, data.y, make)
            p[held] = inner[held]
        else:
            p[held] = make().fit(data.x[~held], data.y[~held]).predict_proba(data.x[held])[:, 1]
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="example: python scripts/fit_pair_judge.py --dry-run")
    ap.add_argument("--precision", type=float, default=0.9)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--batches", nargs="+", default=list(DEV_BATCHES), help="dev batches to learn from")
    ap.add_argument("--without-pairs", action="store_true", help="learn from the batches only")
    ap.add_argument("--kind", choices=("logistic", "trees"), default="logistic",
                    help="trees: left out one topic at a time they found more, but not on test (pair_judge)")
    args = ap.parse_args()
    batch = ROOT / "benchmarks" / "dedup_batch"
    for name in args.batches:
        if name == "test" or not (batch / f"submissions-{name}.jsonl").is_file():
            ap.error(f"no dev batch '{name}' in {batch} (test is never learned from)")
    from statementkit.dedup.pair_judge import FEATURES, PairJudge, TreeJudge, judge_path

    data = training_pairs(batches=tuple(args.batches), with_pairs=not args.without_pairs)
    x, y, src = data.x, data.y, np.array(data.source)
    print(f"{len(y)} pairs the rules leave open: " + ", ".join(
        f"{name} {int((src == name).sum())} ({int(y[src == name].sum())} duplicates)" for name in dict.fromkeys(src)))
    several = len(args.batches) > 1
    options = [("trees", trees())] if args.kind == "trees" else [(f"C={c}", logistic(c)) for c in C_GRID]
    chosen = None
    for label, make in options:
        # the operating point from pairs the judge never saw: with several topics, each left out in turn
        at, stats = operating_point(data, held_out(data, make) if several else out_of_fold(x, y, make),
                                    args.precision)
        print(f"{label}: at {at:.2f} {'topic left out' if several else 'out of fold'}: batch flags "
              f"P {stats['batch'][0]:.3f} R {stats['batch'][1]:.3f}; pair set P {stats['pairs'][0]:.3f} "
              f"R {stats['pairs'][1]:.3f}")
        key = (stats.get("batch", (0, 0))[1], stats.get("pairs", (0, 0))[1])
        if stats and (chosen is None or key > chosen[0]):
            chosen = (key, label, make, at, stats)
    _, label, make, at, _ = chosen
    if several:
        p = held_out(data, make)
        for name in args.batches:
            precision, recall = flags_per_statement(data, p, at, [name])
            print(f"  {name} left out: batch flags P {precision:.3f} R {recall:.3f} at {at:.2f}")
    fitted = make().fit(x, y)
    if args.kind == "trees":
        judge = TreeJudge.from_boosted(fitted, MODEL, DEPTH, at, float(data.floor))
        check = judge.probabilities(x)
        assert np.allclose(check, fitted.predict_proba(x)[:, 1], atol=1e-6), "the padded trees disagree"
        print(f"shipped: {TREES} trees of depth {DEPTH}, threshold {at}")
        extra = {"trees": TREES, "depth": DEPTH, "learning_rate": RATE, "min_samples_leaf": LEAF}
    else:
        scaler, lr = fitted[0], fitted[1]
        judge = PairJudge(MODEL, tuple(map(float, scaler.mean_)), tuple(map(float, scaler.scale_)),
                          tuple(map(float, lr.coef_[0])), float(lr.intercept_[0]), at, float(data.floor))
        print(f"shipped: {label}, threshold {at}; coefficients (standardised):")
        for name, coef in sorted(zip(FEATURES, judge.coef), key=lambda z: -abs(z[1])):
            print(f"  {name:<22} {coef:+.3f}")
        extra = {"C": float(label[2:])}
    if not args.dry_run:
        path = judge_path(MODEL)
        path.parent.mkdir(parents=True, exist_ok=True)
        out = {**judge.to_dict(), **extra, "precision_target": args.precision, "training_pairs": int(len(y)),
               "fitted_on": ("" if args.without_pairs else "benchmarks/data/dedup-dev.jsonl and ") +
                            f"benchmarks/dedup_batch {', '.join(args.batches)}, by scripts/fit_pair_judge.py"}
        text = json.dumps(out, indent=None if args.kind == "trees" else 1)
        path.write_text(text + "\n", encoding="utf-8")
        print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
