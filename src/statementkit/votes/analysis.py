"""Vote shares, confidence intervals and the paper's categories for every statement.

Per statement: agree / disagree / pass counts and shares with a Wilson
interval; a category from rules/votes.toml (consensus, rejection, friction,
uncertainty, divided, or too few votes to say); with opinion groups, each
group's shares and the group-informed consensus. The same categories apply to
the percentages a paper quotes when no raw votes exist (`from_percentages`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statementkit.errors import RulesError
from statementkit.records import Statement
from statementkit.rules import check_keys, load_toml, resolve_rules_dir
from statementkit.votes.conversation import (
    AGREE,
    DISAGREE,
    Conversation,
    VoteHistory,
    Votes,
)

if TYPE_CHECKING:
    from statementkit.votes.opinion_groups import OpinionGroups
    from statementkit.votes.polis_method import PolisStart

VOTES_FILE = "votes.toml"
#: Primary-category precedence; `flags` lists every one that applies.
CATEGORIES = ("consensus", "rejection", "friction", "uncertainty", "divided")
TOO_FEW = "too_few_votes"
MODERATED_OUT = "moderated_out"

#: (TOML table, key) → VoteRules field.
_RULE_KEYS = {
    ("statements", "min_votes"): "min_votes", ("statements", "confidence"): "confidence",
    ("consensus", "agree_min"): "consensus_agree", ("rejection", "disagree_min"): "rejection_disagree",
    ("friction", "gap_min"): "friction_gap", ("friction", "min_group_votes"): "friction_min_group_votes",
    ("friction", "z_min"): "friction_z",
    ("uncertainty", "pass_min"): "uncertainty_pass", ("divided", "minority_min"): "divided_minority",
    ("groups", "min_participant_votes"): "min_participant_votes", ("groups", "min_clustered"): "min_clustered",
    ("groups", "base_clusters"): "base_clusters", ("groups", "k_min"): "k_min", ("groups", "k_max"): "k_max",
    ("groups", "max_iter"): "max_iter", ("groups", "min_group_share"): "min_group_share", ("groups", "moderated_out"): "moderated_out",
    ("groups", "method"): "group_method",
    ("repness", "z_min"): "repness_z", ("repness", "per_group"): "repness_per_group",
}


@dataclass(frozen=True, slots=True)
class VoteRules:
    """The thresholds of rules/votes.toml (see that file for what each means)."""

    min_votes: int
    confidence: float
    consensus_agree: float
    rejection_disagree: float
    friction_gap: float
    friction_min_group_votes: int
    friction_z: float
    uncertainty_pass: float
    divided_minority: float
    min_participant_votes: int
    min_clustered: int
    base_clusters: int
    k_min: int
    k_max: int
    max_iter: int
    min_group_share: float
    moderated_out: str
    repness_z: float
    repness_per_group: int
    group_method: str = "polis"


#: How opinion groups are found: pol.is' own computation, or the best of several k-means starts.
GROUP_METHODS = ("polis", "restarts")


def load_vote_rules(rules: str | Path | None = None) -> VoteRules:
    """Thresholds from `votes.toml` in the rules folder; keys it lacks come from the bundled file."""
    from statementkit.resources import rules_dir

    values: dict[str, Any] = {}
    paths = [rules_dir() / VOTES_FILE]
    user = resolve_rules_dir(rules) / VOTES_FILE
    if user.exists() and user.resolve() != paths[0].resolve():
        paths.append(user)
    for path in paths:
        data = load_toml(path)
        tables = sorted({t for t, _ in _RULE_KEYS})
        check_keys(data, tables, path, "")
        for table, content in data.items():
            if not isinstance(content, dict):
                raise RulesError(f"'{table}' must be a table", path)
            check_keys(content, [k for t, k in _RULE_KEYS if t == table], path, table)
            for key, value in content.items():
                values[_RULE_KEYS[(table, key)]] = _checked(path, f"{table}.{key}", value)
    missing = [f.name for f in fields(VoteRules) if f.name not in values and f.default is MISSING]
    if missing:
        raise RulesError(f"missing settings: {', '.join(missing)}", paths[-1])
    rules_obj = VoteRules(**values)
    if rules_obj.moderated_out not in ("zero", "drop"):
        raise RulesError(f"'groups.moderated_out' must be \"zero\" or \"drop\", got {rules_obj.moderated_out!r}",
                         paths[-1])
    if rules_obj.group_method not in GROUP_METHODS:
        raise RulesError(f"'groups.method' must be one of {', '.join(GROUP_METHODS)}, got {rules_obj.group_method!r}",
                         paths[-1])
    if not 2 <= rules_obj.k_min <= rules_obj.k_max:
        raise RulesError("need 2 <= groups.k_min <= groups.k_max", paths[-1])
    return rules_obj


def _checked(path: Path, key: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RulesError(f"'{key}' must be a number, got {value!r}", path)
    if isinstance(value, float) and not 0 <= value <= 10:
        raise RulesError(f"'{key}' = {value} is out of range", path)
    return value


@dataclass(slots=True)
class GroupShares:
    """How one opinion group voted on a statement."""

    group: int
    n: int
    agree: int
    disagree: int

    @property
    def agree_share(self) -> float:
        return self.agree / self.n if self.n else 0.0

    @property
    def disagree_share(self) -> float:
        return self.disagree / self.n if self.n else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "n": self.n, "agree": self.agree, "disagree": self.disagree,
                "pass": self.n - self.agree - self.disagree,
                "agree_share": round(self.agree_share, 4), "disagree_share": round(self.disagree_share, 4)}


@dataclass(slots=True)
class StatementVotes:
    """Vote shares and category of one statement.

    Counts are None when only percentages are known (a paper's figures); then
    there is no interval and no too-few-votes check.
    """

    id: str
    agree_share: float
    disagree_share: float
    pass_share: float
    n: int | None = None
    agree: int | None = None
    disagree: int | None = None
    passes: int | None = None
    agree_ci: tuple[float, float] | None = None
    disagree_ci: tuple[float, float] | None = None
    pass_ci: tuple[float, float] | None = None
    category: str | None = None
    flags: list[str] = field(default_factory=list)
    groups: list[GroupShares] = field(default_factory=list)
    group_consensus: float | None = None
    source: str = "votes"  # "votes" | "percentages"

    @property
    def group_gap(self) -> float | None:
        """Largest difference between two groups' agree (or disagree) shares."""
        if len(self.groups) < 2:
            return None
        a = [g.agree_share for g in self.groups]
        d = [g.disagree_share for g in self.groups]
        return max(max(a) - min(a), max(d) - min(d))

    def to_dict(self) -> dict[str, Any]:
        r4 = lambda x: None if x is None else round(x, 4)  # noqa: E731
        ci = lambda c: None if c is None else [round(c[0], 4), round(c[1], 4)]  # noqa: E731
        d: dict[str, Any] = {
            "id": self.id, "votes": self.n, "agree": self.agree, "disagree": self.disagree, "pass": self.passes,
            "agree_share": r4(self.agree_share), "disagree_share": r4(self.disagree_share),
            "pass_share": r4(self.pass_share), "agree_ci": ci(self.agree_ci),
            "disagree_ci": ci(self.disagree_ci), "pass_ci": ci(self.pass_ci),
            "category": self.category, "flags": list(self.flags), "source": self.source,
        }
        if self.groups:
            d["groups"] = [g.to_dict() for g in self.groups]
            d["group_gap"] = r4(self.group_gap)
            d["group_consensus"] = r4(self.group_consensus)
        return d


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share; (0, 1) when there are no votes."""
    from statistics import NormalDist

    if n <= 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes == 0 else max(0.0, centre - half)  # exact bounds, not rounding noise
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return (lo, hi)


def classify(sv: StatementVotes, rules: VoteRules) -> StatementVotes:
    """Set `category` and `flags` of a statement from its shares (and its groups', if any)."""
    flags = []
    if sv.agree_share >= rules.consensus_agree:
        flags.append("consensus")
    if sv.disagree_share >= rules.rejection_disagree:
        flags.append("rejection")
    if _groups_differ(sv.groups, rules):
        flags.append("friction")
    if sv.pass_share >= rules.uncertainty_pass:
        flags.append("uncertainty")
    if min(sv.agree_share, sv.disagree_share) >= rules.divided_minority:
        flags.append("divided")
    sv.flags = flags
    if sv.n is not None and sv.n < rules.min_votes:
        sv.category = TOO_FEW
    else:
        sv.category = next((c for c in CATEGORIES if c in flags), None)
    return sv


def _groups_differ(groups: Sequence[GroupShares], rules: VoteRules) -> bool:
    """Two groups (with enough votes) whose agree or disagree shares differ by the gap, significantly."""
    from statementkit.votes.repness import two_prop_test

    voted = [g for g in groups if g.n >= rules.friction_min_group_votes]
    if len(voted) < 2:
        return False
    for count in (lambda g: g.agree, lambda g: g.disagree):
        hi = max(voted, key=lambda g: count(g) / g.n)
        lo = min(voted, key=lambda g: count(g) / g.n)
        gap = count(hi) / hi.n - count(lo) / lo.n
        if gap >= rules.friction_gap and two_prop_test(count(hi), count(lo), hi.n, lo.n) >= rules.friction_z:
            return True
    return False


def shares_from_counts(sid: str, agree: int, disagree: int, n: int, rules: VoteRules) -> StatementVotes:
    """A classified StatementVotes from counts (n includes passes)."""
    passes = n - agree - disagree
    share = (lambda x: x / n) if n else (lambda x: 0.0)
    c = rules.confidence
    return StatementVotes(sid, share(agree), share(disagree), share(passes), n, agree, disagree, passes,
                          wilson(agree, n, c), wilson(disagree, n, c), wilson(passes, n, c))


def from_percentages(statements: Iterable[Statement], rules: VoteRules) -> list[StatementVotes]:
    """Classify statements whose meta holds agree / disagree / pass percentages (as the corpus does)."""
    out = []
    for s in statements:
        a, d, p = (s.meta.get(k) for k in ("agree", "disagree", "pass"))
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, d, p)):
            continue
        out.append(classify(StatementVotes(s.id, a / 100, d / 100, p / 100, source="percentages"), rules))
    return out


@dataclass(slots=True)
class VoteAnalysis:
    """Everything the vote analysis found about a conversation."""

    statements: list[StatementVotes]
    rules: VoteRules
    groups: OpinionGroups | None = None
    n_participants: int = 0
    n_votes: int = 0

    def by_id(self) -> dict[str, StatementVotes]:
        return {s.id: s for s in self.statements}

    def category_counts(self) -> Counter[str]:
        return Counter(s.category or "none" for s in self.statements)


def analyse_votes(votes: Votes, rules: VoteRules | None = None, *, moderated_out: Sequence[str] = (),
                  groups: bool = True, progress: Callable[[str], None] | None = None,
                  history: VoteHistory | None = None, polis_start: PolisStart | None = None) -> VoteAnalysis:
    """Shares, opinion groups, repness and categories for every statement of `votes`.

    `history` (votes with times) lets the pol.is method replay pol.is' updates;
    `polis_start` takes pol.is' own participant list and base clusters instead.
    """
    import numpy as np

    from statementkit.votes.opinion_groups import find_opinion_groups
    from statementkit.votes.repness import (
        group_informed_consensus,
        representative_statements,
    )

    rules = rules or load_vote_rules()
    say = progress or (lambda _msg: None)
    say("counting votes")
    n_s = len(votes.statements)
    agree = np.bincount(votes.cols, weights=votes.values == AGREE, minlength=n_s).astype(int)
    disagree = np.bincount(votes.cols, weights=votes.values == DISAGREE, minlength=n_s).astype(int)
    seen = votes.votes_per_statement()
    og = find_opinion_groups(votes, rules, moderated_out, progress, history=history,
                             polis_start=polis_start) if groups else None
    out_mask = np.isin(np.asarray(votes.statements, dtype=object), list(moderated_out))
    if og is not None and og.k:
        say("finding representative statements")
        og.repness = representative_statements(og.counts, votes.statements, out_mask,
                                               z=rules.repness_z, per_group=rules.repness_per_group)
        og.consensus = group_informed_consensus(og.counts)
    say("classifying statements")
    result = []
    for j, sid in enumerate(votes.statements):
        sv = shares_from_counts(sid, int(agree[j]), int(disagree[j]), int(seen[j]), rules)
        if og is not None and og.k:
            sv.groups = [GroupShares(g, int(og.counts[g, j, 2]), int(og.counts[g, j, 0]), int(og.counts[g, j, 1]))
                         for g in range(og.k)]
            sv.group_consensus = float(og.consensus[j])  # type: ignore[index]
        classify(sv, rules)
        if out_mask[j]:
            sv.category = MODERATED_OUT
        result.append(sv)
    n_participants = int((votes.votes_per_participant() > 0).sum())
    return VoteAnalysis(result, rules, og, n_participants, len(votes))


def analyse_conversation(conv: Conversation, rules: VoteRules | None = None, *, groups: bool = True,
                         progress: Callable[[str], None] | None = None,
                         polis_start: bool = False) -> VoteAnalysis:
    """`analyse_votes` for a pol.is conversation (its rejected and meta statements are moderated out).

    `polis_start`: cluster pol.is' own participants from its own base clusters
    (needs the API export's math-pca2.json), to compare the later steps alone.
    """
    from statementkit.votes.polis_method import polis_start_from_math

    start = polis_start_from_math(conv) if polis_start else None
    return analyse_votes(conv.votes, rules, moderated_out=sorted(conv.moderated_out), groups=groups,
                         progress=progress, history=conv.history, polis_start=start)
