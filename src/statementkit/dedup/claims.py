"""Second stage of duplicate detection: do two close statements make the same claim?

A cosine between sentence vectors cannot tell "AI should help digitise old
maps" from "... old letters", nor "should" from "should not". For each
candidate pair this module

1. aligns the content words of the two statements (same word, stem, accent
   fold or cross-language abbreviation; shared prefix or spelling slip; same
   antonym concept; else the cosine of the words' own vectors from the same
   multilingual model, which aligns "maps" with "Karten" but not "letters"),
2. measures how much of each statement's content has a counterpart
   (coverage; numbers and names weigh double) and which words are left over,
3. decides the stance: negations and negative antonyms (`stance.py`) that
   apply to content the two share are counted on each side; an odd
   difference is a flip ("not essential" / "essential", "allow" / "verbieten"),
   whereas "should not allow" / "should forbid" agree,
4. compares numbers and names (different numbers, or a name on each side
   that the other lacks, make different claims).

Every verdict carries a short reason naming the words that decided it.
Thresholds (word alignment, coverage, near-copy ratio) come per model from
`models/registry.toml`. Each statement is analysed once (`claim_analysis`);
`compare_many` judges a batch of pairs (about 8,000 pairs/s on one core;
benchmarks/claims_speed.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from cydifflib import (
    SequenceMatcher,  # difflib's, compiled: the same matches, ~6x faster (tests/test_claims.py)
)
from rapidfuzz.distance import OSA

from statementkit.dedup.claim_analysis import (
    PREFIX,
    Claim,
    analyse,
    analyse_many,
    normalise_text,
    paused_gc,
)
from statementkit.dedup.stance import Cue, StanceRules
from statementkit.records import COPY, NEAR_COPY

if TYPE_CHECKING:
    from statementkit.dedup.pair_judge import PairJudge

__all__ = ["CHECKS", "DEFAULTS", "Claim", "ClaimJudge", "Comparison", "PairFeatures", "WordVectors", "analyse",
           "analyse_many", "normalise_text", "verdict"]

#: Defaults when a model's registry entry does not calibrate a threshold.
DEFAULTS = {"candidate": 0.45, "duplicate": 0.6, "duplicate_cross": 0.55, "substitution": 0.9, "frame": 0.7, "stance_coverage": 0.6,
            "stance_coverage_cross": 0.3,
            "word": 0.7, "mutual": 0.5, "near_copy": 0.9, "soft": 0.0,
            # a cosine within `marginal` of the duplicate threshold also needs this mean word alignment:
            # same-topic statements in two languages ("museums transcribe archives" / "museums should review
            # colonial texts") reach the threshold on topic alone, with few words in common
            "marginal": 0.1, "marginal_soft": 0.65,
            # a pair whose mean word alignment is below this is no duplicate, only similar (0: off)
            "sure_soft": 0.0,
            # the claim check: share of each side's content words (weighted) that has a counterpart a
            # duplicate needs. Same language: aligned at `word`; two languages: also a mutual best match at
            # `claim_word_cross` (translated words score 0.45-0.65 by their vectors: "bestände" ~ "records").
            # 0: off (a different action, partner, object or group shows as words left over on one side)
            "claim_coverage": 0.0, "claim_coverage_cross": 0.0, "claim_word_cross": 1.0}
NEAR_FLOOR = 0.5     # character similarity below which no threshold cares about the exact value
TYPO = 0.8           # character similarity of two left-over words that makes them one word misspelt


@dataclass(slots=True)
class Comparison:
    """The second stage's verdict on one pair."""

    duplicate: bool
    same_stance: bool
    reason: str
    coverage: float = 0.0               # the lower of the two sides
    near_copy: float = 0.0              # character similarity of the normalised texts
    unmatched: tuple[list[str], list[str]] = ([], [])


#: The checks of the second stage; benchmarks switch them off one by one to measure each.
CHECKS = ("copy", "stance", "numbers", "names", "substitution")


class WordVectors:
    """Vectors of single words, one row each in one matrix.

    A pair's word alignment takes its words' rows by index (`of`), instead of
    stacking a dozen separate vectors for every pair. Judges with different
    thresholds can share one (`ClaimJudge.words`): the vectors depend on the
    model only.
    """

    def __init__(self) -> None:
        self.row: dict[str, int] = {}
        self.matrix = np.zeros((0, 0), dtype=np.float32)

    def add(self, words: Sequence[str], vectors: np.ndarray) -> None:
        start = len(self.row)
        self.row.update((w, start + k) for k, w in enumerate(words))
        self.matrix = np.concatenate([self.matrix, vectors]) if len(self.matrix) else np.asarray(vectors)

    def of(self, claim: Claim) -> np.ndarray:
        """The vectors of a claim's content words; their rows are looked up once per claim."""
        if claim.rows_in is not self:
            claim.rows, claim.rows_in = np.array([self.row[w] for w in claim.terms], dtype=np.intp), self
        return self.matrix.take(claim.rows, axis=0)


class ClaimJudge:
    """Compares analysed statements; holds the word vectors it needs."""

    def __init__(self, embedder, thresholds: dict[str, float] | None = None, checks: Sequence[str] = CHECKS,
                 rules: StanceRules | None = None):
        from statementkit.dedup.stance import load_stance

        self.embedder = embedder
        self.rules = rules or load_stance()
        self.t = {**DEFAULTS, **(thresholds or {})}
        self.checks = frozenset(checks)
        self.words = WordVectors()
        from statementkit.dedup.pair_judge import load_pair_judge

        # the model's fitted same-claim judge (None: the threshold rules decide); `judge=False`
        # in the thresholds switches it off, for benchmarks that measure the rules alone
        self.pair_judge = load_pair_judge(getattr(embedder, "id", None)) if self.t.get("judge", 1.0) else None

    def prepare(self, claims: Sequence[Claim]) -> None:
        """Encode, in one batch, every content word not seen yet."""
        if self.embedder is None:
            return
        from statementkit.embed import encode

        todo = sorted({w for c in claims for w in c.terms} - self.words.row.keys())
        if todo:
            self.words.add(todo, encode(self.embedder, todo))

    def _similarity(self, a: Claim, b: Claim) -> tuple[np.ndarray, np.ndarray]:
        """Word alignment scores, and which of them rest on the words' form alone (no vectors)."""
        shape = (len(a.content), len(b.content))
        if not (shape[0] and shape[1]):
            return np.zeros(shape, dtype=np.float32), np.zeros(shape, dtype=bool)
        if self.embedder is not None:
            sim = self.words.of(a) @ self.words.of(b).T
        else:
            sim = np.zeros(shape, dtype=np.float32)
        lexical = np.zeros(shape, dtype=bool)
        same = _cells((a.by_key[key], b.by_key[key]) for key in a.by_key.keys() & b.by_key.keys())  # same word, stem, ...
        if a.has_digits or b.has_digits:
            sim[a.digits[:, None] | b.digits[None, :]] = 0.0  # numbers align only with the same number
        heads = a.by_head.keys() & b.by_head.keys()
        if heads:
            cells = set(zip(*same))
            for head in heads:
                for y in b.by_head[head]:
                    for x in a.by_head[head]:
                        if (x, y) not in cells and _prefix_match(a.terms[x], b.terms[y]):
                            sim[x, y] = max(sim[x, y], 0.9)
                            lexical[x, y] = True
        if same[0]:
            sim[same] = 1.0
            lexical[same] = True
        if a.concepts & b.concepts:  # words of one antonym concept are counterparts (allow / verbieten)
            both = _cells((xs, ys) for ca, xs in zip(a.cues, a.cue_positions) if ca.kind == "antonym"
                          for cb, ys in zip(b.cues, b.cue_positions)
                          if cb.kind == "antonym" and ca.concepts & cb.concepts)
            sim[both] = 1.0
            lexical[both] = True
        return sim, lexical

    def features(self, a: Claim, b: Claim) -> PairFeatures:
        """What the two statements share and where they differ (independent of the cosine)."""
        sim, lexical = self._similarity(a, b)
        word = self.t["word"]
        if sim.size:
            # mutual best matches align at a lower cosine: word vectors across languages are weaker
            # than within one ("Einrichtungen" ~ "institutions"), but a pair that prefers each other
            # is a translation far more often than not (a `mutual` cosine at or above `word` changes nothing)
            if self.t["mutual"] < word:
                best_b, best_a = sim.argmax(axis=1), sim.argmax(axis=0)
                mutual = np.zeros_like(sim, dtype=bool)
                rows = np.arange(len(a.content))
                mutual[rows, best_b] = best_a[best_b] == rows
                sim = np.where(mutual & (sim >= self.t["mutual"]), np.maximum(sim, word), sim)
            best_of_a, best_of_b = sim.max(axis=1), sim.max(axis=0)
            ok_a = {i for i, m in zip(a.content, (best_of_a >= word).tolist()) if m}
            ok_b = {j for j, m in zip(b.content, (best_of_b >= word).tolist()) if m}
            # the same words (form, stem, prefix, typo, antonym concept): vectors call "town" and "city"
            # alike, which is right for alignment but not for telling a claim from its substitute
            lex_a = {i for i, m in zip(a.content, lexical.any(axis=1).tolist()) if m}
            lex_b = {j for j, m in zip(b.content, lexical.any(axis=0).tolist()) if m}
        else:
            ok_a, ok_b, lex_a, lex_b = set(), set(), set(), set()
        extra_a, extra_b = [], []
        if a.lang == b.lang:
            negated_a, negated_b = _prefix_negations(a, b), _prefix_negations(b, a)
            extra_a, extra_b = [a.tokens[i] for i, _ in negated_a], [b.tokens[j] for j, _ in negated_b]
            for this, other in ((ok_a, ok_b), (lex_a, lex_b)):
                for i, j in negated_a:
                    this.add(i)
                    other.add(j)
                for j, i in negated_b:
                    other.add(j)
                    this.add(i)
            _typos(a, b, ok_a, ok_b)
            _typos(a, b, lex_a, lex_b)
        miss_a = [a.tokens[i] for i in a.content if i not in ok_a]
        miss_b = [b.tokens[j] for j in b.content if j not in ok_b]
        cross = a.lang != b.lang and "und" not in (a.lang, b.lang)
        claim_a, claim_b = ok_a, ok_b
        if cross and sim.size and self.t["claim_word_cross"] < word:
            claim_a, claim_b = _mutual_partners(sim, self.t["claim_word_cross"], a, b, ok_a, ok_b)
        soft = left_best = 1.0
        if sim.size:
            # how close the claim check's left-over words come to anything on the other side: a paraphrase's
            # reworded words still have a near partner, a different action or group has none
            sides = [np.minimum(np.maximum(best, 0), 1)[[i not in claim for i in content]]
                     for best, claim, content in ((best_of_a, claim_a, a.content), (best_of_b, claim_b, b.content))]
            left_best = min((float(s.mean()) for s in sides if s.size), default=1.0)
            wa, wb = a.weight, b.weight
            best_a = np.minimum(np.maximum(best_of_a, 0), 1)  # np.clip, at a third of the cost
            best_b = np.minimum(np.maximum(best_of_b, 0), 1)
            best_a[[i in ok_a for i in a.content]] = 1.0
            best_b[[j in ok_b for j in b.content]] = 1.0
            soft = float(min((best_a * wa).sum() / a.weight_total, (best_b * wb).sum() / b.weight_total))
        elif a.content or b.content:
            soft = 0.0
        return PairFeatures(
            soft=soft,
            left_best=left_best,
            exact=a.norm == b.norm,
            near_copy=0.0 if cross else _near_copy(a.norm, b.norm),
            coverage=min(_coverage(a, ok_a), _coverage(b, ok_b)),
            claim=min(_coverage(a, claim_a), _coverage(b, claim_b)),
            claim_unmatched=([a.tokens[i] for i in a.content if i not in claim_a],
                             [b.tokens[j] for j in b.content if j not in claim_b]),
            unmatched=(miss_a, miss_b),
            negatives=([c.text for c in _polarity(a, ok_a, b, _partners(sim, word, b), not cross)] + extra_a,
                       [c.text for c in _polarity(b, ok_b, a, _partners(sim.T, word, a), not cross)] + extra_b),
            numbers=(sorted(a.numbers - b.numbers), sorted(b.numbers - a.numbers))
            if a.numbers and b.numbers else ([], []),
            names=([a.tokens[i] for i in sorted(a.entities) if i not in ok_a],
                   [b.tokens[j] for j in sorted(b.entities) if j not in ok_b]) if not cross else ([], []),
            cross_lingual=cross,
            substitution=not cross and any(i not in lex_a for i in a.content)
            and any(j not in lex_b for j in b.content),
            swapped=([a.tokens[i] for i in a.content if i not in lex_a],
                     [b.tokens[j] for j in b.content if j not in lex_b]),
            opposed=_opposed(a, b),
            sizes=(len(a.content), len(b.content)),
            wordless=tuple(lang for lang in dict.fromkeys((a.lang, b.lang)) if not self.rules.lang(lang).words))

    def compare_many(self, pairs: Iterable[tuple]) -> list[Comparison]:
        """`compare` each (a, b, cosine[, rivals]), with BLAS on one thread and the garbage collector paused.

        The word-vector products are tiny (a dozen words by a dozen); a second
        BLAS thread gains nothing on them, and waiting for it on a core another
        process is using made one run in four 3x slower.
        """
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"), paused_gc():
            return [self.compare(*pair) for pair in pairs]

    def compare(self, a: Claim, b: Claim, cosine: float,
                rivals: tuple[float | None, float | None] = (None, None)) -> Comparison:
        """Same claim, opposite stance, or a different claim? Symmetric in a and b.

        `rivals`: the cosine of a's and of b's best other candidate in the search (None: none).
        """
        if not a.norm or not b.norm:  # no words at all (emoji, zero-width characters): nothing to repeat
            return Comparison(False, True, "no words to compare")
        if "copy" in self.checks and a.norm == b.norm:  # decided before any feature counts
            return Comparison(True, True, COPY, 1.0, 1.0)
        f = self.features(a, b)
        f.rivals = rivals
        return verdict(f, cosine, self.t, self.checks, self.pair_judge)


@dataclass(slots=True)
class PairFeatures:
    """The second stage's measurements of one pair (a, b)."""

    soft: float                                       # mean best word cosine (1 for aligned words), lower side
    exact: bool
    near_copy: float                                  # character similarity of the normalised texts
    coverage: float                                   # share of content with a counterpart (lower side)
    unmatched: tuple[list[str], list[str]]
    negatives: tuple[list[str], list[str]]            # negative cues bearing on shared content
    numbers: tuple[list[str], list[str]]              # numbers only one side has (when both have some)
    names: tuple[list[str], list[str]]                # names without a counterpart
    cross_lingual: bool
    substitution: bool = False                        # same language, words left over on both sides
    swapped: tuple[list[str], list[str]] = ([], [])   # ... those words (no counterpart by form)
    opposed: bool = False                             # one concept with opposite signs (speed up / slow down)
    claim: float = 1.0                                # share of content with a counterpart for the claim check
    claim_unmatched: tuple[list[str], list[str]] = ([], [])   # ... the words without one
    sizes: tuple[int, int] = (0, 0)                   # content words of each side
    left_best: float = 1.0                            # mean best word cosine of `claim_unmatched`, lower side
    rivals: tuple[float | None, float | None] = (None, None)  # each side's best other candidate's cosine
    wordless: tuple[str, ...] = ()                    # its languages whose tokens are no words (stance.toml)

    @property
    def flip(self) -> bool:
        """An odd difference in negations, or negations on one side only ("not ... nothing" vs none)."""
        na, nb = len(self.negatives[0]), len(self.negatives[1])
        return (na - nb) % 2 == 1 or (na == 0) != (nb == 0)


def verdict(f: PairFeatures, cosine: float, t: dict[str, float], checks: Sequence[str] = CHECKS,
            judge: PairJudge | None = None) -> Comparison:
    """Decide one pair from its features, its cosine and the model's thresholds.

    In order: an exact copy is a duplicate; an odd number of negations on
    shared content, when most content is shared (`stance_coverage`) or one
    concept appears with opposite signs (speed up / slow down), is a
    stance flip; different numbers, or a substituted word the cosine does not
    forgive (same language, words left over on both sides, the rest of the
    text alike (`frame`), cosine below `substitution`), make a different claim;
    a near-exact copy is a duplicate; a name on each side without counterpart
    is a different claim; otherwise the cosine (`duplicate`, or
    `duplicate_cross` for two languages: cosines across languages run lower)
    and the mean word alignment (`soft`; `marginal_soft` for a cosine less
    than `marginal` above the threshold) decide, and a pair they pass is a
    duplicate only when the claim check passes too (`claim_aligned`; and a mean
    word alignment of `sure_soft`): precision first (issue 14), a pair that
    fails it is reported as related, shown for context, never flagged.
    With a fitted `judge` (`pair_judge`), the judge decides instead of the
    cosine rules: the pairs the rules before them leave open.
    """
    return settled(f, cosine, t, checks) or _decide(f, cosine, t, checks, judge)


def settled(f: PairFeatures, cosine: float, t: dict[str, float], checks: Sequence[str] = CHECKS) -> Comparison | None:
    """The verdict of the rules that come before any judge (copies, stance, numbers, substitutions,
    near-copies, names), or None when they leave the pair open."""
    on = checks
    if "copy" in on and f.exact:
        return Comparison(True, True, COPY, 1.0, 1.0)
    flipped = "stance" in on and f.flip
    res = lambda dup, reason: _comparison(f, flipped, dup, reason)  # noqa: E731
    # words of one antonym concept with opposite signs ("beschleunigen" / "spowolnić", "most" / "least")
    # name what is opposed, so they need no coverage; otherwise most content must be shared
    if flipped and (f.opposed or f.coverage >= t["stance_coverage_cross" if f.cross_lingual else "stance_coverage"]):
        return res(False, _opposite(f))
    if "numbers" in on and (f.numbers[0] or f.numbers[1]):
        return res(False, "different numbers ({} vs {})".format(", ".join(f.numbers[0]) or "-",
                                                               ", ".join(f.numbers[1]) or "-"))
    if "substitution" in on and f.substitution and f.near_copy >= t["frame"] and cosine < t["substitution"]:
        return res(False, "different claim ({} vs {})".format(", ".join(f.swapped[0][:3]),
                                                             ", ".join(f.swapped[1][:3])))
    # the stance stage has the last word: a negation or antonym on one side only, on however little
    # shared content, is never overruled by a near-copy or a cosine (across languages the word
    # alignment is too weak to show the shared content: "keine KI-Sensoren" / "use AI sensors")
    if flipped and cosine < t.get("flip_cosine", 0.0):
        return res(False, _opposite(f))
    if "copy" in on and f.near_copy >= t["near_copy"]:
        if flipped:  # no copy rule overrules a negation or antonym difference ("ne devraient pas autoriser")
            return res(False, _opposite(f))
        return res(True, NEAR_COPY)
    if "names" in on and f.names[0] and f.names[1]:
        return res(False, "different names ({} vs {})".format(", ".join(f.names[0]), ", ".join(f.names[1])))
    return None


def _comparison(f: PairFeatures, flipped: bool, duplicate: bool, reason: str) -> Comparison:
    """A verdict with the pair's coverage and left-over words. A flip on little shared content is weak
    evidence: it decides only if nothing else does, but a pair that is no duplicate for another reason
    still reports the opposite stance."""
    return Comparison(duplicate, duplicate or not flipped, reason, f.coverage, f.near_copy, f.unmatched)


def _opposite(f: PairFeatures) -> str:
    return "opposite stance ({} vs {})".format("/".join(f.negatives[0]) or "-", "/".join(f.negatives[1]) or "-")


def _decide(f: PairFeatures, cosine: float, t: dict[str, float], checks: Sequence[str],
            judge: PairJudge | None) -> Comparison:
    """A pair the rules left open: the judge, or the cosine thresholds and the claim check."""
    flipped = "stance" in checks and f.flip
    res = lambda dup, reason: _comparison(f, flipped, dup, reason)  # noqa: E731
    left = f.claim_unmatched
    left_over = "left over: {} vs {}".format(", ".join(left[0][:3]) or "-", ", ".join(left[1][:3]) or "-")

    def same_claim() -> Comparison:
        if f.wordless:  # no words to align: the claim check cannot tell the same claim from the same topic
            return _comparison(f, False, False, f"similar (no claim check in {'/'.join(f.wordless)})")
        return res(True, "translation" if f.cross_lingual else "paraphrase")

    if judge is not None:
        p = judge.probability(f, cosine)
        if p >= judge.threshold:
            return same_claim()
        return res(False, f"related ({left_over})")
    needed = t["duplicate_cross" if f.cross_lingual else "duplicate"]
    if cosine < needed or f.soft < t["soft"]:
        return res(False, "related")
    if cosine < needed + t.get("marginal", 0.0) and f.soft < t.get("marginal_soft", 0.0):
        return res(False, "related (few words in common)")
    if f.soft < t.get("sure_soft", 0.0) or not claim_aligned(f, t):
        return res(False, f"related ({left_over})")
    return same_claim()


def claim_aligned(f: PairFeatures, t: dict[str, float]) -> bool:
    """Does every side's content (nearly) all have a counterpart? The claim check of a duplicate.

    A different action, partner, object or target group in the same frame ("publish the energy use
    of AI tools" / "switch off AI tools nobody uses") leaves words without counterpart on a side,
    where the cosine and the mean word alignment still look like a paraphrase.
    """
    cross = f.cross_lingual
    missing = max(len(f.claim_unmatched[0]), len(f.claim_unmatched[1]))
    return (f.claim >= t.get("claim_coverage_cross" if cross else "claim_coverage", 0.0)
            and missing <= t.get("claim_missing_cross" if cross else "claim_missing", 99))


def _mutual_partners(sim: np.ndarray, floor: float, a: Claim, b: Claim, ok_a: set[int], ok_b: set[int]):
    """`ok_a`, `ok_b` plus the words that are each other's best match at `floor` or above (two languages)."""
    best_b, best_a = sim.argmax(axis=1), sim.argmax(axis=0)
    rows = np.flatnonzero((best_a[best_b] == np.arange(len(a.content))) & (sim.max(axis=1) >= floor))
    claim_a, claim_b = set(ok_a), set(ok_b)
    claim_a.update(a.content[x] for x in rows.tolist())
    claim_b.update(b.content[y] for y in best_b[rows].tolist())
    return claim_a, claim_b


def _prefix_negations(this: Claim, other: Claim) -> list[tuple[int, int]]:
    """(i, j): word i of `this` is word j of `other` with a negative prefix (ethical / unethical).

    Same language only; words already counted as antonyms on both sides (geschikt / ongeschikt) are skipped.
    """
    return [(i, j) for i, rests in this.negated for rest in rests for j in other.plain.get(rest, ())
            if not (i in this.polar and j in other.polar)]


def _typos(a: Claim, b: Claim, ok_a: set[int], ok_b: set[int]) -> None:
    """Align left-over words that differ by a slip of the keyboard (levle / level)."""
    left_b = [j for j in b.content if j not in ok_b and len(b.tokens[j]) >= 4]
    if not left_b:
        return
    for i in a.content:
        wa = a.tokens[i]
        if i in ok_a or len(wa) < 4:
            continue
        for j in left_b:
            wb = b.tokens[j]
            if j in ok_b or abs(len(wa) - len(wb)) > 2:
                continue
            if _is_typo(wa, wb):
                ok_a.add(i)
                ok_b.add(j)
                break


@lru_cache(maxsize=1 << 18)
def _is_typo(wa: str, wb: str) -> bool:
    """Two words one slip apart; cached, since the same words meet again in pair after pair.

    Alike by character similarity (`TYPO`) and one edit apart (a letter added, dropped, changed or
    two swapped; two in words of 8 letters or more): "female" / "male" are alike (0.8) but two
    letters apart, and "I identify as female" / "... male" were called a near-exact copy.
    """
    # letters of `wa` that `wb` lacks cannot match: a bound on quick_ratio that rejects most pairs at once
    shared = len(wa) - sum(ch not in wb for ch in wa)
    if 2.0 * shared / (len(wa) + len(wb)) < TYPO:
        return False
    m = SequenceMatcher(None, wa, wb, autojunk=False)
    if not (m.quick_ratio() >= TYPO and m.ratio() >= TYPO):
        return False
    return _edits(wa, wb) <= (2 if min(len(wa), len(wb)) >= 8 else 1)


#: Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps), rapidfuzz's.
_edits = OSA.distance


def _coverage(c: Claim, ok: set[int]) -> float:
    if c.weight_total == 0:
        return 1.0
    return sum(w for i, w in zip(c.content, c.weights) if i in ok) / c.weight_total


def _cells(blocks) -> tuple[list[int], list[int]]:
    """Row and column indices of every cell in the given (rows, columns) blocks, for one numpy assignment."""
    rows, cols = [], []
    for xs, ys in blocks:
        for x in xs:
            rows += [x] * len(ys)
            cols += ys
    return rows, cols


def _prefix_match(a: str, b: str) -> bool:
    """Shared beginning: inflection, spelling variants, compounds (digitise/digitize, Daten/Datenraum)."""
    n = min(len(a), len(b))
    if n < PREFIX:
        return False
    k = 0
    while k < n and a[k] == b[k]:
        k += 1
    return k >= PREFIX and k >= 0.75 * n


def _near_copy(a: str, b: str) -> float:
    """Character similarity of two normalised texts; below NEAR_FLOOR only an upper bound (cheap)."""
    if not a or not b:
        return 0.0
    if min(len(a), len(b)) < 0.8 * max(len(a), len(b)):
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    ratio = matcher.ratio()
    if ratio >= NEAR_FLOOR:  # then quick_ratio, an upper bound, is too: no need to count it
        return ratio
    bound = matcher.quick_ratio()
    return bound if bound < NEAR_FLOOR else ratio


def _opposed(a: Claim, b: Claim) -> bool:
    """Does a concept appear with a plus word on one side and a minus word on the other?"""
    return any((k, -sign) in a.signs for k, sign in b.signs)


def _partners(sim: np.ndarray, word: float, other: Claim):
    """Token indices of `other` aligned (`word`) with some of the given content positions (rows of `sim`)."""
    def of(positions: tuple[int, ...]) -> set[int]:
        if not positions or not sim.size:
            return set()
        return {other.content[y] for y in np.flatnonzero((sim[list(positions)] >= word).any(axis=0))}
    return of


def _polarity(c: Claim, ok: set[int], other: Claim, partners, scoped: bool = True) -> list[Cue]:
    """The negative cues of `c` that bear on content shared with the other statement.

    A negation counts when a content word it applies to has a counterpart. A
    negative antonym ("forbid", "reduce") counts when the other statement
    speaks of the same concept, or when its counterpart there is itself a
    stance word; aligned with a plain word ("prevent" ~ "tackle") it is taken
    as a paraphrase; with no counterpart it counts like a negation.
    `scoped=False` (pairs in two languages, where word alignment is too weak
    to tell what a negation applies to) counts every negation.
    `partners(positions)`: the other statement's words aligned with those content positions of `c`.
    """
    counted = []
    for cue, positions, scope in zip(c.cues, c.cue_positions, c.scopes):
        if cue.kind == "antonym":
            if cue.sign > 0:
                continue
            if cue.concepts & other.concepts:
                counted.append(cue)
                continue
            aligned = partners(positions)
            if aligned:
                if aligned & other.polar:
                    counted.append(cue)
                continue
        scope = scope if scoped else []
        if not scope or any(i in ok for i in scope):
            counted.append(cue)
    return counted
