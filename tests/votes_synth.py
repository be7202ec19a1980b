"""Synthetic pol.is conversations with known opinion groups, for tests and benchmarks."""

from __future__ import annotations

import numpy as np

from statementkit.votes.conversation import Votes


def two_group_votes(n_a: int = 60, n_b: int = 40, n_divisive: int = 12, n_common: int = 6,
                    seen: float = 0.7, seed: int = 0) -> tuple[Votes, np.ndarray, dict[str, str]]:
    """Two groups that split on `n_divisive` statements and agree on `n_common`.

    Statement kinds: "a" (group A agrees, B disagrees), "b" (the reverse),
    "common" (both agree). Each participant sees a random `seen` share of the
    statements and passes on 10 % of those. Returns (votes, true group per
    participant, kind per statement id).
    """
    rng = np.random.default_rng(seed)
    n = n_a + n_b
    truth = np.array([0] * n_a + [1] * n_b)
    kinds = ["a" if i % 2 == 0 else "b" for i in range(n_divisive)] + ["common"] * n_common
    p_agree = {"a": (0.9, 0.1), "b": (0.1, 0.9), "common": (0.85, 0.85)}
    records = []
    for p in range(n):
        for s, kind in enumerate(kinds):
            if rng.random() > seen:
                continue
            r = rng.random()
            if r < 0.1:
                vote = 0
            else:
                vote = 1 if rng.random() < p_agree[kind][truth[p]] else -1
            records.append((f"p{p:03d}", f"s{s:02d}", vote))
    return Votes.from_records(records), truth, {f"s{s:02d}": k for s, k in enumerate(kinds)}


def random_votes(n_participants: int, n_statements: int, n_votes: int, n_groups: int = 3,
                 seed: int = 0) -> Votes:
    """A large conversation: `n_votes` distinct (participant, statement) votes from latent groups.

    Participants vote on a power-law share of statements (a few vote a lot,
    most a little), the way real conversations look; each group has its own
    agree probability per statement.
    """
    rng = np.random.default_rng(seed)
    group = rng.integers(0, n_groups, n_participants)
    p_agree = rng.uniform(0.1, 0.9, (n_groups, n_statements))
    activity = rng.pareto(1.2, n_participants) + 1
    activity /= activity.sum()
    rows = rng.choice(n_participants, size=int(n_votes * 1.5), p=activity)
    cols = rng.integers(0, n_statements, len(rows))
    key = rng.permutation(np.unique(rows.astype(np.int64) * n_statements + cols))[:n_votes]
    rows, cols = (key // n_statements).astype(np.int32), (key % n_statements).astype(np.int32)
    u = rng.random(len(rows))
    agree = u < p_agree[group[rows], cols] * 0.9
    passed = u > 0.9
    values = np.where(passed, 0, np.where(agree, 1, -1)).astype(np.int8)
    return Votes([str(i) for i in range(n_participants)], [str(j) for j in range(n_statements)],
                 rows, cols, values)
