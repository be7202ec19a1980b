"""pol.is' own k-means, step by step (`polismath.math.clusters`), so its groups can be reproduced.

pol.is' k-means differs from a textbook one in ways that decide which groups
come out, so each is kept:

- a fresh run starts from the first k *distinct* points in data order
  (`init-clusters`), not from random or k-means++ seeds;
- a warm run starts from the previous update's clusters (`clean-start-clusters`):
  centres are recomputed from their members' new positions, clusters with the
  same centre are merged, and while there are fewer clusters than k (and
  distinct points), the point farthest from every centre becomes a cluster of
  its own with the next id;
- Lloyd steps stop when the centres, sorted, move less than 0.01, or after
  `max_iters` + 1 steps (`kmeans`, `same-clustering?`); empty clusters vanish;
- the silhouette counts a point alone in its cluster as 0 (`silhouette`).

Clusters carry ids, because ids outlive updates and pol.is orders its group
k-means start by base-cluster id. Where pol.is breaks a tie by taking the last
candidate (Clojure's min-key / max-key), so does this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: pol.is' `same-clustering?` tolerance and its `kmeans` default iteration count.
SAME_CENTRES = 0.01
MAX_ITERS = 20


@dataclass(slots=True)
class Cluster:
    """One k-means cluster: its id, its members (names, e.g. participant rows) and its centre."""

    id: int
    members: list[int]
    center: np.ndarray


def _closest(point: np.ndarray, centres: np.ndarray) -> tuple[int, float]:
    """Index of the nearest centre (the last one on a tie, as Clojure's min-key) and its distance."""
    import numpy as np

    d = np.sqrt(((centres - point) ** 2).sum(axis=1))
    i = len(d) - 1 - int(np.argmin(d[::-1]))
    return i, float(d[i])


def init_clusters(points: np.ndarray, k: int) -> list[Cluster]:
    """The first k distinct points, in data order, as empty clusters with ids 0..k-1."""
    out: list[Cluster] = []
    seen: set[tuple[float, ...]] = set()
    for p in points:
        key = tuple(p.tolist())
        if key in seen:
            continue
        seen.add(key)
        out.append(Cluster(len(out), [], p.astype(float).copy()))
        if len(out) == k:
            break
    return out


def step(names: Sequence[int], points: np.ndarray, clusters: list[Cluster],
         weights: np.ndarray | None = None) -> list[Cluster]:
    """One Lloyd step: every point to its nearest centre, empty clusters dropped, centres re-averaged."""
    import numpy as np

    centres = np.stack([c.center for c in clusters])
    d = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    nearest = d.shape[1] - 1 - np.argmin(d[:, ::-1], axis=1)  # ties to the last cluster
    w = np.ones(len(points)) if weights is None else weights
    mass = np.bincount(nearest, weights=w, minlength=len(clusters))
    sums = np.stack([np.bincount(nearest, weights=w * points[:, j], minlength=len(clusters))
                     for j in range(points.shape[1])], axis=1)
    by_cluster = np.argsort(nearest, kind="stable")
    bounds = np.searchsorted(nearest[by_cluster], np.arange(len(clusters) + 1))
    out = []
    for j, c in enumerate(clusters):
        if bounds[j + 1] > bounds[j]:
            rows = by_cluster[bounds[j]:bounds[j + 1]]
            out.append(Cluster(c.id, [names[i] for i in rows], sums[j] / mass[j]))
    return out


def same_clustering(a: list[Cluster], b: list[Cluster], threshold: float = SAME_CENTRES) -> bool:
    """Sorted centres pairwise closer than `threshold` (zip stops at the shorter list, as pol.is' does)."""
    import numpy as np

    ca = sorted(tuple(c.center.tolist()) for c in a)
    cb = sorted(tuple(c.center.tolist()) for c in b)
    return all(np.linalg.norm(np.subtract(x, y)) < threshold for x, y in zip(ca, cb))


def clean_start(names: Sequence[int], points: np.ndarray, last: list[Cluster], k: int,
                weights: np.ndarray | None = None) -> list[Cluster]:
    """Last update's clusters made ready for this update's points (pol.is' `clean-start-clusters`).

    Centres are recomputed as the (weighted, for groups of base clusters) mean of the
    members still present; members that are gone are dropped.
    """
    import numpy as np

    row = {n: i for i, n in enumerate(names)}
    w = np.ones(len(names)) if weights is None else np.asarray(weights, dtype=float)

    def mean(rows: list[int]) -> np.ndarray:
        return (points[rows] * w[rows, None]).sum(axis=0) / w[rows].sum()

    def recentred(clusters: list[Cluster]) -> list[Cluster]:
        out = []
        for c in clusters:
            rows = sorted(row[m] for m in c.members if m in row)  # data order, as pol.is' rowname-subset
            if rows:
                out.append(Cluster(c.id, [names[r] for r in rows], mean(rows)))
        return out

    clusters = recentred(last)
    if not clusters:
        return [Cluster(max((c.id for c in last), default=-1) + 1, list(names), mean(list(range(len(names)))))]
    merged: list[Cluster] = []
    by_centre: dict[tuple[float, ...], Cluster] = {}
    for c in clusters:  # clusters that now share a centre become one; the larger keeps its id
        twin = by_centre.get(tuple(c.center.tolist()))
        if twin is None:
            merged.append(c)
            by_centre[tuple(c.center.tolist())] = c
            continue
        total = len(twin.members) + len(c.members)
        twin.center = (twin.center * len(twin.members) + c.center * len(c.members)) / total
        twin.id = twin.id if len(twin.members) > len(c.members) else c.id
        twin.members = twin.members + c.members
    possible = min(k, len(np.unique(points, axis=0)))
    clusters = recentred(merged)
    while possible > len(clusters):
        centres = np.stack([c.center for c in clusters])
        d = np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
        far = len(d) - 1 - int(np.argmax(d[::-1]))  # the most distal point, last on a tie
        if d[far] <= 0:
            break
        outlier = names[far]
        for c in clusters:
            c.members = [m for m in c.members if m != outlier]
        clusters.append(Cluster(max(c.id for c in clusters) + 1, [outlier], points[far].copy()))
        clusters = recentred(clusters)
    return clusters


def kmeans(names: Sequence[int], points: np.ndarray, k: int, *, weights: np.ndarray | None = None,
           last: list[Cluster] | None = None, max_iters: int = MAX_ITERS) -> list[Cluster]:
    """pol.is' k-means: fresh from the first k distinct points, or warm from `last`; sorted by id.

    `weights` (per point) weigh both the Lloyd means and the warm start's recentring.
    """
    clusters = clean_start(names, points, last, k, weights) if last else init_clusters(points, k)
    if not clusters:
        return []
    iters = max_iters
    while True:
        new = step(names, points, clusters, weights)
        if iters == 0 or same_clustering(clusters, new):
            return sorted(new, key=lambda c: c.id)
        clusters, iters = new, iters - 1


def silhouette(points: np.ndarray, labels: np.ndarray) -> float | None:
    """Mean silhouette, a point alone in its cluster scoring 0; None with fewer than two clusters."""
    import numpy as np

    groups, labels = np.unique(labels, return_inverse=True)
    if len(groups) < 2:
        return None
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    onehot = np.eye(len(groups))[labels]
    size = onehot.sum(axis=0)
    sums = d @ onehot                          # total distance from each point to each cluster
    mean_to = sums / size
    own = size[labels]
    a = sums[np.arange(len(points)), labels] / np.maximum(own - 1, 1)
    mean_to[np.arange(len(points)), labels] = np.inf
    b = mean_to.min(axis=1)
    top = np.maximum(a, b)
    scores = np.where((own > 1) & (top > 0), (b - a) / np.where(top > 0, top, 1), 0.0)
    return float(scores.mean())
