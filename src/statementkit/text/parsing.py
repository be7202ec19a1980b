"""Dependency parses for the few statements a check needs parsed, at a small fixed cost.

The checks parse only English and French statements whose clause markers
leave a coordination undecided (a few per cent). Loading spaCy's packaged
pipelines for them used to cost ~11 s per process, for three reasons
removed here:

- importing spaCy imports torch through thinc (~2 s), which the small CPU
  pipelines never use: spaCy is imported with torch hidden, unless torch is
  loaded already;
- `spacy.load("fr_core_news_sm")` imports `spacy.lang.fr`, whose tokenizer
  exceptions compile one huge regular expression (~4 s): the pipeline's
  trained components (tok2vec, tagger or morphologizer, parser, attribute
  ruler) are loaded into a bare `Language` of that language instead, without
  its tokenizer, and are handed the fast tokenizer's tokens (`nlp.tokenize`).
  On the dev statements this gives the same tags, labels and heads as the
  packaged pipeline on the same tokens;
- lemmatizer and NER are not loaded (the checks read POS, labels and heads).

A pipeline is loaded the first time a statement of its language needs a parse.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from statementkit.text import nlp
from statementkit.text.spacy_import import import_spacy

#: Components a dependency parse needs; the rest of a packaged pipeline is not loaded.
PARSE_COMPONENTS = ("tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler")


def _package_dir(module_name: str) -> Path | None:
    """The folder holding the pipeline's config.cfg inside its package, found without importing
    the package (its `__init__` imports spaCy the slow way)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return next((p for p in sorted(root.iterdir()) if p.is_dir() and (p / "config.cfg").exists()), None)


@lru_cache(maxsize=None)
def parser(lang: str) -> Any:
    """The trained tagging and parsing components of `lang`'s spaCy pipeline in a bare
    `Language` without a tokenizer, or None when no pipeline is installed."""
    module_name = nlp.PIPELINES.get(lang)
    path = _package_dir(module_name) if module_name and nlp.capabilities(lang).parser else None
    if path is None:
        return None
    import_spacy()
    from spacy.language import BaseDefaults, Language
    from spacy.util import load_config

    config = load_config(path / "config.cfg")
    exclude = [name for name in config["nlp"]["pipeline"] if name not in PARSE_COMPONENTS]
    # a bare subclass: no language module import (French compiles a ~4 s tokenizer regex there), and
    # no tokenizer rules either: the Docs are built from our tokens, so the tokenizer `Language`
    # makes anyway is never used, and its default punctuation rules cost ~0.1 s of regex compiling
    # (the lexemes and parses are the same: tests/test_nlp.py)
    defaults = type("Defaults", (BaseDefaults,), {"tokenizer_exceptions": {}, "prefixes": None, "suffixes": None,
                                                  "infixes": None, "url_match": None})
    bare = type(f"Bare{lang.title()}", (Language,), {"lang": lang, "Defaults": defaults})
    model = bare.from_config(config, exclude=exclude)
    return model.from_disk(path, exclude=["tokenizer", *exclude])


def parse_many(texts: Sequence[str], lang: str) -> list[list[nlp.Token] | None]:
    """Tokens with POS, dependency label and head (indices within the statement), per text;
    None for every text when `lang` has no parser. Tokens are those of `nlp.tokenize`."""
    model = parser(lang)
    if model is None:
        return [None] * len(texts)
    from spacy.tokens import Doc

    stops = nlp.stop_words(lang)
    spans = [nlp.tokenize(t, lang) for t in texts]
    docs = [Doc(model.vocab, words=[w for w, _, _ in toks] or [" "],
                spaces=[end < len(text) and text[end].isspace() for _, _, end in toks] or [False])
            for text, toks in zip(texts, spans)]
    out: list[list[nlp.Token] | None] = []
    for toks, doc in zip(spans, model.pipe(docs, batch_size=256)):
        tokens = []
        for (word, start, end), t in zip(toks, doc):
            punct = t.is_punct or not any(ch.isalnum() for ch in word)
            tokens.append(nlp.Token(word, word.lower() if punct else nlp.lemma_of(word, lang), start, end, t.pos_,
                                    t.dep_, t.head.i, word.lower() in stops, punct, word.isalpha()))
        out.append(tokens)
    return out
