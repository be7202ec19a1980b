"""Choose the theme classifier's settings on the DEV split only.

Compares the few-shot methods of statementkit.themes.fewshot (prototype, kNN,
logistic regression on the embeddings, logistic regression with character
n-gram features) and their parameters on benchmarks/data/themes-dev.jsonl,
then the thresholds for "none" and for a second theme, then how much of the
cluster's opinion to mix into each statement. The test split is never read
here. The chosen values go into models/themes.toml by hand (with the numbers
this writes to benchmarks/results/themes_tune.json).

    python benchmarks/themes_tune.py
"""

from __future__ import annotations

import itertools
import time
from dataclasses import asdict, replace

import numpy as np
from _common import options, print_table, write_result
from themes_common import accuracy_report, embedder, split, statements, theme2_report

from statementkit.embed import encode
from statementkit.themes import fewshot
from statementkit.themes.taxonomy import load_taxonomy


def classify(model, vectors, texts, settings):
    probs = model.probabilities(vectors, texts)
    return fewshot.decide(probs, model.nearest_similarity(vectors), model.classes, settings)


def main() -> None:
    options(__doc__)
    started = time.time()
    emb = embedder()
    taxonomy = load_taxonomy()
    dev = split("dev")
    texts = [r["text"] for r in dev]
    vectors = encode(emb, texts)

    grid = []
    for method, C, lexical, descriptions, k in itertools.chain(
            [("prototype", 1.0, 0.0, d, 0) for d in (True, False)],
            [("knn", 1.0, 0.0, d, k) for d in (True, False) for k in (5, 10, 20)],
            [("logreg", C, lex, d, 0) for C in (1.0, 3.0, 10.0, 30.0) for lex in (0.0, 1.0, 1.5, 2.0, 3.0)
             for d in (True, False)]):
        settings = fewshot.FewShotSettings(method=method, C=C, lexical_weight=lexical, k=k or 7)
        examples = list(taxonomy.exemplars(descriptions))
        ex_vectors = encode(emb, [e.text for e in examples])
        model = fewshot.fit(examples, ex_vectors, taxonomy.ids, settings)
        decisions = classify(model, vectors, texts, settings)
        pred = [d.theme for d in decisions]
        report = accuracy_report(pred, dev, [d.confidence for d in decisions])
        grid.append({"method": method, "C": C, "lexical_weight": lexical, "descriptions": descriptions, "k": k,
                     "temperature": round(model.temperature, 3), "accuracy": report["accuracy"],
                     "macro_f1": report["macro_f1"], "ece": report["ece"]})
    grid.sort(key=lambda g: (-g["accuracy"], -g["macro_f1"], g["ece"]))
    print_table(["method", "C", "lexical", "descr", "k", "T", "acc", "macroF1", "ECE"],
                [[g["method"], g["C"], g["lexical_weight"], g["descriptions"], g["k"], g["temperature"],
                  g["accuracy"], g["macro_f1"], g["ece"]] for g in grid[:15]])
    best = next(g for g in grid if g["descriptions"])  # the package always learns from the descriptions

    by_method = {}
    for g in grid:
        by_method.setdefault(g["method"] + ("+lexical" if g["lexical_weight"] else ""), g)

    base = fewshot.FewShotSettings(method=best["method"], C=best["C"], lexical_weight=best["lexical_weight"],
                            k=best["k"] or 7)
    examples = list(taxonomy.exemplars(best["descriptions"]))
    model = fewshot.fit(examples, encode(emb, [e.text for e in examples]), taxonomy.ids, base)
    probs = model.probabilities(vectors, texts)
    nearest = model.nearest_similarity(vectors)

    thresholds = []
    for floor, min_conf in itertools.product((0.0, 0.2, 0.3, 0.4), (0.0, 0.2, 0.3, 0.4)):
        s = replace(base, none_floor=floor, min_confidence=min_conf)
        pred = [d.theme for d in fewshot.decide(probs, nearest, model.classes, s)]
        rep = accuracy_report(pred, dev)
        thresholds.append({"none_floor": floor, "min_confidence": min_conf, "accuracy": rep["accuracy"],
                           "macro_f1": rep["macro_f1"]})
    thresholds.sort(key=lambda t: (-t["accuracy"], -t["macro_f1"], t["none_floor"], t["min_confidence"]))
    chosen = replace(base, none_floor=thresholds[0]["none_floor"], min_confidence=thresholds[0]["min_confidence"])

    theme2 = theme2_approaches(emb, taxonomy, chosen, dev, vectors, probs, nearest, model)
    chosen = replace(chosen, statement_theme2=theme2["chosen"]["statement_theme2"],
                     theme2_ratio=theme2["chosen"]["theme2_ratio"], theme2_min=theme2["chosen"]["theme2_min"])

    # How much each statement should follow its cluster (needs the clustering of the dev set).
    from statementkit.themes.assign import assign_themes

    mixing = []
    for weight in (0.0, 0.1, 0.2, 0.3, 0.5):
        result = assign_themes(statements(dev), taxonomy, embedder=emb, vectors=vectors,
                               settings=replace(chosen, cluster_weight=weight))
        pred = [a.theme for a in result.assignments]
        mixing.append({"cluster_weight": weight, "accuracy": accuracy_report(pred, dev)["accuracy"],
                       "clusters": len(result.clusters), "outlier_share": result.outlier_share})
    mixing.sort(key=lambda m: (-m["accuracy"], m["cluster_weight"]))
    chosen = replace(chosen, cluster_weight=mixing[0]["cluster_weight"])
    cluster2 = cluster_theme2(emb, taxonomy, chosen, dev, vectors)
    chosen = replace(chosen, cluster_theme2_share=cluster2["chosen_share"])

    decisions = fewshot.decide(probs, nearest, model.classes, chosen)
    final = accuracy_report([d.theme for d in decisions], dev, [d.confidence for d in decisions])
    print(f"\nchosen on dev: {asdict(chosen)}")
    print(f"dev accuracy {final['accuracy']:.3f}  macro-F1 {final['macro_f1']:.3f}  ECE {final['ece']:.3f}  "
          f"cluster mixing {mixing[0]}")
    print_theme2(theme2, cluster2)
    write_result("themes_tune", {
        "split": "dev", "n": len(dev), "embedder": emb.id, "seconds": round(time.time() - started, 1),
        "chosen": asdict(chosen), "descriptions": best["descriptions"], "dev_report": final,
        "best_per_method": by_method, "grid": grid, "none_thresholds": thresholds[:10],
        "theme2": theme2, "cluster_theme2": cluster2, "cluster_mixing": mixing,
    })


# ---------------------------------------------------------------- second theme

#: a statement-level rule ships only with at least this precision on dev (and this many suggestions)
THEME2_PRECISION, THEME2_MIN_PREDICTED = 0.6, 8


def _grid_margin(probs, nearest, classes, settings, dev) -> list[dict]:
    out = []
    for ratio, low in itertools.product((0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8), (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)):
        s = replace(settings, statement_theme2=True, theme2_ratio=ratio, theme2_min=low)
        d = fewshot.decide(probs, nearest, classes, s)
        out.append({"theme2_ratio": ratio, "theme2_min": low, **theme2_both([x.theme for x in d],
                                                                           [x.theme2 for x in d], dev)})
    return out


def theme2_both(pred1, pred2, rows) -> dict:
    """theme2_report, plus `unordered_tp`: the suggested second theme is one of the two gold themes."""
    rep = theme2_report(pred2, rows)
    rep["unordered_tp"] = sum(p2 is not None and bool(r.get("theme2")) and p2 in (r["theme"], r["theme2"])
                              and p2 != p1 for p1, p2, r in zip(pred1, pred2, rows))
    return rep


def _best(grid: list[dict]) -> dict:
    """Best F1, and the most precise setting that still makes enough suggestions."""
    by_f1 = max(grid, key=lambda g: (g["f1"], g["precision"]))
    enough = [g for g in grid if g["predicted"] >= THEME2_MIN_PREDICTED]
    by_precision = max(enough, key=lambda g: (g["precision"], g["recall"])) if enough else None
    return {"best_f1": by_f1, f"most_precise_with_{THEME2_MIN_PREDICTED}_or_more": by_precision}


def _ovr(emb, examples, dev, vectors, model, C) -> np.ndarray:
    """One-vs-rest logistic regressions (balanced, Platt-calibrated by liblinear's sigmoid) on the
    classifier's features; a straddling example is a positive for both its themes."""
    from sklearn.linear_model import LogisticRegression

    ex_vectors = encode(emb, [e.text for e in examples])
    train = fewshot._features(model, ex_vectors, [e.text for e in examples])
    test = fewshot._features(model, vectors, [r["text"] for r in dev])
    out = np.zeros((len(dev), len(model.classes)))
    for k, c in enumerate(model.classes):
        y = np.array([c in (e.theme, e.theme2) for e in examples], dtype=int)
        out[:, k] = LogisticRegression(C=C, solver="liblinear", class_weight="balanced").fit(train, y) \
            .predict_proba(test)[:, 1]
    return out


def theme2_approaches(emb, taxonomy, chosen, dev, vectors, probs, nearest, model) -> dict:
    """Three ways to suggest a second theme per statement, on dev: margin rule on the calibrated
    probabilities; the same after adding examples that straddle two themes (soft labels); one-vs-rest
    models with a threshold. Only the margin rule is implemented in the package (fewshot.decide); the
    other two are measured here to show whether they would be worth shipping. A rule ships only if
    it reaches THEME2_PRECISION with THEME2_MIN_PREDICTED suggestions or more."""
    from themes_common import straddle_examples

    texts = [r["text"] for r in dev]
    out = {"gold": sum(bool(r.get("theme2")) for r in dev)}
    margin = _grid_margin(probs, nearest, model.classes, chosen, dev)
    out["margin_rule"] = _best(margin)
    straddlers = straddle_examples()
    examples = list(taxonomy.exemplars()) + straddlers
    out["straddle_examples"] = len(straddlers)
    for share in (0.5, 0.7):
        s = replace(chosen, straddle_share=share)
        m = fewshot.fit(examples, encode(emb, [e.text for e in examples]), taxonomy.ids, s)
        p = m.probabilities(vectors, texts)
        d = fewshot.decide(p, m.nearest_similarity(vectors), m.classes, s)
        rep = accuracy_report([x.theme for x in d], dev, [x.confidence for x in d])
        out[f"straddle_examples_share_{share}"] = {
            "accuracy": rep["accuracy"], "ece": rep["ece"],
            **_best(_grid_margin(p, m.nearest_similarity(vectors), m.classes, s, dev))}
    top = probs.argmax(axis=1)
    for C in (1.0, 10.0):
        scores = _ovr(emb, examples, dev, vectors, model, C)
        grid = []
        for t in np.round(np.arange(0.3, 0.96, 0.05), 2):
            pred2 = []
            for i in range(len(dev)):
                s = scores[i].copy()
                s[top[i]] = -1
                if model.none_index is not None:
                    s[model.none_index] = -1
                j = int(s.argmax())
                pred2.append(model.classes[j] if model.classes[top[i]] != "none" and s[j] >= t else None)
            grid.append({"threshold": float(t), **theme2_both([model.classes[i] for i in top], pred2, dev)})
        out[f"one_vs_rest_C{C:g}"] = _best(grid)
    candidates = [g for g in margin if g["predicted"] >= THEME2_MIN_PREDICTED and g["precision"] >= THEME2_PRECISION]
    best = max(candidates, key=lambda g: (g["f1"], g["precision"])) if candidates else None
    out["chosen"] = {"statement_theme2": best is not None,
                     "theme2_ratio": best["theme2_ratio"] if best else chosen.theme2_ratio,
                     "theme2_min": best["theme2_min"] if best else chosen.theme2_min,
                     "why": "a margin rule reached the precision bar on dev" if best else
                            f"no approach reached precision {THEME2_PRECISION} with {THEME2_MIN_PREDICTED}+ "
                            "suggestions on dev: statement-level second themes stay off"}
    return out


def cluster_theme2(emb, taxonomy, chosen, dev, vectors) -> dict:
    """A cluster's second theme from its members' themes: precision = the suggested second theme is
    the gold theme of at least a fifth of the cluster's members."""
    from statementkit.themes.assign import assign_themes

    gold = {r["id"]: r["theme"] for r in dev}
    grid = []
    for share in (0.15, 0.2, 0.25, 0.3, 0.35):
        result = assign_themes(statements(dev), taxonomy, embedder=emb, vectors=vectors,
                               settings=replace(chosen, cluster_theme2_share=share))
        flagged = [c for c in result.clusters if c.theme2]
        right = sum(sum(gold[m] == c.theme2 for m in c.members) >= 0.2 * c.size for c in flagged)
        grid.append({"share": share, "clusters": len(result.clusters), "with_theme2": len(flagged),
                     "right": right, "precision": right / len(flagged) if flagged else 0.0})
    ok = [g for g in grid if g["with_theme2"] and g["precision"] >= THEME2_PRECISION]
    chosen_share = max(ok, key=lambda g: (g["right"], g["precision"]))["share"] if ok else 1.0
    return {"grid": grid, "chosen_share": chosen_share}


def print_theme2(theme2: dict, cluster2: dict) -> None:
    rows = []
    for name, value in theme2.items():
        if isinstance(value, dict) and "best_f1" in value:
            for how, g in value.items():
                if isinstance(g, dict) and "precision" in g:
                    rows.append([name, how, g["predicted"], g["precision"], g["recall"], g["f1"],
                                 g["unordered_tp"]])
    print(f"\nsecond theme per statement (dev, {theme2['gold']} gold):")
    print_table(["approach", "setting", "suggested", "precision", "recall", "F1", "either-order right"], rows)
    print("chosen:", theme2["chosen"])
    print("second theme per cluster (dev):", cluster2)


if __name__ == "__main__":
    main()
