"""Opinion groups the way pol.is computes them: PCA of the vote matrix, then k-means.

The steps follow pol.is' conversation maths (`polismath.math.conversation`):

1. Participant × statement matrix, +1 agree / -1 disagree / 0 pass. Statements
   the moderators rejected are zeroed out (pol.is sets the whole column to 0,
   so they add nothing to the PCA but still count as "seen" in step 3).
2. A statement a participant never saw is imputed with the statement's mean
   vote; after centring on those means the matrix stays sparse (unseen → 0),
   so the two principal components come from a sparse SVD.
3. Each participant is projected from their own votes only and the
   projection is scaled by sqrt(statements / statements seen), which keeps
   participants who voted little from bunching up in the centre.
4. Participants with fewer than min(7, statements) votes are left out of the
   clustering (topped up with the most active voters to at least 15).
5. k-means with up to 100 "base clusters" on the 2-D points (centres start
   at the first distinct points, as in pol.is), then weighted k-means of the
   base clusters into k = 2..5 groups (at most 2 + bases/12), k chosen by the
   silhouette of the base clusters.

Deliberate differences, because an export holds only the final votes: pol.is
updates incrementally, seeding each k-means with the previous run's clusters
and only changing k after it wins 4 updates in a row. Here everything is
computed once from scratch, deterministically: the group k-means keeps the
lowest-inertia solution among pol.is' seeding and 16 fixed k-means++ seedings
(the optimum an incremental run tends towards), and a group must hold at
least `min_group_share` of the clustered participants (no one-person groups).
A replay of pol.is' incremental updates over the vote history was tried and
matched pol.is no better. benchmarks/votes_polis.py measures the agreement
with pol.is' own groups (adjusted Rand index per bundled export).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statementkit.votes.conversation import AGREE, DISAGREE, Votes

if TYPE_CHECKING:
    import numpy as np

    from statementkit.votes.analysis import VoteRules
    from statementkit.votes.repness import RepStatement

#: Above this many matrix cells the SVD runs sparse (ARPACK) instead of dense.
DENSE_SVD_CELLS = 4_000_000


@dataclass(slots=True)
class Projection:
    """Participants and statements in the plane of the first two principal components."""

    coords: np.ndarray        # (participants, 2)
    components: np.ndarray    # (2, statements); 0 for statements left out
    mean: np.ndarray          # (statements,) mean vote used to impute unseen ones
    explained: tuple[float, float]
    active: np.ndarray        # (statements,) bool: voted on and not moderated out


@dataclass(slots=True)
class OpinionGroups:
    """Who is in which opinion group, and how each group voted on each statement."""

    participants: list[str]
    statements: list[str]
    coords: np.ndarray           # (participants, 2), every participant
    labels: np.ndarray           # (participants,), -1 = not clustered
    k: int
    silhouettes: dict[int, float]
    counts: np.ndarray           # (k, statements, 3): agree, disagree, seen per group
    components: np.ndarray       # (2, statements)
    explained: tuple[float, float]
    note: str | None = None      # why there are no groups, when k == 0
    repness: list[list[RepStatement]] = field(default_factory=list)
    consensus: np.ndarray | None = None  # group-informed consensus per statement

    @property
    def sizes(self) -> list[int]:
        import numpy as np

        return np.bincount(self.labels[self.labels >= 0], minlength=self.k).tolist()

    @property
    def n_clustered(self) -> int:
        return int((self.labels >= 0).sum())

    @staticmethod
    def name(group: int) -> str:
        """pol.is' letter for a group: 0 → A, 1 → B, ..."""
        return chr(ord("A") + group) if group >= 0 else "-"

    def participant_records(self, polis_groups: dict[str, int] | None = None) -> list[dict[str, Any]]:
        """One record per participant: id, group (null when not clustered), x, y."""
        out = []
        for i, pid in enumerate(self.participants):
            g = int(self.labels[i])
            rec: dict[str, Any] = {"id": pid, "group": g if g >= 0 else None,
                                   "x": round(float(self.coords[i, 0]), 5), "y": round(float(self.coords[i, 1]), 5)}
            if polis_groups is not None:
                rec["polis_group"] = polis_groups.get(pid)
            out.append(rec)
        return out


@dataclass(slots=True)
class CentredVotes:
    """The vote matrix as pol.is' PCA sees it: active columns only, centred, unseen = 0."""

    matrix: Any               # sparse (participants, active statements)
    mean: np.ndarray          # (statements,) mean vote per statement
    active: np.ndarray        # (statements,) bool: voted on and not moderated out
    scale: np.ndarray         # (participants,) sqrt(statements / statements seen)


def centred_votes(votes: Votes, moderated_out: Collection[str] = (), *, zero_moderated: bool = True) -> CentredVotes:
    """Impute unseen votes with the statement mean and centre; the scale pol.is applies to projections."""
    import numpy as np
    import scipy.sparse

    n_p, n_s = votes.shape
    counts = np.bincount(votes.cols, minlength=n_s)
    voted = counts > 0
    out = np.zeros(n_s, dtype=bool)
    index = {s: j for j, s in enumerate(votes.statements)}
    out[[index[s] for s in moderated_out if s in index]] = True
    active = voted & ~out
    sums = np.bincount(votes.cols, weights=votes.values, minlength=n_s)
    mean = np.where(active, sums / np.maximum(counts, 1), 0.0)
    act_idx = np.flatnonzero(active)
    col_of = np.full(n_s, -1)
    col_of[act_idx] = np.arange(len(act_idx))
    keep = active[votes.cols]
    data = votes.values[keep] - mean[votes.cols[keep]]
    centred = scipy.sparse.csr_matrix((data, (votes.rows[keep], col_of[votes.cols[keep]])),
                                      shape=(n_p, len(act_idx)))
    seen_active = np.bincount(votes.rows[keep], minlength=n_p)
    if zero_moderated:  # pol.is: zeroed columns are "seen" by everyone
        n_cols, seen = int(voted.sum()), seen_active + int((voted & out).sum())
    else:
        n_cols, seen = len(act_idx), seen_active
    return CentredVotes(centred, mean, active, np.sqrt(n_cols / np.maximum(seen, 1)))


def project(votes: Votes, moderated_out: Collection[str] = (), *, zero_moderated: bool = True,
            components: np.ndarray | None = None) -> Projection:
    """PCA of the vote matrix with pol.is' imputation and sparsity-aware scaling.

    `components` (2, statements) projects onto given axes instead of computing them.
    """
    import numpy as np

    n_p, n_s = votes.shape
    cv = centred_votes(votes, moderated_out, zero_moderated=zero_moderated)
    act_idx = np.flatnonzero(cv.active)
    if components is None and (len(act_idx) < 2 or n_p < 2):
        return Projection(np.zeros((n_p, 2)), np.zeros((2, n_s)), cv.mean, (0.0, 0.0), cv.active)
    if components is None:
        vt, _ = _top2_right_singular(cv.matrix)
        components = np.zeros((2, n_s))
        components[:, act_idx] = vt
    vt = components[:, act_idx]
    scores = np.asarray(cv.matrix @ vt.T)
    total = float((cv.matrix.multiply(cv.matrix)).sum())
    explained = tuple(float((scores[:, i] ** 2).sum() / total) if total else 0.0 for i in range(2))
    return Projection(scores * cv.scale[:, None], components, cv.mean, explained, cv.active)  # type: ignore[arg-type]


def _top2_right_singular(m: Any) -> tuple[np.ndarray, np.ndarray]:
    """First two right singular vectors (rows) and singular values, with a fixed sign."""
    import numpy as np

    n_p, n_s = m.shape
    k = min(2, n_p, n_s)
    if n_p * n_s <= DENSE_SVD_CELLS or min(n_p, n_s) <= 3:
        _, s, vt = np.linalg.svd(m.toarray(), full_matrices=False)
        s, vt = s[:k], vt[:k]
    else:
        from scipy.sparse.linalg import svds

        _, s, vt = svds(m, k=k, random_state=0)
        order = np.argsort(-s)
        s, vt = s[order], vt[order]
    if k < 2:
        s, vt = np.append(s, 0.0), np.vstack([vt, np.zeros(n_s)])
    for row in vt:  # a PCA axis has no sign; make the largest loading positive
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    return vt, s


def clusterable(votes: Votes, min_votes: int, min_participants: int) -> np.ndarray:
    """Participants pol.is clusters: >= min(min_votes, statements) votes, topped up to min_participants."""
    import numpy as np

    per = votes.votes_per_participant()
    n_voted = int((votes.votes_per_statement() > 0).sum())
    mask = per >= min(min_votes, n_voted)
    short = min_participants - int(mask.sum())
    if short > 0:
        rest = np.flatnonzero(~mask & (per > 0))
        top = rest[np.argsort(-per[rest], kind="stable")][:short]
        mask[top] = True
    return mask


def kmeans(points: np.ndarray, k: int, weights: np.ndarray | None = None,
           max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd k-means seeded with the first k distinct points; empty clusters are dropped.

    Returns (labels, centres); labels index the returned centres.
    """
    import numpy as np

    _, first = np.unique(points, axis=0, return_index=True)
    centres = points[np.sort(first)[:k]].astype(float)
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    labels = np.full(len(points), -1)
    sq = (points ** 2).sum(axis=1)[:, None]
    for _ in range(max_iter):
        d = sq - 2 * points @ centres.T + (centres ** 2).sum(axis=1)[None, :]
        new = d.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        mass = np.bincount(labels, weights=w, minlength=len(centres))
        used = mass > 0
        centres = np.stack([np.bincount(labels, weights=w * points[:, j], minlength=len(centres))
                            for j in range(points.shape[1])], axis=1)[used] / mass[used, None]
        if not used.all():
            labels = np.cumsum(used)[labels] - 1
    return labels, centres


def best_kmeans(points: np.ndarray, k: int, weights: np.ndarray, *, max_iter: int = 100,
                restarts: int = 16, min_size: float = 0.0) -> np.ndarray | None:
    """The lowest-inertia k-means among pol.is' seeding and `restarts` k-means++ seedings.

    pol.is seeds each run with its previous clusters, which an export does not
    keep; from scratch, the best of several seedings (fixed random states, so
    deterministic) is what an incremental run most often settles on. Solutions
    with a group lighter than `min_size` (total weight, i.e. participants) are
    not considered; None when no solution qualifies.
    """
    import numpy as np
    from sklearn.cluster import KMeans

    def inertia(labels: np.ndarray) -> float:
        total = 0.0
        for g in np.unique(labels):
            m = labels == g
            c = np.average(points[m], axis=0, weights=weights[m])
            total += float((weights[m] * ((points[m] - c) ** 2).sum(axis=1)).sum())
        return total

    candidates = [kmeans(points, k, weights, max_iter=max_iter)[0]]
    if len(points) > k:
        for seed in range(restarts):
            km = KMeans(k, init="k-means++", n_init=1, max_iter=max_iter, random_state=seed)
            candidates.append(np.unique(km.fit_predict(points, sample_weight=weights), return_inverse=True)[1])
    best: tuple[float, np.ndarray] | None = None
    for labels in candidates:
        mass = np.bincount(labels, weights=weights)
        if len(mass) < 2 or mass.min() < min_size:
            continue
        score = inertia(labels)
        if best is None or score < best[0] - 1e-9:
            best = (score, labels)
    return None if best is None else best[1]


def find_opinion_groups(votes: Votes, rules: VoteRules, moderated_out: Collection[str] = (),
                        progress: Callable[[str], None] | None = None) -> OpinionGroups:
    """PCA, base clusters and opinion groups of a conversation; k by silhouette."""
    import numpy as np

    say = progress or (lambda _msg: None)
    say("projecting participants (PCA)")
    proj = project(votes, moderated_out, zero_moderated=rules.moderated_out == "zero")
    n_p, n_s = votes.shape
    labels = np.full(n_p, -1)

    def result(k: int, sil: dict[int, float], note: str | None = None) -> OpinionGroups:
        return OpinionGroups(votes.participants, votes.statements, proj.coords, labels, k, sil,
                             group_counts(votes, labels, k), proj.components, proj.explained, note)

    if not proj.active.any() or proj.explained == (0.0, 0.0):
        return result(0, {}, "too few votes to project participants")
    members = np.flatnonzero(clusterable(votes, rules.min_participant_votes, rules.min_clustered))
    points = proj.coords[members]
    n_distinct = len(np.unique(points, axis=0))
    if n_distinct < rules.k_min + 1:
        return result(0, {}, f"only {n_distinct} distinct participant positions; groups need {rules.k_min + 1}")
    say("clustering participants")
    base_labels, base_centres = kmeans(points, min(rules.base_clusters, n_distinct), max_iter=rules.max_iter)
    weights = np.bincount(base_labels, minlength=len(base_centres))
    n_base = len(base_centres)
    k_hi = min(rules.k_max, 2 + n_base // 12, n_base - 1)
    sil: dict[int, float] = {}
    best: tuple[float, int, np.ndarray] | None = None
    from sklearn.metrics import silhouette_score

    for k in range(rules.k_min, k_hi + 1):
        g_labels = best_kmeans(base_centres, k, weights, max_iter=rules.max_iter,
                               min_size=rules.min_group_share * len(members))
        if g_labels is None:
            continue
        sil[k] = float(silhouette_score(base_centres, g_labels))
        if best is None or sil[k] > best[0]:
            best = (sil[k], k, g_labels)
    if best is None:
        return result(0, sil, "the base clusters do not split into groups")
    g_labels = best[2]
    sizes = np.bincount(g_labels[base_labels])
    rank = np.empty(len(sizes), dtype=int)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))  # group 0 (A) is the largest
    labels[members] = rank[g_labels[base_labels]]
    return result(len(sizes), sil)


def group_counts(votes: Votes, labels: np.ndarray, k: int) -> np.ndarray:
    """(k, statements, 3): agree, disagree and seen (any vote) counts per group."""
    import numpy as np

    n_s = len(votes.statements)
    out = np.zeros((k, n_s, 3), dtype=np.int64)
    if k == 0:
        return out
    g = labels[votes.rows]
    for col, sel in enumerate((votes.values == AGREE, votes.values == DISAGREE, np.ones(len(votes), bool))):
        m = sel & (g >= 0)
        flat = np.bincount(g[m] * n_s + votes.cols[m], minlength=k * n_s)
        out[:, :, col] = flat.reshape(k, n_s)
    return out
