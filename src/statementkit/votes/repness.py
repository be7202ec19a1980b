"""What sets each opinion group apart (pol.is "repness") and group-informed consensus.

For group g and statement s (pol.is `polismath.math.repness`):

- pa = (agrees + 1) / (seen + 2), the smoothed share of the group that agrees
  (pd likewise for disagrees); pat / pdt test it against one half;
- ra = pa / pa(rest of the clustered participants), how much more the group
  agrees than everyone else; rat / rdt is the two-proportion z-test of that;
- a statement is representative when both tests pass at 90 % (z > 1.2816)
  for agree or for disagree, and is ranked by r · rt · p · pt.

Each group gets up to 5 statements, the one it agrees with most first (shown
on whichever side, agree or disagree, its repness test is stronger, as pol.is
shows it), agrees before disagrees. pol.is picks that "best agree" statement with a running
comparison over statements in id order; here it is the best by the same
metric over all eligible statements at once, which does not depend on order.

Group-informed consensus is the product over groups of (agrees + 1) / (seen + 2):
high only when every group agrees. pol.is' consensus statements (`consensus`,
over everyone regardless of groups) are those whose agree (or disagree) share
is above one half at 90 %, best share × test first, five per side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: One-sided 90 % z, pol.is' significance level for representative statements.
Z90 = 1.2816


@dataclass(slots=True)
class RepStatement:
    """A statement that represents a group: how strongly, and for agree or disagree."""

    id: str
    group: int
    repful: str            # "agree" | "disagree"
    n_success: int         # group members who agreed (or disagreed)
    n_trials: int          # group members who voted on it
    p_success: float       # smoothed share (n_success + 1) / (n_trials + 2)
    p_test: float          # z of that share against 1/2
    repness: float         # ratio to the rest of the participants
    repness_test: float    # two-proportion z against the rest
    best_agree: bool = False

    @property
    def metric(self) -> float:
        return self.repness * self.repness_test * self.p_success * self.p_test

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "group": self.group, "repful": self.repful, "n_success": self.n_success,
                "n_trials": self.n_trials, "p_success": round(self.p_success, 4),
                "p_test": round(self.p_test, 4), "repness": round(self.repness, 4),
                "repness_test": round(self.repness_test, 4), "best_agree": self.best_agree}


def prop_test(success: np.ndarray, n: np.ndarray) -> np.ndarray:
    """pol.is' one-proportion z against 1/2, with +1 smoothing."""
    import numpy as np

    s, n = success + 1.0, n + 1.0
    return 2 * np.sqrt(n) * (s / n - 0.5)


def two_prop_test(s1: np.ndarray, s2: np.ndarray, n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """pol.is' two-proportion z (group vs rest), with +1 smoothing; 0 when the pooled share is 1."""
    import numpy as np

    s1, s2, n1, n2 = s1 + 1.0, s2 + 1.0, n1 + 1.0, n2 + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / denom
    return np.where(pooled >= 1, 0.0, np.nan_to_num(z))


def group_stats(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Every repness statistic as a (groups, statements) array from (groups, statements, 3) counts."""
    na, nd, ns = (counts[:, :, i].astype(float) for i in range(3))
    ra_n, rd_n, rs_n = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns  # the rest of the groups
    pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
    return {
        "na": na, "nd": nd, "ns": ns, "pa": pa, "pd": pd,
        "pat": prop_test(na, ns), "pdt": prop_test(nd, ns),
        "ra": pa / ((ra_n + 1) / (rs_n + 2)), "rd": pd / ((rd_n + 1) / (rs_n + 2)),
        "rat": two_prop_test(na, ra_n, ns, rs_n), "rdt": two_prop_test(nd, rd_n, ns, rs_n),
    }


def representative_statements(counts: np.ndarray, statement_ids: Sequence[str], excluded: np.ndarray,
                              *, z: float = Z90, per_group: int = 5) -> list[list[RepStatement]]:
    """Up to `per_group` representative statements per group (excluded: moderated-out mask)."""
    import numpy as np

    if counts.shape[0] == 0:
        return []
    st = group_stats(counts)
    agree_side = st["rat"] > st["rdt"]
    metric = np.where(agree_side, st["ra"] * st["rat"] * st["pa"] * st["pat"],
                      st["rd"] * st["rdt"] * st["pd"] * st["pdt"])
    sufficient = (((st["rat"] > z) & (st["pat"] > z)) | ((st["rdt"] > z) & (st["pdt"] > z))) & ~excluded
    voted = (st["na"] + st["nd"] > 0) & ~excluded
    agree_metric = st["ra"] * st["rat"] * st["pa"] * st["pat"]
    out: list[list[RepStatement]] = []
    for g in range(counts.shape[0]):
        def rec(j: int, repful: str | None = None, best: bool = False) -> RepStatement:
            side = repful or ("agree" if agree_side[g, j] else "disagree")
            a = side == "agree"
            return RepStatement(statement_ids[j], g, side, int(st["na" if a else "nd"][g, j]), int(st["ns"][g, j]),
                                float(st["pa" if a else "pd"][g, j]), float(st["pat" if a else "pdt"][g, j]),
                                float(st["ra" if a else "rd"][g, j]), float(st["rat" if a else "rdt"][g, j]), best)

        # the statement the group agrees with most: by repness when the group out-agrees the rest,
        # else by plain agreement
        eligible = voted[g] & ((st["pat"][g] > z) | ((st["ra"][g] > 1) & (st["pa"][g] > 0.5)))
        best_agree = None
        if eligible.any():
            rep = eligible & (st["ra"][g] > 1)
            pool, score = (rep, agree_metric[g]) if rep.any() else (eligible, st["pa"][g] * st["pat"][g])
            best_agree = int(np.flatnonzero(pool)[np.argmax(score[pool])])
        chosen = [j for j in np.flatnonzero(sufficient[g]) if j != best_agree]
        chosen.sort(key=lambda j: -metric[g, j])
        if not sufficient[g].any():
            fallback = voted[g] | (st["ns"][g] > 0) & ~excluded
            if best_agree is None and fallback.any():
                zmax = np.maximum(st["rat"][g], st["rdt"][g])
                chosen = [int(np.flatnonzero(fallback)[np.argmax(zmax[fallback])])]
            else:
                chosen = []
        # shown on the side whose test is stronger, like every other statement (pol.is does not force "agree")
        head = [rec(best_agree, None, True)] if best_agree is not None else []
        picked = (head + [rec(int(j)) for j in chosen])[:per_group]
        out.append([r for r in picked if r.repful == "agree"] + [r for r in picked if r.repful == "disagree"])
    return out


def group_informed_consensus(counts: np.ndarray) -> np.ndarray:
    """Product over groups of (agrees + 1) / (seen + 2), per statement."""
    import numpy as np

    if counts.shape[0] == 0:
        return np.zeros(counts.shape[1])
    return np.prod((counts[:, :, 0] + 1.0) / (counts[:, :, 2] + 2.0), axis=0)


@dataclass(slots=True)
class ConsensusStatement:
    """A statement most participants agree (or disagree) with, significantly (pol.is `consensus`)."""

    id: str
    side: str              # "agree" | "disagree"
    n_success: int
    n_trials: int
    p_success: float       # (n_success + 1) / (n_trials + 2)
    p_test: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "side": self.side, "n_success": self.n_success, "n_trials": self.n_trials,
                "p_success": round(self.p_success, 4), "p_test": round(self.p_test, 4)}


def consensus_statements(agree: np.ndarray, disagree: np.ndarray, seen: np.ndarray, statement_ids: Sequence[str],
                         excluded: np.ndarray, *, z: float = Z90, top: int = 5) -> dict[str, list[ConsensusStatement]]:
    """pol.is' consensus statements over everyone: share > 1/2 and significant, best share × test first.

    Counts are over all participants (not only the clustered); `excluded` marks
    statements moderated out. Up to `top` per side.
    """
    import numpy as np

    out: dict[str, list[ConsensusStatement]] = {}
    for side, n in (("agree", agree), ("disagree", disagree)):
        n = np.asarray(n, dtype=float)
        p = (n + 1) / (seen + 2.0)
        t = prop_test(n, np.asarray(seen, dtype=float))
        ok = np.flatnonzero((p > 0.5) & (t > z) & ~excluded)
        best = ok[np.argsort(-(p[ok] * t[ok]), kind="stable")][:top]
        out[side] = [ConsensusStatement(statement_ids[j], side, int(n[j]), int(seen[j]), float(p[j]), float(t[j]))
                     for j in best]
    return out
