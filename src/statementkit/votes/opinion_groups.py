"""Opinion groups: who is in which group, found the way pol.is finds them or by a stabler variant.

Two methods (`[groups] method` in rules/votes.toml), both on pol.is' map
(`projection.project`, PCA with pol.is' imputation and scaling):

- `polis` (default): pol.is' own computation, step by step, replaying its
  updates over the vote history (`polis_method`): sticky participant list,
  warm-started base clusters, group k-means from the first k distinct
  base-cluster centres, k by silhouette smoothed over updates. Groups are
  numbered as pol.is numbers them. This is the method that reproduces pol.is'
  groups (benchmarks/votes_polis.py).
- `restarts`: computed once from the final votes. Participants with fewer
  than min(7, statements) votes are left out (topped up with the most active
  voters to 15); up to 100 base clusters; the group k-means keeps the
  lowest-inertia solution among pol.is' start and 16 fixed k-means++ starts;
  a group must hold at least `min_group_share` of the clustered participants;
  k by silhouette (ties to the smaller k); group A is the largest. It matches
  pol.is less often but does not depend on the order votes arrived in, and
  never makes a group of a few outliers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statementkit.votes.conversation import AGREE, DISAGREE, VoteHistory, Votes
from statementkit.votes.projection import clusterable, project

if TYPE_CHECKING:
    import numpy as np

    from statementkit.votes.analysis import VoteRules
    from statementkit.votes.polis_kmeans import Cluster
    from statementkit.votes.polis_method import PolisStart
    from statementkit.votes.repness import RepStatement

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
    method: str = "restarts"
    base_clusters: list[Cluster] = field(default_factory=list)  # pol.is method: members are participant rows
    updates: int = 0             # pol.is method: updates replayed

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
                        progress: Callable[[str], None] | None = None, *, history: VoteHistory | None = None,
                        polis_start: PolisStart | None = None) -> OpinionGroups:
    """Opinion groups by the rules' method; `history` and `polis_start` serve the pol.is method."""
    if rules.group_method == "polis" or polis_start is not None:
        return polis_groups(votes, moderated_out, progress, history=history, polis_start=polis_start)
    return restart_groups(votes, rules, moderated_out, progress)


def polis_groups(votes: Votes, moderated_out: Collection[str] = (), progress: Callable[[str], None] | None = None,
                 *, history: VoteHistory | None = None, polis_start: PolisStart | None = None) -> OpinionGroups:
    """pol.is' groups, replaying its updates (`polis_method.replay`); group ids as pol.is numbers them."""
    from statementkit.votes.polis_method import replay

    say = progress or (lambda _msg: None)
    say("projecting and clustering participants as pol.is does")
    run = replay(votes, history, moderated_out, polis_start=polis_start, progress=progress)
    labels = run.labels()
    note = None if run.k else "the participants do not split into groups (pol.is' rules)"
    return OpinionGroups(votes.participants, votes.statements, run.projection.coords, labels, run.k,
                         run.silhouettes, group_counts(votes, labels, run.k), run.projection.components,
                         run.projection.explained, note, method="polis", base_clusters=run.base,
                         updates=run.updates)


def restart_groups(votes: Votes, rules: VoteRules, moderated_out: Collection[str] = (),
                   progress: Callable[[str], None] | None = None) -> OpinionGroups:
    """The `restarts` method: from the final votes, best of several k-means starts; k by silhouette."""
    import numpy as np

    say = progress or (lambda _msg: None)
    say("projecting participants (PCA)")
    proj = project(votes, moderated_out, zero_moderated=rules.moderated_out == "zero")
    n_p = len(votes.participants)
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
