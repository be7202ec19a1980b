"""Terms of short statements and their class-based TF-IDF: what cluster labels are made of.

c-TF-IDF (as in BERTopic) treats each cluster as one document: a term scores
high when it is frequent in this cluster and rare across the others. We count
lemmas, not word forms, with each language's stop words removed, so German
"Museen"/"Museums" and French "données"/"donnée" each count as one term; the
keyword shown is the word form the cluster's label language uses most.
Adjacent content words also count as bigrams ("training data"), which make
the better label phrases.

Lemmas come from `nlp.analyse_many(parse=False)`: spaCy lookup tables where
they exist (about 1 s for 10,000 statements; the tagger pipelines take 20-30 s
for the same work and give the same keywords).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from statementkit.themes.clustering import OUTLIER

MIN_CHARS = 2
#: A term in more than this share of its language's statements is no keyword (with >= MAX_DF_MIN of them).
MAX_DF, MAX_DF_MIN = 0.4, 10

#: surfaces[lang][term] counts the word forms a language writes a term with.
Surfaces = dict[str, dict[str, Counter]]


def statement_terms(texts: Sequence[str], langs: Sequence[str | None]) -> tuple[list[list[str]], Surfaces]:
    """Per statement: its terms (lemmas and lemma bigrams); plus the surface forms of each term per language."""
    from statementkit.text import nlp

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
