"""A new assembly's rules from a pol.is export: its subject, languages, limits and examples.

What is read, and why it does not leak into a later measurement:
- `summary.csv`: the topic (the name and the scope's name) and the
  description (the scope's description) -- written by the organisers.
- `comments.csv`: the moderators' decisions. The moderated comments are split
  in two halves by a fixed seed (`polis_split`); only the first half, the
  *pool*, is ever read for the rules: in-scope examples are comments the
  moderators accepted (the most typical ones, one per group of similar
  comments), out-of-scope examples are comments they rejected that are
  unlike every accepted one (pol.is moderators reject duplicates and
  incivility too, which are not off topic). The similarity threshold is set
  so that at most `target_rate` of the pool's other accepted comments would
  be judged off topic. The *held-out* half is left for measuring
  (benchmarks/any_assembly.py scores only it).
- the length limit: the longest accepted comment of the pool, since pol.is
  enforced its own limit while people typed.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statementkit.assembly.spec import AssemblySpec
from statementkit.errors import InputError
from statementkit.records import Statement

ACCEPTED, REJECTED = 1, -1
#: Share of the moderated comments kept for examples and calibration; the rest is held out.
POOL_SHARE = 0.5
#: Languages that make up at least this share of the accepted comments are the assembly's.
MIN_LANGUAGE_SHARE = 0.1


@dataclass(slots=True)
class PolisSplit:
    """The moderated comments of an export, split by a fixed seed into a pool (for the rules) and a
    held-out half (for measuring them); unmoderated comments are in neither."""

    pool_accepted: list[Statement]
    pool_rejected: list[Statement]
    held_accepted: list[Statement]
    held_rejected: list[Statement]


def polis_split(comments: Sequence[Statement], seed: int = 0, share: float = POOL_SHARE) -> PolisSplit:
    """Split accepted and rejected comments (separately, so both halves have both) by `seed`."""
    def halves(items: list[Statement]) -> tuple[list[Statement], list[Statement]]:
        order = sorted(items, key=lambda s: s.id)
        random.Random(seed).shuffle(order)
        cut = round(share * len(order))
        return order[:cut], order[cut:]

    usable = [c for c in comments if c.text.strip()]
    accepted = [c for c in usable if _moderated(c) == ACCEPTED]
    rejected = [c for c in usable if _moderated(c) == REJECTED]
    (pa, ha), (pr, hr) = halves(accepted), halves(rejected)
    return PolisSplit(pa, pr, ha, hr)


def spec_from_polis(export: str | Path, *, seed: int = 0, n_examples: int = 12, n_outside: int = 6,
                    target_rate: float = 0.03, embedder: Any = None) -> tuple[AssemblySpec, PolisSplit]:
    """The rules of the conversation in `export` (a folder with comments.csv and summary.csv).

    With `embedder` the examples are the most typical accepted comments and the threshold is
    calibrated on the pool; without one, examples are a seeded sample and the default threshold
    stays. Returns the spec and the split, so a caller can score the held-out half.
    """
    from statementkit.text.language import with_languages
    from statementkit.votes.conversation import read_comments, read_summary

    folder = Path(export)
    if not (folder / "comments.csv").exists():
        raise InputError("not a pol.is export (no comments.csv)", folder,
                         hint="give the folder holding comments.csv and summary.csv")
    summary = read_summary(folder / "summary.csv")
    comments = with_languages(read_comments(folder / "comments.csv"), None)
    split = polis_split(comments, seed)
    if not split.pool_accepted:
        raise InputError("no comment accepted by the moderators (moderated = 1)", folder / "comments.csv",
                         hint="rules init --from-polis takes its examples from accepted comments")
    topic = plain(summary.get("topic", "")) or folder.name
    description = plain(summary.get("conversation-description", ""))
    languages = main_languages([c.lang for c in split.pool_accepted])
    spec = AssemblySpec(name=topic, description=description or topic, languages=languages, scope_name=topic,
                        max_chars=max(140, max(len(c.text) for c in split.pool_accepted)),
                        source=f"From the pol.is export {folder.name} (summary.csv; examples from the accepted and "
                               f"rejected comments of the seed-{seed} pool, half of the moderated comments).")
    if embedder is None:
        rng = random.Random(seed)
        spec.in_scope = [c.text for c in rng.sample(split.pool_accepted, min(n_examples, len(split.pool_accepted)))]
        spec.notes.append("No embedding model when this was written: examples are a random sample and the "
                          "threshold is the default.")
        return spec, split
    _choose_by_meaning(spec, split, embedder, n_examples, n_outside, target_rate)
    return spec, split


def _choose_by_meaning(spec: AssemblySpec, split: PolisSplit, embedder: Any, n_examples: int, n_outside: int,
                       target_rate: float) -> None:
    import numpy as np

    from statementkit.embed import encode

    accepted = split.pool_accepted
    vectors = encode(embedder, [c.text for c in accepted])
    chosen = typical(vectors, min(n_examples, len(accepted)))
    spec.in_scope = [accepted[i].text for i in chosen]
    exemplars = encode(embedder, [spec.description, *spec.in_scope])
    rest = [i for i in range(len(accepted)) if i not in set(chosen)]
    k = spec.top_k
    # every pool comment counts: the others against all exemplars, each example against the rest of
    # them (leave one out), so a small pool still gives enough points for a low quantile
    own = exemplars @ exemplars.T
    np.fill_diagonal(own, -1.0)
    sims = np.concatenate([top_k_mean(vectors[rest] @ exemplars.T, k) if rest else np.zeros(0),
                           top_k_mean(own[1:], k)])
    spec.min_similarity = round(float(np.quantile(sims, target_rate)), 3)
    rejected = split.pool_rejected
    if rejected and n_outside > 0:
        rej = encode(embedder, [c.text for c in rejected])
        to_subject = top_k_mean(rej @ exemplars.T, k)
        to_accepted = (rej @ vectors.T).max(axis=1)  # a rejected repeat of an accepted comment is on topic
        floor = float(np.quantile((vectors @ vectors.T - 2 * np.eye(len(accepted))).max(axis=1), 0.5))
        unlike = [i for i in np.argsort(to_subject) if to_subject[i] < spec.min_similarity and to_accepted[i] < floor]
        spec.out_of_scope = [rejected[i].text for i in unlike[:n_outside]]
    spec.notes += [(f"min_similarity: the {target_rate:.0%} quantile of the pool's accepted comments' similarity "
                    f"({len(sims)} comments, each example left out of its own exemplars); outside: rejected")
                   + " pool comments below it and unlike every accepted one."]


def typical(vectors: Any, n: int) -> list[int]:
    """`n` rows that cover the set: k-means (seeded) and the member nearest each centre."""
    import numpy as np
    from sklearn.cluster import KMeans

    if n >= len(vectors):
        return list(range(len(vectors)))
    km = KMeans(n_clusters=n, n_init=4, random_state=0).fit(vectors)
    out = []
    for c in range(n):
        rows = np.flatnonzero(km.labels_ == c)
        if len(rows):
            out.append(int(rows[np.argmax(vectors[rows] @ km.cluster_centers_[c])]))
    return sorted(set(out))


def top_k_mean(sims: Any, k: int) -> Any:
    import numpy as np

    k = max(1, min(k, sims.shape[1]))
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def main_languages(langs: Sequence[str | None]) -> tuple[str, ...]:
    """Languages of at least MIN_LANGUAGE_SHARE of the comments, most common first."""
    counts = Counter(x for x in langs if x and x != "und")
    total = sum(counts.values()) or 1
    found = tuple(lang for lang, n in counts.most_common() if n / total >= MIN_LANGUAGE_SHARE)
    return found or ("en",)


def plain(text: str) -> str:
    """A summary field as plain text: markdown links and emphasis, URLs and runs of blanks removed."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text or "")
    text = re.sub(r"https?://\S+|<[^>]+@[^>]+>", "", text)
    text = re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _moderated(c: Statement) -> int | None:
    value = c.meta.get("moderated")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
