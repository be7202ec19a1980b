"""`multiple_ideas`: two or more separate claims in one statement.

Two signals, in every language:
- several sentences that each make a claim of their own (a modal, a stance
  or a proposal; a sentence opening with "This", "because", "so" elaborates
  the one before instead);
- a coordinator ("and", ";", "as well as", "und", "et", "en", "y", "e", "i",
  "a") between a clause with a verb and a conjunct of at least
  `min_conjunct_words` content words that brings a clause of its own.

Whether the conjunct is a clause of its own is decided by spaCy's dependency
parse where a parser exists (English, French): the coordinated verb has its
own subject, or its own object while the first verb has one too. The parser
runs only on the statements that have such a coordinator (a cheap test), which
keeps the checks fast. Elsewhere, clause markers decide: the conjunct has its
own modal or auxiliary, an additive word ("also", "außerdem", "inoltre"), or
starts (Romance, Polish, English) or ends (German, Dutch) with an infinitive
while the first part has its own. A conjunct opening with a contrast ("and
not", "a nie"), a coordination inside a subordinate clause ("so that ... and
..."), and alternatives ("or") keep one idea.
"""

from __future__ import annotations

from dataclasses import dataclass

from statementkit import nlp
from statementkit.checks.analysis import Doc, add_parses, fold
from statementkit.checks.kinds.lexical import matches
from statementkit.checks.kinds.standpoint import STANCE_LISTS, is_question
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion
from statementkit.model import Span

VERB_LISTS = ("clauses.verbs", "standpoint.modal", "standpoint.future")
ALTERNATIVES = frozenset({"or", "ou", "oder", "of", "o", "u", "lub", "albo", "czy", "nor", "ni", "noch", "ne"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "nsubj:pass", "csubj", "expl", "expl:subj"})
OBJECT_DEPS = frozenset({"dobj", "obj", "attr", "xcomp", "ccomp", "acomp", "oprd", "obl", "iobj", "dative"})


@dataclass(slots=True)
class Conjunct:
    coord_first: int  # unit index of the coordinator
    coord_last: int   # unit index after it
    left: tuple[int, int]
    right: tuple[int, int]
    word: str         # the coordinator, folded


def _positions(doc: Doc, cats: tuple[str, ...]) -> set[int]:
    out: set[int] = set()
    for cat in cats:
        for m in matches(doc, cat):
            out.update(range(m.first, m.last))
    return out


def _content(doc: Doc, a: int, b: int, skip: set[int]) -> int:
    stops = nlp.stop_words(doc.lang)
    return sum(1 for i in range(a, b) if i not in skip and not doc.units[i].punct and len(doc.units[i].text) > 2
               and doc.units[i].fold not in stops and any(ch.isalpha() for ch in doc.units[i].text))


def claim_sentences(doc: Doc) -> list[int]:
    """Sentences that make a claim of their own (not questions, not elaborations)."""
    questions = doc.cache.get("questions") or [is_question(doc, s) for s in range(len(doc.sentences))]
    elaborating = {doc.units[m.first].sent for m in matches(doc, "clauses.elaboration")}
    out = []
    for s in range(len(doc.sentences)):
        if questions[s] or (s > 0 and s in elaborating):
            continue
        if any(doc.units[m.first].sent == s for cat in STANCE_LISTS for m in matches(doc, cat)):
            out.append(s)
    return out


def conjuncts(doc: Doc, min_words: int) -> list[Conjunct]:
    """Coordinations between a clause with a verb and a conjunct long enough to be a claim."""
    verbs = _positions(doc, VERB_LISTS)
    subs = _positions(doc, ("clauses.subordinators",))
    contrast = _positions(doc, ("clauses.contrast",))
    coords = sorted(matches(doc, "clauses.coordinators"), key=lambda m: m.first)
    coord_units = _positions(doc, ("clauses.coordinators",))
    out = []
    for m in coords:
        sent = doc.units[m.first].sent
        a, b = doc.sentences[sent]
        word = " ".join(doc.units[i].fold for i in range(m.first, m.last))
        if word in ALTERNATIVES:
            continue
        nxt = m.last
        while nxt < b and doc.units[nxt].punct:
            nxt += 1
        if nxt >= b or nxt in contrast:
            continue
        left_verbs = [i for i in verbs if a <= i < m.first]
        if not left_verbs:
            continue
        if any(max(left_verbs) < i < m.first for i in subs):
            continue
        end = next((i for i in range(nxt, b) if i in coord_units), b)
        if _content(doc, nxt, end, verbs) < min_words:
            continue
        out.append(Conjunct(m.first, m.last, (a, m.first), (nxt, end), word))
    return out


def _is_infinitive(doc: Doc, i: int) -> bool:
    u = doc.units[i]
    if u.punct or not any(i in range(m.first, m.last) for m in matches(doc, "clauses.infinitive")):
        return False
    if doc.lang == "de" and not u.text[:1].islower():
        return False
    if doc.lang in nlp.FAST_LOOKUP_LANGS:  # a lemma differing from the form: a plural or an inflected adjective
        return fold(nlp.lemma_of(u.text, doc.lang)) == u.fold
    return True


def by_markers(doc: Doc, c: Conjunct) -> bool:
    """Clause markers: an own verb, an additive word, or infinitives on both sides."""
    verbs = _positions(doc, VERB_LISTS)
    ra, rb = c.right
    if any(ra <= i < rb for i in verbs):
        return True
    if any(ra <= m.first < rb for m in matches(doc, "clauses.additive")):
        return True
    la, lb = c.left
    words_r = [i for i in range(ra, rb) if not doc.units[i].punct]
    words_l = [i for i in range(la, lb) if not doc.units[i].punct]
    if not words_r or not words_l:
        return False
    if _is_infinitive(doc, words_r[0]) and any(i in verbs for i in words_l):
        return True
    return _is_infinitive(doc, words_l[-1]) and _is_infinitive(doc, words_r[-1])


def by_parse(doc: Doc, c: Conjunct, min_words: int) -> bool:
    """The dependency parse: a coordinated verb with its own subject or object."""
    tokens = doc.parse or []
    start, end = doc.units[c.coord_first].start, doc.units[c.right[1] - 1].end
    children: dict[int, list[int]] = {}
    for i, t in enumerate(tokens):
        if t.head != i:
            children.setdefault(t.head, []).append(i)
    for i, t in enumerate(tokens):
        if t.dep != "conj" or not (start <= t.start < end) or t.pos not in ("VERB", "AUX"):
            continue
        head = tokens[t.head]
        if head.start >= start:
            continue
        kids = {tokens[k].dep for k in children.get(i, [])}
        if kids & SUBJECT_DEPS:
            return True
        head_kids = {tokens[k].dep for k in children.get(t.head, [])}
        if kids & OBJECT_DEPS and head_kids & OBJECT_DEPS and head.pos in ("VERB", "AUX"):
            return True
    return False


@register_check("multiple_ideas", batch=True, use_parser=True, min_conjunct_words=2)
def multiple_ideas(docs: list[Doc], criterion: Criterion, ctx: Context) -> dict[int, list[Finding]]:
    min_words = int(criterion.params["min_conjunct_words"])
    out: dict[int, list[Finding]] = {}
    pending: list[tuple[Doc, list[Conjunct]]] = []
    for doc in docs:
        claims = claim_sentences(doc)
        if len(claims) >= 2:
            a, b = doc.sentences[claims[1]]
            out[doc.index] = [Finding(criterion.code, criterion.id, Span(doc.units[a].start, doc.units[b - 1].end),
                                      variant="sentences", values={"count": len(claims)})]
            continue
        found = conjuncts(doc, min_words)
        if not found:
            continue
        hit = next((c for c in found if by_markers(doc, c)), None)
        if hit is None and criterion.params["use_parser"] and nlp.capabilities(doc.lang).parser:
            pending.append((doc, found))
            continue
        if hit is not None:
            out[doc.index] = [_finding(doc, hit, criterion)]
    if pending:
        add_parses([d for d, _ in pending])
        for doc, found in pending:
            hit = next((c for c in found if by_parse(doc, c, min_words)), None)
            if hit is not None:
                out[doc.index] = [_finding(doc, hit, criterion)]
    return out


def _finding(doc: Doc, c: Conjunct, criterion: Criterion) -> Finding:
    span = Span(doc.units[c.coord_first].start, doc.units[c.right[1] - 1].end)
    return Finding(criterion.code, criterion.id, span, variant="clauses",
                   values={"term": doc.text[doc.units[c.coord_first].start:doc.units[c.coord_last - 1].end]})
