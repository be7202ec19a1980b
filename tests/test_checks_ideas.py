"""multiple_ideas: two claims in one statement, one claim with a compound part, per language.

The statements were written for these tests (none is taken from the benchmark data). Each
positive joins two claims one could vote on separately (coordinated main clauses with their own
subject and verb, main clauses joined by a comma, a judgement and an unrelated proposal, two
coordinated proposals, a list of separate demands); each negative is one claim with a compound
subject or object, a purpose, condition or reason, a judgement and what follows from it, or a
coordination inside one clause. English and French statements with a coordinator may load
spaCy's parser, so they are marked slow.
"""

from __future__ import annotations

import pytest
from checks_cases import case_ids, flags_of

from statementkit.checks import load_rules
from statementkit.checks.engine import prepare
from statementkit.checks.kinds import clauses, ideas
from statementkit.records import Statement

POSITIVES = [
    # a coordinator, then an article and a noun with a verb in second place: a main clause of its own
    ("de", "Das Stadtmuseum sollte seine KI-Führungen beenden und die Gemeinden müssen ihre Archive digitalisieren."),
    ("nl", "Het Stadsarchief moet zijn scans vrijgeven en de gemeente moet meer archivarissen betalen."),
    # main clauses joined by a comma alone
    ("de", "Gedenkstätten sollten KI-Avatare ablehnen, Bibliotheken brauchen bessere Scanner."),
    ("nl", "Musea moeten deepfakes weren, bibliotheken moeten AI-cursussen geven."),
    ("es", "Los museos deben retirar los hologramas con IA, los archivos necesitan más personal."),
    ("it", "I musei devono togliere gli ologrammi IA, gli archivi hanno bisogno di più personale."),
    ("pl", "Muzea muszą usunąć hologramy AI, archiwa potrzebują więcej pracowników."),
    # a judgement, then a proposal about something else
    ("de", "Automatische Verschlagwortung ist eine große Hilfe. Die Länder sollten kleine Heimatmuseen fördern."),
    ("pl", "Rozpoznawanie twarzy to zły pomysł. Biblioteki powinny wypożyczać czytniki seniorom."),
    # two proposals in the infinitive or imperative, each with its own object
    ("de", "KI-Porträts verstorbener Künstler verbieten und alte Kirchenbücher kostenlos online stellen."),
    ("es", "Etiquetar los retratos creados con IA y abrir los archivos notariales a los investigadores."),
    # a second subject whose modal is left out
    ("it", "Le biblioteche dovrebbero prestare i tablet agli anziani e le Regioni finanziare gli archivi parrocchiali."),
    # verbless demands
    ("de", "Kostenlose Digitalisierung für Vereinsarchive und keine Gesichtserkennung in Fotosammlungen."),
    # an impersonal modal after the coordinator ("es braucht"), an article that is no relative pronoun
    ("de", "Museen sollten KI-Texte kennzeichnen, und es braucht mehr Geld für kleine Archive."),
    ("de", "Archive sollten KI nur mit Zustimmung der Familien einsetzen und Bibliotheken ihre Scans freigeben."),
    # a second sentence announced by an additive word
    ("nl", "Musea moeten hun AI-contracten publiceren. Ook kleine archieven hebben hulp nodig bij digitalisering."),
    ("pl", "Muzea muszą publikować umowy dotyczące AI. Małe archiwa też potrzebują pomocy."),
]

NEGATIVES = [
    # compound subject or object
    ("de", "Museen und Bibliotheken sollten ihre Digitalisate gemeinsam anbieten."),
    ("es", "Los museos y los archivos deberían publicar las fuentes de sus datos de entrenamiento."),
    ("it", "I musei e gli archivi dovrebbero pubblicare le fonti dei dati di addestramento."),
    ("pl", "Muzea i archiwa powinny publikować źródła danych treningowych."),
    # coordination inside a purpose or condition clause
    ("de", "Wenn ein Archiv KI nutzt und Daten teilt, muss es das offenlegen."),
    ("pl", "Archiwa powinny używać AI, żeby badacze mogli szybciej czytać i porównywać stare listy."),
    # two adjectives before the modal's infinitive: one clause
    ("de", "KI sollte in Museen transparent und fair eingesetzt werden."),
    ("nl", "AI moet in archieven op een eerlijke en zorgvuldige manier worden gebruikt."),
    # a reason that points back with a demonstrative or a pronoun object
    ("de", "Museen sollten KI-Texte entfernen; diese enthalten zu viele Fehler."),
    ("nl", "Musea moeten AI-teksten verwijderen; deze bevatten te veel fouten."),
    ("de", "KI-Stimmen sind irreführend, und Gedenkstätten sollten sie nicht verwenden."),
    ("es", "Los hologramas con IA son caros y los museos deberían dejar de comprarlos."),
    ("it", "Gli ologrammi IA costano troppo e i musei dovrebbero smettere di comprarli."),
    # a relative clause with a coordination, "but" limiting the same claim, contrast
    ("de", "Ehrenamtliche, die Briefe transkribieren und die Ergebnisse prüfen, sollten bezahlt werden."),
    ("de", "KI darf Schlagwörter für Fotos vorschlagen, aber jedes Schlagwort muss ein Archivar freigeben."),
    ("pl", "AI ma pomagać archiwistom, a nie ich zastępować."),
    ("es", "La IA debe ayudar a los archiveros, no sustituirlos."),
    ("nl", "Bibliotheken moeten hun AI-leveranciers vrij kunnen kiezen en wisselen."),
]

PARSED_POSITIVES = [
    ("en", "Museum shops should stop selling AI prints, regional archives should get more conservators."),
    ("en", "AI colourisation of war photos is disrespectful. Libraries should open their map collections to researchers."),
    ("en", "We need a public register of AI tools in museums, fair pay for digitisation staff and a ban on emotion recognition."),
    ("fr", "Les musées doivent signaler les voix de synthèse, les bibliothèques doivent ouvrir leurs fonds anciens."),
    ("fr", "Supprimons les avatars IA des expositions et finançons la numérisation des archives paroissiales."),
    ("fr", "Les musées doivent signaler les images IA et il faut financer les archives communales."),
    ("fr", "Les archives devraient recruter des restaurateurs et le ministère financer un centre de numérisation."),
    ("en", "Ban deepfakes of historical figures. Also, fund local archives properly."),
]

PARSED_NEGATIVES = [
    ("en", "Museums and archives should publish the sources of their AI training data."),
    ("en", "Archives should use AI so that researchers can find and compare old letters."),
    ("en", "AI guides in museums are unreliable and should be switched off."),
    ("en", "Digitising rare maps requires expert care, and libraries must budget for it."),
    ("fr", "Les musées et les archives devraient publier les sources de leurs données d'entraînement."),
    ("fr", "Les archives devraient relire et corriger chaque notice produite par l'IA."),
    ("en", "Open data is good for research, and museums should publish theirs under CC0."),
    ("fr", "Chaque légende générée par IA devrait être relue et signée par un conservateur."),
]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def flagged(lang: str, text: str, rules) -> bool:
    return bool(flags_of("multiple_ideas", lang, text, rules))


def test_every_language_has_positives_and_negatives():
    for lang in ("en", "de", "fr", "nl", "es", "it", "pl"):
        assert any(la == lang for la, _ in POSITIVES + PARSED_POSITIVES), lang
        assert any(la == lang for la, _ in NEGATIVES + PARSED_NEGATIVES), lang


@pytest.mark.parametrize("lang,text", POSITIVES, ids=case_ids(POSITIVES))
def test_two_claims_are_flagged(lang, text, rules):
    assert flagged(lang, text, rules)


@pytest.mark.parametrize("lang,text", NEGATIVES, ids=case_ids(NEGATIVES))
def test_one_claim_is_not_flagged(lang, text, rules):
    assert not flagged(lang, text, rules)


@pytest.mark.slow
@pytest.mark.parametrize("lang,text", PARSED_POSITIVES, ids=case_ids(PARSED_POSITIVES))
def test_two_claims_are_flagged_parsed(lang, text, rules):
    assert flagged(lang, text, rules)


@pytest.mark.slow
@pytest.mark.parametrize("lang,text", PARSED_NEGATIVES, ids=case_ids(PARSED_NEGATIVES))
def test_one_claim_is_not_flagged_parsed(lang, text, rules):
    assert not flagged(lang, text, rules)


def _doc(lang: str, text: str, rules):
    doc = prepare([Statement("x", text, lang)], rules)[0]
    clauses.prime(doc, rules)
    return doc


def test_article_or_relative_pronoun(rules):
    """German "die" after "und" opens a subject when a verb follows in second place, not when the
    verb ends the clause (a relative clause or a shared predicate)."""
    doc = _doc("de", "Museen sollten Texte prüfen und die Archive sollen Briefe scannen.", rules)
    verbs = clauses.positions(doc, clauses.VERB_LISTS)
    after = [u.text for u in doc.units].index("und") + 1
    assert clauses.clause_verb(doc, after, len(doc.units), verbs) is not None
    doc = _doc("de", "Ehrenamtliche, die Briefe lesen und die Daten teilen wollen, sind willkommen.", rules)
    verbs = clauses.positions(doc, clauses.VERB_LISTS)
    after = [u.text for u in doc.units].index("und") + 1
    end = [u.text for u in doc.units].index(",", after)
    assert clauses.clause_verb(doc, after, end, verbs) is None


def test_article_is_no_pronoun_but_a_clitic_is(rules):
    """Spanish "los" before a noun is an article, before a verb an object pronoun pointing back;
    a pronoun joined to an infinitive points back too."""
    doc = _doc("es", "los archivos deben abrir", rules)
    assert not clauses.points_back(doc, 0, len(doc.units))
    doc = _doc("es", "nadie los revisa", rules)
    assert clauses.points_back(doc, 0, len(doc.units))
    doc = _doc("es", "deben dejar de comprarlos", rules)
    assert clauses.points_back(doc, 0, len(doc.units))


def test_comma_joined_clauses_need_a_subject_and_a_modal_on_both_sides(rules):
    assert ideas.asyndetic(_doc("nl", "Musea moeten deepfakes weren, bibliotheken moeten cursussen geven.", rules))
    # a condition before the comma, a reason or a pronoun after it: one claim
    assert not ideas.asyndetic(_doc("es", "Si un museo usa IA, debe avisar a los visitantes.", rules))
    assert not ideas.asyndetic(_doc("de", "Museen sollten KI-Bilder kennzeichnen, weil Besucher das wissen wollen.",
                                    rules))
    assert not ideas.asyndetic(_doc("de", "Museen sollten KI-Bilder kennzeichnen, Besucher müssen das wissen.",
                                    rules))


@pytest.mark.parametrize("text, lang", [("Weniger Müll! Supermärkte müssen auf Pfandgläser umstellen.", "de"),
                                        ("Politiker sollen öffentlich fahren. Vorbild sein!", "de"),
                                        ("Museums should label AI texts. Act now!", "en")])
def test_a_slogan_beside_a_claim_is_one_idea(text, lang):
    """A rallying cry for the claim is no second proposal (issue 13); two claims still are."""
    from statementkit.checks import check, load_rules
    from statementkit.records import Statement

    rules = load_rules()
    [s] = check([Statement("a", text, lang)], rules)
    assert "multiple_ideas" not in s.codes
    [s] = check([Statement("b", "Museums should label AI texts. Archives should publish their AI policies!", "en")],
                rules)
    assert "multiple_ideas" in s.codes
