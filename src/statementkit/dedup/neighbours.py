"""Nearest neighbours above a cosine threshold, without an n x n matrix in memory.

For each new statement we want its closest published statements and its
closest other new statements. Two methods, both over normalised float32
vectors and both holding at most `BLOCK_CELLS` similarities at a time:

- `exact`: blockwise matrix products, rows of new statements against all
  vectors. Cost n x (n + m) dot products: fine up to a few million pairs.
- `ivf`: an inverted-file index. Spherical k-means (deterministic seed) puts
  the vectors into ~sqrt(N) lists; each new statement is compared only with
  the members of its `probes` nearest lists. Near-duplicates (cosine >= ~0.6)
  share a list with overwhelming probability, so recall stays ~1 at that
  level while the work drops by N / (probes x list size). benchmarks/
  dedup_scale.py measures it against `exact` and against usearch's HNSW
  (which, on 512-d vectors and 2 cores, builds and searches ~10x slower
  than this at 100 k, see benchmarks/results/dedup_scale.json).

`auto` picks `exact` below `EXACT_LIMIT` pairs. Results depend only on the
vectors and their order; `dedup` feeds them in a canonical order so the
outcome does not depend on the input order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXACT_LIMIT = 25_000_000      # n x (n + m) pairs above which `auto` uses the IVF index
BLOCK_CELLS = 8_000_000       # similarities held at once (32 MB of float32)
METHODS = ("auto", "exact", "ivf")


@dataclass(slots=True)
class Neighbours:
    """Pairs (query row, neighbour row, cosine); `published` says which set the neighbour is in."""

    query: np.ndarray
    other: np.ndarray
    score: np.ndarray
    published: np.ndarray

    def __len__(self) -> int:
        return len(self.query)


def nearest(new: np.ndarray, published: np.ndarray, *, k: int = 10, threshold: float = 0.5,
            method: str = "auto", probes: int = 8, lists: int | None = None) -> Neighbours:
    """Up to `k` published and `k` other new neighbours of each new vector with cosine >= threshold."""
    new = np.ascontiguousarray(new, dtype=np.float32)
    published = np.ascontiguousarray(published, dtype=np.float32)
    n, m = len(new), len(published)
    method = choose_method(n, m, method)
    if n == 0 or k <= 0:
        return _empty()
    if method == "exact":
        parts = list(_exact(new, published, k, threshold))
    else:
        parts = list(_ivf(new, published, k, threshold, probes, lists))
    return _top_k(parts, k)


def choose_method(n: int, m: int, method: str = "auto") -> str:
    """The method `nearest` uses for n new and m published vectors: `auto` is `exact` up to EXACT_LIMIT pairs."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (valid: {', '.join(METHODS)})")
    if method == "auto":
        return "exact" if n * (n + m) <= EXACT_LIMIT else "ivf"
    return method


def _empty() -> Neighbours:
    z = np.zeros(0, dtype=np.int64)
    return Neighbours(z, z.copy(), np.zeros(0, dtype=np.float32), np.zeros(0, dtype=bool))


def _row_top(sims: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int, threshold: float,
             published: bool):
    """Per row of `sims`, the best k columns at or above the threshold, as (row, col, score, published).

    Most rows have few columns above the threshold: those are taken as they
    are; only rows with more than k pay for a partial sort.
    """
    if sims.size == 0:
        return None
    r, c = np.nonzero(sims >= threshold)
    if len(r) == 0:
        return None
    counts = np.bincount(r, minlength=len(sims))
    busy = counts > k
    if busy.any():
        keep = ~busy[r]
        busy_rows = np.nonzero(busy)[0]
        part = np.argpartition(-sims[busy_rows], k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sims[busy_rows], part, axis=1)
        top = vals >= threshold
        r = np.concatenate([r[keep], np.repeat(busy_rows, k).reshape(-1, k)[top]])
        c = np.concatenate([c[keep], part[top]])
    return rows[r], cols[c], sims[r, c], np.full(len(r), published)


def _exact(new, published, k, threshold):
    n = len(new)
    rows_per_block = max(1, BLOCK_CELLS // max(1, n + len(published)))
    for start in range(0, n, rows_per_block):
        q = new[start:start + rows_per_block]
        rows = np.arange(start, start + len(q))
        s_new = q @ new.T
        s_new[np.arange(len(q)), rows] = -np.inf  # not its own neighbour
        for found in (_row_top(s_new, rows, np.arange(n), k, threshold, False),
                      _row_top(q @ published.T, rows, np.arange(len(published)), k, threshold, True)):
            if found is not None:
                yield found


def kmeans(x: np.ndarray, n_lists: int, iters: int = 6, seed: int = 0) -> np.ndarray:
    """Spherical k-means centroids (normalised), deterministic for a given input."""
    rng = np.random.default_rng(seed)
    centroids = x[rng.choice(len(x), size=n_lists, replace=False)].copy()
    for _ in range(iters):
        assign = _assign(x, centroids, 1)[:, 0]
        order = np.argsort(assign, kind="stable")
        counts = np.bincount(assign, minlength=n_lists)
        sums = np.zeros_like(centroids)
        filled = counts > 0
        sums[filled] = np.add.reduceat(x[order], np.r_[0, np.cumsum(counts)[:-1]][filled], axis=0)
        empty = counts == 0
        if empty.any():  # re-seed empty lists with random points
            sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = sums / np.maximum(norms, 1e-12)
    return centroids.astype(np.float32)


def _assign(x: np.ndarray, centroids: np.ndarray, top: int) -> np.ndarray:
    """Indices of the `top` nearest centroids of each row (blockwise)."""
    out = np.empty((len(x), top), dtype=np.int64)
    step = max(1, BLOCK_CELLS // max(1, len(centroids)))
    for s in range(0, len(x), step):
        sims = x[s:s + step] @ centroids.T
        if top == 1:
            out[s:s + step, 0] = sims.argmax(axis=1)
        else:
            out[s:s + step] = np.argpartition(-sims, top - 1, axis=1)[:, :top]
    return out


def _ivf(new, published, k, threshold, probes, lists):
    n, m = len(new), len(published)
    total = n + m
    n_lists = lists or int(np.clip(round(np.sqrt(total)), 8, 4096))
    n_lists = min(n_lists, total)
    probes = min(probes, n_lists)
    sample_size = min(total, 64 * n_lists)
    rng = np.random.default_rng(0)
    sample_idx = np.sort(rng.choice(total, size=sample_size, replace=False))
    sample = np.concatenate([new[sample_idx[sample_idx < n]], published[sample_idx[sample_idx >= n] - n]])
    centroids = kmeans(sample, n_lists)
    home = np.concatenate([_assign(new, centroids, 1)[:, 0], _assign(published, centroids, 1)[:, 0]])
    members_order = np.argsort(home, kind="stable")
    member_starts = np.searchsorted(home[members_order], np.arange(n_lists + 1))
    # every vector probes its nearest lists: new ones look for new and published neighbours, published
    # ones look for new neighbours too, so a new-published pair has two chances to share a probed list
    probe = _assign(np.concatenate([new, published]) if m else new, centroids, probes)  # (n + m, probes)
    flat = probe.ravel()
    query_order = np.argsort(flat, kind="stable")
    query_starts = np.searchsorted(flat[query_order], np.arange(n_lists + 1))
    for c in range(n_lists):
        members = members_order[member_starts[c]:member_starts[c + 1]]
        probing = query_order[query_starts[c]:query_starts[c + 1]] // probes
        queries, pub_queries = probing[probing < n], probing[probing >= n] - n
        if len(members) == 0 or len(probing) == 0:
            continue
        new_members = members[members < n]  # sorted: members_order is a stable sort of the home lists
        pub_members = members[members >= n] - n
        new_block, pub_block = new[new_members], published[pub_members]
        if len(pub_queries) and len(new_members):  # published -> new, reported from the new side
            step = max(1, BLOCK_CELLS // len(new_members))
            for s in range(0, len(pub_queries), step):
                rows = pub_queries[s:s + step]
                found = _row_top(published[rows] @ new_block.T, rows, new_members, k, threshold, True)
                if found is not None:
                    yield found[1], found[0], found[2], found[3]
        step = max(1, BLOCK_CELLS // max(1, len(members)))
        for s in range(0, len(queries), step):
            rows = queries[s:s + step]
            q = new[rows]
            if len(new_members):
                sims = q @ new_block.T
                pos = np.searchsorted(new_members, rows)  # a statement is not its own neighbour
                own = (pos < len(new_members)) & (new_members[np.minimum(pos, len(new_members) - 1)] == rows)
                sims[np.nonzero(own)[0], pos[own]] = -np.inf
                found = _row_top(sims, rows, new_members, k, threshold, False)
                if found is not None:
                    yield found
            if len(pub_members):
                found = _row_top(q @ pub_block.T, rows, pub_members, k, threshold, True)
                if found is not None:
                    yield found


def _top_k(parts, k: int) -> Neighbours:
    """Merge blocks: per (query, set) keep the k best, sorted by query then falling score."""
    if not parts:
        return _empty()
    q = np.concatenate([p[0] for p in parts])
    o = np.concatenate([p[1] for p in parts])
    s = np.concatenate([p[2] for p in parts]).astype(np.float32)
    pub = np.concatenate([p[3] for p in parts])
    key = q.astype(np.int64) * 2 + pub
    # one float sort key: (query, set) major, falling score minor; a stable sort keeps equal scores
    # in their (deterministic) order of discovery
    order = np.argsort(key * 4.0 + (1.0 - s.astype(np.float64)), kind="stable")
    q, o, s, pub, key = q[order], o[order], s[order], pub[order], key[order]
    starts = np.r_[0, np.nonzero(np.diff(key))[0] + 1]
    rank = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    keep = rank < k
    return Neighbours(q[keep], o[keep], s[keep], pub[keep])
