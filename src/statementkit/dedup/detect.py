"""Near-duplicates of new statements, among published ones and within the batch.

Three stages, each measured in benchmarks/dedup.py:

1. copies (`copies.py`): exact and near-exact copies by their text alone.
2. candidates (`neighbours.py`): the nearest statements by sentence-embedding
   cosine, published and new, above the model's `candidate` threshold,
   searched blockwise or through an IVF index (no n x n matrix).
3. claims (`claims.py`): for every candidate pair, do the two statements
   make the same claim with the same stance? A stance flip is reported with
   `same_stance=False` and is never a duplicate.

Duplicates form groups (connected components over new and published
statements) so a moderator can act on a whole group at once. The work is
done in a canonical order (by text, then id), so the result does not depend
on the order of the input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from statementkit.records import DedupResult, Duplicate, Statement

if TYPE_CHECKING:  # numpy and the embed module load only when a model is used
    import numpy as np

    from statementkit.embed import Embedder

Progress = Callable[[int, int], None]  # (done, total), as in statementkit.embed

MAX_NEIGHBOURS = 10  # candidates kept per statement and per set (published / new)
JUDGE_CHUNK = 50_000  # candidate pairs judged at a time


class _Verdict(NamedTuple):
    """What a result needs of one judged pair."""

    score: float
    duplicate: bool
    same_stance: bool
    reason: str


@dataclass(slots=True)
class DedupStats:
    """What each stage found and how long it took (seconds), for benchmarks and reports."""

    statements: int = 0
    published: int = 0
    copy_pairs: int = 0
    candidate_pairs: int = 0
    duplicate_pairs: int = 0
    stance_flips: int = 0
    method: str = ""
    encode_s: float = 0.0
    search_s: float = 0.0
    language_s: float = 0.0       # detecting the language of statements given without one (part of claims_s)
    claims_s: float = 0.0
    group_s: float = 0.0
    # the process's peak resident memory (MB) at the end of each stage, so a benchmark can tell which
    # stage raised it; 0 where the platform does not report it
    peak_rss_mb: dict[str, float] = field(default_factory=dict)


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MB (0 where the platform does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KB on Linux


def thresholds_for(embedder: Embedder | None, threshold: float | None = None) -> dict[str, float]:
    """The model's calibrated thresholds from the registry, with `threshold` as the duplicate cosine."""
    from statementkit.dedup.claims import DEFAULTS
    from statementkit.embed import model_entry

    model_id = getattr(embedder, "id", None)  # no embedder, or one not in the registry: the defaults
    entry = model_entry(model_id) if model_id else None
    t = {**DEFAULTS, **(entry.thresholds if entry is not None else {})}
    if threshold is not None:  # one cosine for all pairs, as the user asked
        t["duplicate"] = t["duplicate_cross"] = float(threshold)
        t["candidate"] = min(t["candidate"], float(threshold))
    return t


def find_duplicates(new: Sequence[Statement], published: Sequence[Statement] = (), *,
                    embedder: Embedder | None = None, threshold: float | None = None,
                    progress: Progress | None = None, rules=None, semantic: bool = True,
                    method: str = "auto", k: int = MAX_NEIGHBOURS,
                    stats: DedupStats | None = None) -> list[DedupResult]:
    """One `DedupResult` per new statement, in input order.

    `embedder`: default the registry's default model, cached on disk.
    `threshold`: cosine at or above which a same-stance, same-claim pair is a
    duplicate (default: the model's calibrated `duplicate` threshold).
    `semantic=False` finds exact and near-exact copies only, with no model.
    `rules`: a rules directory with stance.toml (default: the bundled rules).
    """
    import time

    from statementkit.dedup.claims import ClaimJudge
    from statementkit.dedup.copies import copy_candidates
    from statementkit.dedup.stance import load_stance

    stats = stats if stats is not None else DedupStats()
    stats.statements, stats.published = len(new), len(published)
    if not new:
        return []
    if semantic and embedder is None:
        from statementkit.embed import default_embedder

        embedder = default_embedder()
    t = thresholds_for(embedder if semantic else None, threshold)
    stance_rules = load_stance(rules)

    # canonical order: the same set of statements gives the same result
    order_new = sorted(range(len(new)), key=lambda i: (new[i].text, new[i].id))
    order_pub = sorted(range(len(published)), key=lambda i: (published[i].text, published[i].id))
    snew = [new[i] for i in order_new]
    spub = [published[i] for i in order_pub]
    n = len(snew)

    clock = time.perf_counter()
    pairs: dict[tuple[int, int], float | None] = {}  # (new idx, other idx; >= n means published)
    for i, j in copy_candidates([s.text for s in snew], [s.text for s in spub], near=not semantic):
        pairs[(i, j)] = None
    stats.copy_pairs = len(pairs)
    stats.search_s += time.perf_counter() - clock
    stats.peak_rss_mb["copies"] = peak_rss_mb()

    vectors = None
    if semantic:
        from statementkit.dedup.neighbours import choose_method, nearest

        clock = time.perf_counter()
        vectors = _encode_unique(embedder, [s.text for s in snew + spub], progress)
        stats.encode_s = time.perf_counter() - clock
        stats.peak_rss_mb["encode"] = peak_rss_mb()
        clock = time.perf_counter()
        found = nearest(vectors[:n], vectors[n:], k=k, threshold=t["candidate"], method=method)
        stats.method = choose_method(n, len(spub), method)
        for q, o, s, pub in zip(found.query.tolist(), found.other.tolist(), found.score.tolist(),
                                found.published.tolist()):
            key = (q, o + n) if pub else (min(q, o), max(q, o))
            pairs[key] = s
        stats.search_s += time.perf_counter() - clock
        stats.peak_rss_mb["search"] = peak_rss_mb()
    stats.candidate_pairs = len(pairs)

    clock = time.perf_counter()
    everyone = snew + spub
    involved = sorted({x for pair in pairs for x in pair})
    claims = _analyse(everyone, involved, stance_rules, stats)
    judge = ClaimJudge(embedder if semantic else None, t, rules=stance_rules)
    judge.prepare(list(claims.values()))
    # judged in chunks, each verdict kept as the few fields a result needs: 500 k full comparisons (their
    # left-over word lists included) and their argument tuples held at once cost ~0.3 GB at 100 k statements
    verdicts: dict[tuple[int, int], _Verdict] = {}
    for key, score in pairs.items():
        if score is None:
            pairs[key] = 0.0 if vectors is None else float(vectors[key[0]] @ vectors[key[1]])
    top = best_candidates(pairs)
    keys = list(pairs)
    for start in range(0, len(keys), JUDGE_CHUNK):
        chunk = keys[start:start + JUDGE_CHUNK]
        scores = [pairs[key] for key in chunk]
        judged = judge.compare_many([(claims[i], claims[j], sc, (rival_cosine(top, i, j), rival_cosine(top, j, i)))
                                     for (i, j), sc in zip(chunk, scores)])
        for key, sc, v in zip(chunk, scores, judged):  # copies only: the score is the character similarity
            verdicts[key] = _Verdict(v.near_copy if vectors is None else sc, v.duplicate, v.same_stance, v.reason)
    del claims, judge, keys, pairs  # the analysed statements are the bulk of the memory; grouping needs none
    stats.claims_s = time.perf_counter() - clock
    stats.peak_rss_mb["claims"] = peak_rss_mb()

    clock = time.perf_counter()
    groups = duplicate_groups(n, len(spub), [(i, j, v.score) for (i, j), v in verdicts.items() if v.duplicate])
    per_new: list[list[Duplicate]] = [[] for _ in range(n)]
    for (i, j), v in verdicts.items():
        score = v.score
        if not (v.duplicate or score >= min(t["duplicate"], t["duplicate_cross"])):
            continue  # a topic neighbour, not worth a moderator's attention
        stats.duplicate_pairs += v.duplicate
        stats.stance_flips += not v.same_stance
        other = everyone[j]
        per_new[i].append(Duplicate(other.id, score, v.same_stance, v.duplicate, j >= n, v.reason))
        if j < n:
            per_new[j].append(Duplicate(snew[i].id, score, v.same_stance, v.duplicate, False, v.reason))
    results_sorted = []
    for i in range(n):
        dups = sorted(per_new[i], key=lambda d: (not d.is_duplicate, -round(d.score, 6), not d.published, d.id))
        results_sorted.append(DedupResult(snew[i].id, dups, groups.get(i)))
    stats.group_s = time.perf_counter() - clock
    stats.peak_rss_mb["group"] = peak_rss_mb()
    out: list[DedupResult | None] = [None] * n
    for canon, original in enumerate(order_new):
        out[original] = results_sorted[canon]
    return _number_groups(out)  # type: ignore[arg-type]


def compare_pairs(pairs: Sequence[tuple[Statement, Statement]], *, embedder: Embedder | None = None,
                  threshold: float | None = None, rules=None, thresholds: dict[str, float] | None = None,
                  checks: Sequence[str] | None = None) -> list[Duplicate]:
    """Judge given (earlier, new) pairs exactly as `find_duplicates` judges its candidates.

    A pair below the model's `candidate` cosine that is no copy is not looked
    at (as in the search). For evaluation and for checking single pairs.
    """
    from statementkit.dedup.claims import CHECKS, ClaimJudge
    from statementkit.dedup.copies import copy_candidates
    from statementkit.dedup.stance import load_stance

    if not pairs:
        return []
    if embedder is None:
        from statementkit.embed import default_embedder

        embedder = default_embedder()
    t = {**thresholds_for(embedder, threshold), **(thresholds or {})}
    texts = [x.text for pair in pairs for x in pair]
    vecs = _encode_unique(embedder, texts, None)
    stance_rules = load_stance(rules)
    judge = ClaimJudge(embedder, t, CHECKS if checks is None else checks, rules=stance_rules)
    everyone = [x for pair in pairs for x in pair]
    claims = _analyse(everyone, range(len(everyone)), stance_rules)
    judge.prepare(list(claims.values()))
    scores = [float(vecs[2 * p] @ vecs[2 * p + 1]) for p in range(len(pairs))]
    looked_at = [p for p, (a, b) in enumerate(pairs)
                 if scores[p] >= t["candidate"] or copy_candidates([b.text], [a.text])]
    verdicts = judge.compare_many([(claims[2 * p], claims[2 * p + 1], scores[p]) for p in looked_at])
    judged = dict(zip(looked_at, verdicts))
    out = []
    for p, (a, b) in enumerate(pairs):
        if p not in judged:
            out.append(Duplicate(a.id, scores[p], True, False, True, "not a candidate"))
            continue
        v = judged[p]
        out.append(Duplicate(a.id, scores[p], v.same_stance, v.duplicate, True, v.reason))
    return out


def best_candidates(pairs: dict[tuple[int, int], float]) -> dict[int, list[tuple[float, int]]]:
    """Each statement's two best candidates, (cosine, other), best first."""
    top: dict[int, list[tuple[float, int]]] = {}
    for (i, j), score in pairs.items():
        for x, y in ((i, j), (j, i)):
            best = top.setdefault(x, [])
            best.append((score, y))
            if len(best) > 2:
                best.sort(reverse=True)
                best.pop()
    return top


def rival_cosine(top: dict[int, list[tuple[float, int]]], x: int, partner: int) -> float | None:
    """The cosine of `x`'s best candidate other than `partner` (None: it has no other): in a same-topic
    batch a statement has many close neighbours, and a duplicate usually stands out among them."""
    return max((score for score, y in top.get(x, ()) if y != partner), default=None)


def _encode_unique(embedder: Embedder, texts: list[str], progress: Progress | None) -> np.ndarray:
    from statementkit.embed import encode

    unique = list(dict.fromkeys(texts))
    vecs = encode(embedder, unique, progress=progress)
    if len(unique) == len(texts):
        return vecs
    where = {t: i for i, t in enumerate(unique)}
    return vecs[[where[t] for t in texts]]


def _analyse(statements: Sequence[Statement], involved: Sequence[int], rules, stats: DedupStats | None = None) -> dict:
    import time

    from statementkit.dedup.claims import analyse_many
    from statementkit.text.language import detect_many

    involved = list(involved)
    clock = time.perf_counter()
    unknown = [statements[i].text for i in involved if not statements[i].lang]
    found = {text: code for text, (code, _) in zip(unknown, detect_many(unknown))}  # batched, once per text
    langs = [statements[i].lang or found[statements[i].text] for i in involved]
    if stats is not None:
        stats.language_s += time.perf_counter() - clock
        stats.peak_rss_mb["language"] = peak_rss_mb()
    texts = [(statements[i].text, lang) for i, lang in zip(involved, langs)]
    return dict(zip(involved, analyse_many(texts, rules)))


def duplicate_groups(n: int, m: int, edges: Sequence[tuple[int, int, float]]) -> dict[int, int]:
    """Groups of near-duplicates over new (0..n-1) and published (n..n+m-1) statements.

    Each new statement joins the group of the published statement it
    duplicates best; duplicates among new statements join their groups. A group
    never chains: every member is a duplicate of the group's representative
    (its published statement, else its first member), so A ~ B and B ~ C do not
    put A and C together unless A ~ C too, and two groups anchored on different
    published statements are never merged. A batch action on a group therefore
    reaches only statements that repeat its representative. Edges are taken
    strongest first, so the result depends only on the pairs, not on the input
    order.

    `edges`: (i, j, score) duplicate pairs, i new, j new or published.
    Returns new index -> provisional group id, for new statements in a group of two or more.
    """
    parent = list(range(n + m))
    anchor: dict[int, int] = {}  # root -> the published statement its group is built around
    members: dict[int, list[int]] = {x: [x] for x in range(n + m)}
    linked = {(min(i, j), max(i, j)) for i, j, _ in edges}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def duplicates(x: int, rep: int) -> bool:
        return x == rep or (min(x, rep), max(x, rep)) in linked

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        pa, pb = anchor.get(ra), anchor.get(rb)
        if pa is not None and pb is not None and pa != pb:
            return
        root, other = min(ra, rb), max(ra, rb)
        rep = pa if pa is not None else pb if pb is not None else root
        if not all(duplicates(x, rep) for x in members[ra] + members[rb]):
            return  # joining would chain: a member that does not repeat the representative
        parent[other] = root
        members[root] = members[root] + members.pop(other)
        if pa is not None or pb is not None:
            anchor[root] = pa if pa is not None else pb

    best: dict[int, tuple[float, int]] = {}
    for i, j, score in edges:
        if j >= n and (i not in best or (-score, j) < (-best[i][0], best[i][1])):
            best[i] = (score, j)
    for i, (_, j) in sorted(best.items()):
        anchor.setdefault(find(j), j)
        union(i, j)
    for i, j, _ in sorted((e for e in edges if e[1] < n), key=lambda e: (-e[2], e[0], e[1])):
        union(i, j)
    return {i: find(i) for i in range(n) if len(members[find(i)]) > 1}


def _number_groups(results: list[DedupResult]) -> list[DedupResult]:
    """Renumber groups 1, 2, ... in order of their first statement in the input."""
    numbers: dict[int, int] = {}
    for r in results:
        if r.group is not None:
            r.group = numbers.setdefault(r.group, len(numbers) + 1)
    return results


def group_members(results: Sequence[DedupResult]) -> dict[int, list[str]]:
    """Group number -> ids of its new statements (published members are in each result's duplicates)."""
    out: dict[int, list[str]] = {}
    for r in results:
        if r.group is not None:
            out.setdefault(r.group, []).append(r.id)
    return out

