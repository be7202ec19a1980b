"""`multiple_ideas`: two or more separate claims in one statement.

Three signals, in every language:
- several sentences that each make a claim of their own (`ideas_sentences`);
- a coordinator ("and", ";", "as well as", "und", "sowie", "et", "en", "y",
  "e", "i", "a", "while") between a clause and a conjunct that brings a
  clause of its own;
- main clauses joined by a comma alone, each with its own subject and modal
  ("Museen sollten KI-Bilder kennzeichnen, Archive brauchen mehr Geld").

Whether the conjunct is a clause of its own is decided by clause markers
(`clauses`): it has its own subject and verb (in German and Dutch the finite
verb second: "und die Bibliotheken sollen ..."), its own modal, an additive
word ("also", "außerdem", "inoltre"), or it repeats the form of a proposal's
opening verb ("Etiquetar ... y dejar ...", "Interdisons ... et formons ..."),
or it opens a demand ("..., and a ban on ...", "und keine Gebühren mehr").
Where a parser exists (English, French) and the markers find nothing, spaCy's
parse decides: the coordinated verb has its own subject, or its own object
while the first verb has one too. The parser runs only on the statements that
have such a coordinator (a cheap test), which keeps the checks fast.

One idea, whatever the coordinator: a compound subject or object ("museums and
archives should ..."), a coordination inside a purpose, condition or relative
clause ("so that researchers can find and compare ..."), a contrast ("and
not", "rather than"), alternatives ("or"), a second part that points back at
the first ("... requires consent, and archives must ask for it"; "; diese
brauchen ..."), a judgement and what follows from it for the same subject
("... are tasteless and should be banned"), and in German and Dutch a
coordination before the modal's infinitive has come ("KI sollte transparent
und fair eingesetzt werden").
"""

from __future__ import annotations

from dataclasses import dataclass

from statementkit.checks.document import Doc, add_parses
from statementkit.checks.kinds.clauses import (
    NO_ARTICLES,
    VERB_LISTS,
    clause_verb,
    content,
    gapped,
    has_verb,
    infinitive_at,
    open_modal,
    opens_main_clause,
    parallel_verb,
    points_back,
    positions,
    prime,
    proposal_lead,
    starts_proposal,
    verb_words,
    words_in,
)
from statementkit.checks.kinds.ideas_sentences import claim_sentences
from statementkit.checks.kinds.lexical import matches
from statementkit.checks.kinds.lexical import VERB_FINAL
from statementkit.checks.kinds.standpoint import STANCE_LISTS
from statementkit.checks.patterns import unit_ok
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion, Rules
from statementkit.records import Span
from statementkit.text import nlp

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
    comma: bool = False  # a comma right before the coordinator


def subordinators(doc: Doc) -> frozenset[int]:
    """Units of `clauses.subordinators`. In German a relative pronoun ("der", "die", "das") follows a
    comma, so without one the word is an article ("mit Zustimmung der Familien")."""
    subs = positions(doc, ("clauses.subordinators",))
    if doc.lang != "de":
        return subs
    determiners = positions(doc, ("clauses.determiners",))
    return frozenset(i for i in subs if i not in determiners or i > 0 and doc.units[i - 1].text == ",")


def conjuncts(doc: Doc, min_words: int) -> list[Conjunct]:
    """Coordinations between a clause (a verb, or a verbless proposal) and a conjunct long
    enough to be a claim, outside subordinate clauses."""
    coords = sorted(matches(doc, "clauses.coordinators") + matches(doc, "clauses.adversative"), key=lambda m: m.first)
    if not coords:
        return []
    verbs = positions(doc, VERB_LISTS)
    subs = subordinators(doc)
    purpose = positions(doc, ("clauses.purpose",))
    contrast = positions(doc, ("clauses.contrast",))
    anaphora = positions(doc, ("clauses.anaphora",))
    additive = positions(doc, ("clauses.additive",))
    modals = positions(doc, ("standpoint.modal",))
    claims = positions(doc, STANCE_LISTS) - positions(doc, ("reply.strong",))
    reply = positions(doc, ("reply.strong",))
    adversative = {m.first for m in matches(doc, "clauses.adversative")}
    stance = positions(doc, ("standpoint.stance",))  # "Wir fordern X, Y und ein Verbot von Z"
    demonstratives = positions(doc, ("clauses.demonstratives",))
    coord_units = positions(doc, ("clauses.coordinators", "clauses.adversative"))
    out = []
    for m in coords:
        sent = doc.units[m.first].sent
        start, b = doc.sentences[sent]
        # the left part starts after the previous coordinator of the sentence
        a = max([i + 1 for i in coord_units if start <= i < m.first] or [start])
        word = " ".join(doc.units[i].fold for i in range(m.first, m.last))
        if word in ALTERNATIVES:
            continue
        nxt = m.last
        while nxt < b and doc.units[nxt].punct:
            nxt += 1
        opener = any(o.first == nxt for o in matches(doc, "clauses.openers"))
        end = next((i for i in range(nxt, b) if i in coord_units), b)
        coord_adds = any(m.first <= i < m.last for i in additive)  # "but also", "sondern auch"
        added = coord_adds or any(nxt <= i < end for i in additive)
        if m.first in adversative and not added:
            continue  # "..., but a curator must check them": a limit of the same idea, unless it adds ("but ... also")
        sub = nxt in subs and not opener and not any(o.first == nxt for o in matches(doc, "clauses.additive"))
        # a pronoun that is part of an impersonal modal is no contrast: "et il faut ...", "und es braucht ..."
        impersonal = any(o.first == nxt for o in matches(doc, "standpoint.modal"))
        if nxt >= b or (nxt in contrast and not added and not impersonal or sub) and \
                not opens_main_clause(doc, nxt, end, verbs):
            continue  # "and not ...", "and which ...": a contrast or a parallel subordinate clause
            # ("; co więcej, ...": an additive phrase may begin like a subordinator)
        if nxt in demonstratives and not added:
            continue  # "; diese brauchen fachkundige Sorgfalt", "; ce sujet exige ...": about the first part
        if any(nxt <= i < end for i in anaphora):
            continue  # "... and must pay for that": the second part depends on the first
        # a conjunct with a verb or an additive word needs fewer words to be a claim, one with its own
        # subject and verb only one ("e gli strumenti IA vanno verificati ogni anno")
        lead = proposal_lead(doc, sent)
        own_clause = coord_adds or opener or any(nxt <= i < end for i in verbs | additive) or \
            nxt < end and parallel_verb(doc, lead, nxt)  # "Interdisons ... et formons tous les archivistes"
        need = 1 if clause_verb(doc, nxt, end, verbs) is not None or added and any(nxt <= i < end for i in verbs) \
            else min(2, min_words) if own_clause else min_words
        if content(doc, nxt, end, verb_words(doc)) < need:
            continue
        semicolon = word == ";"
        # a stance verb heads a list of demands ("Wir fordern X, Y und ein Verbot von Z"), not a
        # compound subject ("I believe women and the unborn have rights")
        left_verbs = [i for i in (verbs | stance if opener else verbs) if a <= i < m.first and i not in reply] + \
            ([lead] if lead is not None and a <= lead < m.first else [])
        slogan = added and not any(a <= i < m.first for i in reply) and content(doc, a, m.first, verb_words(doc)) >= 3
        if semicolon and not (left_verbs or any(a <= i < m.first for i in claims) or starts_proposal(doc, start)
                              or slogan):
            continue  # "I disagree with the one above; museums should ...": a reply marker is no claim
            # (a verbless claim with an additive after the semicolon is one: "La IA siempre bajo control
            # humano; también hay que ...")
        # a list of verbless demands: "Kostenlose Transkription für kleine Archive und keine Gebühren mehr ..."
        # (with a verb after it, the list is a compound subject: "Nur geschultes Personal und keine Chatbots sollten ...")
        demands = opener and not any(a <= i < end for i in verbs | reply) and content(doc, a, m.first, verb_words(doc)) >= 2
        if not (left_verbs or semicolon or demands or starts_proposal(doc, start)):
            continue
        judged = not semicolon and not added and not any(a <= i < m.first for i in claims)
        own_modal = [i for i in modals if nxt <= i < end]
        # the words after the modal ("es braucht" is one: its "es" points nowhere)
        after = next((i for i in range(min(own_modal), end) if i not in modals), end) if own_modal else end
        if not semicolon and not added and own_modal and (
                points_back(doc, nxt, end) if judged else points_back(doc, after, min(end, after + 5))):
            continue  # "... are bland, and museums should stop publishing them": a reason and its claim;
            # "... requires the family's consent, and archives must ask for it": the second is about the
            # first (its verb takes a pronoun for an object)
        if judged and left_verbs and nxt in verbs:
            continue  # "... are tasteless and should be banned", "... ist naiv und wird ... schaden": a judgement
            # and what follows from it, said of the same subject
        # an additive word counts inside a subordinate clause only when a main clause follows it
        # ("damit ... belegt werden können und der Strom auch eingespeist werden kann": verb last)
        added_main = added and (doc.lang not in VERB_FINAL or coord_adds or clause_verb(doc, nxt, end, verbs) is not None
                                or any(i in verbs for i in words_in(doc, nxt, end)[:3]))
        if left_verbs and not semicolon and not added_main:
            last_verb = min(left_verbs)  # the main clause's verb: a subordinate clause may have its own
            own_modal = any(nxt <= i < end for i in modals)
            if not own_modal and any(last_verb < i < m.first for i in subs) and not gapped(doc, words_in(doc, a, m.first),
                                                                                          words_in(doc, nxt, end)):
                continue  # "so that old biases and wrong labels are not repeated": a subordinate clause
                # (unless a second subject follows with its own infinitive: "... decir quien les vende la IA y
                # los archivos tener ...")
            prep = [i for i in purpose if last_verb < i < m.first]
            if prep and has_verb(doc, min(prep) + 1, m.first, verbs):
                continue  # "use AI to describe objects and translate labels": inside the purpose clause
        comma = m.first > a and doc.units[m.first - 1].punct and doc.units[m.first - 1].text == ","
        out.append(Conjunct(m.first, m.last, (a, m.first), (nxt, end), word, comma))
    return out


def asyndetic(doc: Doc) -> list[Conjunct]:
    """Main clauses joined by a comma alone: "Museen sollten KI-Bilder kennzeichnen, Archive
    brauchen mehr Geld", "Los museos deben ..., los archivos deben ...". The part before the comma
    has a modal of its own and does not open with a subordinator ("Si un museo ..., debe ..."); the
    part after it opens with its own subject and a modal ("..., archives should keep ..."), or has
    a verb and an additive word ("..., das Land sollte außerdem ..."). A part that points back
    ("..., visitors must know that") or opens with a subordinator, a contrast or a pronoun
    ("..., because ...", "..., otherwise ...", "..., it must ...") belongs to the first."""
    commas = [i for i, u in enumerate(doc.units) if u.punct and u.text == ","]
    if not commas:
        return []
    verbs = positions(doc, VERB_LISTS)
    modals = positions(doc, ("standpoint.modal",)) - positions(doc, ("reply.strong",))
    additive = positions(doc, ("clauses.additive",))
    opening = positions(doc, ("clauses.subordinators", "clauses.contrast", "clauses.purpose", "clauses.anaphora",
                               "clauses.demonstratives"))
    leading = positions(doc, ("clauses.subordinators", "clauses.purpose"))  # "If ..., ", "To ..., "
    bounds = positions(doc, ("clauses.coordinators", "clauses.adversative"))
    coordinators = positions(doc, ("clauses.coordinators",))  # (German "aber" also stands inside a clause)
    out = []
    for c in commas:
        start, b = doc.sentences[doc.units[c].sent]
        a = max([i + 1 for i in bounds if start <= i < c] or [start])
        words_l = words_in(doc, a, c)
        if not words_l or words_l[0] in leading or not any(i in modals for i in words_l):
            continue
        ra = c + 1
        if ra in bounds:
            continue  # ", and ...", ", aber ...": a coordinator's conjunct (`conjuncts`)
        end = next((i for i in range(ra, b) if i in coordinators or doc.units[i].text in (",", ";", ":")), b)
        verb = clause_verb(doc, ra, end, verbs)
        if ra in opening and not opens_main_clause(doc, ra, end, verbs):
            continue
        adds = any(ra <= i < end for i in additive)
        if adds and verb is None:  # a fronted additive: "zum anderen brauchen Archive ...", "anderzijds hebben ..."
            verb = next((i for i in range(ra, min(end, ra + 4)) if i in verbs), None)
        if verb is None or not adds and (verb not in modals or points_back(doc, ra, end)):
            continue
        out.append(Conjunct(c, c + 1, (a, c), (ra, end), ",", comma=True))
    return out


def _opens_proposal(doc: Doc, rules: Rules | None, i: int) -> bool:
    """Unit i reads like the first word of a sentence-opening proposal ("open", "rendons")."""
    if rules is None:
        return False
    starts = doc.cache.get("proposal_starts")
    if starts is None:
        starts = doc.cache["proposal_starts"] = [p.items[0] for p in rules.patterns(doc.lang).patterns
                                                  if p.data.get("cat") == "standpoint.proposal" and p.at_start]
    return any(unit_ok(item, doc.units[i]) for item in starts)


def by_markers(doc: Doc, c: Conjunct, rules: Rules | None = None) -> bool:
    """Clause markers: an own verb, an additive word, a proposal opener, or infinitives on both sides."""
    verbs = positions(doc, VERB_LISTS)
    ra, rb = c.right
    subs = [i for i in subordinators(doc) if ra < i < rb]
    main_end = min(subs) if subs else rb  # a verb after "which", "qui", "que" belongs to a relative clause
    if c.word == ";":  # after a semicolon, a reason ("; AI still misreads old handwriting") is no second claim
        claims = positions(doc, STANCE_LISTS + ("standpoint.future", "clauses.additive"))
        return any(ra <= i < main_end for i in claims) or infinitive_at(doc, ra)
    if doc.lang in VERB_FINAL:
        # a main clause of its own puts its finite verb first or second ("und Museen sollten ..."); a verb
        # only at the end is the shared predicate ("zwischen X und Y wählen können"), and an infinitive right
        # after the coordinator shares subject and object ("testen und dokumentieren"). After "während",
        # "terwijl" the second clause puts its own modal last ("..., während Bibliotheken ... archivieren sollten").
        if c.coord_first in positions(doc, ("clauses.subordinators",)):
            return any(ra <= i < rb for i in positions(doc, ("standpoint.modal",)))
        if open_modal(doc, c.left, verbs):
            return False  # "KI sollte verantwortungsvoll und zukunftsfähig eingesetzt werden": inside one clause
        words = words_in(doc, ra, main_end)
        if words and infinitive_at(doc, words[0]) and words[0] not in verbs and \
                not any(ra <= m.first < rb or c.coord_first <= m.first < c.coord_last
                        for m in matches(doc, "clauses.additive")):
            return False
        if any(i in verbs for i in words[:3]) or clause_verb(doc, ra, rb, verbs) is not None:
            return True
    elif any(ra <= i < main_end for i in verbs):
        return True
    if any(ra <= m.first < rb or c.coord_first <= m.first < c.coord_last for m in matches(doc, "clauses.additive")):
        return True
    if any(m.first == ra for m in matches(doc, "clauses.openers")):
        return True
    la, lb = c.left
    words_r = words_in(doc, ra, rb)
    words_l = words_in(doc, la, lb)
    if not words_r or not words_l:
        return False
    if c.comma and starts_proposal(doc, la) and len(words_r) >= 3:
        return True  # "No facial recognition in archives, and more money for libraries"
    if starts_proposal(doc, la) and not any(i in verbs for i in words_l) and \
            (words_r[0] in positions(doc, ("clauses.determiners",)) or doc.lang in NO_ARTICLES) and \
            content(doc, ra, rb, verb_words(doc)) >= 3:
        return True  # "Nada de IA en las restituciones y una ayuda de digitalización para cada museo pequeño"
    if starts_proposal(doc, la) and _opens_proposal(doc, rules, words_r[0]):
        return True  # "Ban voice clones ... and open all scans ...", "Interdisons ... et rendons ..."
    lead = proposal_lead(doc, doc.units[la].sent)
    left_verbs = sorted([i for i in words_l if i in verbs] + ([lead] if lead in words_l else []))
    if gapped(doc, words_l, words_r):
        return True
    if left_verbs and (infinitive_at(doc, words_r[0]) or parallel_verb(doc, lead, words_r[0])):
        # the first verb needs an object of its own: "measure and publish X" shares one
        stops = nlp.stop_words(doc.lang)
        own = [i for i in words_l if i > max(left_verbs) and not infinitive_at(doc, i)
               and doc.units[i].fold not in stops]
        return bool(own)
    return infinitive_at(doc, words_l[-1]) and infinitive_at(doc, words_r[-1])


def by_parse(doc: Doc, c: Conjunct) -> bool:
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
        first = t.head
        # "devraient vérifier et corriger X": the parser may hang the second verb on the modal, whose
        # complement is the first verb; that verb must have an object of its own
        xcomp = [k for k in children.get(t.head, []) if tokens[k].dep == "xcomp" and tokens[k].start < start]
        if xcomp:
            first = xcomp[0]
        head_kids = {tokens[k].dep for k in children.get(first, [])}
        if kids & OBJECT_DEPS and head_kids & OBJECT_DEPS and head.pos in ("VERB", "AUX"):
            return True
    return False


@register_check("multiple_ideas", batch=True, use_parser=True, min_conjunct_words=3)
def multiple_ideas(docs: list[Doc], criterion: Criterion, ctx: Context) -> dict[int, list[Finding]]:
    min_words = int(criterion.params["min_conjunct_words"])
    out: dict[int, list[Finding]] = {}
    pending: list[tuple[Doc, list[Conjunct]]] = []
    for doc in docs:
        prime(doc, ctx.rules)
        claims = claim_sentences(doc)
        if len(claims) >= 2:
            a, b = doc.sentences[claims[1]]
            out[doc.index] = [Finding(criterion.code, criterion.id, Span(doc.units[a].start, doc.units[b - 1].end),
                                      variant="sentences", values={"count": len(claims)})]
            continue
        found = conjuncts(doc, min_words)
        if not found:
            hit = next(iter(asyndetic(doc)), None)
            if hit is not None:
                out[doc.index] = [_finding(doc, hit, criterion)]
            continue
        hit = next((c for c in found if by_markers(doc, c, ctx.rules)), None) or next(iter(asyndetic(doc)), None)
        if hit is None and criterion.params["use_parser"] and nlp.capabilities(doc.lang).parser:
            pending.append((doc, found))
            continue
        if hit is not None:
            out[doc.index] = [_finding(doc, hit, criterion)]
    if pending:
        add_parses([d for d, _ in pending])
        for doc, found in pending:
            hit = next((c for c in found if by_parse(doc, c)), None)
            if hit is not None:
                out[doc.index] = [_finding(doc, hit, criterion)]
    return out


def _finding(doc: Doc, c: Conjunct, criterion: Criterion) -> Finding:
    span = Span(doc.units[c.coord_first].start, doc.units[c.right[1] - 1].end)
    return Finding(criterion.code, criterion.id, span, variant="clauses",
                   values={"term": doc.text[doc.units[c.coord_first].start:doc.units[c.coord_last - 1].end]})
