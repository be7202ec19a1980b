"""Suggested labels for clusters: class-based TF-IDF keywords over lemmas, in one language.

c-TF-IDF (as in BERTopic) treats each cluster as one document: a term scores
high when it is frequent in this cluster and rare across the others. We count
lemmas, not word forms, with each language's stop words removed, so German
"Museen"/"Museums" and French "données"/"donnée" each count as one term; the
keyword shown is the word form the cluster's label language uses most.
Adjacent content words also count as bigrams ("training data"), which make
the better label phrases.

What keeps labels readable for an analyst (examples in tests/test_labels.py):
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

Lemmas come from `nlp.analyse_many(parse=False)`: spaCy lookup tables where
they exist (about 1 s for 10,000 statements; the tagger pipelines take 20-30 s
for the same work and give the same keywords).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from statementkit.clustering import OUTLIER

MIN_CHARS = 2
#: A term in more than this share of its language's statements is no keyword (with >= MAX_DF_MIN of them).
MAX_DF, MAX_DF_MIN = 0.4, 10

#: surfaces[lang][term] counts the word forms a language writes a term with.
Surfaces = dict[str, dict[str, Counter]]


def statement_terms(texts: Sequence[str], langs: Sequence[str | None]) -> tuple[list[list[str]], Surfaces]:
    """Per statement: its terms (lemmas and lemma bigrams); plus the surface forms of each term per language."""
    from statementkit import nlp

    unique: dict[tuple[str, str], int] = {}
    for text, lang in zip(texts, langs):
        unique.setdefault((text, lang_key(lang)), len(unique))
    by_lang: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (text, lang), k in unique.items():
        by_lang[lang].append((k, text))
    terms_of: list[list[str]] = [[] for _ in unique]
    surfaces: Surfaces = defaultdict(lambda: defaultdict(Counter))
    for lang, items in sorted(by_lang.items()):
        stops = nlp.stop_words(lang if lang not in ("und", "xx") else "en")
        docs = nlp.analyse_many([t for _, t in items], lang, parse=False)
        for (k, _), tokens in zip(items, docs):
            terms_of[k] = _terms(tokens, stops, surfaces[lang])
    return [terms_of[unique[(t, lang_key(lang))]] for t, lang in zip(texts, langs)], surfaces


def lang_key(lang: str | None) -> str:
    return (lang or "xx").lower()


def _terms(tokens, stops: frozenset[str], surfaces: dict[str, Counter]) -> list[str]:
    out: list[str] = []
    previous: tuple[str, str] | None = None
    for i, tok in enumerate(tokens):
        lemma = tok.lemma.lower()
        content = (tok.is_alpha and not tok.is_stop and len(tok.text) >= MIN_CHARS
                   and tok.lower not in stops and lemma not in stops)
        if not content:
            previous = None
            continue
        surface = tok.text if (tok.text.isupper() or i > 0) else tok.text.lower()
        out.append(lemma)
        surfaces[lemma][surface] += 1
        if previous is not None:
            bigram = f"{previous[0]} {lemma}"
            out.append(bigram)
            surfaces[bigram][f"{previous[1]} {surface}"] += 1
        previous = (lemma, surface)
    return out


def ctfidf(terms: Sequence[Sequence[str]], labels: Sequence[int]) -> dict[int, dict[str, float]]:
    """c-TF-IDF score of every term in every cluster (outliers count for the IDF only)."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for statement_terms_, label in zip(terms, labels):
        counts[label].update(statement_terms_)
    totals = {c: max(sum(cnt.values()), 1) for c, cnt in counts.items()}
    mean_terms = sum(totals.values()) / max(len(totals), 1)
    overall: Counter = Counter()
    for cnt in counts.values():
        overall.update(cnt)
    return {c: {t: (n / totals[c]) * math.log(1 + mean_terms / overall[t]) for t, n in cnt.items()}
            for c, cnt in counts.items() if c != OUTLIER}


def document_frequency(terms: Sequence[Sequence[str]], langs: Sequence[str | None]) -> tuple[dict, Counter]:
    """Per language: in how many statements each term occurs; and how many statements there are."""
    df: dict[str, Counter] = defaultdict(Counter)
    sizes: Counter = Counter()
    for statement_terms_, lang in zip(terms, langs):
        df[lang_key(lang)].update(set(statement_terms_))
        sizes[lang_key(lang)] += 1
    return df, sizes


@dataclass(slots=True)
class Vocabulary:
    """How informative each term is, per language: corpus and background document frequencies."""

    common: dict[str, set[str]] = field(default_factory=dict)        # lang -> terms in > MAX_DF of statements
    weights: dict[str, dict[str, float]] = field(default_factory=dict)  # lang -> word -> background weight

    @classmethod
    def build(cls, terms, langs, bg_terms=(), bg_langs=()) -> Vocabulary:
        common: dict[str, set[str]] = defaultdict(set)
        weights: dict[str, dict[str, float]] = {}
        for (df, sizes), is_background in ((document_frequency(terms, langs), False),
                                           (document_frequency(bg_terms, bg_langs), True)):
            for lang, cnt in df.items():
                n = sizes[lang]
                if n >= MAX_DF_MIN:
                    common[lang].update(t for t, k in cnt.items() if k > MAX_DF * n)
                if is_background:  # damp words the assembly's statements all use: log-scaled, in (0, 1]
                    weights[lang] = {t: math.log(1 + n / (1 + k)) / math.log(1 + n)
                                     for t, k in cnt.items() if " " not in t}
        return cls(dict(common), weights)

    def blocked(self, term: str, lang: str) -> bool:
        """Too common to be anyone's keyword ("AI" in an assembly about AI)."""
        return term in self.common.get(lang, ())  # "training data" stays, though "data" alone would not

    def weight(self, term: str, lang: str) -> float:
        """A term's background weight; a bigram's is the product of its words'."""
        table = self.weights.get(lang, {})
        out = 1.0
        for word in term.split(" "):
            out *= table.get(word, 1.0)
        return out


def label_language(member_langs: Sequence[str | None], corpus_language: str) -> str:
    """The language a cluster is labelled in: that of most of its members when they are more than
    half, else the corpus's most common language (one language for every mixed cluster)."""
    counts = Counter(lang_key(x) for x in member_langs)
    lang, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0] != corpus_language, kv[0]))
    return lang if 2 * n > len(member_langs) else corpus_language


def corpus_language(langs: Sequence[str | None]) -> str:
    """The corpus's most common language; ties go to English, then alphabetically."""
    counts = Counter(lang_key(x) for x in langs)
    return min(counts, key=lambda lang: (-counts[lang], lang != "en", lang)) if counts else "en"


def display(term: str, surfaces: Surfaces, lang: str) -> str:
    """How `lang` writes `term` most often (else any language, else the lemma itself)."""
    forms = surfaces.get(lang, {}).get(term)
    if not forms:
        forms = Counter()
        for table in surfaces.values():
            forms.update(table.get(term, {}))
    if not forms:
        return term
    return sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def top_keywords(scores: dict[str, float], k: int = 6) -> list[str]:
    """The `k` best terms (lemmas), best first; a bigram absorbs its own words."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    chosen: list[str] = []
    for term, _ in ranked:
        words = term.split(" ")
        if len(words) == 1 and any(term in c.split(" ") for c in chosen if " " in c):
            continue
        if len(words) == 2:
            if any(w in c.split(" ") for c in chosen if " " in c for w in words):
                continue  # "old catalogue" after "catalogue records" adds nothing
            chosen = [c for c in chosen if c not in words]
        chosen.append(term)
        if len(chosen) >= k:
            break
    return chosen


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
    from statementkit import label_mapping

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
