"""Claims in separate sentences, for `multiple_ideas`.

A sentence makes a claim of its own when it prescribes, takes a stance or proposes (a modal, a
stance, a verbless proposal, an infinitive or imperative proposal), unless it elaborates the one
before ("This ...", "Because ...", "So ...") or is a slogan for it ("Weniger Müll!"). Two questions count as two claims. A sentence that
only judges ("AI transcription is a real help.", "X ist in Ordnung.") is a claim of its own
beside a proposal about something else; a judgement the proposal builds on, or one that follows
it to justify it, is its reason instead.
"""

from __future__ import annotations

from statementkit.checks.document import Doc
from statementkit.checks.kinds.clauses import (
    content,
    imperative,
    points_back,
    positions,
    verb_form,
    verb_words,
)
from statementkit.checks.kinds.lexical import infinitive_proposal, matches
from statementkit.checks.kinds.standpoint import STANCE_LISTS, is_question
from statementkit.text import nlp


def claim_sentences(doc: Doc) -> list[int]:
    """Sentences that make a claim of their own (not elaborations); two or more
    questions count as claims too ("Who decides? And who pays?")."""
    questions = doc.cache.get("questions") or [is_question(doc, s) for s in range(len(doc.sentences))]
    adding = {doc.units[m.first].sent for m in matches(doc, "clauses.additive")}
    # "This / Because / So ..." explains the sentence before, unless it adds ("They also need ...")
    elaborating = {doc.units[m.first].sent for m in matches(doc, "clauses.elaboration")} - adding
    out, asked = [], []
    for s in range(len(doc.sentences)):
        if (s > 0 and s in elaborating) or slogan(doc, s):
            continue
        a, b = doc.sentences[s]
        if questions[s]:
            if content(doc, a, b, set()) >= 2:
                asked.append(s)
            continue
        if any(doc.units[m.first].sent == s for cat in STANCE_LISTS for m in matches(doc, cat)) or \
                infinitive_proposal(doc, s) or imperative(doc, a, b):
            out.append(s)
    if len(out) == 1:
        out = sorted(out + independent_judgements(doc, out[0], questions, elaborating, adding))
    return out if len(out) >= 2 or len(asked) < 2 else sorted(out + asked)


def slogan(doc: Doc, s: int) -> bool:
    """A short exclamation beside a claim ("Weniger Müll! Supermärkte müssen ...", "... Vorbild sein!"):
    a rallying cry for the claim, not a second proposal. At most one content word besides its verb,
    ending in '!'."""
    a, b = doc.sentences[s]
    last = next((u for u in reversed(doc.units[a:b]) if u.punct), None)
    return last is not None and "!" in last.text and content(doc, a, b, verb_words(doc)) <= 1


def judgement(doc: Doc, s: int) -> bool:
    """Sentence s judges without prescribing: an evaluative content word ("a real help", "in
    Ordnung", "una gran ayuda"; not a function word like "not", "only"), a prediction, or a subject
    linked by "to be" to what is said of it ("X is disrespectful", "X ist eine große Hilfe"),
    outside a reply marker and without a marker of neutral description ("since 2010", "already")."""
    stops = nlp.stop_words(doc.lang)
    reply = positions(doc, ("reply.strong",))
    a, b = doc.sentences[s]
    if any(a <= i < b for i in reply):
        return False
    for cat in ("standpoint.evaluative", "standpoint.future"):
        for m in matches(doc, cat):
            if doc.units[m.first].sent == s and any(doc.units[i].fold not in stops for i in range(m.first, m.last)):
                return True
    if any(doc.units[m.first].sent == s for m in matches(doc, "standpoint.neutral")):
        return False
    copulas = [i for i in positions(doc, ("clauses.copulas",)) if a < i < b]
    return bool(copulas) and content(doc, a, min(copulas), frozenset()) >= 1 and \
        content(doc, min(copulas) + 1, b, positions(doc, ("clauses.copulas",))) >= 1


def statement(doc: Doc, s: int) -> bool:
    """Sentence s says something: a verb and two content words, or three content words (an English
    imperative has no mark of its own), outside a reply marker."""
    a, b = doc.sentences[s]
    reply = positions(doc, ("reply.strong",))
    words = content(doc, a, b, verb_words(doc))
    return not any(a <= i < b for i in reply) and (words >= 2 and any(verb_form(doc, i) for i in range(a, b))
                                                  or words >= 3)


def content_lemmas(doc: Doc, s: int) -> set[str]:
    """Lemmas of the content words of sentence s (not stop words, not acronyms like AI)."""
    a, b = doc.sentences[s]
    stops = nlp.stop_words(doc.lang)
    return {u.lemma or u.fold for u in doc.units[a:b]
            if not u.punct and not u.acronym and len(u.text) > 3 and u.fold not in stops and u.text.isalpha()}


def independent_judgements(doc: Doc, claim: int, questions: list[bool], elaborating: set[int],
                            adding: set[int]) -> list[int]:
    """Sentences that judge something else than the claim sentence does: "AI transcription is a real
    help for volunteers. Libraries should publish their catalogues." A judgement the claim builds
    on is its reason instead: the later sentence points back ("... should not use it") or shares a
    content word with the other ("Chatbots make errors. Chatbots need checks."), and a judgement
    after the claim justifies it ("The voting age should be lowered. Many 16-year-olds are well
    informed."). An additive word ("Además, ...") makes a second claim whatever the overlap."""
    out = []
    for s in range(len(doc.sentences)):
        if s == claim or questions[s] or (s > 0 and s in elaborating) or slogan(doc, s) or \
                s > claim and s not in adding:
            continue
        # a sentence next to an additive one makes a point, whatever its words: "X. Außerdem ...",
        # "Ban deepfakes. Also, fund local archives properly."
        beside = abs(s - claim) == 1 and max(s, claim) in adding and statement(doc, s)
        if not judgement(doc, s) and not beside:
            continue
        later = max(s, claim)
        if later in adding:
            out.append(s)
            continue
        a, b = doc.sentences[later]
        if points_back(doc, a, b) or content_lemmas(doc, s) & content_lemmas(doc, claim):
            continue
        out.append(s)
    return out
