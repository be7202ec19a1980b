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

    from statementkit.dedup.claim_analysis import Claim
    from statementkit.embed import Embedder

Progress = Callable[[int, int], None]  # (done, total), as in statementkit.embed

MAX_NEIGHBOURS = 10  # candidates kept per statement and per set (published / new)
JUDGE_CHUNK = 20_000  # candidate pairs judged at a time (each held in full until its chunk is done)


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
    """The peak resident memory of this process so far, in MB (0 where the platform does not say).

    On Linux from /proc (VmHWM, this process's own address space): `ru_maxrss` carries over the
    parent's peak into a child started with vfork + exec, which is how `subprocess` starts one, so
    a child of a big process "started" at its parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
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

    import numpy as np

    from statementkit.dedup.claims import ClaimJudge, analyse_many
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

    vectors = found = None
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
    for key, score in pairs.items():
        if score is None:
            pairs[key] = 0.0 if vectors is None else float(vectors[key[0]] @ vectors[key[1]])
    # as arrays from here on: 500 k pairs as tuples of ints and a dict of floats were ~0.15 GB
    first = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    second = np.fromiter((j for _, j in pairs), dtype=np.int64, count=len(pairs))
    scores = np.fromiter(pairs.values(), dtype=np.float64, count=len(pairs))
    cosines = vectors is not None
    del pairs, vectors, found  # the statements' vectors are done with: every score is known
    rivals = Rivals(first, second, scores, len(everyone))
    langs = _languages(everyone, np.union1d(first, second).tolist(), stats)
    judge = ClaimJudge(embedder if semantic else None, t, rules=stance_rules)
    shown = min(t["duplicate"], t["duplicate_cross"])  # below it, a topic neighbour: not worth a moderator's attention
    # Each statement is analysed when a chunk first needs it and let go after its last pair: all 110 k
    # analysed at once were ~0.55 GB of a 100 k dedup, and in pair order about 40 % are needed at a time.
    # Only what a result shows is kept of each verdict.
    claims: dict[int, Claim] = {}
    verdicts: dict[int, _Verdict] = {}  # by position in the pairs as found
    for chunk, finished in _in_pair_order(first, second, JUDGE_CHUNK):
        xs, ys, cos = first[chunk].tolist(), second[chunk].tolist(), scores[chunk].tolist()
        fresh = sorted(set(xs).union(ys) - claims.keys())
        claims.update(zip(fresh, analyse_many([(everyone[x].text, langs[x]) for x in fresh], stance_rules)))
        judge.prepare([claims[x] for x in fresh])
        judged = judge.compare_many([(claims[x], claims[y], c, (rivals.of(x, y), rivals.of(y, x)))
                                     for x, y, c in zip(xs, ys, cos)])
        for p, c, v in zip(chunk.tolist(), cos, judged):  # copies only: the score is the character similarity
            score = c if cosines else v.near_copy
            if v.duplicate or score >= shown:
                verdicts[p] = _Verdict(score, v.duplicate, v.same_stance, v.reason)
        for x in finished:
            del claims[x]
    del judge, rivals
    stats.claims_s = time.perf_counter() - clock
    stats.peak_rss_mb["claims"] = peak_rss_mb()

    clock = time.perf_counter()
    in_order = sorted(verdicts)  # as the candidates were found: group numbers follow from it
    ends = {p: (int(first[p]), int(second[p])) for p in in_order}
    groups = duplicate_groups(n, len(spub), [(*ends[p], verdicts[p].score) for p in in_order if verdicts[p].duplicate])
    per_new: list[list[Duplicate]] = [[] for _ in range(n)]
    for p in in_order:
        (i, j), v = ends[p], verdicts[p]
        score = v.score
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


_NO_CANDIDATE = float("-inf")


class Rivals:
    """Each statement's best two candidates' cosines, for `of`: three flat lists, not 100 k small ones."""

    def __init__(self, first: np.ndarray, second: np.ndarray, scores: np.ndarray, size: int):
        import numpy as np

        self.best, self.best_other, self.runner_up = [_NO_CANDIDATE] * size, [-1] * size, [_NO_CANDIDATE] * size
        if not len(first):
            return
        best, best_other, runner_up = np.full(size, -np.inf), np.full(size, -1, dtype=np.int64), np.full(size, -np.inf)
        ends, others, both = np.concatenate([first, second]), np.concatenate([second, first]), np.tile(scores, 2)
        order = np.lexsort((-both, ends))  # by statement, best first
        ends, others, both = ends[order], others[order], both[order]
        starts = np.flatnonzero(np.r_[True, ends[1:] != ends[:-1]])
        has_second = np.r_[starts[1:], len(ends)] - starts > 1
        best[ends[starts]] = both[starts]
        best_other[ends[starts]] = others[starts]
        runner_up[ends[starts[has_second]]] = both[starts[has_second] + 1]
        self.best, self.best_other, self.runner_up = best.tolist(), best_other.tolist(), runner_up.tolist()

    def of(self, x: int, partner: int) -> float | None:
        """The cosine of `x`'s best candidate other than `partner` (None: it has no other): in a same-topic
        batch a statement has many close neighbours, and a duplicate usually stands out among them."""
        score = self.runner_up[x] if self.best_other[x] == partner else self.best[x]
        return None if score == _NO_CANDIDATE else score


def _encode_unique(embedder: Embedder, texts: list[str], progress: Progress | None) -> np.ndarray:
    from statementkit.embed import encode

    unique = list(dict.fromkeys(texts))
    vecs = encode(embedder, unique, progress=progress)
    if len(unique) == len(texts):
        return vecs
    where = {t: i for i, t in enumerate(unique)}
    return vecs[[where[t] for t in texts]]


def _in_pair_order(first: np.ndarray, second: np.ndarray, size: int):
    """Chunks of pair positions (arrays), in pair order, each with the statements no later chunk needs.

    In pair order a statement's pairs as the first one come together, so it is
    needed from its first pair with an earlier one to its own last pair.
    """
    import numpy as np

    order = np.lexsort((second, first))
    last = np.full(int(max(first.max(initial=-1), second.max(initial=-1))) + 1, -1, dtype=np.int64)
    at = np.arange(len(order))
    np.maximum.at(last, first[order], at)
    np.maximum.at(last, second[order], at)
    for start in range(0, len(order), size):
        chunk = order[start:start + size]
        end = start + len(chunk)
        ends = np.union1d(first[chunk], second[chunk])
        yield chunk, ends[last[ends] < end].tolist()


def _languages(statements: Sequence[Statement], involved: Sequence[int], stats: DedupStats | None = None) -> dict:
    """Each involved statement's language: its own, else detected (batched, once per text)."""
    import time

    from statementkit.text.language import detect_many

    clock = time.perf_counter()
    unknown = [statements[i].text for i in involved if not statements[i].lang]
    found = {text: code for text, (code, _) in zip(unknown, detect_many(unknown))}
    if stats is not None:
        stats.language_s += time.perf_counter() - clock
        stats.peak_rss_mb["language"] = peak_rss_mb()
    return {i: statements[i].lang or found[statements[i].text] for i in involved}


def _analyse(statements: Sequence[Statement], involved: Sequence[int], rules) -> dict:
    from statementkit.dedup.claims import analyse_many

    langs = _languages(statements, involved)
    return dict(zip(langs, analyse_many([(statements[i].text, lang) for i, lang in langs.items()], rules)))


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

