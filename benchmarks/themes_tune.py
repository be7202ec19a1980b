"""Choose the theme classifier's settings on the DEV split only.

Compares the few-shot methods of statementkit.fewshot (prototype, kNN,
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
from _common import print_table, write_result
from themes_common import accuracy_report, embedder, split, statements, theme2_report

from statementkit import fewshot
from statementkit.embed import encode
from statementkit.taxonomy import load_taxonomy


def classify(model, vectors, texts, settings):
    probs = model.probabilities(vectors, texts)
    return fewshot.decide(probs, model.nearest_similarity(vectors), model.classes, settings)


def main() -> None:
    started = time.time()
    emb = embedder()
    taxonomy = load_taxonomy()
    dev = split("dev")
    texts = [r["text"] for r in dev]
    vectors = encode(emb, texts)
    gold = [r["theme"] for r in dev]

    grid = []
    for method, C, lexical, descriptions, k in itertools.chain(
            [("prototype", 1.0, 0.0, d, 0) for d in (True, False)],
            [("knn", 1.0, 0.0, d, k) for d in (True, False) for k in (5, 10, 20)],
            [("logreg", C, lex, d, 0) for C in (1.0, 3.0, 10.0, 30.0) for lex in (0.0, 1.0, 1.5, 2.0, 3.0)
             for d in (True, False)]):
        settings = fewshot.Settings(method=method, C=C, lexical_weight=lexical, k=k or 7)
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
    best = grid[0]
    by_method = {}
    for g in grid:
        by_method.setdefault(g["method"] + ("+lexical" if g["lexical_weight"] else ""), g)

    base = fewshot.Settings(method=best["method"], C=best["C"], lexical_weight=best["lexical_weight"],
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

    second = []
    for ratio, low in itertools.product((0.2, 0.3, 0.4, 0.5, 0.6, 0.8), (0.05, 0.1, 0.15, 0.2, 0.3)):
        s = replace(chosen, theme2_ratio=ratio, theme2_min=low)
        rep = theme2_report([d.theme2 for d in fewshot.decide(probs, nearest, model.classes, s)], dev)
        second.append({"theme2_ratio": ratio, "theme2_min": low, **rep})
    second.sort(key=lambda t: (-t["f1"], -t["precision"]))
    chosen = replace(chosen, theme2_ratio=second[0]["theme2_ratio"], theme2_min=second[0]["theme2_min"])

    # How much each statement should follow its cluster (needs the clustering of the dev set).
    from statementkit.themes import assign_themes

    mixing = []
    for weight in (0.0, 0.1, 0.2, 0.3, 0.5):
        result = assign_themes(statements(dev), taxonomy, embedder=emb, vectors=vectors,
                               settings=replace(chosen, cluster_weight=weight))
        pred = [a.theme for a in result.assignments]
        mixing.append({"cluster_weight": weight, "accuracy": accuracy_report(pred, dev)["accuracy"],
                       "clusters": len(result.clusters), "outlier_share": result.outlier_share})
    mixing.sort(key=lambda m: (-m["accuracy"], m["cluster_weight"]))
    chosen = replace(chosen, cluster_weight=mixing[0]["cluster_weight"])

    decisions = fewshot.decide(probs, nearest, model.classes, chosen)
    final = accuracy_report([d.theme for d in decisions], dev, [d.confidence for d in decisions])
    print(f"\nchosen on dev: {asdict(chosen)}")
    print(f"dev accuracy {final['accuracy']:.3f}  macro-F1 {final['macro_f1']:.3f}  ECE {final['ece']:.3f}  "
          f"theme2 F1 {second[0]['f1']:.2f}  cluster mixing {mixing[0]}")
    write_result("themes_tune", {
        "split": "dev", "n": len(dev), "embedder": emb.id, "seconds": round(time.time() - started, 1),
        "chosen": asdict(chosen), "descriptions": best["descriptions"], "dev_report": final,
        "best_per_method": by_method, "grid": grid, "none_thresholds": thresholds[:10],
        "theme2": second[:10], "cluster_mixing": mixing,
    })


if __name__ == "__main__":
    main()
