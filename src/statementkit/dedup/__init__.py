"""Near-duplicates: is a new statement already said, by a published one or another submission?

    from statementkit.dedup import find_duplicates
    for r in find_duplicates(new, published):
        print(r.id, [(d.id, d.score) for d in r.duplicates])

The decision is one path, `detect.find_duplicates`: exact and near-exact
`copies` by text alone; candidates by sentence-vector cosine (`neighbours`);
then for each candidate pair, `claims` judges whether both make the same claim
(`claim_analysis` analyses each statement, `stance` finds what flips it; what
its rules leave open, the model's fitted `pair_judge` decides). Only confident
pairs are duplicates; the others are listed as similar, for context.
"""

from statementkit.dedup.detect import (
    DedupStats,
    compare_pairs,
    find_duplicates,
    group_members,
)

__all__ = ["DedupStats", "compare_pairs", "find_duplicates", "group_members"]
