"""Per-language analysis degrades gracefully: model, lookup, stem, none."""

from __future__ import annotations

import pytest

from statementkit import nlp


@pytest.mark.parametrize("lang,expected", [("en", "model"), ("fr", "model"), ("de", "lookup"), ("es", "lookup"),
                                           ("it", "lookup"), ("nl", "lookup"), ("pl", "stem"), ("zz", "none")])
def test_capabilities(lang, expected):
    assert nlp.capabilities(lang).lemmas == expected


@pytest.mark.slow
@pytest.mark.parametrize("lang,text,word,lemma", [
    ("en", "Museums should share their collections", "Museums", "museum"),
    ("fr", "Les musées devraient partager leurs données", "musées", "musée"),
    ("de", "Die Museen sollten ihre Sammlungen teilen", "Sammlungen", "sammlung"),
    ("es", "Los museos deberían compartir sus datos", "museos", "museo"),
    ("it", "I musei dovrebbero condividere le collezioni", "collezioni", "collezione"),
    ("nl", "Archieven moeten hun collecties delen", "collecties", "collectie"),
])
def test_lemmas(lang, text, word, lemma):
    tokens = nlp.analyse(text, lang)
    tok = next(t for t in tokens if t.text == word)
    assert tok.lemma == lemma
    assert text[tok.start:tok.end] == word


def test_polish_stems_conflate_inflections():
    a = {t.text: t.lemma for t in nlp.analyse("muzea i muzeów, kolekcje i kolekcji", "pl")}
    assert a["muzea"] == a["muzeów"] and a["kolekcje"] == a["kolekcji"]


def test_unknown_language_still_tokenises():
    tokens = nlp.analyse("uber 就是 叫派", "und")
    assert [t.text for t in tokens][0] == "uber"


def test_fold_and_stop_words():
    assert nlp.fold("Çà et là, Łódź") == "ca et la, lodz"
    assert "und" in nlp.stop_words("de") and "the" in nlp.stop_words("en")
