"""What the checks look at: a statement cut into matchable units and sentences.

Every language gets the fast analysis of `nlp` (tokenizer + lookup lemmas, or
stems where no lemmas exist). Each token becomes a `Unit` whose `keys` hold its
case- and accent-folded surface form and lemma, so a lexicon entry matches every
inflection the lemmatiser knows and text typed without diacritics. Hyphenated
compounds (`KI-Texte`, `AI-fans`) are also split into their parts, so `KI`
matches inside them. The full spaCy parse (English, French) is added later,
only to the statements a check asks to parse (`statementkit.text.parsing`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from statementkit.records import Statement
from statementkit.text import nlp
from statementkit.text.normalise import fold_word, lowercase

_END_CHARS = frozenset(".!?…")
_CLOSERS = frozenset({"\"", "”", "»", ")", "'", "’"})
_HYPHENS = "-‐‑–"
_SPLIT_HYPHEN = re.compile(r"[\w']+", re.UNICODE)
_HAS_HYPHEN = re.compile(r"[-‐‑–]")
#: Languages whose lookup lemmas are missing or weak: add the Snowball stem as a key.
STEM_KEYS = frozenset({"pl"})


@dataclass(slots=True)
class Unit:
    """One matchable word or punctuation mark, with character offsets into the text."""

    text: str
    start: int
    end: int
    keys: frozenset[str]
    fold: str            # lowercased, accents stripped
    punct: bool
    sent: int = 0
    part: bool = False   # a part of a hyphenated compound
    lower: str = ""      # lowercased, accents kept
    lemma: str = ""      # folded lemma (or stem)

    @property
    def acronym(self) -> bool:
        return len(self.text) >= 2 and self.text.isupper()


@dataclass(slots=True)
class Doc:
    """One statement as the checks see it."""

    index: int
    statement: Statement
    lang: str
    units: list[Unit]
    sentences: list[tuple[int, int]]  # unit index ranges [start, end)
    parse: list[nlp.Token] | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # per-check intermediate results

    @property
    def text(self) -> str:
        return self.statement.text

    @property
    def words(self) -> list[Unit]:
        return [u for u in self.units if not u.punct]


@lru_cache(maxsize=131072)
def word_keys(word: str, lemma: str, lang: str) -> frozenset[str]:
    """Matching keys of a word: folded surface and lemma (+ stem where lemmas are weak).

    Function words (the language's stop words) match by form only: lookup
    tables conflate them (English `as` -> `a`, Italian `più` -> `molto`,
    Spanish `los` -> `el`), which would make `as .. said` match "a written".
    """
    f = fold_word(word)
    if f in nlp.stop_words(lang) or word.lower() in nlp.stop_words(lang):
        return frozenset({f})
    keys = {f, fold_word(lemma)}
    if lang in STEM_KEYS and word.isalpha():
        keys.add(fold_word(nlp.stem(word, lang)))
    return frozenset(k for k in keys if k)


def _is_punct(text: str) -> bool:
    return all(not ch.isalnum() for ch in text)


def units_of(tokens: Sequence[nlp.Token], lang: str) -> list[Unit]:
    """Units from tokens: hyphenated compounds also yield their parts."""
    out: list[Unit] = []
    for t in tokens:
        for text, a, b, keys, fold, punct, part, lower, lemma in _unit_facts(t.text, t.lemma, t.is_punct, t.is_alpha,
                                                                             lang):
            out.append(Unit(text, t.start + a, t.start + b, keys, fold, punct, part=part, lower=lower, lemma=lemma))
    return out


def _units_of_text(text: str, lang: str) -> list[Unit]:
    """`units_of` the fast analysis (`nlp.analyse_many(..., parse=False)`) of a text, without
    building its tokens: one cache look-up per token."""
    out: list[Unit] = []
    for tok, start, _ in nlp.tokenize(text, lang):
        for word, a, b, keys, fold, punct, part, lower, lemma in _token_units(tok, lang):
            out.append(Unit(word, start + a, start + b, keys, fold, punct, part=part, lower=lower, lemma=lemma))
    return out


@lru_cache(maxsize=131072)
def _token_units(tok: str, lang: str) -> tuple[tuple, ...]:
    lemma, _, punct, alpha = nlp.token_facts(tok, lang)
    return _unit_facts(tok, lemma, punct, alpha, lang)


@lru_cache(maxsize=131072)
def _unit_facts(text: str, lemma: str, is_punct: bool, is_alpha: bool, lang: str) -> tuple[tuple, ...]:
    """What `units_of` makes of one token, offsets relative to it: the same forms recur in every
    text, so each is worked out once."""
    if is_punct or (not is_alpha and _is_punct(text)):
        f = fold_word(text)
        if len(f) > 1 and f[0] in "!?" and f == f[0] * len(f):
            f = f[0]  # "!!!" is the "!" of the lexicons, said louder
        return ((text, 0, len(text), frozenset({f}), f, True, False, f, f),)
    if not is_alpha and _HAS_HYPHEN.search(text.strip(_HYPHENS)) and not text[:1].isdigit():
        out = []
        for m in _SPLIT_HYPHEN.finditer(text):
            part = m.group(0)
            part_lemma = nlp.lemma_of(part, lang)
            out.append((part, m.start(), m.end(), word_keys(part, part_lemma, lang), fold_word(part), False, True,
                        lowercase(part), fold_word(part_lemma)))
        return tuple(out)
    return ((text, 0, len(text), word_keys(text, lemma, lang), fold_word(text), False, False, lowercase(text),
             fold_word(lemma)),)


def sentences_of(units: list[Unit]) -> list[tuple[int, int]]:
    """Sentence ranges: a sentence ends at . ! ? … followed by a capital, a digit or the end."""
    bounds: list[tuple[int, int]] = []
    start = 0
    n = len(units)
    low_open = False  # inside „...“ (German, Polish) the “ closes a quotation instead of opening one
    for i, u in enumerate(units):
        if u.punct and u.text in ("„", "‚"):
            low_open = True
        if not u.punct or not set(u.text) <= _END_CHARS:
            continue
        j = i + 1
        while j < n and units[j].punct and (set(units[j].text) <= _END_CHARS or units[j].text in _CLOSERS
                                            or low_open and units[j].text in ("“", "‘")):
            low_open = low_open and units[j].text not in ("“", "‘")
            j += 1
        if j >= n:
            break
        nxt = units[j].text
        if nxt[:1].isupper() or nxt[:1].isdigit() or nxt[:1] in "\"“„«¿¡(":
            bounds.append((start, j))
            start = j
    if start < n:
        bounds.append((start, n))
    for s, (a, b) in enumerate(bounds):
        for k in range(a, b):
            units[k].sent = s
    return bounds or [(0, 0)]


def analyse(statements: Sequence[Statement], default_lang: str = "en") -> list[Doc]:
    """Docs for statements (each with its `lang`; `und`/None use `default_lang`), in input order."""
    docs: list[Doc | None] = [None] * len(statements)
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(statements):
        lang = (s.lang or "").lower()
        groups.setdefault(lang if lang and lang != "und" else default_lang, []).append(i)
    for lang, idx in groups.items():
        for i in idx:
            units = _units_of_text(statements[i].text, lang)
            docs[i] = Doc(i, statements[i], lang, units, sentences_of(units))
    return [d for d in docs if d is not None]


def add_parses(docs: Sequence[Doc]) -> None:
    """Fill `doc.parse` with the full spaCy analysis, where a parser exists for the language."""
    groups: dict[str, list[Doc]] = {}
    for d in docs:
        if d.parse is None and nlp.capabilities(d.lang).parser:
            groups.setdefault(d.lang, []).append(d)
    from statementkit.text.parsing import parse_many

    for lang, group in groups.items():
        for d, tokens in zip(group, parse_many([d.text for d in group], lang)):
            d.parse = tokens


_GRAPHEME = None


def graphemes(text: str) -> list[tuple[int, int]]:
    """User-perceived characters as (start, end) offsets: `é` written as e + accent is one,
    an emoji with skin tone or a flag is one. Uses `regex`'s \\X where installed."""
    global _GRAPHEME
    if _GRAPHEME is None:
        try:
            import regex

            _GRAPHEME = regex.compile(r"\X")
        except ImportError:  # pragma: no cover - regex ships with transformers
            _GRAPHEME = False
    if _GRAPHEME:
        return [(m.start(), m.end()) for m in _GRAPHEME.finditer(text)]
    out: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if out and (unicodedata.combining(ch) or ch in "\u200d\ufe0f"):
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out
