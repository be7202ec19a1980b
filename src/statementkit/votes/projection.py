"""The map pol.is draws: every participant projected onto the first two principal components.

1. Participant × statement matrix, +1 agree / -1 disagree / 0 pass. Statements
   moderated out are zeroed (pol.is sets the whole column to 0, so they add
   nothing to the PCA but still count as "seen" in step 3).
2. A statement a participant never saw is imputed with the statement's mean
   vote; after centring on those means the matrix stays sparse (unseen → 0).
3. Each participant is projected from their own votes only and the
   projection is scaled by sqrt(statements / statements seen), which keeps
   participants who voted little from bunching up in the centre.

`clusterable` is pol.is' rule for who is clustered, applied once to the final votes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statementkit.votes.conversation import Votes

if TYPE_CHECKING:
    import numpy as np

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
            components: np.ndarray | None = None, cv: CentredVotes | None = None) -> Projection:
    """PCA of the vote matrix with pol.is' imputation and sparsity-aware scaling.

    `components` (2, statements) projects onto given axes instead of computing them; `cv` is the
    centred matrix when the caller built it already (`centred_votes` of the same arguments).
    """
    import numpy as np

    n_p, n_s = votes.shape
    if cv is None:
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
