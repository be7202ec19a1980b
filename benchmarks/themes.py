"""Theme mapping and clustering quality, with the shipped settings.

Reports, for the test split (held out: never used to choose anything) and the
dev split (used by themes_tune.py to choose the settings):
  - top-1 accuracy over the 7 themes + "none", lenient accuracy (theme2
    counts), macro-F1, accuracy per language, calibration (ECE), second-theme
    precision/recall per statement and per cluster;
  - how readable the cluster labels are: the share of label keywords in the
    cluster's label language, against plain c-TF-IDF on the same clusters
    (label examples are stored for dev only: they quote its statements);
  - baselines on the same vectors: nearest description, nearest example,
    theme prototypes, logistic regression without character n-grams;
  - leave-one-out accuracy on the paper's 40 quoted statements (each one
    predicted from the taxonomy plus the other 39 as confirmed examples);
  - a learning curve: accuracy on the statements not yet reviewed while a
    simulated analyst confirms statements, least certain first vs random;
  - clusters vs themes (ARI, NMI), outlier share before and after attaching,
    for the theme space and for plain PCA on the embeddings.

    python benchmarks/themes.py
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, replace

import numpy as np
from _common import options, print_table, write_result
from themes_common import (
    accuracy_report,
    corpus,
    embedder,
    split,
    statements,
    theme2_report,
)

from statementkit.embed import encode
from statementkit.themes import clustering, fewshot
from statementkit.themes.assign import assign_themes, load_fewshot_settings
from statementkit.themes.taxonomy import ThemeExample, load_taxonomy


def evaluate_split(name, emb, taxonomy, settings) -> dict:
    rows = split(name)
    vectors = encode(emb, [r["text"] for r in rows])
    t = time.perf_counter()
    result = assign_themes(statements(rows), taxonomy, embedder=emb, vectors=vectors, settings=settings)
    seconds = time.perf_counter() - t
    pred = [a.theme for a in result.assignments]
    report = accuracy_report(pred, rows, [a.confidence for a in result.assignments])
    report["theme2"] = theme2_report([a.theme2 for a in result.assignments], rows)
    report["cluster_theme2"] = cluster_theme2(result, rows)
    report["clusters"] = cluster_agreement(result, rows)
    report["labels"] = label_readability(result, statements(rows), taxonomy)
    if name != "dev":  # label examples quote the statements: only from the split one may read
        report["labels"] = {k: v for k, v in report["labels"].items() if "examples" not in k}
    report["seconds"] = round(seconds, 2)
    report["baselines"] = baselines(rows, vectors, emb, taxonomy, settings)
    return report


def cluster_agreement(result, rows) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    gold = [r["theme"] for r in rows]
    labels = [-1 if a.cluster is None else a.cluster for a in result.assignments]
    # outliers count as singletons, so leaving everything unclustered cannot score well
    singletons = [lab if lab >= 0 else -(i + 2) for i, lab in enumerate(labels)]
    purity = _purity(result, rows)
    return {"clusters": len(result.clusters), "ari": adjusted_rand_score(gold, singletons),
            "nmi": normalized_mutual_info_score(gold, singletons), "purity": purity,
            "hdbscan_outlier_share": result.info["hdbscan_outlier_share"], "outlier_share": result.outlier_share,
            "cluster_theme_accuracy": _cluster_theme_accuracy(result, rows)}


def cluster_theme2(result, rows) -> dict:
    """A cluster's second theme is right when it is the gold theme of at least a fifth of its members."""
    gold = {r["id"]: r["theme"] for r in rows}
    flagged = [c for c in result.clusters if c.theme2]
    right = sum(sum(gold[m] == c.theme2 for m in c.members) >= 0.2 * c.size for c in flagged)
    return {"clusters": len(result.clusters), "with_theme2": len(flagged), "right": right,
            "precision": right / len(flagged) if flagged else None}


def label_readability(result, items, taxonomy) -> dict:
    """How readable the cluster labels are, measured without reading them, for the shipped labels and
    for plain c-TF-IDF keywords on the same clusters (no background, no mapping across languages):
    - one_language: share of a label's keywords (the label phrase's three) that are words of the
      cluster's label language -- found in a member written in it or in its taxonomy examples;
    - empty: share of clusters whose label is empty."""
    import re

    from statementkit.themes.labels import (
        cluster_keywords,
        corpus_language,
        label_language,
    )

    lang_of = {s.id: s.lang for s in items}
    text_of = {s.id: s.text for s in items}
    main = corpus_language([s.lang for s in items])
    index = {s.id: i for i, s in enumerate(items)}
    labels = [-1] * len(items)
    for c in result.clusters:
        for m in c.members:
            labels[index[m]] = c.id
    plain = cluster_keywords([s.text for s in items], [s.lang for s in items], labels)

    def measure(keywords_of) -> dict:
        shares, empty = [], 0
        for c in result.clusters:
            words = keywords_of(c)[:3]
            if not words:
                empty += 1
                continue
            lang = label_language([lang_of[m] for m in c.members], main)
            pool = " ".join([text_of[m] for m in c.members if lang_of[m] == lang] +
                            [e.text for e in taxonomy.exemplars() if e.lang == lang]).lower()
            shares.append(np.mean([re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", pool) is not None
                                   for w in words]))
        return {"one_language": float(np.mean(shares)) if shares else 0.0,
                "empty": empty / max(len(result.clusters), 1)}

    return {**measure(lambda c: c.keywords), "plain_ctfidf": measure(lambda c: plain.get(c.id, [])),
            "examples": [c.label for c in result.clusters[:8]],
            "plain_ctfidf_examples": [", ".join(plain.get(c.id, [])[:3]) for c in result.clusters[:8]]}


def _purity(result, rows) -> float:
    gold = {r["id"]: r["theme"] for r in rows}
    total = sum(c.size for c in result.clusters)
    if not total:
        return 0.0
    return sum(max(np.unique([gold[m] for m in c.members], return_counts=True)[1]) for c in result.clusters) / total


def _cluster_theme_accuracy(result, rows) -> float:
    """Share of clustered statements whose gold theme is their cluster's suggested theme."""
    gold = {r["id"]: r["theme"] for r in rows}
    pairs = [(gold[m], c.theme) for c in result.clusters for m in c.members]
    return float(np.mean([g == t for g, t in pairs])) if pairs else 0.0


def baselines(rows, vectors, emb, taxonomy, settings) -> dict:
    gold = [r["theme"] for r in rows]
    out = {}
    desc = [e for e in taxonomy.exemplars() if e.source == "description"]
    examples = [e for e in taxonomy.exemplars(descriptions=False)]
    for name, pool in (("nearest_description", desc), ("nearest_example", examples)):
        pv = encode(emb, [e.text for e in pool])
        nearest = (vectors @ pv.T).argmax(axis=1)
        out[name] = float(np.mean([pool[i].theme == g for i, g in zip(nearest, gold)]))
    full = list(taxonomy.exemplars())
    fv = encode(emb, [e.text for e in full])
    for name, s in (("prototype", fewshot.FewShotSettings(method="prototype")),
                    ("knn", fewshot.FewShotSettings(method="knn", k=10)),
                    ("logreg_embeddings_only", replace(settings, lexical_weight=0.0)),
                    ("logreg_with_char_ngrams", settings)):
        model = fewshot.fit(full, fv, taxonomy.ids, s)
        probs = model.probabilities(vectors, [r["text"] for r in rows])
        pred = [model.classes[i] for i in probs.argmax(axis=1)]
        out[name] = float(np.mean([p == g for p, g in zip(pred, gold)]))
    return out


def leave_one_out(emb, taxonomy, settings) -> dict:
    rows = corpus()
    vectors = encode(emb, [r["text"] for r in rows])
    base = list(taxonomy.exemplars())
    base_vectors = encode(emb, [e.text for e in base])
    model = fewshot.fit(base, base_vectors, taxonomy.ids, settings)
    texts = [r["text"] for r in rows]
    zero = [model.classes[i] for i in model.probabilities(vectors, texts).argmax(axis=1)]
    loo = []
    for i, r in enumerate(rows):
        others = [ThemeExample(o["text"], o["theme"], "en", "analyst", o["id"]) for j, o in enumerate(rows) if j != i]
        ex = base + others
        ex_vectors = np.vstack([base_vectors, np.delete(vectors, i, axis=0)])
        m = fewshot.fit(ex, ex_vectors, taxonomy.ids, settings)
        loo.append(m.classes[int(m.probabilities(vectors[i:i + 1], [texts[i]]).argmax())])
    gold = [r["theme"] for r in rows]
    any_theme = [r.get("themes") or [r["theme"]] for r in rows]
    return {"n": len(rows), "taxonomy_only_accuracy": float(np.mean([p == g for p, g in zip(zero, gold)])),
            "leave_one_out_accuracy": float(np.mean([p == g for p, g in zip(loo, gold)])),
            "leave_one_out_any_listed_theme": float(np.mean([p in t for p, t in zip(loo, any_theme)])),
            "note": "the paper's 40 quoted statements (English); LOO = taxonomy + the other 39 as analyst examples"}


def learning_curve(name, emb, taxonomy, settings, steps=(0, 10, 20, 40, 80, 120), seed=0) -> dict:
    """Accuracy on not-yet-reviewed statements as a simulated analyst confirms `steps` of them."""
    rows = split(name)
    vectors = encode(emb, [r["text"] for r in rows])
    texts = [r["text"] for r in rows]
    base = list(taxonomy.exemplars())
    base_vectors = encode(emb, [e.text for e in base])
    curves = {}
    for order in ("least_certain_first", "random"):
        confirmed: list[int] = []
        points = []
        rng = random.Random(seed)
        for step in steps:
            ex = base + [ThemeExample(texts[i], rows[i]["theme"], rows[i]["lang"], "analyst") for i in confirmed]
            ex_vectors = np.vstack([base_vectors, vectors[confirmed]]) if confirmed else base_vectors
            model = fewshot.fit(ex, ex_vectors, taxonomy.ids, settings)
            probs = model.probabilities(vectors, texts)
            rest = [i for i in range(len(rows)) if i not in set(confirmed)]
            acc = float(np.mean([model.classes[int(probs[i].argmax())] == rows[i]["theme"] for i in rest]))
            points.append({"confirmed": len(confirmed), "accuracy_on_rest": acc, "rest": len(rest)})
            if step == steps[-1]:
                break
            k = steps[steps.index(step) + 1] - len(confirmed)
            if order == "random":
                pick = rng.sample(rest, k)
            else:
                top2 = np.sort(probs[rest], axis=1)[:, -2:]
                margin = top2[:, 1] - top2[:, 0]
                pick = [rest[j] for j in np.argsort(margin, kind="stable")[:k]]
            confirmed += pick
        curves[order] = points
    return {"split": name, "n": len(rows), **curves}


def clustering_variants(emb, taxonomy, settings) -> dict:
    """Theme space (shipped) vs plain PCA on the embeddings, on dev and test."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    out = {}
    for name in ("dev", "test"):
        rows = split(name)
        vectors = encode(emb, [r["text"] for r in rows])
        gold = [r["theme"] for r in rows]
        langs = [r["lang"] for r in rows]
        res = {}
        for variant in ("theme_space", "pca10_raw"):
            params = clustering.Params.for_size(len(rows))
            if variant == "theme_space":
                result = assign_themes(statements(rows), taxonomy, embedder=emb, vectors=vectors, settings=settings)
                labels = [-1 if a.cluster is None else a.cluster for a in result.assignments]
            else:
                found = clustering.cluster(vectors, replace(params, dims=10))
                labels = found.labels.tolist()
            single = [lab if lab >= 0 else -(i + 2) for i, lab in enumerate(labels)]
            res[variant] = {"ari": adjusted_rand_score(gold, single), "nmi": normalized_mutual_info_score(gold, single),
                            "language_nmi": normalized_mutual_info_score(langs, single),
                            "clusters": len(set(labels) - {-1}), "outlier_share": float(np.mean(np.array(labels) < 0))}
        out[name] = res
    return out


def main() -> None:
    options(__doc__)
    started = time.time()
    emb = embedder()
    taxonomy = load_taxonomy()
    settings = load_fewshot_settings(emb.id)
    results = {"embedder": emb.id, "settings": asdict(settings),
               "taxonomy_examples": {t.id: len(t.examples) for t in taxonomy.themes} | {"none": len(taxonomy.outside)}}
    for name in ("test", "dev"):
        results[name] = evaluate_split(name, emb, taxonomy, settings)
    results["corpus_leave_one_out"] = leave_one_out(emb, taxonomy, settings)
    results["learning_curve"] = {name: learning_curve(name, emb, taxonomy, settings) for name in ("test", "dev")}
    results["clustering_variants"] = clustering_variants(emb, taxonomy, settings)
    results["seconds"] = round(time.time() - started, 1)

    rows = []
    for name in ("test", "dev"):
        r = results[name]
        c2 = r["cluster_theme2"]
        rows.append([name, r["accuracy"], r["lenient_accuracy"], r["macro_f1"], r["ece"], r["theme2"]["predicted"],
                     f"{c2['right']}/{c2['with_theme2']}", r["clusters"]["clusters"], r["clusters"]["ari"],
                     r["clusters"]["nmi"], r["clusters"]["outlier_share"], r["labels"]["one_language"]])
    print_table(["split", "top-1", "lenient", "macro-F1", "ECE", "stmt theme2", "cluster theme2 right",
                 "clusters", "ARI", "NMI", "outliers", "label 1-lang"], rows)
    print()
    print_table(["split", *results["test"]["baselines"]],
                [[n, *results[n]["baselines"].values()] for n in ("test", "dev")])
    print("\nper language (test):", results["test"]["per_language"])
    loo = results["corpus_leave_one_out"]
    print(f"corpus: taxonomy only {loo['taxonomy_only_accuracy']:.3f}, leave-one-out {loo['leave_one_out_accuracy']:.3f}")
    for name, curve in results["learning_curve"].items():
        for order in ("least_certain_first", "random"):
            print(f"learning curve {name} {order}: " +
                  ", ".join(f"{p['confirmed']}->{p['accuracy_on_rest']:.3f}" for p in curve[order]))
    print("clustering variants:", results["clustering_variants"])
    write_result("themes", results)


if __name__ == "__main__":
    main()
