"""Exact and near-exact copies, found without any model.

pol.is rejects only byte-identical resubmissions; people also resubmit with
other capitalisation, punctuation, accents or a typo. Two steps:

- exact: texts with the same `normalise_text` key (case, accents,
  punctuation, spacing removed) are copies.
- near-exact: candidate pairs whose word sets overlap (Jaccard) by at least
  `JACCARD`, found with prefix filtering (Bayardo et al., "Scaling up all
  pairs similarity search", WWW 2007): every statement is indexed under its
  rarest words only, and two statements that overlap that much must share
  one of them. Linear-ish in the number of statements, no n x n work (used
  when no model runs; with a model, its search finds these too). The
  character-level check that makes a candidate a near-exact copy is done by
  `claims.ClaimJudge` together with the stance check (an inserted "not" is
  no copy).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from statementkit.dedup.claim_analysis import normalise_text

JACCARD = 0.6  # word overlap a near-exact copy must have (one typo in a 10-word statement: 0.82)


def copy_candidates(new_texts: Sequence[str], published_texts: Sequence[str] = (),
                    jaccard: float = JACCARD, near: bool = True) -> set[tuple[int, int]]:
    """Pairs of likely copies as (i, j) over new + published (j > i, i a new statement's index).

    Indices below len(new_texts) are new statements, the rest published ones.
    Pairs of two published statements are not returned. `near=False` finds
    exact copies only (when an embedding search supplies the near ones: a
    typo leaves the cosine far above any candidate threshold).
    """
    texts = list(new_texts) + list(published_texts)
    n = len(new_texts)
    norms = [normalise_text(t) for t in texts]
    pairs: set[tuple[int, int]] = set()
    by_norm: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(norms):
        by_norm[key].append(i)
    reps = []  # one statement per distinct normalised text
    for key, members in by_norm.items():
        if not key:
            continue
        reps.append(members[0])
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if members[x] < n:
                    pairs.add((members[x], members[y]))
    if not near:
        return pairs
    words = {i: frozenset(norms[i].split()) for i in reps}
    df = Counter(w for ws in words.values() for w in ws)
    index: dict[str, list[int]] = defaultdict(list)
    for i in sorted(reps, key=lambda i: len(words[i])):
        mine = words[i]
        size = len(mine)
        prefix = size - math.ceil(jaccard * size) + 1
        smallest = jaccard * size
        seen: set[int] = set()
        for w in sorted(mine, key=lambda w: (df[w], w))[:prefix]:
            for j in index[w]:
                if j in seen:
                    continue
                seen.add(j)
                theirs = words[j]
                if len(theirs) < smallest or (i >= n and j >= n):
                    continue
                inter = len(mine & theirs)
                if inter >= jaccard * (size + len(theirs) - inter):
                    _add_group_pairs(pairs, by_norm[norms[i]], by_norm[norms[j]], n)
            index[w].append(i)
    return pairs


def _add_group_pairs(pairs: set[tuple[int, int]], a: list[int], b: list[int], n: int) -> None:
    for x in a:
        for y in b:
            lo, hi = (x, y) if x < y else (y, x)
            if lo < n:
                pairs.add((lo, hi))
