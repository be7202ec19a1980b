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
from statementkit.stance import Cue, StanceRules, _TOKEN, expand_attached, find_cues, stem_key

#: Defaults when a model's registry entry does not calibrate a threshold.
DEFAULTS = {"candidate": 0.5, "duplicate": 0.7, "word": 0.6, "coverage": 0.75, "near_copy": 0.9}
SCOPE_AFTER = 2      # content words after a negation that it may apply to
SCOPE_WINDOW = 5     # ... within this many tokens
PREFIX = 5           # a shared prefix this long (and most of the shorter word) aligns two words
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


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

    def words(self, idx: Sequence[int]) -> list[str]:
        return [self.tokens[i] for i in idx]


def normalise_text(text: str) -> str:
    """Case, accents, punctuation and spacing removed: the key of an exact copy."""
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


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
        k = {fold(t)}
        if t in rules.equivalents or fold(t) in rules.equivalents:
            k.add("=" + rules.equivalents.get(t, rules.equivalents.get(fold(t), t)))
        sk = stem_key(t, lang)
        if sk:
            k.add("s:" + sk)
        keys[i] = k
    numbers = frozenset(_number(m) for m in _NUMBER.findall(text))
    return Claim(text, lang, tokens, content, weights, cues, numbers, frozenset(entities), normalise_text(text), keys)


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


class ClaimJudge:
    """Compares analysed statements; holds the word vectors it needs."""

    def __init__(self, embedder, thresholds: dict[str, float] | None = None):
        self.embedder = embedder
        self.t = {**DEFAULTS, **(thresholds or {})}
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

    def _similarity(self, a: Claim, b: Claim) -> np.ndarray:
        sim = np.zeros((len(a.content), len(b.content)), dtype=np.float32)
        if self.embedder is not None and a.content and b.content:
            va = np.stack([self._vectors[a.tokens[i]] for i in a.content])
            vb = np.stack([self._vectors[b.tokens[j]] for j in b.content])
            sim = va @ vb.T
        for x, i in enumerate(a.content):
            ta, ka = a.tokens[i], a.keys[i]
            for y, j in enumerate(b.content):
                tb = b.tokens[j]
                if ka & b.keys[j]:
                    sim[x, y] = 1.0
                elif ta.isdigit() or tb.isdigit():
                    sim[x, y] = 0.0  # numbers align only with the same number
                elif _prefix_match(ta, tb):
                    sim[x, y] = max(sim[x, y], 0.9)
        concepts_b = {}
        for c in b.cues:
            if c.kind == "antonym":
                concepts_b.setdefault(c.concept, set()).update(range(c.start, c.end))
        for c in a.cues:  # words of one antonym concept are counterparts (allow / verbieten)
            if c.kind == "antonym" and c.concept in concepts_b:
                for x, i in enumerate(a.content):
                    if c.start <= i < c.end:
                        for y, j in enumerate(b.content):
                            if j in concepts_b[c.concept]:
                                sim[x, y] = 1.0
        return sim

    def compare(self, a: Claim, b: Claim, cosine: float) -> Comparison:
        """Same claim, opposite stance, or a different claim? Symmetric in a and b."""
        t = self.t
        sim = self._similarity(a, b)
        matched_a = sim.max(axis=1) >= t["word"] if sim.size else np.zeros(len(a.content), bool)
        matched_b = sim.max(axis=0) >= t["word"] if sim.size else np.zeros(len(b.content), bool)
        ok_a = {i for i, m in zip(a.content, matched_a) if m}
        ok_b = {j for j, m in zip(b.content, matched_b) if m}
        cov_a = _coverage(a, ok_a)
        cov_b = _coverage(b, ok_b)
        coverage = min(cov_a, cov_b)
        miss_a = [a.tokens[i] for i in a.content if i not in ok_a]
        miss_b = [b.tokens[j] for j in b.content if j not in ok_b]
        near = _near_copy(a.norm, b.norm)

        neg_a = _polarity(a, ok_a, _concepts(b))
        neg_b = _polarity(b, ok_b, _concepts(a))
        if (len(neg_a) - len(neg_b)) % 2:
            said = "/".join(c.text for c in neg_a) or "-"
            other = "/".join(c.text for c in neg_b) or "-"
            return Comparison(False, False, f"opposite stance ({said} vs {other})", coverage, near,
                              (miss_a, miss_b))
        if a.numbers and b.numbers and a.numbers != b.numbers:
            return Comparison(False, True, "different numbers ({} vs {})".format(
                ", ".join(sorted(a.numbers - b.numbers)) or "-", ", ".join(sorted(b.numbers - a.numbers)) or "-"),
                coverage, near, (miss_a, miss_b))
        if a.norm == b.norm:
            return Comparison(True, True, "exact copy", 1.0, 1.0)
        if near >= t["near_copy"]:
            return Comparison(True, True, "near-exact copy", coverage, near, (miss_a, miss_b))
        ent_a = [a.tokens[i] for i in a.entities if i not in ok_a]
        ent_b = [b.tokens[j] for j in b.entities if j not in ok_b]
        if ent_a and ent_b:
            return Comparison(False, True, f"different names ({', '.join(ent_a)} vs {', '.join(ent_b)})",
                              coverage, near, (miss_a, miss_b))
        if cosine < t["duplicate"]:
            return Comparison(False, True, "related", coverage, near, (miss_a, miss_b))
        if coverage < t["coverage"]:
            return Comparison(False, True, "different claim ({} vs {})".format(
                ", ".join(miss_a[:4]) or "-", ", ".join(miss_b[:4]) or "-"), coverage, near, (miss_a, miss_b))
        kind = "translation" if a.lang != b.lang and "und" not in (a.lang, b.lang) else "paraphrase"
        return Comparison(True, True, kind, coverage, near, (miss_a, miss_b))


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
    if not a or not b:
        return 0.0
    if min(len(a), len(b)) < 0.8 * max(len(a), len(b)):
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _concepts(c: Claim) -> set[str]:
    return {cue.concept for cue in c.cues if cue.kind == "antonym" and cue.concept}


def _scope(c: Claim, cue: Cue) -> list[int]:
    """Content words a cue applies to: the next ones, else the previous one."""
    after = [i for i in c.content if cue.end <= i < cue.end + SCOPE_WINDOW][:SCOPE_AFTER]
    if after:
        return after
    before = [i for i in c.content if cue.start - SCOPE_WINDOW <= i < cue.start]
    return before[-1:]


def _polarity(c: Claim, ok: set[int], other_concepts: set[str]) -> list[Cue]:
    """The negative cues of `c` that bear on content shared with the other statement."""
    counted = []
    for cue in c.cues:
        if cue.kind == "antonym":
            if cue.sign > 0:
                continue
            if cue.concept in other_concepts:
                counted.append(cue)
                continue
            if any(i in ok for i in range(cue.start, cue.end)):
                continue  # aligned with a word of unknown polarity: a paraphrase ("prevent" ~ "tackle")
        scope = _scope(c, cue)
        if not scope or any(i in ok for i in scope):
            counted.append(cue)
    return counted
