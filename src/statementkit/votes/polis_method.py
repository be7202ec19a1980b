"""Opinion groups found the way pol.is finds them: by replaying the conversation's updates.

pol.is (`polismath.math.conversation`) recomputes a conversation every time
new votes arrive (its poller picks them up in batches of about 2 seconds), and
three things carry over from one update to the next:

1. **who is clustered** (`in-conv`): a participant joins once they have voted
   on min(7, statements so far) statements, or, while fewer than 15 have, by
   being among the most active; once in, they stay in;
2. **the base clusters** (k = 100 on the PCA map): each update starts from the
   last update's clusters (`clean-start-clusters`), and a cluster keeps its id
   for life;
3. **k**, the number of groups: chosen each update by silhouette among
   2..min(5, 2 + base clusters / 12) (ties to the larger k), but only changed
   once the new k has won 4 updates in a row (`group-k-smoother`).

The groups themselves are computed afresh at every update: weighted k-means
of the base-cluster centres, weighted by size, started from the first k
distinct centres in base-cluster id order (`polis_kmeans`). A running pol.is
worker would start each k from its last groups, but that state is not saved
(`conv_man/restructure-json-conv`), and pol.is' exported groups match a fresh
start, not a carried-over one (docs/votes.md). The projection is
pol.is' power-iteration PCA (`polis_projection`), statements rejected or
marked meta zeroed.

`replay` follows those updates over the vote history (2-second poll batches):
all of them when there are at most `max_updates`, else those where someone
joins (which is when base-cluster ids are handed out) and the last. Where
pol.is' history cannot be known, one update over the final votes stands in
(`final_update`):

- more than 100 participants clustered: the base clusters are then real
  k-means whose result depends on years of warm starts, restarts and code
  changes no export records; replaying them matched pol.is worse than a
  fresh start (docs/votes.md), so the participant list is replayed and the
  clusters start afresh;
- no vote times (an export with only participants-votes.csv).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from statementkit.errors import VotesError
from statementkit.votes.conversation import Conversation, VoteHistory, Votes
from statementkit.votes.polis_kmeans import Cluster, kmeans, silhouette
from statementkit.votes.projection import (
    Projection,
    centred_votes,
    clusterable,
    project,
)

if TYPE_CHECKING:
    import numpy as np

POLL_MS = 2000          # pol.is' poller picks up new votes about every 2 seconds
MIN_VOTES = 7           # in-conv: votes needed (or every statement, when fewer)
GREEDY_N = 15           # in-conv: below this many, the most active are added
BASE_K = 100            # base clusters
BASE_ITERS = 100        # pol.is passes :base-iters as :max-iters
GROUP_ITERS = 20        # pol.is passes :group-iters as :cluster-iters, which kmeans ignores: default 20
MAX_K = 5
K_BUFFER = 4            # a new k must win this many updates in a row
PCA_ITERS = 100         # power iterations per component, warm-started from the last update
GRAM_MAX = 1500         # above this many statements, an exact SVD stands in for the power iteration
MAX_UPDATES = 1000


@dataclass(slots=True)
class KSmoother:
    """pol.is' `group-k-smoother`: the k shown changes only after the same best k wins `K_BUFFER` updates."""

    last_k: int | None = None
    count: int = 0
    smoothed_k: int | None = None

    def update(self, this_k: int) -> int:
        self.count = self.count + 1 if this_k == self.last_k else 1
        self.last_k = this_k
        if self.count >= K_BUFFER or self.smoothed_k is None:
            self.smoothed_k = this_k
        return self.smoothed_k


@dataclass(slots=True)
class PolisRun:
    """The state after the last update: clustered participants, base clusters, groups."""

    in_conv: np.ndarray                  # bool per participant
    projection: Projection
    base: list[Cluster]                  # members are participant rows
    groups: list[Cluster]                # members are base-cluster ids
    k: int
    silhouettes: dict[int, float]
    updates: int

    def labels(self) -> np.ndarray:
        """Group per participant (-1 = not clustered); group ids as pol.is numbers them."""
        import numpy as np

        labels = np.full(len(self.in_conv), -1)
        base = {c.id: c.members for c in self.base}
        for g, group in enumerate(self.groups):
            for bid in group.members:
                labels[base[bid]] = g
        return labels


def poll_batches(history: VoteHistory, poll_ms: float = POLL_MS) -> np.ndarray:
    """End index (exclusive) of each poll batch: votes whose times fall in the same `poll_ms` window."""
    import numpy as np

    window = np.floor(history.times / poll_ms)
    return np.append(np.flatnonzero(np.diff(window)) + 1, len(history))


def in_conv_joins(history: VoteHistory, n_participants: int, ends: np.ndarray) -> list[list[int]]:
    """Participants who join pol.is' clustered set at each batch (it never shrinks)."""
    import numpy as np

    counts = np.zeros(n_participants, dtype=np.int64)
    seen: set[int] = set()
    statements: set[int] = set()
    inside = np.zeros(n_participants, dtype=bool)
    n_s = int(history.cols.max()) + 1 if len(history) else 1
    rows, cols = history.rows.tolist(), history.cols.tolist()
    out: list[list[int]] = []
    start = 0
    for end in ends.tolist():
        touched = []
        for r, c in zip(rows[start:end], cols[start:end]):
            key = r * n_s + c
            if key not in seen:
                seen.add(key)
                counts[r] += 1
                touched.append(r)
            statements.add(c)
        start = end
        need = min(MIN_VOTES, len(statements))
        new = sorted({r for r in touched if not inside[r] and counts[r] >= need})
        inside[new] = True
        n_in = int(inside.sum())
        if n_in < GREEDY_N:
            rest = np.flatnonzero(~inside & (counts > 0))
            top = rest[np.argsort(-counts[rest], kind="stable")][:GREEDY_N - n_in].tolist()
            inside[top] = True
            new += top
        out.append(new)
    return out


@dataclass(slots=True)
class PolisStart:
    """pol.is' own participant list and base clusters (from math-pca2.json), to start from instead of votes."""

    in_conv: list[str]
    base_clusters: list[tuple[int, list[str]]]   # (base-cluster id, participant ids)


def polis_start_from_math(conv: Conversation) -> PolisStart:
    """pol.is' in-conv list and base clusters from the conversation's math-pca2.json."""
    math = conv.polis_math
    if not math or "in-conv" not in math or "base-clusters" not in math:
        raise VotesError("starting from pol.is' own clusters needs pol.is' math output", conv.path,
                         hint="export the conversation from pol.is' API with math-pca2.json")
    base = math["base-clusters"]
    return PolisStart([str(p) for p in math["in-conv"]],
                      [(int(b), [str(p) for p in members]) for b, members in zip(base["id"], base["members"])])


def replay(votes: Votes, history: VoteHistory | None, moderated_out: Collection[str] = (), *,
           polis_start: PolisStart | None = None, max_updates: int = MAX_UPDATES,
           progress: Callable[[str], None] | None = None) -> PolisRun:
    """pol.is' updates over the vote history, or one final update (from `polis_start`, or without times)."""
    say = progress or (lambda _msg: None)
    n_p = len(votes.participants)
    if polis_start is not None:
        index = {p: i for i, p in enumerate(votes.participants)}
        given = [Cluster(b, [index[p] for p in members if p in index], None)  # type: ignore[arg-type]
                 for b, members in sorted(polis_start.base_clusters)]
        return final_update(votes, moderated_out, [index[p] for p in polis_start.in_conv if p in index],
                            [c for c in given if c.members])
    if history is None or not len(history):
        return final_update(votes, moderated_out)
    ends = poll_batches(history)
    joins = in_conv_joins(history, n_p, ends)
    n_in_conv = sum(len(j) for j in joins)
    if n_in_conv > BASE_K:
        say(f"{n_in_conv} participants to cluster: base clusters from the final votes")
        return final_update(votes, moderated_out, [r for j in joins for r in j], None)
    chosen = _chosen_updates(joins, max_updates)
    say(f"replaying {len(chosen)} of pol.is' {len(ends)} updates")
    # every update multiplies matrices of at most a few hundred rows; a second BLAS thread gains
    # nothing on them and waits for a core other processes use (a 118 x 118 Gram-Schmidt step:
    # 64 ms on two threads, 0.45 ms on one; London's 349 updates: 3.9 s -> 2.1 s)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        return _replay_updates(votes, history, moderated_out, ends, joins, chosen)


def _replay_updates(votes: Votes, history: VoteHistory, moderated_out: Collection[str], ends: np.ndarray,
                    joins: list[list[int]], chosen: set[int]) -> PolisRun:
    """The replay itself: votes batch by batch, an update (projection, base clusters, k) at each chosen batch."""
    import numpy as np

    n_p = len(votes.participants)
    key = history.rows.astype(np.int64) * len(votes.statements) + history.cols
    pair, slot = np.unique(key, return_inverse=True)
    slot_rows, slot_cols = (pair // len(votes.statements)).astype(np.int32), (pair % len(votes.statements)).astype(np.int32)
    values = np.zeros(len(pair), dtype=np.int8)
    present = np.zeros(len(pair), dtype=bool)
    in_conv = np.zeros(n_p, dtype=bool)
    smoother = KSmoother()
    base: list[Cluster] = []
    proj: Projection | None = None
    state = None
    start = 0
    for b, end in enumerate(ends.tolist()):
        values[slot[start:end]] = history.values[start:end]  # later votes overwrite earlier ones
        present[slot[start:end]] = True
        start = end
        in_conv[joins[b]] = True
        if b not in chosen:
            continue
        now = Votes(votes.participants, votes.statements, slot_rows[present], slot_cols[present], values[present])
        proj = polis_projection(now, moderated_out, proj)
        names = np.flatnonzero(in_conv).tolist()
        base = kmeans(names, proj.coords[names], BASE_K, last=base or None, max_iters=BASE_ITERS)
        groups, this_k, sil = group_clusters(base)
        if this_k:
            smoother.update(this_k)
        state = (proj, groups, sil)
    assert state is not None
    proj, groups, sil = state
    k = smoother.smoothed_k or 0
    return PolisRun(in_conv, proj, base, groups.get(k, []), k if k in groups else 0, sil, len(chosen))


def _chosen_updates(joins: list[list[int]], max_updates: int) -> set[int]:
    """Batches to replay: all of them when at most `max_updates`; else those where someone joins, and the last.

    Joins are when base-cluster ids are handed out; with at most 100 clustered
    participants (the only case replayed) there are at most 100 of them.
    """
    if len(joins) <= max_updates:
        return set(range(len(joins)))
    return {b for b, j in enumerate(joins) if j} | {len(joins) - 1}


def polis_projection(votes: Votes, moderated_out: Collection[str] = (),
                     start: Projection | None = None) -> Projection:
    """pol.is' PCA: power iteration warm-started from the last update's components (`pca/powerit-pca`).

    Unseen votes are imputed with the statement's mean, so after centring they are 0
    and only the Gram matrix of the sparse centred votes is needed. Up to
    `PCA_ITERS` + 1 products per component, stopping early when the eigenvalue
    repeats exactly; the second component is found after factoring out the first.
    New statements start at 1, as pol.is pads its start vector. The projection
    of participants is `projection.project`'s (same imputation and scaling).
    """
    import numpy as np

    cv = centred_votes(votes, moderated_out)
    act = np.flatnonzero(cv.active)
    if len(act) < 2 or len(act) > GRAM_MAX:
        proj = project(votes, moderated_out, cv=cv)
        if start is not None:  # keep the sign of the last update's axes
            for i in range(2):
                if float(proj.components[i] @ start.components[i]) < 0:
                    proj.components[i] *= -1
                    proj.coords[:, i] *= -1
        return proj
    gram = (cv.matrix.T @ cv.matrix).toarray()
    comps = np.zeros((2, len(votes.statements)))
    for i in range(2):
        v = np.ones(len(act))
        if start is not None and start.components[i].any():
            v = np.where(start.active[act], start.components[i][act], 1.0)
        last = 0.0
        for it in range(PCA_ITERS, -1, -1):
            product = gram @ v
            eig = float(np.linalg.norm(product))
            v = product / eig if eig else product
            if it == 0 or eig == last:
                break
            last = eig
        comps[i, act] = v
        if v @ v:  # factor the component out of every row (Gram–Schmidt), as pol.is does
            factor = np.eye(len(act)) - np.outer(v, v) / (v @ v)
            gram = factor @ gram @ factor
    return project(votes, moderated_out, components=comps, cv=cv)


def group_clusters(base: list[Cluster]) -> tuple[dict[int, list[Cluster]], int, dict[int, float]]:
    """Group k-means of the base clusters for every k pol.is tries, and the k with the best silhouette."""
    import numpy as np

    if len(base) < 2:
        return {}, 0, {}
    ids = [c.id for c in base]
    centres = np.stack([c.center for c in base])
    weights = np.array([len(c.members) for c in base], dtype=float)
    out: dict[int, list[Cluster]] = {}
    sil: dict[int, float] = {}
    for k in range(2, min(MAX_K, 2 + len(base) // 12) + 1):
        groups = kmeans(ids, centres, k, weights=weights, max_iters=GROUP_ITERS)
        where = {bid: g for g, grp in enumerate(groups) for bid in grp.members}
        score = silhouette(centres, np.array([where[i] for i in ids]))
        if score is None:
            continue
        out[k], sil[k] = groups, score
    best = max(sil, key=lambda k: (sil[k], k)) if sil else 0  # ties to the larger k, as Clojure's max-key
    return out, best, sil


def final_update(votes: Votes, moderated_out: Collection[str], in_conv: list[int] | None = None,
                 given_base: list[Cluster] | None = None) -> PolisRun:
    """One pol.is update over the final votes, base clusters started afresh (or given: pol.is' own)."""
    import numpy as np

    proj = project(votes, moderated_out)
    if in_conv is not None:
        mask = np.zeros(len(votes.participants), dtype=bool)
        mask[in_conv] = True
    else:
        mask = clusterable(votes, MIN_VOTES, GREEDY_N)
    if given_base is not None:
        base = [Cluster(c.id, list(c.members), proj.coords[c.members].mean(axis=0)) for c in given_base]
    else:
        names = np.flatnonzero(mask).tolist()
        base = kmeans(names, proj.coords[names], BASE_K, max_iters=BASE_ITERS)
    groups, k, sil = group_clusters(base)
    return PolisRun(mask, proj, base, groups.get(k, []), k, sil, 1)
