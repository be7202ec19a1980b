"""Suggested labels for clusters: class-based TF-IDF keywords over lemmas.

c-TF-IDF (as in BERTopic) treats each cluster as one document: a term scores
high when it is frequent in this cluster and rare across the others. We count
lemmas, not word forms, with each language's stop words removed, so German
"Museen"/"Museums" and French "données"/"donnée" each count as one term; the
keyword shown is the word form the cluster uses most. Adjacent content words
also count as bigrams ("training data"), which make the better label phrases.

Lemmas come from `nlp.analyse_many(parse=False)`: spaCy lookup tables where
they exist (about 1 s for 10,000 statements; the tagger pipelines take 20-30 s
for the same work and give the same keywords).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from statementkit.clustering import OUTLIER

MIN_CHARS = 2


def statement_terms(texts: Sequence[str], langs: Sequence[str | None]) -> tuple[list[list[str]], dict[str, Counter]]:
    """Per statement: its terms (lemmas and lemma bigrams); plus the surface forms seen for each term."""
    from statementkit import nlp

    unique: dict[tuple[str, str], int] = {}
    for text, lang in zip(texts, langs):
        unique.setdefault((text, (lang or "xx").lower()), len(unique))
    by_lang: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (text, lang), k in unique.items():
        by_lang[lang].append((k, text))
    terms_of: list[list[str]] = [[] for _ in unique]
    surfaces: dict[str, Counter] = defaultdict(Counter)
    for lang, items in sorted(by_lang.items()):
        stops = nlp.stop_words(lang if lang not in ("und", "xx") else "en")
        docs = nlp.analyse_many([t for _, t in items], lang, parse=False)
        for (k, _), tokens in zip(items, docs):
            terms_of[k] = _terms(tokens, stops, surfaces)
    return [terms_of[unique[(t, (lang or "xx").lower())]] for t, lang in zip(texts, langs)], surfaces


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
    doc_freq: dict[int, Counter] = defaultdict(Counter)
    for statement_terms_, label in zip(terms, labels):
        counts[label].update(statement_terms_)
        doc_freq[label].update(set(statement_terms_))
    totals = {c: max(sum(cnt.values()), 1) for c, cnt in counts.items()}
    mean_terms = sum(totals.values()) / max(len(totals), 1)
    overall: Counter = Counter()
    for cnt in counts.values():
        overall.update(cnt)
    sizes = Counter(labels)
    scores: dict[int, dict[str, float]] = {}
    for c, cnt in counts.items():
        if c == OUTLIER:
            continue
        need = 2 if sizes[c] >= 3 else 1  # a keyword must be shared by at least two members
        scores[c] = {t: (n / totals[c]) * math.log(1 + mean_terms / overall[t])
                     for t, n in cnt.items() if doc_freq[c][t] >= need}
    return scores


def top_keywords(scores: dict[str, float], surfaces: dict[str, Counter], k: int = 6) -> list[str]:
    """The `k` best terms as the cluster writes them; a bigram absorbs its own words."""
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
    return [_display(t, surfaces) for t in chosen]


def _display(term: str, surfaces: dict[str, Counter]) -> str:
    forms = surfaces.get(term)
    if not forms:
        return term
    return sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def label_phrase(keywords: Sequence[str], n: int = 3) -> str:
    """A short label from the best keywords, e.g. 'environmental impact, climate, energy'."""
    return ", ".join(keywords[:n]) if keywords else ""


def cluster_keywords(texts: Sequence[str], langs: Sequence[str | None], labels: Sequence[int],
                     k: int = 6) -> dict[int, list[str]]:
    """Keywords of every cluster (not of the outliers)."""
    terms, surfaces = statement_terms(texts, langs)
    scores = ctfidf(terms, list(labels))
    return {c: top_keywords(s, surfaces, k) for c, s in sorted(scores.items())}
