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
`models/registry.toml`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np

from statementkit.nlp import fold, stop_words
from statementkit.stance import _TOKEN, Cue, StanceRules, _fold, expand_attached, find_cues, stem_key

#: Defaults when a model's registry entry does not calibrate a threshold.
DEFAULTS = {"candidate": 0.45, "duplicate": 0.6, "duplicate_cross": 0.55, "substitution": 0.9, "frame": 0.7, "stance_coverage": 0.6,
            "stance_coverage_cross": 0.3,
            "word": 0.7, "mutual": 0.5, "near_copy": 0.9, "soft": 0.0,
            # a cosine within `marginal` of the duplicate threshold also needs this mean word alignment:
            # same-topic statements in two languages ("museums transcribe archives" / "museums should review
            # colonial texts") reach the threshold on topic alone, with few words in common
            "marginal": 0.1, "marginal_soft": 0.65}
SCOPE_AFTER = 2      # content words after a negation that it may apply to
SCOPE_WINDOW = 5     # ... within this many tokens
NEAR_FLOOR = 0.5     # character similarity below which no threshold cares about the exact value
TYPO = 0.8           # character similarity of two left-over words that makes them one word misspelt
PREFIX = 5           # a shared prefix this long (and most of the shorter word) aligns two words
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W_]+")


@dataclass(slots=True)
class Claim:
    """One statement analysed for comparison."""

    text: str
    lang: str
    tokens: list[str]
    content: list[int]                  # token indices of content words
    weights: dict[int, float]
    cues: list[Cue]
    numbers: frozenset[str]
    entities: frozenset[int]
    norm: str                           # folded alphanumerics, for near-copy checks
    keys: dict[int, set[str]] = field(default_factory=dict)
    by_key: dict[str, list[int]] = field(default_factory=dict)    # key -> positions in `content`
    by_head: dict[str, list[int]] = field(default_factory=dict)   # first PREFIX letters -> positions

    def words(self, idx: Sequence[int]) -> list[str]:
        return [self.tokens[i] for i in idx]


def normalise_text(text: str) -> str:
    """Case, accents, punctuation and spacing removed: the key of an exact copy."""
    folded = text.lower() if text.isascii() else fold(text)
    return " ".join(_WORD.findall(folded))


def analyse(text: str, lang: str | None, rules: StanceRules) -> Claim:
    lang = (lang or "und").lower()
    cues_of_lang = rules.lang(lang)
    expanded = expand_attached(text, cues_of_lang)
    surface = _TOKEN.findall(expanded)
    tokens = [t.lower() for t in surface]
    cues = find_cues(tokens, lang, rules)
    in_negation = {i for c in cues if c.kind != "antonym" for i in range(c.start, c.end)}
    stops = stop_words(lang) | cues_of_lang.ignore
    content, weights, entities, keys = [], {}, set(), {}
    for i, (s, t) in enumerate(zip(surface, tokens)):
        if i in in_negation or t in stops or (len(t) < 2 and not t.isdigit() and not _is_han(t)):
            continue
        content.append(i)
        is_entity = _is_entity(s, i, surface, lang)
        if is_entity:
            entities.add(i)
        weights[i] = 2.0 if (is_entity or t.isdigit()) else 1.0
        folded = _fold(t)
        k = {folded}
        if t in rules.equivalents or folded in rules.equivalents:
            k.add("=" + rules.equivalents.get(t, rules.equivalents.get(folded, t)))
        sk = stem_key(t, lang)
        if sk:
            k.add("s:" + sk)
        keys[i] = k
    numbers = frozenset(_number(m) for m in _NUMBER.findall(text))
    by_key: dict[str, list[int]] = {}
    by_head: dict[str, list[int]] = {}
    for x, i in enumerate(content):
        for key in keys[i]:
            by_key.setdefault(key, []).append(x)
        if len(tokens[i]) >= PREFIX:
            by_head.setdefault(tokens[i][:PREFIX], []).append(x)
    return Claim(text, lang, tokens, content, weights, cues, numbers, frozenset(entities), normalise_text(text), keys,
                 by_key, by_head)


def _is_han(t: str) -> bool:
    return len(t) == 1 and "\u3400" <= t <= "\ufaff"


def _number(s: str) -> str:
    s = s.replace(",", ".")
    return s.lstrip("0") or "0"


def _is_entity(surface: str, i: int, all_tokens: list[str], lang: str) -> bool:
    """Acronyms anywhere; capitalised words inside a sentence, except in German (all nouns are)."""
    letters = [c for c in surface if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return True
    if lang == "de" or i == 0 or not surface[:1].isupper():
        return False
    return not all_tokens[i - 1].endswith((".", "!", "?"))


# ---------------------------------------------------------------- comparing


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


class ClaimJudge:
    """Compares analysed statements; holds the word vectors it needs."""

    def __init__(self, embedder, thresholds: dict[str, float] | None = None, checks: Sequence[str] = CHECKS,
                 rules: StanceRules | None = None):
        from statementkit.stance import load_stance

        self.embedder = embedder
        self.rules = rules or load_stance()
        self.t = {**DEFAULTS, **(thresholds or {})}
        self.checks = frozenset(checks)
        self._vectors: dict[str, np.ndarray] = {}

    def prepare(self, claims: Sequence[Claim]) -> None:
        """Encode, in one batch, every content word not seen yet."""
        if self.embedder is None:
            return
        from statementkit.embed import encode

        todo = sorted({c.tokens[i] for c in claims for i in c.content} - self._vectors.keys())
        if todo:
            vecs = encode(self.embedder, todo)
            self._vectors.update(zip(todo, vecs))

    def _similarity(self, a: Claim, b: Claim) -> tuple[np.ndarray, np.ndarray]:
        """Word alignment scores, and which of them rest on the words' form alone (no vectors)."""
        sim = np.zeros((len(a.content), len(b.content)), dtype=np.float32)
        lexical = np.zeros(sim.shape, dtype=bool)
        if self.embedder is not None and a.content and b.content:
            va = np.stack([self._vectors[a.tokens[i]] for i in a.content])
            vb = np.stack([self._vectors[b.tokens[j]] for j in b.content])
            sim = va @ vb.T
        if a.content and b.content:
            same = np.zeros(sim.shape, dtype=bool)
            for key, xs in a.by_key.items():
                ys = b.by_key.get(key)
                if ys:
                    same[np.ix_(xs, ys)] = True
            digits_a = np.array([a.tokens[i].isdigit() for i in a.content])
            digits_b = np.array([b.tokens[j].isdigit() for j in b.content])
            sim[digits_a[:, None] | digits_b[None, :]] = 0.0  # numbers align only with the same number
            for head, xs in a.by_head.items():
                for y in b.by_head.get(head, ()):
                    for x in xs:
                        if not same[x, y] and _prefix_match(a.tokens[a.content[x]], b.tokens[b.content[y]]):
                            sim[x, y] = max(sim[x, y], 0.9)
                            lexical[x, y] = True
            sim[same] = 1.0
            lexical |= same
        for ca in a.cues:  # words of one antonym concept are counterparts (allow / verbieten)
            if ca.kind != "antonym":
                continue
            for cb in b.cues:
                if cb.kind == "antonym" and ca.concepts & cb.concepts:
                    for x, i in enumerate(a.content):
                        if ca.start <= i < ca.end:
                            for y, j in enumerate(b.content):
                                if cb.start <= j < cb.end:
                                    sim[x, y] = 1.0
                                    lexical[x, y] = True
        return sim, lexical

    def features(self, a: Claim, b: Claim) -> PairFeatures:
        """What the two statements share and where they differ (independent of the cosine)."""
        sim, lexical = self._similarity(a, b)
        word = self.t["word"]
        if sim.size:
            # mutual best matches align at a lower cosine: word vectors across languages are weaker
            # than within one ("Einrichtungen" ~ "institutions"), but a pair that prefers each other
            # is a translation far more often than not
            best_b, best_a = sim.argmax(axis=1), sim.argmax(axis=0)
            mutual = np.zeros_like(sim, dtype=bool)
            rows = np.arange(len(a.content))
            mutual[rows, best_b] = best_a[best_b] == rows
            sim = np.where(mutual & (sim >= self.t["mutual"]), np.maximum(sim, word), sim)
            matched_a = sim.max(axis=1) >= word
            matched_b = sim.max(axis=0) >= word
        else:
            matched_a, matched_b = np.zeros(len(a.content), bool), np.zeros(len(b.content), bool)
        ok_a = {i for i, m in zip(a.content, matched_a) if m}
        ok_b = {j for j, m in zip(b.content, matched_b) if m}
        # the same words (form, stem, prefix, typo, antonym concept): vectors call "town" and "city"
        # alike, which is right for alignment but not for telling a claim from its substitute
        lex_a = {i for i, m in zip(a.content, lexical.any(axis=1)) if m} if lexical.size else set()
        lex_b = {j for j, m in zip(b.content, lexical.any(axis=0)) if m} if lexical.size else set()
        extra_a, extra_b = [], []
        if a.lang == b.lang:
            extra_a, extra_b = _prefix_negations(a, b, ok_a, ok_b, self.rules)
            _prefix_negations(a, b, lex_a, lex_b, self.rules)
            _typos(a, b, ok_a, ok_b)
            _typos(a, b, lex_a, lex_b)
        miss_a = [a.tokens[i] for i in a.content if i not in ok_a]
        miss_b = [b.tokens[j] for j in b.content if j not in ok_b]
        cross = a.lang != b.lang and "und" not in (a.lang, b.lang)
        partners_a, partners_b = {}, {}
        if sim.size:
            for x, y in zip(*np.nonzero(sim >= word)):
                partners_a.setdefault(a.content[x], set()).add(b.content[y])
                partners_b.setdefault(b.content[y], set()).add(a.content[x])
        soft = 1.0
        if sim.size:
            wa = np.array([a.weights[i] for i in a.content])
            wb = np.array([b.weights[j] for j in b.content])
            best_a = np.clip(sim.max(axis=1), 0, 1)
            best_b = np.clip(sim.max(axis=0), 0, 1)
            best_a[[i in ok_a for i in a.content]] = 1.0
            best_b[[j in ok_b for j in b.content]] = 1.0
            soft = float(min((best_a * wa).sum() / wa.sum(), (best_b * wb).sum() / wb.sum()))
        elif a.content or b.content:
            soft = 0.0
        return PairFeatures(
            soft=soft,
            exact=a.norm == b.norm,
            near_copy=0.0 if cross else _near_copy(a.norm, b.norm),
            coverage=min(_coverage(a, ok_a), _coverage(b, ok_b)),
            unmatched=(miss_a, miss_b),
            negatives=([c.text for c in _polarity(a, ok_a, _concepts(b), partners_a, _polar(b), not cross)]
                       + extra_a,
                       [c.text for c in _polarity(b, ok_b, _concepts(a), partners_b, _polar(a), not cross)]
                       + extra_b),
            numbers=(sorted(a.numbers - b.numbers), sorted(b.numbers - a.numbers))
            if a.numbers and b.numbers else ([], []),
            names=([a.tokens[i] for i in sorted(a.entities) if i not in ok_a],
                   [b.tokens[j] for j in sorted(b.entities) if j not in ok_b]) if not cross else ([], []),
            cross_lingual=cross,
            substitution=not cross and any(i not in lex_a for i in a.content)
            and any(j not in lex_b for j in b.content),
            swapped=([a.tokens[i] for i in a.content if i not in lex_a],
                     [b.tokens[j] for j in b.content if j not in lex_b]),
            opposed=_opposed(a, b))

    def compare(self, a: Claim, b: Claim, cosine: float) -> Comparison:
        """Same claim, opposite stance, or a different claim? Symmetric in a and b."""
        return verdict(self.features(a, b), cosine, self.t, self.checks)


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

    @property
    def flip(self) -> bool:
        """An odd difference in negations, or negations on one side only ("not ... nothing" vs none)."""
        na, nb = len(self.negatives[0]), len(self.negatives[1])
        return (na - nb) % 2 == 1 or (na == 0) != (nb == 0)


def verdict(f: PairFeatures, cosine: float, t: dict[str, float], checks: Sequence[str] = CHECKS) -> Comparison:
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
    than `marginal` above the threshold) decide.
    """
    on = checks
    if "copy" in on and f.exact:
        return Comparison(True, True, "exact copy", 1.0, 1.0)
    miss = f.unmatched
    flipped = "stance" in on and f.flip
    # a flip on little shared content is weak evidence: it decides only if nothing else does,
    # but a pair that is no duplicate for another reason still reports the opposite stance
    res = lambda dup, reason: Comparison(dup, dup or not flipped, reason, f.coverage, f.near_copy, miss)  # noqa: E731
    # words of one antonym concept with opposite signs ("beschleunigen" / "spowolnić", "most" / "least")
    # name what is opposed, so they need no coverage; otherwise most content must be shared
    if flipped and (f.opposed or f.coverage >= t["stance_coverage_cross" if f.cross_lingual else "stance_coverage"]):
        return res(False, "opposite stance ({} vs {})".format("/".join(f.negatives[0]) or "-",
                                                             "/".join(f.negatives[1]) or "-"))
    if "numbers" in on and (f.numbers[0] or f.numbers[1]):
        return res(False, "different numbers ({} vs {})".format(", ".join(f.numbers[0]) or "-",
                                                               ", ".join(f.numbers[1]) or "-"))
    if "substitution" in on and f.substitution and f.near_copy >= t["frame"] and cosine < t["substitution"]:
        return res(False, "different claim ({} vs {})".format(", ".join(f.swapped[0][:3]),
                                                             ", ".join(f.swapped[1][:3])))
    if "copy" in on and f.near_copy >= t["near_copy"]:
        return res(True, "near-exact copy")
    if "names" in on and f.names[0] and f.names[1]:
        return res(False, "different names ({} vs {})".format(", ".join(f.names[0]), ", ".join(f.names[1])))
    needed = t["duplicate_cross" if f.cross_lingual else "duplicate"]
    if cosine < needed or f.soft < t["soft"]:
        return res(False, "related")
    if cosine < needed + t.get("marginal", 0.0) and f.soft < t.get("marginal_soft", 0.0):
        return res(False, "related (few words in common)")
    return res(True, "translation" if f.cross_lingual else "paraphrase")


def _prefix_negations(a: Claim, b: Claim, ok_a: set[int], ok_b: set[int], rules: StanceRules):
    """Words that are another word of the pair with a negative prefix: ethical / unethical."""
    extra_a, extra_b = [], []
    prefixes = rules.lang(a.lang).negative_prefixes
    if not prefixes:
        return extra_a, extra_b
    polar_a, polar_b = _polar(a), _polar(b)  # already counted as antonyms (geschikt / ongeschikt)
    for this, other, polar_this, polar_other, extra, ok_this, ok_other in (
            (a, b, polar_a, polar_b, extra_a, ok_a, ok_b), (b, a, polar_b, polar_a, extra_b, ok_b, ok_a)):
        plain = {}
        for j in other.content:
            plain.setdefault(_fold(other.tokens[j]), []).append(j)
        for i in this.content:
            word = _fold(this.tokens[i])
            for p in prefixes:
                if not word.startswith(p):
                    continue
                rest = word[len(p):].lstrip("-")
                if len(rest) < 4:
                    continue
                for j in plain.get(rest, ()):
                    if i in polar_this and j in polar_other:
                        continue
                    extra.append(this.tokens[i])
                    ok_this.add(i)
                    ok_other.add(j)
    return extra_a, extra_b


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
            m = SequenceMatcher(None, wa, wb, autojunk=False)
            if m.quick_ratio() >= TYPO and m.ratio() >= TYPO:
                ok_a.add(i)
                ok_b.add(j)
                break


def _coverage(c: Claim, ok: set[int]) -> float:
    total = sum(c.weights.values())
    if total == 0:
        return 1.0
    return sum(w for i, w in c.weights.items() if i in ok) / total


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
    bound = matcher.quick_ratio()
    return bound if bound < NEAR_FLOOR else matcher.ratio()


def _polar(c: Claim) -> set[int]:
    """Token indices of the statement's antonym words (either sign)."""
    return {i for cue in c.cues if cue.kind == "antonym" for i in range(cue.start, cue.end)}


def _opposed(a: Claim, b: Claim) -> bool:
    """Does a concept appear with a plus word on one side and a minus word on the other?"""
    signs_a = {(k, cue.sign) for cue in a.cues if cue.kind == "antonym" for k in cue.concepts}
    return any((k, -cue.sign) in signs_a for cue in b.cues if cue.kind == "antonym" for k in cue.concepts)


def _concepts(c: Claim) -> set[str]:
    return {k for cue in c.cues if cue.kind == "antonym" for k in cue.concepts}


def _scope(c: Claim, cue: Cue) -> list[int]:
    """Content words a cue applies to: the next ones, else the previous one."""
    after = [i for i in c.content if cue.end <= i < cue.end + SCOPE_WINDOW][:SCOPE_AFTER]
    if after:
        return after
    before = [i for i in c.content if cue.start - SCOPE_WINDOW <= i < cue.start]
    return before[-1:]


def _polarity(c: Claim, ok: set[int], other_concepts: set[str], partners: dict[int, set[int]],
              other_polar: set[int], scoped: bool = True) -> list[Cue]:
    """The negative cues of `c` that bear on content shared with the other statement.

    A negation counts when a content word it applies to has a counterpart. A
    negative antonym ("forbid", "reduce") counts when the other statement
    speaks of the same concept, or when its counterpart there is itself a
    stance word; aligned with a plain word ("prevent" ~ "tackle") it is taken
    as a paraphrase; with no counterpart it counts like a negation.
    `scoped=False` (pairs in two languages, where word alignment is too weak
    to tell what a negation applies to) counts every negation.
    """
    counted = []
    for cue in c.cues:
        if cue.kind == "antonym":
            if cue.sign > 0:
                continue
            if cue.concepts & other_concepts:
                counted.append(cue)
                continue
            aligned = set().union(*(partners.get(i, set()) for i in range(cue.start, cue.end)))
            if aligned:
                if aligned & other_polar:
                    counted.append(cue)
                continue
        scope = _scope(c, cue) if scoped else []
        if not scope or any(i in ok for i in scope):
            counted.append(cue)
    return counted
