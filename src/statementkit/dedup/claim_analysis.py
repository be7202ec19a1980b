"""First half of the second stage: one statement analysed for comparison with its candidates.

`analyse` tokenises a statement, finds its stance cues (`stance.find_cues`),
picks its content words (spaCy stop words and the rules' `ignore` lists
removed), marks numbers and names, and works out the keys its words match by
(accent fold, Snowball stem, cross-language abbreviation, shared prefix).
Everything a comparison looks up is derived here, once per statement: one
statement meets up to 20 candidates in a search, and judging a pair takes
about a tenth of a millisecond, so per-pair recomputation would dominate.
`claims.ClaimJudge` compares two `Claim`s.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from sys import intern
from typing import NamedTuple

import numpy as np

from statementkit.dedup.stance import (
    Cue,
    StanceRules,
    expand_attached,
    find_cues,
    stem_key,
)
from statementkit.text.nlp import stop_words
from statementkit.text.normalise import fold, fold_word, word_pieces

SCOPE_AFTER = 2      # content words after a negation that it may apply to
SCOPE_WINDOW = 5     # ... within this many tokens
PREFIX = 5           # a shared prefix this long (and most of the shorter word) aligns two words
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W_]+")


@dataclass(slots=True)
class Claim:
    """One statement analysed for comparison, with what every comparison looks up."""

    text: str
    lang: str
    tokens: list[str]
    content: tuple[int, ...]            # token indices of content words
    weights: tuple[float, ...]          # per content word: 2 for a number or a name, else 1
    cues: tuple[Cue, ...]
    numbers: frozenset[str]
    entities: frozenset[int]
    norm: str                           # folded alphanumerics, for near-copy checks
    by_key: dict[str, tuple[int, ...]] = field(default_factory=dict)    # key -> positions in `content`
    by_head: dict[str, tuple[int, ...]] = field(default_factory=dict)   # first PREFIX letters -> positions
    # derived once per statement in `analyse`
    terms: tuple[str, ...] = ()                                    # the content words, in order
    weight: np.ndarray | None = None                              # `weights` as an array
    weight_total: float = 0.0                                     # ... their sum (whole numbers: exact in any order)
    digits: np.ndarray | None = None                              # which content words are numbers
    has_digits: bool = False
    polar: frozenset[int] = frozenset()                           # token indices of antonym words (either sign)
    concepts: frozenset[str] = frozenset()                        # antonym concepts it speaks of
    signs: frozenset[tuple[str, int]] = frozenset()               # (concept, sign) of its antonym words
    cue_positions: tuple[tuple[int, ...], ...] = ()               # per cue: positions in `content` inside it
    scopes: tuple[tuple[int, ...], ...] = ()                      # per cue: content words it applies to
    plain: dict[str, tuple[int, ...]] = field(default_factory=dict)  # folded content word -> token indices
    negated: tuple[tuple[int, tuple[str, ...]], ...] = ()         # (token index, `_word` rests)
    rows: np.ndarray | None = None      # rows of the content words in `rows_in`, a judge's `WordVectors`
    rows_in: object = None


def normalise_text(text: str) -> str:
    """Case, accents, punctuation and spacing removed: the key of an exact copy."""
    return " ".join(_WORD.findall(fold(text)))


def analyse(text: str, lang: str | None, rules: StanceRules) -> Claim:
    """Tokens, stance cues, content words with their keys, numbers and names of one statement."""
    lang = (lang or "und").lower()
    cues_of_lang = rules.lang(lang)
    expanded = expand_attached(text, cues_of_lang)
    surface = word_pieces(expanded)
    tokens = [intern(t.lower()) for t in surface]  # one string per word across all claims: 100 k claims hold ~2.7 M
    cues = find_cues(tokens, lang, rules)
    in_negation = {i for c in cues if c.kind != "antonym" for i in range(c.start, c.end)}
    words = rules.memo("words:" + lang, lambda t: _word(t, lang, rules))
    info = [words[t] for t in tokens]
    content = [i for i, w in enumerate(info) if w.content and i not in in_negation]
    terms = [tokens[i] for i in content]
    # an all-lowercase word is neither an acronym nor capitalised: most words skip the test
    entities = frozenset(i for i in content if not surface[i].islower() and _is_entity(surface[i], i, surface, lang))
    weights_of = {i: 2.0 if (i in entities or info[i].digit) else 1.0 for i in content}
    by_key: dict[str, list[int]] = {}
    by_head: dict[str, list[int]] = {}
    for x, i in enumerate(content):
        for key in info[i].keys:
            by_key.setdefault(key, []).append(x)
        if len(tokens[i]) >= PREFIX:
            by_head.setdefault(tokens[i][:PREFIX], []).append(x)
    plain: dict[str, list[int]] = {}
    for i in content:
        plain.setdefault(info[i].folded, []).append(i)
    antonyms = [cue for cue in cues if cue.kind == "antonym"]
    weights = _shared_weights(tuple(weights_of[i] for i in content))
    return Claim(
        text, lang, tokens, _shared(tuple(content)), weights, tuple(cues),
        _frozen(_number(m) for m in _NUMBER.findall(text)), _frozen(entities),
        normalise_text(text), _shared_values(by_key), _shared_values(by_head),
        terms=tuple(terms), weight=_shared_array(weights, np.float64), weight_total=sum(weights),
        digits=_shared_array(tuple(info[i].digit for i in content), np.bool_), has_digits=any(info[i].digit for i in content),
        polar=_frozen(i for cue in antonyms for i in range(cue.start, cue.end)),
        concepts=_frozen(k for cue in antonyms for k in cue.concepts),
        signs=_frozen((k, cue.sign) for cue in antonyms for k in cue.concepts),
        cue_positions=tuple(_shared(tuple(x for x, i in enumerate(content) if cue.start <= i < cue.end)) for cue in cues),
        scopes=tuple(_shared(tuple(_scope(content, cue))) for cue in cues),
        plain=_shared_values(plain), negated=tuple((i, info[i].rests) for i in content if info[i].rests))


# 100 k claims hold millions of small position lists and sets, most of them alike ((0,), (1,), the empty
# set): one shared copy of each immutable value instead took a claim from ~10.6 KB to ~5 KB
_EMPTY: frozenset = frozenset()


def _frozen(items: Iterable) -> frozenset:
    found = frozenset(items)
    return found if found else _EMPTY


@lru_cache(maxsize=1 << 16)
def _shared(values: tuple) -> tuple:
    """One copy of each position tuple across claims."""
    return values


@lru_cache(maxsize=1 << 12)
def _shared_weights(values: tuple) -> tuple:
    """One copy of each weight tuple (apart from `_shared`: (1.0, 2.0) == (1, 2) as a cache key)."""
    return values


def _shared_values(table: dict[str, list[int]]) -> dict[str, tuple[int, ...]]:
    return {key: _shared(tuple(values)) for key, values in table.items()}


@lru_cache(maxsize=4096)
def _shared_array(values: tuple, dtype) -> np.ndarray:
    """One read-only array per distinct value sequence: most claims' weights are all 1.0 and their
    digit flags all False, and a small array costs ~0.4 KB, 100 k claims twice over."""
    out = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out


def analyse_many(statements: Iterable[tuple[str, str | None]], rules: StanceRules) -> list[Claim]:
    """`analyse` each (text, lang), with the cyclic garbage collector paused.

    Every claim keeps a few dozen small lists, sets and dicts alive, none in a
    cycle; with the collector on, re-scanning them as they pile up took about
    as long as the analysis itself (6,000 statements: 1.2 s instead of 0.65 s).
    """
    with paused_gc():
        return [analyse(text, lang, rules) for text, lang in statements]


@contextmanager
def paused_gc():
    """No cyclic garbage collection inside (reference counting still frees everything acyclic).

    What was made meanwhile joins the oldest generation unscanned (freeze, unfreeze): otherwise the
    first collection after the pause would scan all of it at once (6,000 claims: 0.06 s).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


class _Word(NamedTuple):
    """What `analyse` needs to know about one lowercase word, the same in every statement."""

    folded: str
    keys: frozenset[str]          # what it matches by: folded form, "=" cross-language equivalent, "s:" stem
    rests: tuple[str, ...]        # the word without each negative prefix it starts with (ethical / unethical)
    content: bool                 # neither a stop word nor a stray letter
    digit: bool


def _word(t: str, lang: str, rules: StanceRules) -> _Word:
    """Worked out once per word and language (`StanceRules.memo`)."""
    folded = fold_word(t)
    keys = {folded}
    if t in rules.equivalents or folded in rules.equivalents:
        keys.add("=" + rules.equivalents.get(t, rules.equivalents.get(folded, t)))
    stem = stem_key(t, lang)
    if stem:
        keys.add("s:" + stem)
    rests = []
    for p in rules.lang(lang).negative_prefixes:
        rest = folded[len(p):].lstrip("-") if folded.startswith(p) else ""
        if len(rest) >= 4:
            rests.append(rest)
    stray = len(t) < 2 and not t.isdigit() and not _is_han(t)
    content = not (t in stop_words(lang) or t in rules.lang(lang).ignore or stray)
    return _Word(folded, frozenset(keys), tuple(rests), content, t.isdigit())


def _is_han(t: str) -> bool:
    return len(t) == 1 and "\u3400" <= t <= "\ufaff"


def _number(s: str) -> str:
    s = s.replace(",", ".")
    return s.lstrip("0") or "0"


def _is_entity(surface: str, i: int, all_tokens: list[str], lang: str) -> bool:
    """Acronyms anywhere; capitalised words inside a sentence, except in German (all nouns are)."""
    if surface.isascii():  # the same test, cheaper: ASCII letters are the cased characters
        if surface.isupper() and sum(c.isalpha() for c in surface) >= 2:
            return True
    else:
        letters = [c for c in surface if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return True
    if lang == "de" or i == 0 or not surface[:1].isupper():
        return False
    return not all_tokens[i - 1].endswith((".", "!", "?"))


def _scope(content: list[int], cue: Cue) -> list[int]:
    """Content words a cue applies to: the next ones, else the previous one."""
    after = [i for i in content if cue.end <= i < cue.end + SCOPE_WINDOW][:SCOPE_AFTER]
    if after:
        return after
    before = [i for i in content if cue.start - SCOPE_WINDOW <= i < cue.start]
    return before[-1:]
