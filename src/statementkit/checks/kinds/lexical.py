"""Checks that rest on the lexicons: `jargon`, `not_standalone`, `incivility`, and the lexicon
matches every check reads.

The engine matches every pattern of the statement's language once and keeps
the matches per lexicon list (`doc.cache["m"]`); these checks read them.
"""

from __future__ import annotations

from statementkit.checks.document import Doc
from statementkit.checks.patterns import Match, longest
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion
from statementkit.records import Span
from statementkit.text.nlp import stop_words


def matches(doc: Doc, cat: str) -> list[Match]:
    """Matches of one lexicon list (e.g. "vague.strong") in the doc."""
    return doc.cache.get("m", {}).get(cat, [])


def span_of(m: Match) -> Span:
    return Span(m.start, m.end)


def covered(doc: Doc, ms: list[Match]) -> set[int]:
    """Unit indices covered by matches."""
    out: set[int] = set()
    for m in ms:
        out.update(range(m.first, m.last))
    return out


@register_check("jargon", lexicon="jargon")
def jargon(doc: Doc, criterion: Criterion, ctx: Context) -> list[Finding]:
    found, seen = [], set()
    for m in longest(matches(doc, "jargon")):
        term = m.data["term"]
        if term in seen:
            continue
        seen.add(term)
        found.append(Finding(criterion.code, criterion.id, span_of(m), variant=None if m.data.get("plain") else "generic",
                             values={"term": doc.text[m.start:m.end], "plain": m.data.get("plain") or ""},
                             weak=m.data.get("weak", False)))
    return found


def is_infinitive(doc: Doc, i: int) -> bool:
    """Unit i looks like an infinitive: it ends like one (`clauses.infinitive`), its lemma is
    itself or another word with the same ending (not a plural noun or an inflected adjective: a
    lookup table that maps "einführen" to "einfahren" still names a verb), and in German it is
    lowercase."""
    from statementkit.text import nlp
    from statementkit.text.normalise import fold_word

    u = doc.units[i]
    if u.punct or not any(m.first <= i < m.last for m in matches(doc, "clauses.infinitive")):
        return False
    if doc.lang == "de" and not u.text[:1].islower():
        return False
    if doc.lang in nlp.FAST_LOOKUP_LANGS:
        lemma = fold_word(nlp.lemma_of(u.text, doc.lang))
        return lemma == u.fold or (len(lemma) > 3 and lemma[-2:] == u.fold[-2:])
    return True


#: Languages whose infinitive proposals put the verb last ("Leuchtreklamen ab 22 Uhr abschalten").
VERB_FINAL = frozenset({"de", "nl"})


def infinitive_proposal(doc: Doc, s: int) -> bool:
    """A sentence in the infinitive style of proposals: ending in an infinitive in German and
    Dutch ("Stromnetze ausbauen"), starting with one elsewhere ("Installer des panneaux ...")."""
    a, b = doc.sentences[s]
    words = [i for i in range(a, b) if not doc.units[i].punct]
    if len(words) < 2:
        return False
    i = words[-1] if doc.lang in VERB_FINAL else words[0]
    if doc.lang in VERB_FINAL and any(m.first >= a and m.last <= b for m in matches(doc, "clauses.verbs")):
        return False  # a finite verb too: "..., die wir nutzen können" is not an infinitive proposal
    return is_infinitive(doc, i)


def concrete_words(doc: Doc, exclude: set[int]) -> list[str]:
    """Content words outside the given units: not stop words, not numbers-only, at least 3 letters."""
    stops = stop_words(doc.lang)
    out = []
    for i, u in enumerate(doc.units):
        if i in exclude or u.punct or len(u.text) < 3 or not any(ch.isalpha() for ch in u.text):
            continue
        if u.fold in stops or u.text.lower() in stops:
            continue
        out.append(u.text)
    return out


@register_check("reply")
def reply(doc: Doc, criterion: Criterion, ctx: Context) -> list[Finding]:
    """A reply to another comment: strong markers ("as the previous speaker said") reject; a sentence
    that opens on a demonstrative ("This will ...") may as well speak of the conversation's own
    subject, so it is weak evidence (review)."""
    strong = longest(matches(doc, "reply.strong"))
    found = strong or longest(matches(doc, "reply.weak")) or continuation(doc)
    if not found:
        return []
    m = found[0]
    return [Finding(criterion.code, criterion.id, span_of(m), values={"term": doc.text[m.start:m.end]},
                    weak=not strong)]


def continuation(doc: Doc) -> list[Match]:
    """A verbless fragment that opens by adding to or contrasting with something unsaid ("auch in
    Privatgärten", "Aber nur ein kleines Windrad", "or with the manure"): the rest of another
    comment. Weak evidence; a verb, a modal or an infinitive proposal makes it a statement of its own."""
    opening = [m for m in matches(doc, "reply.continuation") if m.first == 0]
    if not opening or matches(doc, "clauses.verbs") or matches(doc, "standpoint.modal"):
        return []
    if any(infinitive_proposal(doc, s) for s in range(len(doc.sentences))):
        return []
    return opening


def _aimed_at_people(doc: Doc, harsh: Match, targets: list[Match], links: list[Match], window: int) -> bool:
    """A harsh word is an attack when it qualifies a person ("incompetent clowns",
    "naive staff") or is said of one through a linking verb ("the staff are incompetent")."""
    words = [i for i, u in enumerate(doc.units) if not u.punct]
    pos = {u: n for n, u in enumerate(words)}
    h_first = pos.get(harsh.first)
    h_last = pos.get(harsh.last - 1)
    if h_first is None or h_last is None:
        return False
    sent = doc.units[harsh.first].sent
    link_at = {pos[m.first] for m in links if m.first in pos}
    for t in targets:
        if doc.units[t.first].sent != sent or t.first not in pos:
            continue
        t_first, t_last = pos[t.first], pos.get(t.last - 1, pos[t.first])
        if t_first - h_last == 1 or t_first - h_last == 2 and not _stop(doc, words[h_last + 1]):
            return True  # harsh word right before the person: "stupid people", "naive museum staff"
        if h_first - t_last == 1:
            return True  # right after it: "des conservateurs incompétents"
        if 0 < h_first - t_last <= window and any(t_last < k < h_first for k in link_at):
            return True
    return False


def _stop(doc: Doc, i: int) -> bool:
    u = doc.units[i]
    return u.fold in stop_words(doc.lang)


@register_check("incivility", target_window=4)
def incivility(doc: Doc, criterion: Criterion, ctx: Context) -> list[Finding]:
    hits = [(m, "insult") for m in matches(doc, "incivility.insults")]
    hits += [(m, "profanity") for m in matches(doc, "incivility.profanity")]
    hits += [(m, "attack") for m in matches(doc, "incivility.attacks")]
    targets, links = matches(doc, "incivility.targets"), matches(doc, "incivility.link")
    window = int(criterion.params["target_window"])
    for m in matches(doc, "incivility.harsh"):
        if _aimed_at_people(doc, m, targets, links, window):
            hits.append((m, "attack"))
    if not hits:
        return []
    kinds = {id(m): k for m, k in hits}
    m = longest([m for m, _ in hits])[0]
    return [Finding(criterion.code, criterion.id, span_of(m), variant=kinds.get(id(m), "insult"),
                    values={"term": doc.text[m.start:m.end]})]
