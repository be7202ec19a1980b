"""Suggested labels for clusters: keywords in one language, and a short label phrase.

Keywords are a cluster's best c-TF-IDF terms (`terms`). What keeps them
readable for an analyst (examples in tests/test_labels.py):
- Words every statement of the assembly uses say nothing about a cluster:
  a term in more than MAX_DF of its language's statements, or of the
  taxonomy's examples (`background`), is left out ("AI", "KI", "IA"), and
  background frequency damps the rest ("should", "museums").
- Each cluster has one *label language*: its members' language when they are
  the majority, else the corpus's most common one. With an embedding model,
  the other languages' best terms are mapped onto label-language terms and
  candidates are re-ranked by closeness to the cluster's centre
  (label_mapping), so a cluster written in seven languages reads
  "energy, climate, emissions", not "electricidad, korzystają".
- A keyword must be shared by two members when the cluster has any such.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from statementkit.themes import label_mapping
from statementkit.themes.terms import (
    Vocabulary,
    corpus_language,
    ctfidf,
    display,
    label_language,
    statement_terms,
    top_keywords,
)

# re-exported: callers ask the labels module for a cluster's label language
__all__ = ["cluster_keywords", "corpus_language", "label_language", "label_phrase"]


def label_phrase(keywords: Sequence[str], n: int = 3) -> str:
    """A short label from the best keywords, e.g. 'environmental impact, climate, energy'."""
    return ", ".join(keywords[:n]) if keywords else ""


def cluster_keywords(texts: Sequence[str], langs: Sequence[str | None], labels: Sequence[int],
                     k: int = 6, embedder=None, background: Sequence[tuple[str, str | None]] = (),
                     vectors: np.ndarray | None = None) -> dict[int, list[str]]:
    """Keywords of every cluster (not of the outliers), in each cluster's label language.

    `background`: (text, lang) pairs, e.g. the taxonomy's examples, whose
    common words are damped. With `embedder` (the themes stage passes its
    own), other languages' terms are mapped onto label-language terms; with
    the statements' `vectors` too, candidates are re-ranked by closeness to
    the cluster's centre. Without an embedder only identical spellings are
    shared across languages and keywords are ranked by c-TF-IDF.
    """
    terms, surfaces = statement_terms(texts, langs)
    labels = list(labels)
    bg_texts, bg_langs = [t for t, _ in background], [lang for _, lang in background]
    bg_terms, bg_surfaces = statement_terms(bg_texts, bg_langs) if background else ([], {})
    vocabulary = Vocabulary.build(terms, langs, bg_terms, bg_langs)
    scores = ctfidf(terms, labels)
    main = corpus_language(langs)
    rows_of: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(labels):
        rows_of[c].append(i)
    candidates = {c: label_mapping.Candidates.collect(rows_of[c], terms, langs, scores[c], vocabulary,
                                                      label_language([langs[r] for r in rows_of[c]], main))
                  for c in sorted(scores)}
    for lang, table in bg_surfaces.items():  # background forms show terms no statement of the language uses
        for term, forms in table.items():
            surfaces[lang].setdefault(term, forms)
    if embedder is not None:
        label_mapping.map_terms(candidates, bg_terms, bg_langs, surfaces, vocabulary, embedder)
    ranked = {c: cand.ranked() for c, cand in candidates.items()}
    if embedder is not None and vectors is not None and len(vectors):
        ranked = label_mapping.rerank(ranked, candidates, rows_of, np.asarray(vectors, dtype=np.float32),
                                      surfaces, embedder)
    return {c: [display(t, surfaces, candidates[c].lang) for t in top_keywords(r, k)] for c, r in ranked.items()}
