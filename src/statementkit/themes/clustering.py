"""Group statements into clusters: theme space -> HDBSCAN -> attach outliers.

Why this shape (numbers in benchmarks/results/themes.json):
- Short statements embedded by a multilingual encoder do not fall apart into
  topics on their own: HDBSCAN or k-means on the raw vectors agree with the
  assembly's themes hardly better than chance (ARI < 0.1 on the dev split),
  and part of what they find is the language. So clustering happens in a
  *theme space*: each language's mean vector is removed (what is left is
  what the statement says, not which language it says it in), then the
  vectors are projected on the directions that separate the taxonomy's
  example statements (linear discriminant analysis), plus a few principal
  components of the rest so clusters can still form around topics the
  taxonomy does not name. This is the semi-supervised route BERTopic offers
  too, with the taxonomy as the supervision.
- HDBSCAN (leaf selection) finds clusters of any number and says "no
  cluster" for strays. The parameters adapt to the corpus size
  (`Params.for_size`), so 40 statements and 10,000 both give clusters an
  analyst can read. UMAP is not a package dependency: it costs a ~45 s numba
  compile on first use; the benchmark measures it (`reducer=` accepts any
  callable) instead.
- HDBSCAN leaves many short statements as outliers; each is attached to the
  nearest cluster when it is no farther from that cluster's centre than most
  of the cluster's own members are (`attach_quantile`), so only real strays
  stay unclustered.
- Identical points are clustered once (all-duplicates input is one cluster),
  and points are processed in a canonical order, so the result does not
  depend on input order and is the same on every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Reducer = Callable[[np.ndarray], np.ndarray]
OUTLIER = -1


@dataclass(slots=True, frozen=True)
class Params:
    """HDBSCAN and reduction settings; `for_size` picks them from the corpus size."""

    min_cluster_size: int
    min_samples: int
    dims: int = 0                  # PCA components before HDBSCAN (0 = use the points as given)
    method: str = "leaf"           # HDBSCAN cluster_selection_method
    attach_quantile: float = 0.9   # outlier joins a cluster if no farther than this quantile of its members ...
    attach_factor: float = 2.0     # ... times this factor
    residual_dims: int = 5         # theme space: principal components beyond the taxonomy's directions
    residual_weight: float = 0.5   # ... and their weight

    @classmethod
    def for_size(cls, n: int, **overrides) -> Params:
        mcs = max(2, round(0.25 * math.sqrt(max(n, 1))))
        values = {"min_cluster_size": mcs, "min_samples": 1}  # fewer outliers; see benchmarks/results/themes*.json
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass(slots=True)
class Clustering:
    """Cluster label per input row (OUTLIER = -1) plus what the analyst needs to read them."""

    labels: np.ndarray                 # int, per input row, clusters numbered 0.. by size
    attached: np.ndarray               # bool, row was an HDBSCAN outlier attached afterwards
    params: Params
    reduced_dims: int
    raw_outliers: int = 0              # HDBSCAN's outliers before attaching

    @property
    def n_clusters(self) -> int:
        return len(set(self.labels.tolist()) - {OUTLIER})

    @property
    def outlier_share(self) -> float:
        return float((self.labels == OUTLIER).mean()) if len(self.labels) else 0.0


def pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Deterministic PCA to `dims` components; unchanged when there are too few points.

    The components are the top eigenvectors of the d x d covariance: the same
    as a full SVD of the n x d data (up to sign, which is fixed here), but for
    10,000 x 512 vectors 0.1 s instead of ~10 s.
    """
    n, d = vectors.shape
    k = min(dims, n - 1, d)
    if dims <= 0 or k < 2:
        return vectors
    centred = (vectors - vectors.mean(axis=0)).astype(np.float64)
    if n > d:
        values, vecs = np.linalg.eigh(centred.T @ centred)
        components = vecs[:, np.argsort(-values, kind="stable")[:k]].T
    else:
        components = np.linalg.svd(centred, full_matrices=False)[2][:k]
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])  # fix arbitrary signs
    return centred @ (components.T * signs)


def cluster(vectors: np.ndarray, params: Params | None = None, reducer: Reducer | None = None) -> Clustering:
    """Cluster points (n x d): a theme space from `theme_space`, or plain embeddings.

    `reducer` replaces PCA (e.g. a UMAP fitted by the benchmark); it receives
    the unique points in canonical order and returns their reduced form.
    Outliers are attached in the reduced space.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(vectors)
    params = params or Params.for_size(n)
    if n == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros(0, dtype=bool), params, 0)
    unique, inverse = np.unique(vectors, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=len(unique))
    raw = np.zeros(len(unique), dtype=int)  # one or two distinct statements: one group
    ulabels = raw
    reduced_dims = unique.shape[1]
    if len(unique) >= 3:
        reduced = np.asarray(reducer(unique) if reducer is not None else pca(unique, params.dims), dtype=np.float64)
        reduced_dims = reduced.shape[1]
        raw = _hdbscan(reduced, counts, params)
        ulabels = raw
        if (raw != OUTLIER).any() and (raw == OUTLIER).any():
            ulabels, _ = _attach_outliers(reduced, raw, params.attach_quantile, params.attach_factor)
    labels = ulabels[inverse]
    attached = (raw[inverse] == OUTLIER) & (labels != OUTLIER)
    raw_outliers = int((raw[inverse] == OUTLIER).sum())
    labels = _renumber(labels)
    return Clustering(labels, attached, params, reduced_dims, raw_outliers)


def _hdbscan(points: np.ndarray, counts: np.ndarray, params: Params) -> np.ndarray:
    """HDBSCAN on unique points; duplicates count through a repeated core (weights by repetition)."""
    import hdbscan

    # Repeat each point as often as it occurs (capped), so a statement submitted
    # five times is denser than one submitted once, as it should be.
    reps = np.minimum(counts, params.min_cluster_size)
    expanded = np.repeat(points, reps, axis=0)
    owner = np.repeat(np.arange(len(points)), reps)
    mcs = max(2, min(params.min_cluster_size, len(expanded) - 1))
    ms = max(1, min(params.min_samples, mcs))
    model = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms, metric="euclidean",
                            cluster_selection_method=params.method, core_dist_n_jobs=1,
                            allow_single_cluster=len(points) < 4 * mcs)
    raw = model.fit_predict(expanded.astype(np.float64))
    out = np.full(len(points), OUTLIER, dtype=int)
    first = np.searchsorted(owner, np.arange(len(points)))  # every copy of a point gets the same label
    out[:] = raw[first]
    return out


def _attach_outliers(points: np.ndarray, labels: np.ndarray, quantile: float,
                     factor: float) -> tuple[np.ndarray, np.ndarray]:
    ids = sorted(set(labels.tolist()) - {OUTLIER})
    centres = np.stack([points[labels == c].mean(axis=0) for c in ids])
    reach = factor * np.array([np.quantile(np.linalg.norm(points[labels == c] - centres[k], axis=1), quantile)
                               for k, c in enumerate(ids)])
    out = labels.copy()
    attached = np.zeros(len(labels), dtype=bool)
    stray = np.flatnonzero(labels == OUTLIER)
    dist = np.linalg.norm(points[stray, None, :] - centres[None, :, :], axis=2)
    best = dist.argmin(axis=1)
    ok = dist[np.arange(len(stray)), best] <= reach[best]
    out[stray[ok]] = np.array(ids)[best[ok]]
    attached[stray[ok]] = True
    return out, attached
def _renumber(labels: np.ndarray) -> np.ndarray:
    """Clusters numbered 0.. by size (largest first), ties by first member: stable and readable."""
    ids = sorted(set(labels.tolist()) - {OUTLIER},
                 key=lambda c: (-(labels == c).sum(), int(np.flatnonzero(labels == c)[0])))
    mapping = {c: i for i, c in enumerate(ids)}
    mapping[OUTLIER] = OUTLIER
    return np.array([mapping[c] for c in labels.tolist()], dtype=int)


def medoids(vectors: np.ndarray, labels: np.ndarray, k: int = 3) -> dict[int, list[int]]:
    """Row indices of the `k` members closest to each cluster's centroid (distinct texts first)."""
    out: dict[int, list[int]] = {}
    for c in sorted(set(labels.tolist()) - {OUTLIER}):
        rows = np.flatnonzero(labels == c)
        centroid = vectors[rows].mean(axis=0)
        sims = vectors[rows] @ centroid
        order = rows[np.lexsort((rows, -np.round(sims, 6)))]
        chosen, seen = [], set()
        for r in order:  # skip exact copies of a chosen representative
            key = vectors[r].tobytes()
            if key not in seen:
                chosen.append(int(r))
                seen.add(key)
            if len(chosen) == k:
                break
        out[c] = chosen
    return out


def theme_space(vectors: np.ndarray, langs: Sequence[str | None], exemplars: np.ndarray,
                targets: np.ndarray, residual_dims: int = 5, residual_weight: float = 0.5) -> np.ndarray:
    """Points to cluster: language means removed, projected on the taxonomy's discriminant directions.

    `exemplars`/`targets` are the taxonomy's example vectors and their class
    indices; with fewer than two classes only the residual PCA is used.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 1))
    centred = vectors.copy()
    langs = [lang or "und" for lang in langs]
    for lang in sorted(set(langs)):
        rows = [i for i, x in enumerate(langs) if x == lang]
        if len(rows) >= 3 and len(rows) < n:  # a language with a handful of statements keeps its own mean
            centred[rows] -= centred[rows].mean(axis=0) - vectors.mean(axis=0)
    parts = []
    if len(set(np.asarray(targets).tolist())) >= 2:
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto").fit(exemplars, targets)
        z = lda.transform(centred)
        parts.append(z / max(float(np.std(lda.transform(exemplars))), 1e-9))
    if residual_dims > 0 and n > 2:
        r = pca(centred, residual_dims)
        parts.append(residual_weight * r / max(float(np.std(r)), 1e-9))
    if not parts:
        return centred
    return np.hstack(parts)
