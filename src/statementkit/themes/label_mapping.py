"""Cluster keywords across languages: map terms into one label language, re-rank by meaning.

A cluster of statements in seven languages shares few words, so plain
c-TF-IDF gives it a label that mixes languages, or none. Here each cluster's
best terms in its other languages are embedded (as the word form that
language writes) and mapped onto the nearest term of the label language
(that of the corpus's statements or of the taxonomy's examples): German
"Energieverbrauch" and Dutch "energieverbruik" both count for English
"energy consumption" when the cosine is at least MATCH. A term that maps
onto a word too common to be a keyword ("KI" -> "AI") is dropped with it.

Then the best RERANK candidates of each cluster are re-ranked by how much
closer their embedding is to the cluster's centre than to the centre of all
statements, as BERTopic's KeyBERTInspired representation does: verbs and
filler ("let", "need") sit near every cluster and fall behind the words that
say what this cluster is about. The multilingual model does both steps, so
it needs no dictionary; every vector goes through the embedding cache.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from statementkit.themes.terms import Surfaces, Vocabulary, display, lang_key

#: Cosine at which another language's term counts as a label-language term.
MATCH = 0.6
#: Terms per cluster and language considered for mapping.
CANDIDATES = 12
#: Label-language terms per cluster that others may map onto (besides the background's).
TARGETS = 50
#: Terms per cluster re-ranked by closeness to the cluster's centre.
RERANK = 20


@dataclass(slots=True)
class Candidates:
    """One cluster's terms: weighted score, members using each, which are in the label language."""

    lang: str
    size: int
    score: dict[str, float]
    members: dict[str, set[int]]
    native: set[str]
    foreign: dict[str, str]                      # term -> the language it was written in
    mapped: dict[str, str | None] = field(default_factory=dict)  # foreign term -> label term (None: drop)

    @classmethod
    def collect(cls, rows: Sequence[int], terms, langs, score: dict[str, float], vocabulary: Vocabulary,
                lang: str) -> Candidates:
        weighted: dict[str, float] = {}
        members: dict[str, set[int]] = defaultdict(set)
        native: set[str] = set()
        written: dict[str, str] = {}
        for r in rows:
            r_lang = lang_key(langs[r])
            for t in terms[r]:
                if vocabulary.blocked(t, r_lang):
                    continue
                w = vocabulary.weight(t, r_lang)
                weighted[t] = max(weighted.get(t, 0.0), score[t] * w)
                members[t].add(r)
                if r_lang == lang:
                    native.add(t)
                else:
                    written.setdefault(t, r_lang)
        foreign = {t: written[t] for t in weighted if t not in native}
        return cls(lang, len(rows), weighted, dict(members), native, foreign)

    def best_foreign(self) -> list[str]:
        """The CANDIDATES best foreign terms of each language (most members, then score)."""
        by_lang: dict[str, list[str]] = defaultdict(list)
        for t, lang in self.foreign.items():
            by_lang[lang].append(t)
        return [t for _, pool in sorted(by_lang.items())
                for t in sorted(pool, key=lambda t: (-len(self.members[t]), -self.score[t], t))[:CANDIDATES]]

    def ranked(self) -> dict[str, float]:
        """Score per term after mapping, in tiers: label-language terms, then terms shared by two
        members, then by score. In a cluster of three or more only shared terms count, if any."""
        score, members = dict(self.score), {t: set(m) for t, m in self.members.items()}
        native = set(self.native)
        for foreign, target in self.mapped.items():
            value, rows = score.pop(foreign), members.pop(foreign)
            if target is not None:
                score[target] = score.get(target, 0.0) + value
                members.setdefault(target, set()).update(rows)
                native.add(target)
        any_shared = any(len(m) >= 2 for m in members.values())
        need = 2 if self.size >= 3 and any_shared else 1
        top = max(score.values(), default=1.0) or 1.0
        return {t: 2 * (t in native) + (len(members[t]) >= 2) + 0.99 * s / top
                for t, s in score.items() if len(members[t]) >= need}


def map_terms(candidates: dict[int, Candidates], bg_terms, bg_langs, surfaces: Surfaces,
              vocabulary: Vocabulary, embedder) -> None:
    """Fill each cluster's `mapped`: its best foreign terms onto the nearest label-language term."""
    from statementkit.embed import encode

    wanted = {c: cand.best_foreign() for c, cand in candidates.items()}
    langs_needed = {candidates[c].lang for c, ts in wanted.items() if ts}
    if not langs_needed:
        return
    # targets: each such cluster's best label-language terms, and the background's terms (a bounded,
    # cached vocabulary: the corpus's own would be tens of thousands of terms at 10,000 statements)
    targets: dict[str, set[str]] = defaultdict(set)
    for cand in candidates.values():
        if cand.lang in langs_needed:
            targets[cand.lang].update(sorted(cand.native, key=lambda t: (-cand.score[t], t))[:TARGETS])
    for statement_terms_, lang in zip(bg_terms, bg_langs):
        if lang_key(lang) in langs_needed:
            targets[lang_key(lang)].update(statement_terms_)
    sources = sorted({(t, candidates[c].foreign[t]) for c, ts in wanted.items() for t in ts})
    source_vectors = dict(zip(sources, encode(embedder, [display(t, surfaces, lang) for t, lang in sources])))
    for lang in sorted(langs_needed):
        words = sorted(targets.get(lang, ()))
        if not words:
            continue
        target_vectors = encode(embedder, [display(t, surfaces, lang) for t in words])
        is_bigram = np.array([" " in t for t in words])
        for c, ts in wanted.items():
            cand = candidates[c]
            if cand.lang != lang or not ts:
                continue
            sims = np.stack([source_vectors[(t, cand.foreign[t])] for t in ts]) @ target_vectors.T
            for term, row in zip(ts, sims):
                j = _nearest(row, is_bigram)
                if row[j] >= MATCH:
                    cand.mapped[term] = None if vocabulary.blocked(words[j], lang) else words[j]


def _nearest(sims: np.ndarray, is_bigram: np.ndarray, margin: float = 0.05) -> int:
    """Index of the best target; a two-word target only when clearly better than any single word
    (German "Ausbildung" is "training", not "training set")."""
    best = int(sims.argmax())
    if is_bigram[best] and not is_bigram.all():
        single = int(np.where(is_bigram, -np.inf, sims).argmax())
        if sims[single] >= sims[best] - margin:
            return single
    return best


def rerank(ranked: dict[int, dict[str, float]], candidates: dict[int, Candidates], rows_of, vectors: np.ndarray,
           surfaces: Surfaces, embedder) -> dict[int, dict[str, float]]:
    """Each cluster's best RERANK terms, by tier then by closeness to the cluster's centre
    minus closeness to the centre of all statements."""
    from statementkit.embed import encode

    top = {c: sorted(r, key=lambda t: (-r[t], t))[:RERANK] for c, r in ranked.items()}
    shown = sorted({(t, candidates[c].lang) for c, ts in top.items() for t in ts})
    if not shown:
        return ranked
    word_vectors = dict(zip(shown, encode(embedder, [display(t, surfaces, lang) for t, lang in shown])))
    everything = _unit(vectors.mean(axis=0))
    out = {}
    for c, ts in top.items():
        if not ts:
            out[c] = {}
            continue
        tv = np.stack([word_vectors[(t, candidates[c].lang)] for t in ts])
        closeness = tv @ _unit(vectors[rows_of[c]].mean(axis=0)) - tv @ everything
        out[c] = {t: float(int(ranked[c][t])) + float(x) for t, x in zip(ts, closeness)}
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)
