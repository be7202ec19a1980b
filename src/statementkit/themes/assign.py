"""Themes: clusters with suggested labels, mapped onto the assembly's taxonomy.

    statements -> embeddings -> clusters (clustering: PCA + HDBSCAN)
               -> keywords and label phrase per cluster (labels: c-TF-IDF over lemmas)
               -> theme per statement and cluster (fewshot: classifier on the
                  taxonomy's examples + the analyst's confirmed statements)
               -> the analyst's decisions applied on top (decisions)

`assign_themes` returns a `ThemeResult`: one `ThemeAssignment` per statement
(input order; the output contract of DESIGN.md) and one `Cluster` per
cluster. Decisions passed in are honoured and updated in place with this
run's cluster membership, so saving them keeps cluster ids stable next time.
`least_certain` lists what the analyst should look at first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from statementkit.errors import RulesError
from statementkit.records import Statement, ThemeAssignment
from statementkit.themes.decisions import ThemeDecisions, decisions_path
from statementkit.themes.taxonomy import NONE, Taxonomy, ThemeExample, load_taxonomy

#: progress(stage, done, total); stages: "encode", "cluster", "labels", "classify".
Progress = Callable[[str, int, int], None]
SETTINGS_FILE = "themes.toml"
#: A taxonomy fits badly when more than MISFIT_SHARE of the statements the model themed are
#: "none" or have a confidence below LOW_CONFIDENCE. With the default model the reference
#: taxonomy leaves 10 % of the paper's statements and 28 % of the demo batch so, and 30-98 % of
#: four pol.is conversations on other subjects (benchmarks/results/any_assembly.json).
MISFIT_SHARE = 0.4
LOW_CONFIDENCE = 0.5

__all__ = ["Cluster", "ThemeResult", "Uncertain", "assign_themes", "least_certain", "load_taxonomy",
           "ThemeDecisions", "decisions_path", "load_fewshot_settings"]


@dataclass(slots=True)
class Cluster:
    """One cluster: what it is about, which theme it maps to, who is in it."""

    id: int
    label: str
    keywords: list[str]
    representatives: list[str]       # ids of the 3 statements closest to the centroid
    theme: str | None
    theme2: str | None
    confidence: float
    members: list[str]
    margin: float = 1.0              # p(theme) - p(second theme): small = hesitant
    label_source: str = "model"      # "analyst" once renamed
    theme_source: str = "model"      # "analyst" once pinned

    @property
    def size(self) -> int:
        return len(self.members)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "keywords": list(self.keywords),
                "representatives": list(self.representatives), "theme": self.theme, "theme2": self.theme2,
                "confidence": round(float(self.confidence), 4), "size": self.size, "members": list(self.members),
                "label_source": self.label_source, "theme_source": self.theme_source}


@dataclass(slots=True)
class ThemeResult:
    assignments: list[ThemeAssignment]
    clusters: list[Cluster]
    taxonomy: Taxonomy
    decisions: ThemeDecisions
    margins: dict[str, float] = field(default_factory=dict)  # statement id -> p1 - p2
    info: dict[str, Any] = field(default_factory=dict)
    #: analyst decisions on clusters that no cluster of this run carries (the statements they
    #: covered fell apart or moved): kept, but applying to nothing, and said so
    uncarried: list[str] = field(default_factory=list)

    @property
    def taxonomy_fit_warning(self) -> str | None:
        """A sentence for the analyst when the taxonomy fits these statements badly, else None.

        Another assembly's taxonomy forces its names onto statements it never anticipated; most of
        them then come out "none" or with a low confidence, which is the sign to run without it."""
        share = self.info.get("taxonomy_misfit_share")
        if share is None or share <= MISFIT_SHARE:
            return None
        return (f"the taxonomy fits these statements badly: {share:.0%} are 'none' or below "
                f"{LOW_CONFIDENCE:.0%} confidence; its themes may belong to another assembly. Run without it "
                "(a rules folder without taxonomy.toml, or --no-taxonomy) to get clusters with labels only")

    @property
    def outlier_share(self) -> float:
        if not self.assignments:
            return 0.0
        return sum(a.cluster is None for a in self.assignments) / len(self.assignments)

    def cluster(self, cluster_id: int) -> Cluster | None:
        return next((c for c in self.clusters if c.id == cluster_id), None)

    def to_records(self) -> list[dict[str, Any]]:
        return [a.to_dict() for a in self.assignments]


@dataclass(slots=True)
class Uncertain:
    """A statement or cluster whose theme the model is unsure of."""

    kind: str            # "statement" | "cluster"
    id: str
    theme: str | None
    theme2: str | None
    confidence: float
    margin: float
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "theme": self.theme, "theme2": self.theme2,
                "confidence": round(self.confidence, 4), "margin": round(self.margin, 4), "text": self.text}


# ---------------------------------------------------------------- settings


def load_fewshot_settings(model_id: str | None = None, path=None):
    """Classifier settings tuned for `model_id` (models/themes.toml), else the file's defaults."""
    from statementkit.resources import models_dir
    from statementkit.rules import load_toml
    from statementkit.themes.fewshot import FewShotSettings

    path = path or models_dir() / SETTINGS_FILE
    data = load_toml(path)
    values = dict(data.get("defaults", {}))
    for entry in data.get("models", []):
        if entry.get("id") == model_id:
            values.update({k: v for k, v in entry.items() if k != "id"})
    valid = set(FewShotSettings.__dataclass_fields__)
    unknown = sorted(set(values) - valid)
    if unknown:
        raise RulesError(f"unknown key '{unknown[0]}'", path, hint=f"valid: {', '.join(sorted(valid))}")
    return FewShotSettings(**values)


# ---------------------------------------------------------------- main entry


def assign_themes(statements: Sequence[Statement], taxonomy: Taxonomy | None = None, *, embedder=None,
                  decisions: ThemeDecisions | None = None, progress: Progress | None = None,
                  settings=None, params=None, vectors: np.ndarray | None = None,
                  reducer=None, model_cache=None) -> ThemeResult:
    """Cluster `statements`, label the clusters and map statements and clusters onto the taxonomy.

    `embedder` defaults to the registry's default model; `vectors` (n x d,
    L2-normalised, from the same embedder) skips encoding the statements.
    `settings` (fewshot.FewShotSettings) and `params` (clustering.Params) override the
    tuned defaults; `reducer` replaces PCA (benchmarks pass a UMAP).
    The fitted classifier is cached on disk (classifier_cache) in
    `model_cache`, a folder (default: next to the embedding cache); False
    turns that off.
    """
    from statementkit.embed import default_embedder, encode
    from statementkit.text.language import with_languages
    from statementkit.themes import clustering, fewshot, labels

    timings: dict[str, float] = {}
    taxonomy = taxonomy or load_taxonomy()
    decisions = decisions if decisions is not None else ThemeDecisions()
    _check_decisions(decisions, taxonomy)
    embedder = embedder or default_embedder()
    settings = settings or load_fewshot_settings(getattr(embedder, "id", None))
    if any(s.lang is None for s in statements):
        statements = with_languages(statements)
    ids = [s.id for s in statements]

    t = time.perf_counter()
    if vectors is None:
        vectors = encode(embedder, [s.text for s in statements],
                         progress=(lambda d, n: progress("encode", d, n)) if progress else None)
    examples = training_examples(statements, taxonomy, decisions)
    ex_vectors = encode(embedder, [e.text for e in examples]) if examples else np.zeros((0, vectors.shape[1]))
    timings["encode"] = time.perf_counter() - t

    model = None
    if not taxonomy.empty:
        t = time.perf_counter()
        if model_cache is None:
            from statementkit.themes.classifier_cache import default_dir

            model_cache = default_dir()
        model = fewshot.fit(examples, ex_vectors, taxonomy.ids, settings, cache_dir=model_cache or None,
                            model_id=getattr(embedder, "id", ""))
        timings["fit"] = time.perf_counter() - t

    t = time.perf_counter()
    if progress:
        progress("cluster", 0, len(statements))
    params = params or clustering.Params.for_size(len(statements))
    if reducer is None:
        # small dense matrices (512 x 512 at most): one BLAS thread is as fast, and 2-4x faster than
        # two when other processes share the cores (10,000 statements: 3 s instead of 4-8 s)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            # without a taxonomy the space is the statements' own principal components
            points = clustering.theme_space(vectors, [s.lang for s in statements],
                                            model.exemplars if model else ex_vectors,
                                            model.targets if model else np.zeros(0, dtype=int),
                                            params.residual_dims, params.residual_weight)
            found = clustering.cluster(points, params)
    else:
        found = clustering.cluster(vectors, params, reducer)
    raw_members = _members(ids, found.labels)
    stable = decisions.stable_ids(raw_members)
    cluster_of = [None if c == clustering.OUTLIER else stable[c] for c in found.labels.tolist()]
    cluster_of = _apply_edits(ids, cluster_of, decisions)
    timings["cluster"] = time.perf_counter() - t
    if progress:
        progress("cluster", len(statements), len(statements))

    t = time.perf_counter()
    if progress:
        progress("classify", 0, len(statements))
    cluster_ids = sorted({c for c in cluster_of if c is not None})
    rows_of = {c: [i for i, k in enumerate(cluster_of) if k == c] for c in cluster_ids}
    if model is None:
        stmt = [fewshot.ThemePrediction(None, None, 0.0, 1.0) for _ in statements]  # type: ignore[arg-type]
        clus = {c: fewshot.ThemePrediction(None, None, 0.0, 1.0) for c in cluster_ids}  # type: ignore[arg-type]
    else:
        stmt, clus = _classify(model, vectors, statements, rows_of, cluster_ids, settings)
    timings["classify"] = time.perf_counter() - t
    if progress:
        progress("classify", len(statements), len(statements))

    t = time.perf_counter()
    if progress:
        progress("labels", 0, len(cluster_ids))
    label_ids = [-1 if c is None else c for c in cluster_of]
    keywords = labels.cluster_keywords([s.text for s in statements], [s.lang for s in statements], label_ids,
                                       embedder=embedder, background=[(e.text, e.lang) for e in examples
                                                                      if e.lang and e.source != "analyst"],
                                       vectors=vectors) if cluster_ids else {}
    reps = clustering.medoids(vectors, np.array(label_ids, dtype=int)) if cluster_ids else {}
    timings["labels"] = time.perf_counter() - t
    if progress:
        progress("labels", len(cluster_ids), len(cluster_ids))

    member_theme = [decisions.statement_themes.get(s.id, d.theme) for s, d in zip(statements, stmt)]
    clusters = []
    for c in cluster_ids:
        d = clus[c]
        kw = keywords.get(c, [])
        cl = Cluster(c, labels.label_phrase(kw), kw, [ids[r] for r in reps.get(c, [])], d.theme, None,
                     d.confidence, [ids[r] for r in rows_of[c]], d.margin)
        if c in decisions.cluster_labels:
            cl.label, cl.label_source = decisions.cluster_labels[c], "analyst"
        if c in decisions.cluster_themes:
            cl.theme, cl.confidence, cl.margin = decisions.cluster_themes[c], 1.0, 1.0
            cl.theme_source = "analyst"
        # a second theme when a real share of the members belongs to another theme (themes.toml)
        cl.theme2 = fewshot.second_theme([member_theme[r] for r in rows_of[c]], cl.theme,
                                         settings.cluster_theme2_share)
        clusters.append(cl)
    by_id = {c.id: c for c in clusters}

    assignments, margins = [], {}
    for i, s in enumerate(statements):
        c = cluster_of[i]
        d = stmt[i]
        a = ThemeAssignment(s.id, c, d.theme, d.confidence, list(by_id[c].keywords) if c is not None else [],
                            d.theme2, "model")
        if c is not None:
            a.cluster_label = by_id[c].label
        margins[s.id] = d.margin
        if s.id in decisions.statement_themes:
            a.theme, a.theme2, a.confidence, a.source = decisions.statement_themes[s.id], None, 1.0, "analyst"
            margins[s.id] = 1.0
        elif c is not None and c in decisions.cluster_themes:
            a.theme, a.theme2, a.confidence, a.source = decisions.cluster_themes[c], None, 1.0, "analyst"
            margins[s.id] = 1.0
        assignments.append(a)

    info = {"embedder": getattr(embedder, "id", "?"), "method": settings.method if model else "clusters only",
            "temperature": round(model.temperature, 4) if model else None, "examples": len(examples),
            "taxonomy": "none" if taxonomy.empty else (taxonomy.name or str(taxonomy.path)),
            "taxonomy_misfit_share": None if model is None else round(misfit_share(assignments), 4),
            "analyst_examples": sum(e.source == "analyst" for e in examples),
            "clusters": len(clusters), "reduced_dims": found.reduced_dims,
            "min_cluster_size": found.params.min_cluster_size, "min_samples": found.params.min_samples,
            "hdbscan_outlier_share": found.raw_outliers / max(len(statements), 1),
            "outlier_share": sum(c is None for c in cluster_of) / max(len(statements), 1),
            "seconds": {k: round(v, 3) for k, v in timings.items()}}
    return ThemeResult(assignments, clusters, taxonomy, decisions, margins, info, uncarried_decisions(decisions, by_id))


def _classify(model, vectors: np.ndarray, statements: Sequence[Statement], rows_of: Mapping[int, list[int]],
              cluster_ids: list[int], settings) -> tuple[list, dict]:
    """Theme predictions per statement and per cluster from the fitted taxonomy classifier."""
    from statementkit.themes import fewshot

    probs = model.probabilities(vectors, [s.text for s in statements])
    nearest = model.nearest_similarity(vectors)
    cluster_probs = {c: probs[rows].mean(axis=0) for c, rows in rows_of.items()}
    cluster_near = {c: float(nearest[rows].mean()) for c, rows in rows_of.items()}
    mixed = probs.copy()
    weight = settings.cluster_weight
    for c, rows in rows_of.items():
        if len(rows) > 1 and weight > 0:
            mixed[rows] = (1 - weight) * probs[rows] + weight * cluster_probs[c]
    stmt = fewshot.decide(mixed, nearest, model.classes, settings)
    clus = dict(zip(cluster_ids, fewshot.decide(np.array([cluster_probs[c] for c in cluster_ids]).reshape(
        len(cluster_ids), len(model.classes)), np.array([cluster_near[c] for c in cluster_ids]),
        model.classes, settings)))
    return stmt, clus


def uncarried_decisions(decisions: ThemeDecisions, alive: Mapping[int, Any]) -> list[str]:
    """One line per cluster the analyst decided on that no cluster of this run carries."""
    out = []
    for c in sorted(set(decisions.cluster_themes) | set(decisions.cluster_labels)):
        if c in alive or decisions.resolve(c) in alive:
            continue
        what = ([f"theme {decisions.cluster_themes[c]}"] if c in decisions.cluster_themes else []) + \
               ([f"label “{decisions.cluster_labels[c]}”"] if c in decisions.cluster_labels else [])
        out.append(f"cluster {c} ({', '.join(what)}): no cluster of this run holds most of its statements, "
                   "so the decision applies to nothing; pin the statements or their new cluster again")
    return out


def training_examples(statements: Sequence[Statement], taxonomy: Taxonomy,
                      decisions: ThemeDecisions) -> list[ThemeExample]:
    """The taxonomy's texts plus every statement the analyst has confirmed (pinned in this input or saved)."""
    examples = list(taxonomy.exemplars())
    known = {e.id for e in decisions.examples if e.id is not None} | {e.text for e in decisions.examples}
    examples += decisions.examples
    for s in statements:
        theme = decisions.statement_themes.get(s.id)
        if theme is not None and s.id not in known and s.text not in known:
            examples.append(ThemeExample(s.text, theme, s.lang, "analyst", s.id))
    return examples


def _check_decisions(decisions: ThemeDecisions, taxonomy: Taxonomy) -> None:
    for sid, theme in decisions.statement_themes.items():
        taxonomy.check_theme(theme, f"theme '{theme}' pinned to statement {sid}")
    for cid, theme in decisions.cluster_themes.items():
        taxonomy.check_theme(theme, f"theme '{theme}' pinned to cluster {cid}")
    for e in decisions.examples:
        taxonomy.check_theme(e.theme, "theme of a confirmed example")


def _members(ids: Sequence[str], labels: np.ndarray) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for sid, c in zip(ids, labels.tolist()):
        if c >= 0:
            out.setdefault(c, []).append(sid)
    return out


def _apply_edits(ids: Sequence[str], cluster_of: list[int | None], decisions: ThemeDecisions) -> list[int | None]:
    """Merges, then splits, on top of the model's (stable-id) clusters."""
    out = [None if c is None else decisions.resolve(c) for c in cluster_of]
    position = {sid: i for i, sid in enumerate(ids)}
    for split in decisions.splits:
        for sid in split.ids:
            if sid in position:
                out[position[sid]] = decisions.resolve(split.into)
    return out


def least_certain(result: ThemeResult, n: int = 10, kind: str = "statement",
                  statements: Sequence[Statement] | None = None) -> list[Uncertain]:
    """The `n` statements (or clusters, or both) the model is least sure about, least sure first.

    Analyst decisions are excluded: they are certain. Ranked by margin
    between the two most likely themes, then by confidence.
    """
    if kind not in ("statement", "cluster", "both"):
        raise ValueError("kind must be 'statement', 'cluster' or 'both'")
    texts = {s.id: s.text for s in statements} if statements else {}
    items: list[Uncertain] = []
    if kind in ("statement", "both"):
        items += [Uncertain("statement", a.id, a.theme, a.theme2, a.confidence, result.margins.get(a.id, 1.0),
                            texts.get(a.id, "")) for a in result.assignments if a.source != "analyst"]
    if kind in ("cluster", "both"):
        items += [Uncertain("cluster", str(c.id), c.theme, c.theme2, c.confidence, c.margin, c.label)
                  for c in result.clusters if c.theme_source != "analyst"]
    items.sort(key=lambda u: (u.margin, u.confidence, u.kind, u.id))
    return items[:n]


def misfit_share(assignments: Sequence[ThemeAssignment]) -> float:
    """Share of the model's (not the analyst's) theme suggestions that are "none" or unsure."""
    model = [a for a in assignments if a.source == "model"]
    bad = sum(a.theme in (None, NONE) or a.confidence < LOW_CONFIDENCE for a in model)
    return bad / max(len(model), 1)


def none_share(result: ThemeResult) -> float:
    return sum(a.theme == NONE for a in result.assignments) / max(len(result.assignments), 1)
