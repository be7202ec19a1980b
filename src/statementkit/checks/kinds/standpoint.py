"""`no_standpoint`: a question, or a neutral fact nobody could agree or disagree with.

A statement takes a standpoint when it prescribes (modal verbs: should, must,
sollte, devrait, powinien ...), proposes (a sentence opening with a verb or
"no more ..."), states a stance (I think, we oppose), predicts (will), or
evaluates (dangerous, essential, unfair). A sentence ending in "?" (or
opening with "¿" or an interrogative word and no claim) is a question.
Without any of these, a statement with a describing verb (is, has, uses) or
a marker of neutral description (already, in 2008, there are) reads as a
neutral fact. Verbless slogans ("No facial recognition in museums") count as
proposals.
"""

from __future__ import annotations

from collections.abc import Container
from functools import lru_cache

from statementkit.checks.document import Doc
from statementkit.checks.kinds.lexical import infinitive_proposal, matches
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion, Rules
from statementkit.records import Span
from statementkit.text import nlp
from statementkit.text.normalise import fold_word

STANCE_LISTS = ("standpoint.modal", "standpoint.stance", "standpoint.proposal")
#: Evaluations: evaluative words, and insults (an insult is a position too, if not a civil one).
EVALUATIVE_LISTS = ("standpoint.evaluative", "incivility.insults", "incivility.attacks", "incivility.harsh")
_CLOSERS = frozenset({"\"", "”", "»", ")", "'", "’", "“", "«"})


def _in_sentence(doc: Doc, cat: str, s: int) -> int:
    """Matches of a lexicon list in sentence s, outside reply markers ("Je suis d'accord ...")."""
    reply = doc.cache.get("reply_units")
    if reply is None:
        reply = doc.cache["reply_units"] = {i for m in matches(doc, "reply.strong") for i in range(m.first, m.last)}
    return sum(1 for m in matches(doc, cat) if doc.units[m.first].sent == s and m.first not in reply)


def _sentence_span(doc: Doc, s: int) -> Span:
    a, b = doc.sentences[s]
    return Span(doc.units[a].start, doc.units[b - 1].end) if b > a else Span(0, len(doc.text))


#: Subject pronouns joined to the verb in a question by inversion ("Les musées doivent-ils", "Peut-on").
INVERTED_PRONOUNS = {"fr": frozenset({"je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles"})}


def _verb_then_noun(doc: Doc, s: int) -> bool:
    """A verb of `asking_before_noun` opening the sentence, then a capitalised word (a German noun,
    not a word in capitals for emphasis): "Sollten Landesbibliotheken ihre Scans verkaufen"."""
    a, b = doc.sentences[s]
    if not any(m.first == a for m in matches(doc, "standpoint.asking_before_noun")):
        return False
    nxt = next((u for u in doc.units[a + 1:b] if not u.punct), None)
    return nxt is not None and nxt.text[:1].isupper() and not nxt.text.isupper()


def _inverted(doc: Doc, a: int, b: int) -> bool:
    """A verb and a subject pronoun joined by a hyphen (French inversion): a question by word order."""
    pronouns = INVERTED_PRONOUNS.get(doc.lang)
    if not pronouns:
        return False
    units = doc.units
    for i in range(a + 1, b):
        u, prev = units[i], units[i - 1]
        if u.part and prev.part and u.fold in pronouns and prev.end < u.start and \
                doc.text[prev.end:u.start] in ("-", "-t-", "‑", "-t‑"):
            return True
    return False


_OPENING_QUOTES = frozenset({"„", "“", "«", "\"", "‘", "‚", "'", "‹"})
_CLOSING_QUOTES = frozenset({"“", "”", "»", "\"", "’", "‘", "'", "›"})


def _quotes_a_question(units: list) -> bool:
    """The sentence opens with a quotation and goes on for two words or more after it."""
    if not units or not units[0].punct or units[0].text not in _OPENING_QUOTES:
        return False
    for k in range(1, len(units)):
        if units[k].punct and units[k].text in _CLOSING_QUOTES:
            return sum(1 for u in units[k + 1:] if not u.punct) >= 2
    return False


def is_question(doc: Doc, s: int) -> bool:
    """A question: a sentence ending in '?' or opening with '¿'; one that asks by its form
    (`asking`: an auxiliary or modal before its subject, "I wonder whether", "Czy", French
    inversion) whatever words it contains; or one opening with an interrogative that makes
    no claim (`question`: "how do museums decide", but not "What AI adds must be marked")."""
    a, b = doc.sentences[s]
    if b <= a:
        return False
    units = doc.units[a:b]
    if units[0].text.startswith("¿"):
        return True
    asks = bool(_in_sentence(doc, "standpoint.asking", s)) or _inverted(doc, a, b) or _verb_then_noun(doc, s)
    last = next((u for u in reversed(units) if u.text not in _CLOSERS), None)
    if last is not None and last.punct and "?" in last.text:
        return asks or bool(_in_sentence(doc, "standpoint.question", s)) or not _states_a_stance(doc, s)
    if _quotes_a_question(units):
        return False  # „Ist dieses Foto echt?“ sollte man nie fragen müssen: a claim about a question
    if asks:
        return True
    if _in_sentence(doc, "standpoint.question", s):
        return not any(_in_sentence(doc, cat, s) for cat in STANCE_LISTS + EVALUATIVE_LISTS)
    return False


def _states_a_stance(doc: Doc, s: int) -> bool:
    """A sentence with a question mark that is worded as a statement with a stance: no question
    form, and a modal, a stance verb or a proposal before any interrogative word ("Synthetische
    Kraftstoffe müssen mehr gefördert werden?", "Keine Elternautos vor Schulen - wozu gibt es
    Öffis?", but not "But why should museums use AI?"). Participants add a question mark to a
    demand for emphasis; it stays the demand it is worded as."""
    a = doc.sentences[s][0]
    # a modal opening the sentence asks by word order ("Sollen Museen das tun?", "Should museums ...?")
    first = min((m.first for cat in STANCE_LISTS for m in matches(doc, cat) if doc.units[m.first].sent == s
                 and not (cat == "standpoint.modal" and m.first == a)), default=None)
    if first is None:
        return False
    return not any(m.first < first for m in matches(doc, "standpoint.interrogative") if doc.units[m.first].sent == s)


@lru_cache(maxsize=None)
def _english_verbs() -> Container[str]:
    return nlp.rule_tables("en")[1].get("verb", frozenset())


def inflected_verbs(doc: Doc, endings: tuple[str, ...], s: int) -> int:
    """Inflected verb forms in sentence s, known from their lemma: a lemma that is an
    infinitive (`utilisent` -> utiliser, `gebruikt` -> gebruiken), or an English verb
    lemma (`collects` -> collect). Where no lemmas exist (Polish) none are found."""
    a, b = doc.sentences[s]
    n = 0
    reply = doc.cache.get("reply_units", set())
    for i in range(a, b):
        u = doc.units[i]
        if u.punct or not u.lemma or u.lemma == u.fold or u.acronym or i in reply:
            continue
        if doc.lang == "de" and u.text[:1].isupper() and i != a:
            continue  # a German noun (capitalised), not a verb
        if doc.lang == "en":
            n += u.lemma in _english_verbs()
        elif doc.lang in nlp.FAST_LOOKUP_LANGS and any(len(u.lemma) > len(e) + 2 and u.lemma.endswith(e)
                                                       for e in endings):
            n += 1
    return n


def infinitive_endings_for(rules: Rules, lang: str) -> tuple[str, ...]:
    """The endings of `clauses.infinitive` ("*er", "*are"), folded."""
    pats = rules.lexicon(lang).get("clauses", {}).get("infinitive", [])
    return tuple(fold_word(p.strip("*")) for p in pats if p.startswith("*"))


def _endings(ctx: Context | None, lang: str) -> tuple[str, ...]:
    return () if ctx is None else infinitive_endings_for(ctx.rules, lang)


def states_a_position(doc: Doc) -> bool:
    """A sentence that is not a question makes a proposal the lexicons know the shape of ("No
    more ...", "Keine ... mehr", an infinitive proposal) or says where its writer stands ("I
    believe in strict gun control", "ich bin dafür"): a standpoint whatever its grammar, so the
    classifier must not call it none."""
    questions = doc.cache.get("questions") or [is_question(doc, s) for s in range(len(doc.sentences))]
    return any(not asked and (_in_sentence(doc, "standpoint.proposal", s) or _in_sentence(doc, "standpoint.stance", s)
                              or infinitive_proposal(doc, s))
               for s, asked in enumerate(questions))


def assess(doc: Doc, ctx: Context | None = None) -> tuple[str | None, int | None]:
    """(variant, sentence) of the missing standpoint, or (None, None) when there is one."""
    if not doc.words:
        return None, None
    n = len(doc.sentences)
    questions = [is_question(doc, s) for s in range(n)]
    doc.cache["questions"] = questions
    if all(questions):
        return "question", 0
    claims = [s for s in range(n) if not questions[s]]
    strong = sum(_in_sentence(doc, cat, s) for cat in STANCE_LISTS for s in claims)
    if strong or any(infinitive_proposal(doc, s) for s in claims):
        return None, None
    evaluative = sum(_in_sentence(doc, cat, s) for s in claims for cat in EVALUATIVE_LISTS)
    future = sum(_in_sentence(doc, "standpoint.future", s) for s in claims)
    neutral = sum(_in_sentence(doc, "standpoint.neutral", s) for s in claims)
    describing = sum(_in_sentence(doc, "standpoint.copula", s) for s in claims)
    if not describing and not neutral:
        endings = _endings(ctx, doc.lang)
        describing = sum(inflected_verbs(doc, endings, s) for s in claims)
    if 2 * (evaluative + future) > neutral:  # an evaluation outweighs a marker of description
        return None, None
    if (neutral or describing) and not matches(doc, "reply.strong"):
        return "fact", claims[0]  # (a reply's missing claim is the reply's problem, not a neutral fact)
    return None, None


@register_check("standpoint")
def standpoint(doc: Doc, criterion: Criterion, ctx: Context) -> list[Finding]:
    variant, s = assess(doc, ctx)
    if variant is None or s is None:
        return []
    span = Span(0, len(doc.text.rstrip())) if len(doc.sentences) == 1 else _sentence_span(doc, s)
    return [Finding(criterion.code, criterion.id, span, variant=variant)]
