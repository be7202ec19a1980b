"""statementkit themes vs BERTopic's default pipeline, on the same precomputed embeddings.

Two corpora, 1,000 and 10,000 statements: every labelled statement we have
that the classifier never trained on (themes dev + test splits, the paper's
quoted statements, the demo submissions with a theme; ~500), plus real pol.is
comments from ../shared/data/polis/ (unlabelled, off-topic for this
taxonomy) up to the size. Both systems get the same multilingual USE
vectors (encoding is excluded from the times).

- BERTopic 0.17 defaults: UMAP (5 dims, 15 neighbours, cosine) + HDBSCAN
  (min_cluster_size 10, eom) + c-TF-IDF. UMAP's numba compile is timed
  separately (a warm-up run) so its ~45 s first-call cost does not count.
- statementkit: `assign_themes` (theme space + HDBSCAN + outlier attaching
  + keywords + the taxonomy mapping), also after a warm-up.

Reported: clusters, outlier share (all statements), ARI / NMI of clusters vs
the seven themes + none on the labelled statements (an outlier counts as its
own singleton cluster, for both), and seconds.

Needs the `bench` extra (pip install -e .[bench]) and the pol.is data.

    python benchmarks/themes_bertopic.py
"""

from __future__ import annotations

import random
import time

import numpy as np
from _common import options, polis_dir, print_table, write_result
from themes_common import corpus, embedder, split

from statementkit.embed import encode
from statementkit.io import read_statements
from statementkit.records import Statement
from statementkit.themes.assign import assign_themes
from statementkit.themes.taxonomy import load_taxonomy

SIZES = (1000, 10000)


def labelled() -> list[dict]:
    import json

    from _common import ROOT

    rows = split("dev") + split("test")
    rows += [{"id": r["id"], "text": r["text"], "lang": "en", "theme": r["theme"]} for r in corpus()]
    demo = ROOT / "corpus" / "demo-submissions.jsonl"
    for line in demo.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["expected"].get("theme"):
            rows.append({"id": r["id"], "text": r["text"], "lang": r["expected"]["lang"],
                         "theme": r["expected"]["theme"]})
    return rows


def polis_comments() -> list[Statement]:
    root = polis_dir()
    if root is None:
        raise SystemExit("needs the pol.is exports (../shared/data/polis or $STATEMENTKIT_POLIS_DIR)")
    out = []
    for path in sorted(root.glob("*/comments.csv")):
        for s in read_statements(path, skip_empty=True):
            if s.text.strip():
                out.append(Statement(f"{path.parent.name}:{s.id}", s.text.strip()))
    return out


def agreement(labels: list[int], gold: list[str | None]) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    idx = [i for i, g in enumerate(gold) if g is not None]
    g = [gold[i] for i in idx]
    single = [labels[i] if labels[i] >= 0 else -(i + 2) for i in idx]
    return {"clusters": len(set(labels) - {-1}), "outlier_share": float(np.mean(np.array(labels) < 0)),
            "ari": adjusted_rand_score(g, single), "nmi": normalized_mutual_info_score(g, single)}


def run_bertopic(texts, vectors) -> tuple[list[int], float]:
    from bertopic import BERTopic

    t = time.perf_counter()
    topics, _ = BERTopic(verbose=False).fit_transform(texts, vectors)
    return list(map(int, topics)), time.perf_counter() - t


def run_statementkit(statements, vectors, emb, taxonomy) -> tuple[list[int], float, dict]:
    t = time.perf_counter()
    result = assign_themes(statements, taxonomy, embedder=emb, vectors=vectors)
    seconds = time.perf_counter() - t
    return [-1 if a.cluster is None else a.cluster for a in result.assignments], seconds, result.info


def main() -> None:
    options(__doc__)
    from statementkit.text.language import with_languages

    emb = embedder()
    taxonomy = load_taxonomy()
    gold_rows = labelled()
    comments = polis_comments()
    random.Random(0).shuffle(comments)
    print(f"{len(gold_rows)} labelled statements, {len(comments)} pol.is comments")

    # warm-ups: numba compiles UMAP on the first call; spaCy tables and sklearn load on ours
    warm = [Statement(r["id"], r["text"], r["lang"]) for r in gold_rows[:300]]
    warm_vectors = encode(emb, [s.text for s in warm])
    t = time.perf_counter()
    run_bertopic([s.text for s in warm], warm_vectors)
    bertopic_cold = time.perf_counter() - t
    t = time.perf_counter()
    run_statementkit(warm, warm_vectors, emb, taxonomy)
    ours_cold = time.perf_counter() - t

    results = {"embedder": emb.id, "labelled": len(gold_rows),
               "warm_up_seconds": {"bertopic_first_call_300": round(bertopic_cold, 1),
                                   "statementkit_first_call_300": round(ours_cold, 1)}, "sizes": {}}
    table = []
    for size in SIZES:
        fill = comments[:max(0, size - len(gold_rows))]
        statements = [Statement(r["id"], r["text"], r["lang"]) for r in gold_rows] + with_languages(fill)
        statements = statements[:size]
        gold = [r["theme"] for r in gold_rows][:size] + [None] * (len(statements) - len(gold_rows))
        vectors = encode(emb, [s.text for s in statements])
        b_labels, b_seconds = run_bertopic([s.text for s in statements], vectors)
        o_labels, o_seconds, info = run_statementkit(statements, vectors, emb, taxonomy)
        entry = {"n": len(statements),
                 "bertopic": {**agreement(b_labels, gold), "seconds": round(b_seconds, 2)},
                 "statementkit": {**agreement(o_labels, gold), "seconds": round(o_seconds, 2),
                                  "stage_seconds": info["seconds"],
                                  "hdbscan_outlier_share": info["hdbscan_outlier_share"]}}
        results["sizes"][str(size)] = entry
        for name in ("bertopic", "statementkit"):
            e = entry[name]
            table.append([size, name, e["clusters"], e["outlier_share"], e["ari"], e["nmi"], e["seconds"]])
    print_table(["n", "system", "clusters", "outliers", "ARI", "NMI", "seconds"], table)
    print("warm-up (first call, 300 statements):", results["warm_up_seconds"])
    write_result("themes_bertopic", results)


if __name__ == "__main__":
    main()
