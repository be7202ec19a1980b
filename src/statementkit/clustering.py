"""Group statement vectors into clusters: (PCA) -> HDBSCAN -> attach outliers.

Why this shape (numbers in benchmarks/results/themes.json):
- HDBSCAN finds clusters of any number and shape and says "no cluster" for
  stray points, but on raw 512-d vectors it is slow (tens of seconds for
  10,000) and density is hard to estimate; PCA to a few dimensions makes it
  ~20x faster with no loss of agreement with the reference themes. UMAP is
  not a package dependency: it costs a ~45 s numba compile on first use and
  the benchmark measures it as an alternative (`reducer=` accepts any
  callable), not a default.
- The parameters adapt to the corpus size (`Params.for_size`) so 40
  statements and 10,000 both give clusters an analyst can read.
- Short statements leave many HDBSCAN outliers; each is attached to the
  nearest cluster when it is at least as close to that cluster's centroid as
  the cluster's own loosest members are (`attach_quantile`), so only real
  strays stay unclustered.
- Identical vectors are clustered once (all-duplicates input is one cluster),
  and points are processed in a canonical order so the result does not
  depend on input order and is the same on every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Reducer = Callable[[np.ndarray], np.ndarray]
OUTLIER = -1


@dataclass(slots=True, frozen=True)
class Params:
    """HDBSCAN and reduction settings; `for_size` picks them from the corpus size."""

    min_cluster_size: int
    min_samples: int
    dims: int = 10                 # PCA components (0 = no reduction)
    method: str = "eom"           # HDBSCAN cluster_selection_method
    attach_quantile: float = 0.1  # outlier joins a cluster if closer than this quantile of its members

    @classmethod
    def for_size(cls, n: int, **overrides) -> Params:
        mcs = max(2, round(0.5 * math.sqrt(max(n, 1))))
        values = {"min_cluster_size": mcs, "min_samples": max(1, mcs // 2)}
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
    medoids: dict[int, list[int]] = field(default_factory=dict)

    @property
    def n_clusters(self) -> int:
        return len(set(self.labels.tolist()) - {OUTLIER})

    @property
    def outlier_share(self) -> float:
        return float((self.labels == OUTLIER).mean()) if len(self.labels) else 0.0


def pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Deterministic PCA (full SVD) to `dims` components; unchanged when there are too few points."""
    n, d = vectors.shape
    k = min(dims, n - 1, d)
    if dims <= 0 or k < 2:
        return vectors
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    signs = np.sign(vt[np.arange(k), np.abs(vt[:k]).argmax(axis=1)])  # fix SVD's arbitrary signs
    return (centred @ (vt[:k].T * signs)).astype(np.float64)


def cluster(vectors: np.ndarray, params: Params | None = None, reducer: Reducer | None = None) -> Clustering:
    """Cluster L2-normalised `vectors` (n x d).

    `reducer` replaces PCA (e.g. a UMAP fitted by the benchmark); it receives
    the unique vectors in canonical order and returns their reduced form.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(vectors)
    params = params or Params.for_size(n)
    if n == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros(0, dtype=bool), params, 0)
    unique, inverse = np.unique(vectors, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=len(unique))
    if len(unique) < 3:
        ulabels = np.zeros(len(unique), dtype=int)  # one or two distinct statements: one group
        reduced_dims = unique.shape[1]
        raw_outliers = 0
    else:
        reduced = reducer(unique) if reducer is not None else pca(unique, params.dims)
        reduced_dims = reduced.shape[1]
        ulabels = _hdbscan(reduced, counts, params)
        raw_outliers = int(counts[ulabels == OUTLIER].sum())
    labels = ulabels[inverse]
    attached = np.zeros(n, dtype=bool)
    if (labels != OUTLIER).any() and (labels == OUTLIER).any():
        labels, attached = _attach_outliers(vectors, labels, params.attach_quantile)
    labels = _renumber(labels)
    result = Clustering(labels, attached, params, reduced_dims, raw_outliers)
    result.medoids = medoids(vectors, labels)
    return result


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


def _attach_outliers(vectors: np.ndarray, labels: np.ndarray, quantile: float) -> tuple[np.ndarray, np.ndarray]:
    ids = sorted(set(labels.tolist()) - {OUTLIER})
    centroids = np.stack([vectors[labels == c].mean(axis=0) for c in ids])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    floors = np.array([np.quantile(vectors[labels == c] @ centroids[k], quantile) for k, c in enumerate(ids)])
    out = labels.copy()
    attached = np.zeros(len(labels), dtype=bool)
    stray = np.flatnonzero(labels == OUTLIER)
    sims = vectors[stray] @ centroids.T
    best = sims.argmax(axis=1)
    ok = sims[np.arange(len(stray)), best] >= floors[best]
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
