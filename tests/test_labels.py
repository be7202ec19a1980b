"""Cluster labels: one label language per cluster, terms mapped across languages, filler left out.

A tiny dictionary embedder (each word's vector is its concept's, whatever the
language) checks the mapping logic without a model; the slow test checks the
real multilingual model on a cluster written in four languages. Statements
were written for these tests.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from statementkit.themes.labels import cluster_keywords, corpus_language, label_language

CONCEPTS = {  # word form -> concept; every form of a concept gets the same vector
    "energy": "energy", "Energie": "energy", "énergie": "energy", "energia": "energy", "energieverbruik": "energy",
    "consumption": "consumption", "Verbrauch": "consumption", "consommation": "consumption",
    "AI": "ai", "KI": "ai", "IA": "ai",
}


class DictEmbedder:
    """Words in CONCEPTS share their concept's vector; anything else gets its own random one."""

    id, dim = "dict-test", 64

    def encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            key = CONCEPTS.get(text, text)
            out[i] = np.random.default_rng(zlib.crc32(key.encode())).normal(size=self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def keywords(items, labels, **kw):
    return cluster_keywords([t for t, _ in items], [lang for _, lang in items], labels, **kw)


def test_label_language_is_the_majority_else_the_corpus_language():
    assert label_language(["de", "de", "en"], "en") == "de"
    assert label_language(["de", "fr", "en", "nl"], "en") == "en"   # no majority: the corpus's language
    assert label_language(["de", "fr"], "it") == "it"
    assert corpus_language(["fr", "en", "fr", "en"]) == "en"          # ties go to English
    assert corpus_language(["fr", "de", "fr"]) == "fr"


def test_words_every_statement_uses_are_no_keywords():
    # "AI" is in every English statement: it says nothing about any cluster
    items = [(f"AI should measure the energy of archive servers {i}.", "en") for i in range(5)] + \
            [(f"AI should train librarians in small towns {i}.", "en") for i in range(5)] + \
            [(f"AI should describe old maps in the catalogue {i}.", "en") for i in range(5)]
    result = keywords(items, [0] * 5 + [1] * 5 + [2] * 5)
    assert "AI" not in result[0] + result[1] + result[2]
    words = [" ".join(result[c]).split() for c in range(3)]
    assert "energy" in words[0] and "librarians" in words[1] and "maps" in words[2]


def test_background_texts_damp_the_assemblys_common_words():
    items = [("Museums should publish the energy use of servers.", "en"),
             ("Museums should publish the energy bill of servers.", "en"),
             ("Museums should train librarians.", "en"), ("Museums should train volunteers.", "en")]
    background = [(f"Museums should do thing number {i}.", "en") for i in range(20)]
    plain = keywords(items, [0, 0, 1, 1])
    damped = keywords(items, [0, 0, 1, 1], background=background)
    assert plain[0][0].lower() in ("museums", "publish", "energy", "servers")
    assert "Museums" not in damped[0] + damped[1] and "museums" not in damped[0] + damped[1]
    assert any("energy" in k for k in damped[0])


def test_other_languages_terms_are_mapped_onto_the_label_language():
    # one cluster, four languages, no word in common: mapped, "energy" is shared by all four
    items = [("Archives must cut the energy of their servers.", "en"),
             ("Archive müssen die Energie ihrer Server senken.", "de"),
             ("Les archives doivent réduire l'énergie de leurs serveurs.", "fr"),
             ("Gli archivi devono ridurre l'energia dei loro server.", "it"),
             ("Librarians need courses on chatbots.", "en"), ("Librarians need courses on search.", "en")]
    labels = [0, 0, 0, 0, 1, 1]
    without = keywords(items, labels)
    mapped = keywords(items, labels, embedder=DictEmbedder())
    assert mapped[0][0] == "energy"                        # shared by four members once mapped
    assert not {"Energie", "énergie", "energia"} & set(mapped[0])
    assert "energy" not in without[0]  # without an embedder the four spellings stay apart, none shared


def test_keywords_shown_as_the_label_language_writes_them():
    # Dutch "energieverbruik" maps onto English "energy"; the label shows the English form
    items = [("Museums must report energy per exhibition.", "en"),
             ("Musea moeten het energieverbruik per tentoonstelling melden.", "nl"),
             ("Museums must report the energy of every exhibition.", "en")]
    result = keywords(items, [0, 0, 0], embedder=DictEmbedder())
    assert result[0][0] == "energy" and "energieverbruik" not in result[0]


@pytest.mark.slow
def test_real_model_labels_a_multilingual_cluster_in_one_language():
    from statementkit.embed import load_embedder

    emb = load_embedder()
    items = [("Heritage institutions must publish the energy consumption of their AI tools.", "en"),
             ("Archive sollten den Energieverbrauch ihrer KI-Werkzeuge offenlegen.", "de"),
             ("Les musées doivent mesurer la consommation d'énergie de leurs outils d'IA.", "fr"),
             ("Musea moeten het energieverbruik van hun AI-toepassingen bekendmaken.", "nl"),
             ("Librarians should learn how chatbots invent sources.", "en"),
             ("Bibliothekare sollten lernen, wie Chatbots Quellen erfinden.", "de")]
    texts = [t for t, _ in items]
    result = cluster_keywords(texts, [lang for _, lang in items], [0, 0, 0, 0, 1, 1], embedder=emb,
                              vectors=emb.encode(texts))
    first = " ".join(result[0][:3]).lower()
    assert "energy" in first
    assert not {"energieverbrauch", "energieverbruik", "consommation"} & {k.lower() for k in result[0]}
