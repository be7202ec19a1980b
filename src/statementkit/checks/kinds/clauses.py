"""Clause analysis for `multiple_ideas`, from lexicon matches and lookup lemmas (no parser).

What makes a stretch of words a clause of its own, in seven languages with the fast analysis of
`document`: a verb (the verb lists of the lexicons, an infinitive by its ending, an inflected
form whose lookup lemma is an infinitive); a subject before it (a noun phrase of one to five
words with the verb in second place: "und die Archive sollen ...", "los archivos deben ...");
a proposal's opening verb (an infinitive, an imperative); words pointing back at what came
before (pronouns, also joined to an infinitive: "pedirlo"; an article with the same form as a
pronoun is followed by a noun instead); and, in German and Dutch, whether a modal's clause is
still open (its infinitive or participle has not come yet: "KI sollte fair und ... eingesetzt
werden"). The lexicon lists these read are described in rules/README.md (`[clauses]`).
"""

from __future__ import annotations

from statementkit.checks.document import Doc
from statementkit.checks.kinds.lexical import VERB_FINAL, infinitive_proposal, is_infinitive, matches
from statementkit.checks.kinds.standpoint import infinitive_endings_for
from statementkit.checks.ruleset import Rules
from statementkit.text import nlp

VERB_LISTS = ("clauses.verbs", "standpoint.modal", "standpoint.future")


def positions(doc: Doc, cats: tuple[str, ...]) -> frozenset[int]:
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


def verb_words(doc: Doc) -> frozenset[int]:
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
    words = words_in(doc, a, end)
    stops = nlp.stop_words(doc.lang)
    for k, i in enumerate(words[:6]):
        if i not in verbs:
            continue
        head = words[:k]
        if not head or k == len(words) - 1 or any(infinitive_at(doc, j) for j in head):
            return None
        named = [j for j in head if doc.units[j].fold not in stops and len(doc.units[j].text) > 2]
        return i if named else None
    return None


def verb_form(doc: Doc, i: int) -> bool:
    """Unit i is a verb: in the verb lists, an infinitive, or an inflected form whose lemma is an
    infinitive ("revisa" -> revisar, "controlla" -> controllare); German nouns are capitalised."""
    return i in positions(doc, VERB_LISTS) or infinitive_at(doc, i) or inflected(doc, i)


def inflected(doc: Doc, i: int) -> bool:
    """Unit i is an inflected verb form by its lemma, which is an infinitive ("revisa" -> revisar,
    "étiquetons" -> étiqueter); participles count too. German nouns are capitalised."""
    u = doc.units[i]
    if u.punct or u.acronym or not u.lemma or u.lemma == u.fold or doc.lang == "de" and u.text[:1].isupper():
        return False
    return any(len(u.lemma) > len(e) + 2 and u.lemma.endswith(e) for e in infinitive_endings(doc))


def infinitive_endings(doc: Doc) -> tuple[str, ...]:
    """The endings of `clauses.infinitive` ("*er", "*are"), set by the check (`prime`)."""
    return doc.cache.get("infinitive_endings", ())


def prime(doc: Doc, rules: Rules | None) -> None:
    """Keep what the clause tests need from the rules in the doc's cache."""
    if rules is not None and "infinitive_endings" not in doc.cache:
        doc.cache["infinitive_endings"] = infinitive_endings_for(rules, doc.lang)


def points_back(doc: Doc, a: int, end: int) -> bool:
    """Words a..end refer to what came before: a pronoun or an anaphoric adverb ("them", "dafür",
    "pedirlo"). An article that shares its form with a pronoun ("los archivos", "la BnF") is
    followed by a noun; the pronoun by a verb ("nadie las revisa")."""
    determiners = positions(doc, ("clauses.determiners",))
    for i in positions(doc, ("clauses.reference", "clauses.anaphora")):
        if a <= i < end and (i not in determiners or i + 1 < end and verb_form(doc, i + 1)):
            return True
    return False


def opens_main_clause(doc: Doc, a: int, end: int, verbs: frozenset[int] | set[int]) -> bool:
    """Unit a is an article or other determiner that opens the subject of a main clause, not a
    relative pronoun ("und die Archive sollen ...", "en het Rijk moet ...")."""
    return a in positions(doc, ("clauses.determiners",)) and a not in positions(doc, ("clauses.demonstratives",)) \
        and clause_verb(doc, a, end, verbs) is not None


def content(doc: Doc, a: int, b: int, skip: frozenset[int] | set[int]) -> int:
    """Content words in a..b outside `skip`: not stop words, except infinitives ("unabhängig machen")."""
    stops = nlp.stop_words(doc.lang)
    return sum(1 for i in range(a, b) if i not in skip and not doc.units[i].punct and len(doc.units[i].text) > 2
               and any(ch.isalpha() for ch in doc.units[i].text)
               and (doc.units[i].fold not in stops or infinitive_at(doc, i)))


def imperative(doc: Doc, a: int, b: int) -> bool:
    """The sentence a..b opens with an imperative ("Contratad conservadores", "Embauchez plutôt ..."):
    an imperative ending on a word whose lemma is a verb (Polish, without lemmas: the ending alone)."""
    words = words_in(doc, a, b)
    if len(words) < 2 or words[0] not in positions(doc, ("clauses.imperative",)):
        return False
    return doc.lang in NO_LEMMAS or inflected(doc, words[0])


#: Languages without a lemmatiser: verb forms are known from their endings alone.
NO_LEMMAS = frozenset({"pl"})


def starts_proposal(doc: Doc, a: int) -> bool:
    """The sentence starting at unit a opens with a verbless proposal ("No X", "Keine X", "Niente X")."""
    return any(m.pattern.at_start and doc.units[m.first].sent == doc.units[a].sent
               for m in matches(doc, "standpoint.proposal"))


def has_verb(doc: Doc, a: int, b: int, verbs: set[int]) -> bool:
    return any(a <= i < b for i in verbs) or any(infinitive_at(doc, i) for i in range(a, b))


def words_in(doc: Doc, a: int, b: int) -> list[int]:
    return [i for i in range(a, b) if not doc.units[i].punct]


#: Languages where a sentence opening with an inflected verb proposes or claims: an imperative
#: ("Étiquetons ...", "Contratad ...") or a verb whose subject is left out ("Necesitamos ...").
#: Elsewhere a verb first asks a question, or (German, Dutch) the infinitive comes last.
VERB_FIRST_CLAIMS = frozenset({"fr", "es", "it", "pt"})


def proposal_lead(doc: Doc, s: int) -> int | None:
    """The verb a proposal sentence opens with: an infinitive ("Etiquetar cada cartela ...",
    "Oznaczać każdy podpis ...") or an imperative ("Étiquetons ..."); in German and Dutch the
    infinitive that ends an infinitive proposal's first part ("Gesichtserkennung verbieten und ...")."""
    a, b = doc.sentences[s]
    words = words_in(doc, a, b)
    if len(words) < 3 or doc.cache.get("questions", [False] * len(doc.sentences))[s]:
        return None
    if doc.lang in VERB_FINAL:
        if not infinitive_proposal(doc, s):
            return None
        coords = positions(doc, ("clauses.coordinators",))
        first = next((k for k, i in enumerate(words) if i in coords), None)
        return words[first - 1] if first and infinitive_at(doc, words[first - 1]) else None
    i = words[0]
    if i in positions(doc, ("clauses.openers", "reply.strong")) or \
            i in positions(doc, VERB_LISTS) and not inflected(doc, i) and not infinitive_at(doc, i) or \
            any(m.first == i and m.last - m.first > 1 for m in matches(doc, "standpoint.proposal")):
        return None  # "Nada de ...", "Discrepo del mensaje anterior", "Il faut": no verb to coordinate with
    if infinitive_at(doc, i):  # an infinitive subject ("Dépenser des millions ... est irresponsable") is no proposal
        return None if any(a < k < b for k in positions(doc, VERB_LISTS)) else i
    return i if doc.lang in VERB_FIRST_CLAIMS and inflected(doc, i) or imperative(doc, a, b) else None


def parallel_verb(doc: Doc, lead: int | None, i: int) -> bool:
    """Unit i repeats the form of the proposal's opening verb: an infinitive after an infinitive
    ("Etiquetar ... y dejar ..."), the same person after an imperative ("Étiquetons ... et arrêtons")."""
    if lead is None:
        return False
    if infinitive_at(doc, lead):
        return infinitive_at(doc, i)
    if doc.lang in NO_LEMMAS:
        return i in positions(doc, ("clauses.imperative",))
    return inflected(doc, i) and doc.units[i].fold[-2:] == doc.units[lead].fold[-2:]


def infinitive_at(doc: Doc, i: int) -> bool:
    """`lexical.is_infinitive`, and in German a lowercase -en word that ends its clause whose lookup
    lemma is a noun of the same stem ("zur Verfügung stellen" -> Stelle, "teilen" -> Teil): the
    lemma tables ignore case, but a German noun is capitalised, and an adjective comes before one."""
    if i in positions(doc, ("clauses.determiners", "clauses.coordinators")):
        return False  # "een", "en" end like a Dutch infinitive
    if is_infinitive(doc, i):
        return True
    u = doc.units[i]
    if doc.lang != "de" or u.punct or not u.text[:1].islower() or not u.fold.endswith("en") or \
            not u.lemma or not u.fold.startswith(u.lemma[:-1] if u.lemma.endswith("e") else u.lemma):
        return False
    nxt = doc.units[i + 1] if i + 1 < len(doc.units) else None
    return nxt is None or nxt.punct or i + 1 in positions(doc, ("clauses.coordinators",))


def open_modal(doc: Doc, left: tuple[int, int], verbs: frozenset[int]) -> bool:
    """German, Dutch: the part before the coordinator has a modal or auxiliary whose infinitive or
    participle has not come yet ("KI sollte im Kulturbereich verantwortungsvoll und ..."), so the
    coordination is inside its clause. A modal that is a full verb ("brauchen", "nodig hebben") or
    takes an object noun ("ein Verbot") is no such auxiliary: it needs no infinitive."""
    la, lb = left
    words = words_in(doc, la, lb)
    finite = [i for i in words if i in positions(doc, ("clauses.auxiliaries",))]
    if not finite:
        return False
    return not any(i > min(finite) and closes(doc, i) for i in words)


#: Infinitive markers: the word after one is a verb ("te gebruiken", "zu nutzen").
INFINITIVE_MARKERS = frozenset({"te", "zu"})


def closes(doc: Doc, i: int) -> bool:
    """German, Dutch: unit i is the infinitive or participle that closes a modal's clause. A word
    with an infinitive ending is one unless a function word other than a verb comes right before
    it ("in archieven", "in kleinen Museen": a noun or an adjective) or it is a German noun."""
    if verb_form(doc, i):
        return True
    u = doc.units[i]
    if i not in positions(doc, ("clauses.infinitive",)) or doc.lang == "de" and not u.text[:1].islower():
        return False
    stops = nlp.stop_words(doc.lang)
    prev = doc.units[i - 1] if i > 0 else None
    return u.fold not in stops and (prev is None or prev.fold in INFINITIVE_MARKERS or prev.fold not in stops
                                    or i - 1 in positions(doc, VERB_LISTS))


#: Languages without articles: a subject noun phrase need not start with a function word.
NO_ARTICLES = frozenset({"pl"})


def gapped(doc: Doc, words_l: list[int], words_r: list[int]) -> bool:
    """A second subject with the modal left out: "Archives should transcribe letters and museums
    stop buying audio guides", "... y los museos dejar de comprar ...": the left part has a modal,
    the right one opens with a noun phrase (1-3 words, not a verb) followed by an infinitive. A word
    right after the article is the noun, whatever its ending ("et le ministère financer ...")."""
    modals = positions(doc, ("standpoint.modal",))
    determiners = positions(doc, ("clauses.determiners",))
    if doc.lang in VERB_FINAL or not any(i in modals for i in words_l) or len(words_r) < 3:
        return False  # (German and Dutch put the infinitive last in any clause: "und die Besucher informieren")
    stops = nlp.stop_words(doc.lang)
    for k in range(1, min(4, len(words_r) - 1)):
        if infinitive_at(doc, words_r[k]) and words_r[k - 1] not in determiners:
            head = words_r[:k]
            return not any(infinitive_at(doc, i) and i - 1 not in determiners for i in head) and \
                any(doc.units[i].fold not in stops for i in head) and \
                (doc.units[head[0]].fold in stops or head[0] in determiners or doc.lang in NO_ARTICLES)
    return False
