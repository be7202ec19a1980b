"""Where our computation and pol.is' own differ, step by step (`statementkit votes --compare-polis`).

Needs pol.is' math output (`math-pca2.json` of an API export). Each step is
compared twice where that helps find the cause: from the votes alone (what
`statementkit votes` shows) and starting from pol.is' own participant list
and base clusters, so a later step is judged on the same input pol.is had.

Steps: the participants clustered (in-conv), the base clusters, k, the
groups (adjusted Rand index against pol.is'), the representative statements
per group, group-informed consensus and the consensus statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statementkit.errors import VotesError

if TYPE_CHECKING:
    from statementkit.votes.analysis import VoteAnalysis, VoteRules
    from statementkit.votes.conversation import Conversation

#: Largest difference in a statistic still counted as "the same".
TOLERANCE = 1e-6


@dataclass(slots=True)
class StepComparison:
    """One step: does ours match pol.is', what each gave, and how far apart."""

    step: str
    start: str             # "votes" (our whole computation) or "pol.is clusters" (pol.is' in-conv and base clusters)
    same: bool
    ours: str
    polis: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "start": self.start, "same": self.same, "ours": self.ours,
                "polis": self.polis, "detail": self.detail}


def compare_with_polis(conv: Conversation, rules: VoteRules, *, own: VoteAnalysis | None = None) -> list[StepComparison]:
    """Every step of the group computation, ours against pol.is' math-pca2.json (`own`: already computed)."""
    from statementkit.votes.analysis import analyse_conversation

    math = conv.polis_math
    if not math or "in-conv" not in math:
        raise VotesError("comparing with pol.is needs pol.is' own math output (math-pca2.json)", conv.path,
                         hint="use an export from pol.is' API (comments.json, votes.json, math-pca2.json)")
    own = own or analyse_conversation(conv, rules)
    given = analyse_conversation(conv, rules, polis_start=True)
    out = [_in_conv(conv, own), _base(conv, own)]
    for start, analysis in (("votes", own), ("pol.is clusters", given)):
        out += [_k(conv, analysis, start), _groups(conv, analysis, start), _repness(conv, analysis, start)]
    out += [_group_consensus(conv, given), _consensus(conv, own)]
    return out


def _in_conv(conv: Conversation, own: VoteAnalysis) -> StepComparison:
    og = own.groups
    ours = {p for p, g in zip(og.participants, og.labels) if g >= 0} if og is not None else set()
    theirs = {str(p) for p in conv.polis_math["in-conv"]}
    detail = (f"only ours: {_few(ours - theirs)}; only pol.is': {_few(theirs - ours)}" if ours != theirs else "")
    return StepComparison("participants clustered (in-conv)", "votes", ours == theirs, f"{len(ours)}",
                          f"{len(theirs)}", detail)


def _base(conv: Conversation, own: VoteAnalysis) -> StepComparison:
    from sklearn.metrics import adjusted_rand_score

    og = own.groups
    base = conv.polis_math["base-clusters"]
    theirs = {str(p): int(b) for b, members in zip(base["id"], base["members"]) for p in members}
    ours = {og.participants[m]: c.id for c in og.base_clusters for m in c.members} if og is not None else {}
    both = sorted(set(ours) & set(theirs))
    ari = adjusted_rand_score([theirs[p] for p in both], [ours[p] for p in both]) if both else 0.0
    same_ids = all(ours[p] == theirs[p] for p in both) and len(both) == len(theirs)
    return StepComparison("base clusters", "votes", same_ids, f"{len(set(ours.values()))} clusters",
                          f"{len(set(theirs.values()))} clusters",
                          f"same members and ids: {'yes' if same_ids else 'no'}; partition ARI {ari:.3f} "
                          f"over {len(both)} participants")


def _k(conv: Conversation, analysis: VoteAnalysis, start: str) -> StepComparison:
    og = analysis.groups
    k = og.k if og is not None else 0
    theirs = len(conv.polis_math.get("group-clusters") or [])
    sil = ", ".join(f"{kk}: {v:.3f}" for kk, v in sorted(og.silhouettes.items())) if og is not None else ""
    return StepComparison("k (number of groups)", start, k == theirs, str(k), str(theirs), f"silhouettes {sil}")


def _groups(conv: Conversation, analysis: VoteAnalysis, start: str) -> StepComparison:
    from sklearn.metrics import adjusted_rand_score

    og = analysis.groups
    labels = dict(zip(og.participants, og.labels.tolist())) if og is not None else {}
    both = [p for p in conv.polis_groups if labels.get(p, -1) >= 0]
    ari = adjusted_rand_score([conv.polis_groups[p] for p in both], [labels[p] for p in both]) if both else 0.0
    same_ids = all(labels[p] == conv.polis_groups[p] for p in both) and len(both) == len(conv.polis_groups)
    sizes = og.sizes if og is not None else []
    theirs = [sum(1 for g in conv.polis_groups.values() if g == i) for i in range(max(conv.polis_groups.values(),
                                                                                      default=-1) + 1)]
    return StepComparison("groups", start, same_ids, f"sizes {sizes}", f"sizes {theirs}",
                          f"ARI {ari:.3f} over {len(both)} of pol.is' {len(conv.polis_groups)} grouped participants")


def _repness(conv: Conversation, analysis: VoteAnalysis, start: str) -> StepComparison:
    from statementkit.votes.opinion_groups import OpinionGroups

    og = analysis.groups
    theirs = conv.polis_math.get("repness") or {}
    differ = []
    ours_n = theirs_n = 0
    for g in range(max(og.k if og is not None else 0, len(theirs))):
        mine = og.repness[g] if og is not None and g < len(og.repness) else []
        their = theirs.get(str(g), [])
        ours_n, theirs_n = ours_n + len(mine), theirs_n + len(their)
        a = [(r.id, r.repful, r.best_agree) for r in mine]
        b = [(str(r["tid"]), r["repful-for"], bool(r.get("best-agree"))) for r in their]
        values_differ = a == b and any(
            abs(x - float(r[key])) > TOLERANCE for m, r in zip(mine, their)
            for x, key in ((m.p_success, "p-success"), (m.p_test, "p-test"), (m.repness, "repness"),
                           (m.repness_test, "repness-test")))
        if a != b or values_differ:
            differ.append(f"group {OpinionGroups.name(g)}: ours {[i for i, _, _ in a]} pol.is {[i for i, _, _ in b]}")
    return StepComparison("representative statements", start, not differ, f"{ours_n} statements",
                          f"{theirs_n} statements", "; ".join(differ) or "same statements, sides, order and values")


def _group_consensus(conv: Conversation, given: VoteAnalysis) -> StepComparison:
    og = given.groups
    theirs = conv.polis_math.get("group-aware-consensus") or {}
    index = {s: j for j, s in enumerate(og.statements)} if og is not None else {}
    diffs = [abs(float(og.consensus[index[str(t)]]) - float(v)) for t, v in theirs.items()  # type: ignore[index]
             if str(t) in index and og is not None and og.consensus is not None]
    worst = max(diffs, default=0.0)
    return StepComparison("group-informed consensus", "pol.is clusters", bool(diffs) and worst <= TOLERANCE,
                          f"{len(diffs)} statements", f"{len(theirs)} statements", f"largest difference {worst:.2g}")


def _consensus(conv: Conversation, own: VoteAnalysis) -> StepComparison:
    import numpy as np

    from statementkit.votes.repness import consensus_statements

    by_id = own.by_id()
    ids = [sv.id for sv in own.statements]
    excluded = np.array([sid in conv.moderated_out for sid in ids])
    ours = consensus_statements(np.array([by_id[s].agree or 0 for s in ids]),
                                np.array([by_id[s].disagree or 0 for s in ids]),
                                np.array([by_id[s].n or 0 for s in ids]), ids, excluded)
    theirs = conv.polis_math.get("consensus") or {}
    a = {side: [c.id for c in ours[side]] for side in ("agree", "disagree")}
    b = {side: [str(c["tid"]) for c in theirs.get(side, [])] for side in ("agree", "disagree")}
    return StepComparison("consensus statements", "votes", a == b, f"agree {a['agree']}, disagree {a['disagree']}",
                          f"agree {b['agree']}, disagree {b['disagree']}")


def _few(ids: set[str], n: int = 8) -> str:
    shown = sorted(ids, key=lambda s: (len(s), s))[:n]
    return (", ".join(shown) + (f" … ({len(ids)})" if len(ids) > n else "")) if ids else "none"
