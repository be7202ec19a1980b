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
from statementkit.checks.kinds.lexical import is_infinitive, matches
from statementkit.checks.kinds.standpoint import STANCE_LISTS, is_question
from statementkit.checks.patterns import _unit_ok
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion, Rules
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
    comma: bool = False  # a comma right before the coordinator


def _positions(doc: Doc, cats: tuple[str, ...]) -> frozenset[int]:
    """Units covered by matches of the lexicon lists (cached per doc: the clause tests ask often)."""
    key = ("positions", *cats)
    found = doc.cache.get(key)
    if found is None:
        out: set[int] = set()
        for cat in cats:
            for m in matches(doc, cat):
                out.update(range(m.first, m.last))
        found = doc.cache[key] = frozenset(out)
    return found


def _verb_words(doc: Doc) -> frozenset[int]:
    """The words of verb matches, without the words a pattern's gap spans ("hebben .. nodig")."""
    found = doc.cache.get("verb_words")
    if found is None:
        found = doc.cache["verb_words"] = frozenset(i for cat in VERB_LISTS for m in matches(doc, cat)
                                                    for i in (m.first, m.last - 1))
    return found


def clause_verb(doc: Doc, a: int, end: int, verbs: frozenset[int] | set[int]) -> int | None:
    """The finite verb of a main clause that opens at unit a with its own subject: a noun phrase of
    one to five words with a content word and no verb ("die Bibliotheken sollen ...", "het Rijk
    moet ...", "los archivos deben ..."), then the verb, then more words. A verb that ends the
    words before `end` closes a subordinate clause instead ("und die Daten teilen")."""
    words = [i for i in range(a, end) if not doc.units[i].punct]
    stops = nlp.stop_words(doc.lang)
    for k, i in enumerate(words[:6]):
        if i not in verbs:
            continue
        head = words[:k]
        if not head or k == len(words) - 1 or any(_is_infinitive(doc, j) for j in head):
            return None
        content = [j for j in head if doc.units[j].fold not in stops and len(doc.units[j].text) > 2]
        return i if content else None
    return None


def verb_form(doc: Doc, i: int) -> bool:
    """Unit i is a verb: in the verb lists, an infinitive, or an inflected form whose lemma is an
    infinitive ("revisa" -> revisar, "controlla" -> controllare); German nouns are capitalised."""
    return i in _positions(doc, VERB_LISTS) or _is_infinitive(doc, i) or inflected(doc, i)


def inflected(doc: Doc, i: int) -> bool:
    """Unit i is an inflected verb form by its lemma, which is an infinitive ("revisa" -> revisar,
    "étiquetons" -> étiqueter); participles count too. German nouns are capitalised."""
    u = doc.units[i]
    if u.punct or u.acronym or not u.lemma or u.lemma == u.fold or doc.lang == "de" and u.text[:1].isupper():
        return False
    return any(len(u.lemma) > len(e) + 2 and u.lemma.endswith(e) for e in _infinitive_endings(doc))


def _infinitive_endings(doc: Doc) -> tuple[str, ...]:
    """The endings of `clauses.infinitive` ("*er", "*are"), set by the check (`prime`)."""
    return doc.cache.get("infinitive_endings", ())


def prime(doc: Doc, rules: Rules | None) -> None:
    """Keep what the clause tests need from the rules in the doc's cache."""
    if rules is not None and "infinitive_endings" not in doc.cache:
        pats = rules.lexicon(doc.lang).get("clauses", {}).get("infinitive", [])
        doc.cache["infinitive_endings"] = tuple(fold(p.strip("*")) for p in pats if p.startswith("*"))


def points_back(doc: Doc, a: int, end: int) -> bool:
    """Words a..end refer to what came before: a pronoun or an anaphoric adverb ("them", "dafür",
    "pedirlo"). An article that shares its form with a pronoun ("los archivos", "la BnF") is
    followed by a noun; the pronoun by a verb ("nadie las revisa")."""
    determiners = _positions(doc, ("clauses.determiners",))
    for i in _positions(doc, ("clauses.reference", "clauses.anaphora")):
        if a <= i < end and (i not in determiners or i + 1 < end and verb_form(doc, i + 1)):
            return True
    return False


def _opens_main_clause(doc: Doc, a: int, end: int, verbs: frozenset[int] | set[int]) -> bool:
    """Unit a is an article or other determiner that opens the subject of a main clause, not a
    relative pronoun ("und die Archive sollen ...", "en het Rijk moet ...")."""
    return a in _positions(doc, ("clauses.determiners",)) and a not in _positions(doc, ("clauses.demonstratives",)) \
        and clause_verb(doc, a, end, verbs) is not None


def _content(doc: Doc, a: int, b: int, skip: frozenset[int] | set[int]) -> int:
    """Content words in a..b outside `skip`: not stop words, except infinitives ("unabhängig machen")."""
    stops = nlp.stop_words(doc.lang)
    return sum(1 for i in range(a, b) if i not in skip and not doc.units[i].punct and len(doc.units[i].text) > 2
               and any(ch.isalpha() for ch in doc.units[i].text)
               and (doc.units[i].fold not in stops or _is_infinitive(doc, i)))


def claim_sentences(doc: Doc) -> list[int]:
    """Sentences that make a claim of their own (not elaborations); two or more
    questions count as claims too ("Who decides? And who pays?")."""
    from statementkit.checks.kinds.standpoint import _infinitive_proposal

    questions = doc.cache.get("questions") or [is_question(doc, s) for s in range(len(doc.sentences))]
    adding = {doc.units[m.first].sent for m in matches(doc, "clauses.additive")}
    # "This / Because / So ..." explains the sentence before, unless it adds ("They also need ...")
    elaborating = {doc.units[m.first].sent for m in matches(doc, "clauses.elaboration")} - adding
    out, asked = [], []
    for s in range(len(doc.sentences)):
        if s > 0 and s in elaborating:
            continue
        a, b = doc.sentences[s]
        if questions[s]:
            if _content(doc, a, b, set()) >= 2:
                asked.append(s)
            continue
        if any(doc.units[m.first].sent == s for cat in STANCE_LISTS for m in matches(doc, cat)) or \
                _infinitive_proposal(doc, s) or _imperative(doc, a, b):
            out.append(s)
    if len(out) == 1:
        out = sorted(out + _independent_judgements(doc, out[0], questions, elaborating, adding))
    return out if len(out) >= 2 or len(asked) < 2 else sorted(out + asked)


def _imperative(doc: Doc, a: int, b: int) -> bool:
    """The sentence a..b opens with an imperative ("Contratad conservadores", "Embauchez plutôt ..."):
    an imperative ending on a word whose lemma is a verb (Polish, without lemmas: the ending alone)."""
    words = _words(doc, a, b)
    if len(words) < 2 or words[0] not in _positions(doc, ("clauses.imperative",)):
        return False
    return doc.lang in NO_LEMMAS or inflected(doc, words[0])


#: Languages without a lemmatiser: verb forms are known from their endings alone.
NO_LEMMAS = frozenset({"pl"})


def _judgement(doc: Doc, s: int) -> bool:
    """Sentence s judges without prescribing: an evaluative content word ("a real help", "in
    Ordnung", "una gran ayuda"; not a function word like "not", "only") or a prediction, outside a
    reply marker."""
    stops = nlp.stop_words(doc.lang)
    reply = _positions(doc, ("reply.strong",))
    for cat in ("standpoint.evaluative", "standpoint.future"):
        for m in matches(doc, cat):
            if doc.units[m.first].sent == s and m.first not in reply and \
                    any(doc.units[i].fold not in stops for i in range(m.first, m.last)):
                return True
    return False


def _statement(doc: Doc, s: int) -> bool:
    """Sentence s says something: a verb and two content words, outside a reply marker."""
    a, b = doc.sentences[s]
    reply = _positions(doc, ("reply.strong",))
    return not any(a <= i < b for i in reply) and any(verb_form(doc, i) for i in range(a, b)) and \
        _content(doc, a, b, _verb_words(doc)) >= 2


def _content_lemmas(doc: Doc, s: int) -> set[str]:
    """Lemmas of the content words of sentence s (not stop words, not acronyms like AI)."""
    a, b = doc.sentences[s]
    stops = nlp.stop_words(doc.lang)
    return {u.lemma or u.fold for u in doc.units[a:b]
            if not u.punct and not u.acronym and len(u.text) > 3 and u.fold not in stops and u.text.isalpha()}


def _independent_judgements(doc: Doc, claim: int, questions: list[bool], elaborating: set[int],
                            adding: set[int]) -> list[int]:
    """Sentences that judge something else than the claim sentence does: "AI transcription is a real
    help for volunteers. Libraries should publish their catalogues." A judgement the claim builds
    on is its reason instead: the later sentence points back ("... should not use it") or shares a
    content word with the other ("Chatbots make errors. Chatbots need checks."). An additive word
    ("Además, ...") makes a second claim whatever the overlap."""
    out = []
    for s in range(len(doc.sentences)):
        if s == claim or questions[s] or (s > 0 and s in elaborating):
            continue
        if not _judgement(doc, s) and not (s + 1 == claim and claim in adding and _statement(doc, s)):
            continue  # (a sentence followed by "Außerdem ..." made a point, whatever its words)
        later = max(s, claim)
        if later in adding:
            out.append(s)
            continue
        a, b = doc.sentences[later]
        if points_back(doc, a, b) or _content_lemmas(doc, s) & _content_lemmas(doc, claim):
            continue
        out.append(s)
    return out


def _starts_proposal(doc: Doc, a: int) -> bool:
    """The sentence starting at unit a opens with a verbless proposal ("No X", "Keine X", "Niente X")."""
    return any(m.pattern.at_start and doc.units[m.first].sent == doc.units[a].sent
               for m in matches(doc, "standpoint.proposal"))


def _has_verb(doc: Doc, a: int, b: int, verbs: set[int]) -> bool:
    return any(a <= i < b for i in verbs) or any(_is_infinitive(doc, i) for i in range(a, b))


def conjuncts(doc: Doc, min_words: int) -> list[Conjunct]:
    """Coordinations between a clause (a verb, or a verbless proposal) and a conjunct long
    enough to be a claim, outside subordinate clauses."""
    verbs = _positions(doc, VERB_LISTS)
    subs = _positions(doc, ("clauses.subordinators",))
    purpose = _positions(doc, ("clauses.purpose",))
    contrast = _positions(doc, ("clauses.contrast",))
    anaphora = _positions(doc, ("clauses.anaphora",))
    additive = _positions(doc, ("clauses.additive",))
    modals = _positions(doc, ("standpoint.modal",))
    claims = _positions(doc, STANCE_LISTS) - _positions(doc, ("reply.strong",))
    reply = _positions(doc, ("reply.strong",))
    adversative = {m.first for m in matches(doc, "clauses.adversative")}
    stance = _positions(doc, ("standpoint.stance",))  # "Wir fordern X, Y und ein Verbot von Z"
    demonstratives = _positions(doc, ("clauses.demonstratives",))
    coords = sorted(matches(doc, "clauses.coordinators") + matches(doc, "clauses.adversative"), key=lambda m: m.first)
    coord_units = _positions(doc, ("clauses.coordinators", "clauses.adversative"))
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
        if nxt >= b or (nxt in contrast and not added or sub) and not _opens_main_clause(doc, nxt, end, verbs):
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
            nxt < end and _parallel_verb(doc, lead, nxt)  # "Interdisons ... et formons tous les archivistes"
        need = 1 if clause_verb(doc, nxt, end, verbs) is not None or added and any(nxt <= i < end for i in verbs) \
            else min(2, min_words) if own_clause else min_words
        if _content(doc, nxt, end, _verb_words(doc)) < need:
            continue
        semicolon = word == ";"
        left_verbs = [i for i in verbs | stance if a <= i < m.first and i not in reply] + \
            ([lead] if lead is not None and a <= lead < m.first else [])
        slogan = added and not any(a <= i < m.first for i in reply) and _content(doc, a, m.first, _verb_words(doc)) >= 3
        if semicolon and not (left_verbs or any(a <= i < m.first for i in claims) or _starts_proposal(doc, start)
                              or slogan):
            continue  # "I disagree with the one above; museums should ...": a reply marker is no claim
            # (a verbless claim with an additive after the semicolon is one: "La IA siempre bajo control
            # humano; también hay que ...")
        # a list of verbless demands: "Kostenlose Transkription für kleine Archive und keine Gebühren mehr ..."
        demands = opener and not any(a <= i < m.first for i in verbs | reply) and _content(doc, a, m.first, _verb_words(doc)) >= 2
        if not (left_verbs or semicolon or demands or _starts_proposal(doc, start)):
            continue
        judged = not semicolon and not added and not any(a <= i < m.first for i in claims)
        own_modal = [i for i in modals if nxt <= i < end]
        if not semicolon and not added and own_modal and (
                points_back(doc, nxt, end) if judged else points_back(doc, min(own_modal), min(end, min(own_modal) + 6))):
            continue  # "... are bland, and museums should stop publishing them": a reason and its claim;
            # "... requires the family's consent, and archives must ask for it": the second is about the
            # first (its verb takes a pronoun for an object)
        if judged and left_verbs and nxt in verbs:
            continue  # "... are tasteless and should be banned", "... ist naiv und wird ... schaden": a judgement
            # and what follows from it, said of the same subject
        if left_verbs and not semicolon and not added:
            last_verb = min(left_verbs)  # the main clause's verb: a subordinate clause may have its own
            own_modal = any(nxt <= i < end for i in modals)
            if not own_modal and any(last_verb < i < m.first for i in subs) and not _gapped(doc, _words(doc, a, m.first),
                                                                                          _words(doc, nxt, end)):
                continue  # "so that old biases and wrong labels are not repeated": a subordinate clause
                # (unless a second subject follows with its own infinitive: "... decir quien les vende la IA y
                # los archivos tener ...")
            prep = [i for i in purpose if last_verb < i < m.first]
            if prep and _has_verb(doc, min(prep) + 1, m.first, verbs):
                continue  # "use AI to describe objects and translate labels": inside the purpose clause
        comma = m.first > a and doc.units[m.first - 1].punct and doc.units[m.first - 1].text == ","
        out.append(Conjunct(m.first, m.last, (a, m.first), (nxt, end), word, comma))
    return out


def _words(doc: Doc, a: int, b: int) -> list[int]:
    return [i for i in range(a, b) if not doc.units[i].punct]


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
    verbs = _positions(doc, VERB_LISTS)
    modals = _positions(doc, ("standpoint.modal",)) - _positions(doc, ("reply.strong",))
    additive = _positions(doc, ("clauses.additive",))
    opening = _positions(doc, ("clauses.subordinators", "clauses.contrast", "clauses.purpose", "clauses.anaphora",
                               "clauses.demonstratives"))
    leading = _positions(doc, ("clauses.subordinators", "clauses.purpose"))  # "If ..., ", "To ..., "
    bounds = _positions(doc, ("clauses.coordinators", "clauses.adversative"))
    out = []
    for c in commas:
        start, b = doc.sentences[doc.units[c].sent]
        a = max([i + 1 for i in bounds if start <= i < c] or [start])
        words_l = [i for i in range(a, c) if not doc.units[i].punct]
        if not words_l or words_l[0] in leading or not any(i in modals for i in words_l):
            continue
        ra = c + 1
        end = next((i for i in range(ra, b) if i in bounds or doc.units[i].text in (",", ";", ":")), b)
        verb = clause_verb(doc, ra, end, verbs)
        if ra in opening and not _opens_main_clause(doc, ra, end, verbs):
            continue
        adds = any(ra <= i < end for i in additive)
        if adds and verb is None:  # a fronted additive: "zum anderen brauchen Archive ...", "anderzijds hebben ..."
            verb = next((i for i in range(ra, min(end, ra + 4)) if i in verbs), None)
        if verb is None or not adds and (verb not in modals or points_back(doc, ra, end)):
            continue
        out.append(Conjunct(c, c + 1, (a, c), (ra, end), ",", comma=True))
    return out


#: Languages where a sentence opening with an inflected verb proposes or claims: an imperative
#: ("Étiquetons ...", "Contratad ...") or a verb whose subject is left out ("Necesitamos ...").
#: Elsewhere a verb first asks a question, or (German, Dutch) the infinitive comes last.
VERB_FIRST_CLAIMS = frozenset({"fr", "es", "it", "pt"})


def proposal_lead(doc: Doc, s: int) -> int | None:
    """The verb a proposal sentence opens with: an infinitive ("Etiquetar cada cartela ...",
    "Oznaczać każdy podpis ...") or an imperative ("Étiquetons ..."); in German and Dutch the
    infinitive that ends an infinitive proposal's first part ("Gesichtserkennung verbieten und ...")."""
    from statementkit.checks.kinds.standpoint import VERB_FINAL, _infinitive_proposal

    a, b = doc.sentences[s]
    words = [i for i in range(a, b) if not doc.units[i].punct]
    if len(words) < 3 or doc.cache.get("questions", [False] * len(doc.sentences))[s]:
        return None
    if doc.lang in VERB_FINAL:
        if not _infinitive_proposal(doc, s):
            return None
        coords = _positions(doc, ("clauses.coordinators",))
        first = next((k for k, i in enumerate(words) if i in coords), None)
        return words[first - 1] if first and _is_infinitive(doc, words[first - 1]) else None
    i = words[0]
    if i in _positions(doc, ("clauses.openers", "reply.strong")) or \
            i in _positions(doc, VERB_LISTS) and not inflected(doc, i) and not _is_infinitive(doc, i) or \
            any(m.first == i and m.last - m.first > 1 for m in matches(doc, "standpoint.proposal")):
        return None  # "Nada de ...", "Discrepo del mensaje anterior", "Il faut": no verb to coordinate with
    if _is_infinitive(doc, i):  # an infinitive subject ("Dépenser des millions ... est irresponsable") is no proposal
        return None if any(a < k < b for k in _positions(doc, VERB_LISTS)) else i
    return i if doc.lang in VERB_FIRST_CLAIMS and inflected(doc, i) or _imperative(doc, a, b) else None


def _parallel_verb(doc: Doc, lead: int | None, i: int) -> bool:
    """Unit i repeats the form of the proposal's opening verb: an infinitive after an infinitive
    ("Etiquetar ... y dejar ..."), the same person after an imperative ("Étiquetons ... et arrêtons")."""
    if lead is None:
        return False
    if _is_infinitive(doc, lead):
        return _is_infinitive(doc, i)
    if doc.lang in NO_LEMMAS:
        return i in _positions(doc, ("clauses.imperative",))
    return inflected(doc, i) and doc.units[i].fold[-2:] == doc.units[lead].fold[-2:]


def _is_infinitive(doc: Doc, i: int) -> bool:
    """`lexical.is_infinitive`, and in German a lowercase -en word that ends its clause whose lookup
    lemma is a noun of the same stem ("zur Verfügung stellen" -> Stelle, "teilen" -> Teil): the
    lemma tables ignore case, but a German noun is capitalised, and an adjective comes before one."""
    if i in _positions(doc, ("clauses.determiners", "clauses.coordinators")):
        return False  # "een", "en" end like a Dutch infinitive
    if is_infinitive(doc, i):
        return True
    u = doc.units[i]
    if doc.lang != "de" or u.punct or not u.text[:1].islower() or not u.fold.endswith("en") or \
            not u.lemma or not u.fold.startswith(u.lemma[:-1] if u.lemma.endswith("e") else u.lemma):
        return False
    nxt = doc.units[i + 1] if i + 1 < len(doc.units) else None
    return nxt is None or nxt.punct or i + 1 in _positions(doc, ("clauses.coordinators",))


def _opens_proposal(doc: Doc, rules: Rules | None, i: int) -> bool:
    """Unit i reads like the first word of a sentence-opening proposal ("open", "rendons")."""
    if rules is None:
        return False
    starts = doc.cache.get("proposal_starts")
    if starts is None:
        starts = doc.cache["proposal_starts"] = [p.items[0] for p in rules.patterns(doc.lang).patterns
                                                  if p.data.get("cat") == "standpoint.proposal" and p.at_start]
    return any(_unit_ok(item, doc.units[i]) for item in starts)


def by_markers(doc: Doc, c: Conjunct, rules: Rules | None = None) -> bool:
    """Clause markers: an own verb, an additive word, a proposal opener, or infinitives on both sides."""
    verbs = _positions(doc, VERB_LISTS)
    ra, rb = c.right
    subs = [i for i in _positions(doc, ("clauses.subordinators",)) if ra < i < rb]
    main_end = min(subs) if subs else rb  # a verb after "which", "qui", "que" belongs to a relative clause
    if c.word == ";":  # after a semicolon, a reason ("; AI still misreads old handwriting") is no second claim
        claims = _positions(doc, STANCE_LISTS + ("standpoint.future", "clauses.additive"))
        return any(ra <= i < main_end for i in claims) or _is_infinitive(doc, ra)
    from statementkit.checks.kinds.standpoint import VERB_FINAL

    if doc.lang in VERB_FINAL:
        # a main clause of its own puts its finite verb first or second ("und Museen sollten ..."); a verb
        # only at the end is the shared predicate ("zwischen X und Y wählen können"), and an infinitive right
        # after the coordinator shares subject and object ("testen und dokumentieren"). After "während",
        # "terwijl" the second clause puts its own modal last ("..., während Bibliotheken ... archivieren sollten").
        if c.coord_first in _positions(doc, ("clauses.subordinators",)):
            return any(ra <= i < rb for i in _positions(doc, ("standpoint.modal",)))
        if _open_modal(doc, c.left, verbs):
            return False  # "KI sollte verantwortungsvoll und zukunftsfähig eingesetzt werden": inside one clause
        words = [i for i in range(ra, main_end) if not doc.units[i].punct]
        if words and _is_infinitive(doc, words[0]) and words[0] not in verbs and \
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
    words_r = [i for i in range(ra, rb) if not doc.units[i].punct]
    words_l = [i for i in range(la, lb) if not doc.units[i].punct]
    if not words_r or not words_l:
        return False
    if c.comma and _starts_proposal(doc, la) and len(words_r) >= 3:
        return True  # "No facial recognition in archives, and more money for libraries"
    if _starts_proposal(doc, la) and _opens_proposal(doc, rules, words_r[0]):
        return True  # "Ban voice clones ... and open all scans ...", "Interdisons ... et rendons ..."
    lead = proposal_lead(doc, doc.units[la].sent)
    left_verbs = sorted([i for i in words_l if i in verbs] + ([lead] if lead in words_l else []))
    if _gapped(doc, words_l, words_r):
        return True
    if left_verbs and (_is_infinitive(doc, words_r[0]) or _parallel_verb(doc, lead, words_r[0])):
        # the first verb needs an object of its own: "measure and publish X" shares one
        stops = nlp.stop_words(doc.lang)
        own = [i for i in words_l if i > max(left_verbs) and not _is_infinitive(doc, i)
               and doc.units[i].fold not in stops]
        return bool(own)
    return _is_infinitive(doc, words_l[-1]) and _is_infinitive(doc, words_r[-1])


def _open_modal(doc: Doc, left: tuple[int, int], verbs: frozenset[int]) -> bool:
    """German, Dutch: the part before the coordinator has a modal or auxiliary whose infinitive or
    participle has not come yet ("KI sollte im Kulturbereich verantwortungsvoll und ..."), so the
    coordination is inside its clause. A modal that is a full verb ("brauchen", "nodig hebben") or
    takes an object noun ("ein Verbot") is no such auxiliary: it needs no infinitive."""
    la, lb = left
    words = _words(doc, la, lb)
    finite = [i for i in words if i in _positions(doc, ("clauses.auxiliaries",))]
    if not finite:
        return False
    return not any(i > min(finite) and _closes(doc, i) for i in words)


#: Infinitive markers: the word after one is a verb ("te gebruiken", "zu nutzen").
INFINITIVE_MARKERS = frozenset({"te", "zu"})


def _closes(doc: Doc, i: int) -> bool:
    """German, Dutch: unit i is the infinitive or participle that closes a modal's clause. A word
    with an infinitive ending is one unless a function word other than a verb comes right before
    it ("in archieven", "in kleinen Museen": a noun or an adjective) or it is a German noun."""
    if verb_form(doc, i):
        return True
    u = doc.units[i]
    if i not in _positions(doc, ("clauses.infinitive",)) or doc.lang == "de" and not u.text[:1].islower():
        return False
    stops = nlp.stop_words(doc.lang)
    prev = doc.units[i - 1] if i > 0 else None
    return u.fold not in stops and (prev is None or prev.fold in INFINITIVE_MARKERS or prev.fold not in stops
                                    or i - 1 in _positions(doc, VERB_LISTS))


#: Languages without articles: a subject noun phrase need not start with a function word.
NO_ARTICLES = frozenset({"pl"})


def _gapped(doc: Doc, words_l: list[int], words_r: list[int]) -> bool:
    """A second subject with the modal left out: "Archives should transcribe letters and museums
    stop buying audio guides", "... y los museos dejar de comprar ...": the left part has a modal,
    the right one opens with a noun phrase (1-3 words, not a verb) followed by an infinitive."""
    from statementkit.checks.kinds.standpoint import VERB_FINAL

    modals = _positions(doc, ("standpoint.modal",))
    determiners = _positions(doc, ("clauses.determiners",))
    if doc.lang in VERB_FINAL or not any(i in modals for i in words_l) or len(words_r) < 3:
        return False  # (German and Dutch put the infinitive last in any clause: "und die Besucher informieren")
    stops = nlp.stop_words(doc.lang)
    for k in range(1, min(4, len(words_r) - 1)):
        if _is_infinitive(doc, words_r[k]):
            head = words_r[:k]
            return not any(_is_infinitive(doc, i) for i in head) and \
                any(doc.units[i].fold not in stops for i in head) and \
                (doc.units[head[0]].fold in stops or head[0] in determiners or doc.lang in NO_ARTICLES)
    return False


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
            hit = next((c for c in found if by_parse(doc, c, min_words)), None)
            if hit is not None:
                out[doc.index] = [_finding(doc, hit, criterion)]
    return out


def _finding(doc: Doc, c: Conjunct, criterion: Criterion) -> Finding:
    span = Span(doc.units[c.coord_first].start, doc.units[c.right[1] - 1].end)
    return Finding(criterion.code, criterion.id, span, variant="clauses",
                   values={"term": doc.text[doc.units[c.coord_first].start:doc.units[c.coord_last - 1].end]})
