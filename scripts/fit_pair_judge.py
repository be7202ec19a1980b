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
DEV_BATCHES = ("dev",)


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--precision", type=float, default=0.9)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--batches", nargs="+", default=list(DEV_BATCHES), help="dev batches to learn from")
    ap.add_argument("--without-pairs", action="store_true", help="learn from the batches only")
    args = ap.parse_args()
    from statementkit.dedup.pair_judge import FEATURES, PairJudge, judge_path

    data = training_pairs(batches=tuple(args.batches), with_pairs=not args.without_pairs)
    x, y, src = data.x, data.y, np.array(data.source)
    print(f"{len(y)} pairs the rules leave open: " + ", ".join(
        f"{name} {int((src == name).sum())} ({int(y[src == name].sum())} duplicates)" for name in dict.fromkeys(src)))
    chosen = None
    for c in C_GRID:
        at, stats = operating_point(data, out_of_fold(x, y, logistic(c)), args.precision)
        print(f"C={c}: at {at:.2f} out of fold: batch flags P {stats['batch'][0]:.3f} R {stats['batch'][1]:.3f}; "
              f"pair set P {stats['pairs'][0]:.3f} R {stats['pairs'][1]:.3f}")
        key = (stats.get("batch", (0, 0))[1], stats.get("pairs", (0, 0))[1])
        if stats and (chosen is None or key > chosen[0]):
            chosen = (key, c, at)
    _, c, at = chosen
    for name in args.batches if len(args.batches) > 1 else ():
        # a topic the judge has not seen: fitted on everything else, scored on this batch alone
        p = np.zeros(len(y))
        held = src == name
        p[held] = logistic(c)().fit(x[~held], y[~held]).predict_proba(x[held])[:, 1]
        precision, recall = flags_per_statement(data, p, at, [name])
        print(f"left out {name}: batch flags P {precision:.3f} R {recall:.3f} at {at:.2f}")
    fitted = logistic(c)().fit(x, y)
    scaler, lr = fitted[0], fitted[1]
    judge = PairJudge(MODEL, tuple(map(float, scaler.mean_)), tuple(map(float, scaler.scale_)),
                      tuple(map(float, lr.coef_[0])), float(lr.intercept_[0]), at, float(data.floor))
    print(f"shipped: C={c}, threshold {at}; coefficients (standardised):")
    for name, coef in sorted(zip(FEATURES, judge.coef), key=lambda z: -abs(z[1])):
        print(f"  {name:<22} {coef:+.3f}")
    if not args.dry_run:
        path = judge_path(MODEL)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {**judge.to_dict(), "C": c, "precision_target": args.precision, "training_pairs": int(len(y)),
                "fitted_on": ("" if args.without_pairs else "benchmarks/data/dedup-dev.jsonl and ") +
                             f"benchmarks/dedup_batch {', '.join(args.batches)}, by scripts/fit_pair_judge.py"}
        data = {k: [round(v, 6) for v in val] if isinstance(val, list) and val and isinstance(val[0], float)
                else round(val, 6) if isinstance(val, float) else val for k, val in data.items()}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
