"""Duplicate detection quality on the labelled pair sets, per model and per stage.

On benchmarks/data/dedup-{dev,test}.jsonl (360 pairs each: paraphrases,
translations across 7 languages, light edits; hard negatives: stance flips,
different claims; related and unrelated pairs):

- calibrates each bundled model's thresholds on **dev only** (word alignment,
  duplicate cosine, coverage, near-copy ratio; the search's candidate cosine
  is set just below the dev duplicates) and reports dev and test,
- reports the same for the thresholds as shipped (models/registry.toml),
- reports precision / recall / F1, cross-lingual recall, the share of stance
  flips called duplicates, and how well `same_stance` separates flips,
- measures each stage's contribution on the default model (cosine only, then
  + copies, + stance, + numbers/names, + claim alignment), each configuration
  tuned on dev,
- measures each model's encode speed (statements/s, uncached, 2 threads).

    python benchmarks/dedup.py              # report
    python benchmarks/dedup.py --split dev  # ... dev only (test pairs and background untouched)
    python benchmarks/dedup.py --calibrate  # ... and write the thresholds to models/registry.toml
    python benchmarks/dedup.py --split dev --as-shipped   # the shipped verdicts only, no grid (fast)
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter

import numpy as np
from _common import DATA, ROOT, polis_dir, print_table, write_result

from statementkit.dedup.claims import CHECKS, DEFAULTS, ClaimJudge, analyse, verdict
from statementkit.dedup.copies import copy_candidates
from statementkit.dedup.detect import thresholds_for
from statementkit.dedup.pair_judge import load_pair_judge
from statementkit.dedup.stance import load_stance
from statementkit.embed import CachedEmbedder, load_embedder, model_entry

MODELS = ("use-multilingual-v3", "all-MiniLM-L6-v2", "hashing")
WORD_GRID = (0.65, 0.7, 0.75, 0.8)
DUP_GRID = [round(x, 2) for x in np.arange(0.40, 0.96, 0.01)]
SUB_GRID = [round(x, 2) for x in np.arange(0.80, 1.001, 0.01)]
MUTUAL_GRID = (0.5, 1.0)
FRAME_GRID = (0.6, 0.7, 0.8)
STANCE_COV_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
STANCE_COV_X_GRID = (0.3, 0.5, 0.7)
SOFT_GRID = (0.0, 0.6, 0.7)
CROSS_GRID = tuple(round(x, 3) for x in np.arange(0.45, 0.66, 0.025))
BACKGROUND_FLOOR = 0.4      # no threshold in the grid is lower: pairs below are never duplicates
BACKGROUND_MAX = 0.001      # at most 1 in 1,000 same-topic background pairs may be called duplicates
CANDIDATE_FLOOR = 0.35
NEAR_GRID = (0.9,)
ABLATION = [("cosine only", ()), ("+ copies", ("copy",)), ("+ stance", ("copy", "stance")),
            ("+ numbers, names", ("copy", "stance", "numbers", "names")), ("+ word substitutions (full)", CHECKS)]


def load(split: str) -> list[dict]:
    path = DATA / f"dedup-{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Pairs:
    """Cosines, copy candidacy and second-stage features of every pair, for one model."""

    def __init__(self, rows: list[dict], embedder, vectors: dict[str, np.ndarray], total: int | None = None):
        self.rows = rows
        self.total = total or len(rows)  # background sets keep only their close pairs but count them all
        self.embedder = embedder
        self.cos = np.array([float(vectors[r["a"]] @ vectors[r["b"]]) for r in rows])
        self.copy = np.array([bool(copy_candidates([r["b"]], [r["a"]])) for r in rows])
        self.label = np.array([bool(r.get("label", False)) for r in rows])
        self.kind = [r.get("kind", "background") for r in rows]
        self.cross = np.array([r["a_lang"] != r["b_lang"] for r in rows])
        self.rules = rules = load_stance()
        self.claims = [(analyse(r["a"], r["a_lang"], rules), analyse(r["b"], r["b_lang"], rules)) for r in rows]
        self._features: dict[tuple[float, float], list] = {}
        self._words = None  # word vectors shared by the judges of every (word, mutual) setting

    def features(self, word: float, mutual: float, claim_word_cross: float = DEFAULTS["claim_word_cross"]) -> list:
        """The claims stage's features at these alignment thresholds (`claim_word_cross`: the mutual best
        match that counts for the claim check, as `find_duplicates` measures it with the model's thresholds)."""
        key = (word, mutual, claim_word_cross)
        if key not in self._features:
            judge = ClaimJudge(self.embedder, {"word": word, "mutual": mutual, "claim_word_cross": claim_word_cross},
                               rules=self.rules)
            if self._words is not None:
                judge.words = self._words
            judge.prepare([c for pair in self.claims for c in pair])
            self._words = judge.words
            self._features[key] = [judge.features(a, b) for a, b in self.claims]
        return self._features[key]

    def predict(self, t: dict, checks, judge=None) -> tuple[np.ndarray, np.ndarray]:
        """(is duplicate, same stance) per pair, as `dedup.compare_pairs` decides (`judge`: the model's
        fitted pair judge, as shipped; None: the threshold rules, as the calibration grid assumes)."""
        feats = self.features(t["word"], t["mutual"], t.get("claim_word_cross", DEFAULTS["claim_word_cross"])) \
            if checks else None
        dup = np.zeros(len(self.rows), bool)
        same = np.ones(len(self.rows), bool)
        for i in range(len(self.rows)):
            if self.cos[i] < t["candidate"] and not (self.copy[i] and "copy" in checks):
                continue
            if not checks:
                dup[i] = self.cos[i] >= t["duplicate"]
                continue
            v = verdict(feats[i], self.cos[i], t, checks, judge)
            dup[i], same[i] = v.duplicate, v.same_stance
        return dup, same

    def arrays(self, word: float, mutual: float, on: set) -> dict[str, np.ndarray]:
        """The features `verdict` looks at, as arrays, for the vectorised grid search."""
        feats = self.features(word, mutual) if on else [None] * len(self.rows)
        return {
            "exact": np.array([bool(f and "copy" in on and f.exact) for f in feats]),
            "flip": np.array([bool(f and "stance" in on and f.flip) for f in feats]),
            "opposed": np.array([bool(f and f.opposed) for f in feats]),
            "coverage": np.array([f.coverage if f else 0.0 for f in feats]),
            "numbers": np.array([bool(f and "numbers" in on and (f.numbers[0] or f.numbers[1])) for f in feats]),
            "subst": np.array([bool(f and "substitution" in on and f.substitution) for f in feats]),
            "near_copy": np.array([f.near_copy if f else 0.0 for f in feats]),
            "names": np.array([bool(f and "names" in on and f.names[0] and f.names[1]) for f in feats]),
            "soft": np.array([f.soft if f else 1.0 for f in feats]),
        }


def background(split: str, embedder, floor: float = BACKGROUND_FLOOR, languages=None) -> Pairs:
    """Every pair of the criteria and theme statements of one split: one topic, nearly all different claims.

    Real consultations are single-topic, so unrelated statements already score
    0.4-0.6; the balanced pair set does not show that. Only pairs with cosine
    >= `floor` are analysed (no threshold in the grid is lower); `total` counts all.
    """
    texts, langs = [], []
    for name in ("criteria", "themes"):
        for line in (DATA / f"{name}-{split}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if languages and row.get("lang") not in languages:
                    continue
                texts.append(row["text"])
                langs.append(row.get("lang") or "und")
    vecs = embedder.encode(texts)
    sims = vecs @ vecs.T
    a, b = np.triu_indices(len(texts), 1)
    keep = sims[a, b] >= floor
    rows = [{"a": texts[i], "a_lang": langs[i], "b": texts[j], "b_lang": langs[j]}
            for i, j in zip(a[keep], b[keep])]
    return Pairs(rows, embedder, dict(zip(texts, vecs)), total=len(a))


def metrics(p: Pairs, dup: np.ndarray, same: np.ndarray) -> dict:
    tp = int((dup & p.label).sum())
    fp = int((dup & ~p.label).sum())
    fn = int((~dup & p.label).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    kinds = {k: i for i, k in enumerate(p.kind)}
    per_kind = {}
    for kind in sorted(set(p.kind)):
        idx = np.array([k == kind for k in p.kind])
        per_kind[kind] = round(float(dup[idx].mean()), 3)
    flips = np.array([k == "stance_flip" for k in p.kind])
    cross_pos = p.cross & p.label
    del kinds
    return {
        "precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3),
        "cross_lingual_recall": round(float(dup[cross_pos].mean()), 3) if cross_pos.any() else None,
        "stance_flips_called_duplicate": round(float(dup[flips].mean()), 3),
        "stance_flips_detected": round(float((~same[flips]).mean()), 3),
        "duplicates_wrongly_flipped": round(float((~same[p.label]).mean()), 3),
        "called_duplicate_by_kind": per_kind,
    }


def _decide(x: dict, cos: np.ndarray, cross: np.ndarray, p: dict, d_grid, s_grid) -> np.ndarray:
    """`claims.verdict` vectorised over the duplicate (axis 0) and substitution (axis 1) cosines.

    `d_grid` is the same-language duplicate cosine; `p["duplicate_cross"]` the one across languages.
    """
    blocked = (x["flip"] & (x["opposed"] | (x["coverage"] >= np.where(cross, p["stance_coverage_cross"],
                                                                     p["stance_coverage"])))
               | x["numbers"])
    framed = x["subst"] & (x["near_copy"] >= p["frame"])
    c = cos[None, None, :]
    passed_sub = ~framed[None, None, :] | (c >= s_grid)
    close = np.where(cross[None, None, :], (cos >= p["duplicate_cross"])[None, None, :], c >= d_grid)
    m, m_soft = p.get("marginal", DEFAULTS["marginal"]), p.get("marginal_soft", DEFAULTS["marginal_soft"])
    marginal = np.where(cross[None, None, :], (cos < p["duplicate_cross"] + m)[None, None, :], c < d_grid + m) \
        & (x["soft"] < m_soft)[None, None, :]
    later = (x["near_copy"] >= p["near_copy"])[None, None, :] | (
        ~x["names"][None, None, :] & close & ~marginal & (x["soft"] >= p["soft"])[None, None, :])
    return x["exact"] | (~blocked & passed_sub & later)


def calibrate(dev: Pairs, checks, bg: Pairs | None = None, bg_max: float = BACKGROUND_MAX) -> dict:
    """Best dev F1 over the threshold grid with at most `bg_max` of background pairs called duplicates.

    Ties: fewer stance flips called duplicates, then values nearer the middle
    of the plateau. The grid vectorises `claims.verdict` over the two cosine
    thresholds; `predict` then re-checks the choice with `verdict` itself.
    """
    best, best_key = None, None
    on = set(checks)
    subs = np.array(SUB_GRID if "substitution" in on else [0.0])
    flips = np.array([k == "stance_flip" for k in dev.kind])
    d_grid = np.array(DUP_GRID)[:, None, None]
    s_grid = subs[None, :, None]
    settings = [(w, m) for w in (WORD_GRID if checks else [0.7])
                for m in (MUTUAL_GRID if checks else [1.0]) if m < w or m >= 1.0]
    grid_axes = {
        "stance_coverage": STANCE_COV_GRID if "stance" in on else [2.0],
        "stance_coverage_cross": STANCE_COV_X_GRID if "stance" in on else [2.0],
        "frame": FRAME_GRID if "substitution" in on else [2.0],
        "near_copy": NEAR_GRID if "copy" in on else [2.0],
        "soft": SOFT_GRID if checks else [0.0],
        "duplicate_cross": CROSS_GRID,
    }
    import itertools

    for word, mutual in settings:
        xd = dev.arrays(word, mutual, on)
        xb = bg.arrays(word, mutual, on) if bg is not None else None
        for values in itertools.product(*grid_axes.values()):
            p = dict(zip(grid_axes, values))
            grid = _decide(xd, dev.cos, dev.cross, p, d_grid, s_grid)
            tp = (grid & dev.label).sum(axis=2)
            prec = tp / np.maximum(1, grid.sum(axis=2))
            rec = tp / dev.label.sum()
            f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-9), 0.0)
            flip_rate = grid[:, :, flips].mean(axis=2)
            score = np.round(f1, 4) - 1e-3 * flip_rate
            if xb is not None:
                bg_rate = _decide(xb, bg.cos, bg.cross, p, d_grid, s_grid).sum(axis=2) / bg.total
                score = np.where(bg_rate <= bg_max, score, -1.0)
            if score.max() < 0:
                continue
            x, y = _plateau_centre(score)
            key = (round(float(score[x, y]), 4), -float(flip_rate[x, y]), -abs(word - 0.7),
                   -abs(p["stance_coverage"] - 0.6), -abs(p["frame"] - 0.7), -abs(mutual - 0.5))
            if best_key is None or key > best_key:
                best_key = key
                best = {"word": word, "mutual": mutual, "duplicate": DUP_GRID[x], "substitution": float(subs[y]),
                        **p, "candidate": 0.0}
    if not dev.cross.any():  # calibrated on one language only: nothing to say about pairs across languages
        best["duplicate_cross"] = best["duplicate"]
    # below both duplicate thresholds a pair can only be a copy, which the copies stage finds anyway
    best["candidate"] = float(max(CANDIDATE_FLOOR, min(best["duplicate"], best["duplicate_cross"])))
    best["f1_grid"] = best_key[0]
    return best


def _plateau_centre(score: np.ndarray, tolerance: float = 0.002) -> tuple[int, int]:
    """The middle of the region within `tolerance` of the best score, per axis (robust to a noisy edge)."""
    top = score.max()
    x = int(np.argmax(score.max(axis=1)))
    y = int(np.argmax(score[x]))
    xs = np.nonzero(score[:, y] >= top - tolerance)[0]
    xs = xs[(xs >= _run_start(xs, x)) & (xs <= _run_end(xs, x))]
    x = int(xs[len(xs) // 2])
    ys = np.nonzero(score[x] >= top - tolerance)[0]
    if len(ys) and y in ys:
        ys = ys[(ys >= _run_start(ys, y)) & (ys <= _run_end(ys, y))]
        y = int(ys[len(ys) // 2])
    return x, y


def _run_start(idx: np.ndarray, at: int) -> int:
    while at - 1 in idx:
        at -= 1
    return at


def _run_end(idx: np.ndarray, at: int) -> int:
    while at + 1 in idx:
        at += 1
    return at


def encode_speed(model_id: str, texts: list[str]) -> float:
    emb = load_embedder(model_id)
    emb.encode(texts[:32])  # load weights outside the timing
    t = time.perf_counter()
    for i in range(0, len(texts), 256):
        emb.encode(texts[i:i + 256])
    return len(texts) / (time.perf_counter() - t)


CALIBRATED = ("candidate", "duplicate", "duplicate_cross", "substitution", "frame", "stance_coverage",
              "stance_coverage_cross", "word", "mutual", "near_copy", "soft")


def write_registry(thresholds: dict[str, dict], path=None) -> None:
    """Set the calibrated keys (`CALIBRATED`) in each model's [models.thresholds] block, in place.

    Only those values change: keys added by hand (`sure_soft`, `claim_*`, `flip_cosine`), comments
    and layout stay as they are; a calibrated key missing from a block is added after its last key.
    """
    path = path or ROOT / "models" / "registry.toml"
    text = path.read_text(encoding="utf-8")
    for model_id, t in thresholds.items():
        block = re.search(rf'id = "{re.escape(model_id)}"\n.*?\[models\.thresholds\]\n(.*?)(?=\n\[\[models\]\]|\Z)',
                          text, flags=re.S)
        if not block:
            continue
        body = block.group(1)
        for key in CALIBRATED:
            if key not in t:
                continue
            line = re.compile(rf"^({re.escape(key)}\s*=\s*)([^#\n]*?)(\s*(?:#.*)?)$", flags=re.M)
            if line.search(body):
                body = line.sub(lambda m: f"{m.group(1)}{t[key]}{m.group(3)}", body, count=1)
            else:
                body = body.rstrip("\n") + f"\n{key} = {t[key]}\n"
        text = text[:block.start(1)] + body + text[block.end(1):]
    path.write_text(text, encoding="utf-8")


def background_rate(bg: Pairs, t: dict, checks, judge=None) -> dict:
    dup, _ = bg.predict(t, checks, judge)
    return {"pairs": bg.total, "called_duplicate": int(dup.sum()),
            "per_1000_pairs": round(1000 * float(dup.sum()) / bg.total, 3)}


def polis_background(embedder, floor: float = BACKGROUND_FLOOR, languages=None) -> Pairs | None:
    """Pairs of comments the real pol.is moderators accepted, within each conversation.

    Accepted comments were judged distinctive, so nearly every such pair is
    a pair of different claims (the moderators let a few repeats through).
    None when the exports are not on this machine.
    """
    from statementkit.io import read_statements
    from statementkit.text.language import DEFAULT_LANGUAGES, with_languages

    root = polis_dir()
    if root is None:
        return None
    rows, vectors, total = [], {}, 0
    for conv in sorted(root.iterdir()):
        if not (conv / "comments.csv").is_file():
            continue
        statements = read_statements(conv / "comments.csv", skip_empty=True)
        accepted = with_languages([s for s in statements if s.meta.get("moderated") == 1],
                                  tuple(DEFAULT_LANGUAGES) + ("zh",))
        if languages:
            accepted = [s for s in accepted if s.lang in languages]
        if len(accepted) < 2:
            continue
        texts = [s.text for s in accepted]
        vecs = embedder.encode(texts)
        vectors.update(zip(texts, vecs))
        sims = vecs @ vecs.T
        a, b = np.triu_indices(len(texts), 1)
        total += len(a)
        keep = sims[a, b] >= floor
        rows += [{"a": texts[i], "a_lang": accepted[i].lang, "b": texts[j], "b_lang": accepted[j].lang}
                 for i, j in zip(a[keep], b[keep])]
    return Pairs(rows, embedder, vectors, total=total)


def as_shipped(splits) -> None:
    """Pair metrics of `statementkit dedup` as shipped, on the default model, for the given splits."""
    emb = CachedEmbedder(load_embedder(MODELS[0]))
    shipped = thresholds_for(emb)
    rows, out = [], {}
    for split in splits:
        data = load(split)
        texts = sorted({r[k] for r in data for k in ("a", "b")})
        pairs = Pairs(data, emb, dict(zip(texts, emb.encode(texts))))
        out[split] = m = metrics(pairs, *pairs.predict(shipped, CHECKS, load_pair_judge(MODELS[0])))
        rows.append([split, m["precision"], m["recall"], m["f1"], m["cross_lingual_recall"],
                     m["stance_flips_called_duplicate"], m["called_duplicate_by_kind"].get("different_claim")])
    print_table(["split, as shipped", "P", "R", "F1", "cross-lingual R", "flips called dup", "different claims called dup"],
                rows)
    write_result("dedup_shipped_" + "_".join(splits), {"model": MODELS[0], **out})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--calibrate", action="store_true", help="write the thresholds to models/registry.toml")
    parser.add_argument("--background-max", type=float, default=BACKGROUND_MAX,
                        help="largest share of same-topic background pairs that may be called duplicates")
    parser.add_argument("--split", choices=("dev", "both"), default="both",
                        help="dev: calibrate and report on dev only, never reading the test split")
    parser.add_argument("--as-shipped", action="store_true",
                        help="only the verdicts as shipped (models/registry.toml), on the default model: no grid")
    args = parser.parse_args()
    splits = ("dev",) if args.split == "dev" else ("dev", "test")
    if args.as_shipped:
        as_shipped(splits)
        return
    dev_rows = load("dev")
    test_rows = load("test") if "test" in splits else []
    texts = sorted({r[k] for r in dev_rows + test_rows for k in ("a", "b")})
    results, chosen = {}, {}
    for model_id in args.models.split(","):
        emb = CachedEmbedder(load_embedder(model_id))
        vectors = dict(zip(texts, emb.encode(texts)))
        # a model is calibrated and judged on the languages it covers (MiniLM: English only)
        langs = set(model_entry(model_id).languages) or None
        within = [r for r in dev_rows if not langs or {r["a_lang"], r["b_lang"]} <= langs]
        within_test = [r for r in test_rows if not langs or {r["a_lang"], r["b_lang"]} <= langs]
        dev, test = Pairs(within, emb, vectors), (Pairs(within_test, emb, vectors) if within_test else None)
        bg_dev = background("dev", emb, languages=langs)
        bg_test = background("test", emb, languages=langs) if test is not None else None
        t = calibrate(dev, CHECKS, bg_dev, args.background_max)
        f1_grid = t.pop("f1_grid")
        chosen[model_id] = t
        sets = {"dev": (dev, bg_dev), "test": (test, bg_test)}
        sets = {split: sets[split] for split in splits}
        out = {"languages": sorted(langs) if langs else "all", "pairs": {"dev": len(within), "test": len(within_test)},
               "thresholds": t, **{split: metrics(p, *p.predict(t, CHECKS)) for split, (p, _) in sets.items()},
               "background": {split: background_rate(bg, t, CHECKS) for split, (_, bg) in sets.items()},
               "encode_statements_per_s": round(encode_speed(model_id, texts), 1)}
        shipped = thresholds_for(emb)  # what `statementkit dedup` uses: models/registry.toml, its pair judge
        judge = load_pair_judge(model_id)
        out["as_shipped"] = {"thresholds": shipped, "pair_judge": judge is not None,
                             **{split: metrics(p, *p.predict(shipped, CHECKS, judge)) for split, (p, _) in sets.items()},
                             **{f"background_{split}": background_rate(bg, shipped, CHECKS, judge)
                                for split, (_, bg) in sets.items()}}
        if abs(out["dev"]["f1"] - f1_grid) > 0.01:
            print(f"warning: grid F1 {f1_grid} differs from verdict() F1 {out['dev']['f1']}")
        if model_id == MODELS[0]:
            out["stages"] = {}
            for name, checks in ABLATION:
                ta = calibrate(dev, checks, bg_dev, args.background_max)
                ta.pop("f1_grid")
                out["stages"][name] = {"thresholds": ta,
                                       **{split: metrics(p, *p.predict(ta, checks)) for split, (p, _) in sets.items()},
                                       **{f"background_{split}": background_rate(bg, ta, checks)
                                          for split, (_, bg) in sets.items()}}
        results[model_id] = out
        print(f"\n{model_id}: thresholds {t}, {out['encode_statements_per_s']} statements/s")
        rows = []
        for split in splits:
            m, b = out[split], out["background"][split]
            rows.append([split, m["precision"], m["recall"], m["f1"], m["cross_lingual_recall"],
                         m["stance_flips_called_duplicate"], m["stance_flips_detected"], b["per_1000_pairs"]])
        for split in splits:
            m = out["as_shipped"][split]
            rows.append([f"{split}, as shipped", m["precision"], m["recall"], m["f1"], m["cross_lingual_recall"],
                         m["stance_flips_called_duplicate"], m["stance_flips_detected"],
                         out["as_shipped"][f"background_{split}"]["per_1000_pairs"]])
        print_table(["split", "P", "R", "F1", "cross-lingual R", "flips called dup", "flips detected",
                     "background dup /1000"], rows)
        last = splits[-1]
        print(f"called duplicate, by kind ({last}):", out[last]["called_duplicate_by_kind"])
        if "stages" in out:
            print("\nstage contributions (each configuration tuned on dev):")
            print_table(["stages", "dev F1", f"{last} P", f"{last} R", f"{last} F1", f"{last} flips called dup",
                         f"{last} background /1000"],
                        [[name, s["dev"]["f1"], s[last]["precision"], s[last]["recall"], s[last]["f1"],
                          s[last]["stance_flips_called_duplicate"], s[f"background_{last}"]["per_1000_pairs"]]
                         for name, s in out["stages"].items()])
    counts = Counter(r["kind"] for r in dev_rows)
    write_result("dedup" if args.split == "both" else "dedup_dev",
                 {"pairs": {"dev": len(dev_rows), "test": len(test_rows), "kinds": dict(counts)},
                           "background_max": args.background_max, "models": results})
    if args.calibrate:
        write_registry(chosen)
        print("\nthresholds written to models/registry.toml")


if __name__ == "__main__":
    main()
