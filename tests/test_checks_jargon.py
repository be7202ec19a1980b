"""jargon: AI and heritage-technology terms in seven languages, and everyday words that look technical.

The statements were written for these tests (none is taken from the benchmark data). Positives
use the forms people write: inflections and plurals, compounds, hyphenated and spaced variants,
English loanwords inside other languages, acronyms. Negatives are the decisions documented in
rules/README.md: "hallucination", "training data", "algorithm", "OCR", "dataset" are plain, and
"model" (role model), "train" (railway), "token" (a gesture), "transformer" as a French verb and
"linked data" as "data related to" in French and Italian are everyday words.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from checks_cases import case_ids, flags_of

from statementkit.checks import load_rules
from statementkit.resources import rules_dir

LANGS = ("en", "de", "fr", "nl", "es", "it", "pl")

POSITIVES = [  # (lang, text, part of the flagged span)
    ("en", "Archives should publish their IIIF manifests for every digitised letter.", "IIIF"),
    ("en", "Europeana should build knowledge graphs of places named in its records.", "knowledge graphs"),
    ("en", "Every museum should map its records to the Europeana Data Model.", "Europeana Data Model"),
    ("en", "Museums should store vectorized copies of all texts for semantic search.", "vectorized"),
    ("en", "Small archives should get help converting their catalogues to linked open data.", "linked open data"),
    ("en", "AI vendors should attach C2PA content credentials to every generated image.", "C2PA"),
    ("en", "Heritage AI tools should come with a model card that lists their training data.", "model card"),
    ("en", "Archives should compare transformer OCR with their current software.", "transformer OCR"),
    ("de", "Die Museen sollten ihre Objekte in Wissensgraphen verknüpfen, bevor sie KI nutzen.", "Wissensgraphen"),
    ("de", "Archive sollten ihre Metadatenschemas offenlegen.", "Metadatenschemas"),
    ("de", "Die DDB sollte einen SPARQL-Endpunkt für alle Objekte anbieten.", "SPARQL"),
    ("de", "Museen sollten Texte erst vektorisieren, wenn die Rechte geklärt sind.", "vektorisieren"),
    ("de", "Museen sollten für KI-Werkzeuge immer Modellkarten verlangen.", "Modellkarten"),
    ("de", "Die Archive sollten Precision und Recall ihrer Transkriptionen veröffentlichen.", "Precision und Recall"),
    ("fr", "Les bibliothèques devraient relier leurs notices dans des graphes de connaissances.",
     "graphes de connaissances"),
    ("fr", "Les archives devraient publier leurs schémas de métadonnées.", "schémas de métadonnées"),
    ("fr", "La BnF devrait publier ses notices en données ouvertes liées.", "données ouvertes liées"),
    ("fr", "Les musées devraient exiger des cartes de modèle pour chaque outil d'IA.", "cartes de modèle"),
    ("fr", "Les archives devraient publier la précision et le rappel de leurs transcriptions.",
     "précision et le rappel"),
    ("nl", "Musea moeten hun collecties via kennisgrafen met elkaar verbinden.", "kennisgrafen"),
    ("nl", "Het archief moet zijn metadataschema openbaar maken.", "metadataschema"),
    ("nl", "Bibliotheken moeten gevectoriseerde teksten niet zomaar delen.", "gevectoriseerde"),
    ("nl", "Musea moeten met transformers werken voor hun automatische beschrijvingen.", "transformers"),
    ("nl", "Archieven moeten alleen HTR-modellen kopen die hun handschriften kunnen lezen.", "HTR"),
    ("es", "Los museos deberían unir sus fichas en grafos de conocimiento.", "grafos de conocimiento"),
    ("es", "Las bibliotecas deberían usar esquemas de metadatos comunes antes de aplicar IA.",
     "esquemas de metadatos"),
    ("es", "Los archivos deberían publicar sus catálogos como datos abiertos enlazados.", "datos abiertos enlazados"),
    ("es", "Los museos deberían exigir fichas de modelo para toda herramienta de IA.", "fichas de modelo"),
    ("it", "I musei dovrebbero collegare le schede in grafi di conoscenza.", "grafi di conoscenza"),
    ("it", "Gli archivi dovrebbero rendere pubblici i loro schemi di metadati.", "schemi di metadati"),
    ("it", "Le biblioteche dovrebbero vettorizzare i testi solo con il permesso degli autori.", "vettorizzare"),
    ("it", "Gli archivi dovrebbero usare modelli transformer per leggere i manoscritti.", "transformer"),
    ("pl", "Biblioteki powinny połączyć swoje rekordy w grafie wiedzy.", "grafie wiedzy"),
    ("pl", "Muzea powinny publikować schematy metadanych.", "schematy metadanych"),
    ("pl", "Archiwa powinny wektoryzować dokumenty tylko za zgodą.", "wektoryzować"),
    ("pl", "Muzea powinny wymagać kart modeli dla każdego narzędzia AI.", "kart modeli"),
    ("pl", "Archiwa powinny udostępniać dane jako powiązane otwarte dane.", "powiązane otwarte dane"),
    # loanwords, calques and inflected forms of model internals
    ("fr", "Le musée devrait payer son chatbot au nombre de jetons plutôt qu'à la licence.", "nombre de jetons"),
    ("fr", "Les bibliothèques devraient adopter la génération augmentée par récupération pour leur chatbot.",
     "génération augmentée par récupération"),
    ("fr", "Les musées devraient publier le prompt système de leur chatbot.", "prompt système"),
    ("fr", "Les musées ne devraient pas utiliser de réseaux antagonistes génératifs pour restaurer des tableaux.",
     "réseaux antagonistes génératifs"),
    ("fr", "Les archives devraient comparer les modèles transformeurs avant d'acheter un outil.", "transformeurs"),
    ("fr", "L'IA agentique ne devrait pas gérer seule les prêts entre musées.", "agentique"),
    ("nl", "Archieven moeten een gefinetuned taalmodel gebruiken voor oude handschriften.", "gefinetuned"),
    ("nl", "Musea moeten geen versterkend leren gebruiken om bezoekers te sturen.", "versterkend leren"),
    ("nl", "Musea moeten de gewichten van hun modellen openbaar maken.", "gewichten van hun modellen"),
    ("nl", "Erfgoedinstellingen moeten investeren in promptengineering voor hun chatbots.", "promptengineering"),
    ("nl", "Archieven moeten eerst een grondwaarheid maken voordat ze een model trainen.", "grondwaarheid"),
    ("es", "Los archivos deberían usar modelos afinados con sus propios documentos.", "modelos afinados con"),
    ("es", "Las bibliotecas deberían usar generación aumentada por recuperación en su chatbot.",
     "generación aumentada por recuperación"),
    ("es", "Los museos no deberían usar redes generativas antagónicas para restaurar cuadros.",
     "redes generativas antagónicas"),
    ("es", "Los archivos deberían ajustar finamente un modelo abierto con sus inventarios.", "ajustar finamente"),
    ("es", "Las bibliotecas deberían usar modelos destilados que funcionen en sus propios ordenadores.",
     "modelos destilados"),
    ("it", "I musei dovrebbero pubblicare il prompt di sistema del loro chatbot.", "prompt di sistema"),
    ("it", "I musei dovrebbero pubblicare i pesi dei modelli addestrati con fondi pubblici.", "pesi dei modelli"),
    ("pl", "Muzea powinny publikować prompt systemowy swojego chatbota.", "prompt systemowy"),
    ("pl", "Biblioteki powinny stosować generowanie wspomagane wyszukiwaniem w swoich chatbotach.",
     "generowanie wspomagane wyszukiwaniem"),
    ("pl", "Muzea nie powinny używać generatywnych sieci przeciwstawnych do restaurowania obrazów.",
     "generatywnych sieci przeciwstawnych"),
    ("pl", "Archiwa powinny korzystać z pretrenowanych modeli zamiast trenować własne.", "pretrenowanych"),
    ("en", "Libraries should not pay for millions of output tokens they never use.", "output tokens"),
    ("en", "Museums should distil large models into small ones that run on their own servers.", "distil"),
    ("de", "Archive sollten ein feingetuntes Modell für Kurrentschrift nutzen.", "feingetuntes"),
    ("de", "Museen sollten den Systemprompt ihres Chatbots veröffentlichen.", "Systemprompt"),
    ("de", "Museen sollten keine generativen gegnerischen Netzwerke zur Restaurierung verwenden.",
     "generativen gegnerischen Netzwerke"),
    ("de", "Archive sollten große Modelle in kleine destillieren, die lokal laufen.", "destillieren"),
    ("nl", "Archieven moeten hun API's openstellen voor onderzoekers.", "API's"),
    ("fr", "Les bibliothèques devraient tester l'apprentissage auto-supervisé sur leurs catalogues.", "auto-supervisé"),
    ("pl", "Biblioteki powinny testować uczenie samonadzorowane na swoich katalogach.", "samonadzorowane"),
    ("it", "I musei dovrebbero proteggersi dagli attacchi avversari contro i loro chatbot.", "attacchi avversari"),
    ("nl", "Musea moeten zich beschermen tegen adversariële aanvallen op hun chatbots.", "adversariële aanvallen"),
    ("es", "Los museos deberían invertir en ingeniería de indicaciones para sus chatbots.",
     "ingeniería de indicaciones"),
    ("en", "Museums should block AI crawlers in their robots.txt until licences are agreed.", "AI crawlers"),
    ("de", "Museen sollten KI-Crawler in ihrer robots.txt aussperren.", "Crawler"),
    ("en", "Archives should not use autoregressive models to fill gaps in damaged letters.", "autoregressive"),
    ("pl", "Archiwa powinny wdrożyć rozpoznawanie encji w swoich inwentarzach.", "rozpoznawanie encji"),
    ("fr", "Les musées devraient publier les poids de leurs modèles d'IA.", "poids de leurs modèles"),
    ("fr", "Les archives devraient affiner leurs modèles sur leurs propres fonds.", "affiner leurs modèles sur"),
    ("nl", "Bibliotheken moeten zero-shotclassificatie gebruiken voor nieuwe collecties.", "zero-shotclassificatie"),
    ("es", "Los archivos deberían afinar sus modelos con sus propios fondos.", "afinar sus modelos con"),
    ("pl", "Muzea powinny publikować wagi swoich modeli AI.", "wagi swoich modeli"),
    ("pl", "Archiwa powinny sprawdzić, czy model nie jest przetrenowany.", "przetrenowany"),
    ("fr", "Les musées devraient surveiller la dérive de leurs modèles d'IA.", "dérive de leurs modèles"),
    ("es", "Los archivos deberían montar un pipeline de datos antes de usar IA.", "pipeline de datos"),
    ("it", "I musei dovrebbero monitorare il drift dei loro modelli di IA.", "drift dei loro modelli"),
    ("pl", "Muzea powinny monitorować dryf swoich modeli AI.", "dryf swoich modeli"),
    ("it", "Le biblioteche dovrebbero costruire basi di dati vettoriali condivise.", "basi di dati vettoriali"),
    ("en", "Museum chatbots should never be given tool use without human review.", "tool use"),
    ("de", "Alle Objekte im Datenraum sollten den FAIR-Prinzipien folgen.", "FAIR-Prinzipien"),
    ("pl", "Muzea powinny przestrzegać zasad FAIR.", "zasad FAIR"),
    ("fr", "Les petits musées devraient recevoir gratuitement un connecteur d'espace de données.", "connecteur"),
    ("it", "I piccoli musei dovrebbero ricevere gratis un connettore dello spazio dati.", "connettore dello spazio dati"),
]

NEGATIVES = [
    ("en", "Young people need role models in museums, not AI chatbots."),
    ("en", "Museums should use AI to plan train connections for school visits."),
    ("en", "Visitors should get a free token for the museum café when they answer an AI survey."),
    ("en", "Museums should warn visitors that chatbots can hallucinate facts."),
    ("en", "Libraries should keep free OCR tools for every small archive."),
    ("de", "Die Museen sollten mit dem Zug erreichbar sein und KI nur zur Planung nutzen."),
    ("de", "Das Museum sollte ein Vorbild beim Einsatz von KI sein."),
    ("de", "Archive sollten offenlegen, welcher Algorithmus über die Digitalisierung entscheidet."),
    ("fr", "Les données liées aux comptes des visiteurs ne devraient jamais entraîner une IA."),
    ("fr", "Les musées devraient transformer leurs salles grâce à l'IA."),
    ("fr", "Le musée devrait être un modèle pour l'usage de l'IA."),
    ("nl", "Musea moeten hun zalen transformeren met AI."),
    ("nl", "Bibliotheken moeten vertellen waar de trainingsdata van hun AI-tools vandaan komen."),
    ("es", "Los datos vinculados a las cuentas de visitantes no deberían entrenar ninguna IA."),
    ("es", "El museo debería restaurar las incrustaciones de nácar de sus muebles con ayuda de la IA."),
    ("it", "I dati collegati agli account dei visitatori non dovrebbero addestrare l'IA."),
    ("it", "I musei dovrebbero trasformare le sale con l'IA."),
    ("pl", "Muzea powinny być wzorem w korzystaniu z AI."),
    ("pl", "Muzea powinny ostrzegać, że AI czasem zmyśla fakty."),
    # everyday senses of words the lexicon uses in phrases
    ("fr", "Les musées devraient distribuer des jetons aux enfants qui testent l'IA."),
    ("fr", "Le musée devrait adopter un modèle affiné de gouvernance pour l'IA."),
    ("it", "Il museo dovrebbe adottare un modello affinato di governance per l'IA."),
    ("it", "La verità di base è che i musei hanno bisogno di più personale, non di IA."),
    ("es", "La verdad sobre el terreno es que los museos necesitan personal y no IA."),
    ("en", "Museums should hand out tokens for free coffee to people who test the AI guide."),
    ("nl", "Musea moeten de gewichten van hun oude weegschalen niet door AI laten schatten."),
    ("pl", "Koszty wnioskowania o dotacje na AI powinny być niższe dla małych muzeów."),
    ("fr", "Les musées devraient affiner leurs modèles économiques avant d'acheter de l'IA."),
    ("es", "Los museos deberían afinar sus modelos de gestión antes de comprar IA."),
    ("en", "Museums should not treat AI as a one-shot deal."),
    ("de", "Verbrauchsbenchmarks für Museen und Archive sollten auch den Stromverbrauch der KI zählen."),
    ("en", "Museums should make their dropout rates for school visits public."),
    ("en", "Museums should get a FAIR share of the AI budget."),
    # distilleries are industrial heritage
    ("en", "The old distillery should become a museum about local industry, with an AI guide."),
    ("de", "Die alte Destillerie sollte ein Museum mit KI-Führung werden."),
    ("fr", "L'ancienne distillerie devrait devenir un musée avec un guide IA."),
    ("es", "La antigua destilería debería convertirse en un museo con guía de IA."),
    ("it", "La vecchia distilleria dovrebbe diventare un museo con una guida IA."),
    ("nl", "De oude distilleerderij moet een museum met een AI-gids worden."),
    ("pl", "Stara destylarnia powinna stać się muzeum z przewodnikiem AI."),
]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def jargon_spans(lang: str, text: str, rules) -> list[str]:
    return [f.span.of(text) for f in flags_of("jargon", lang, text, rules)]


def test_every_language_has_positives_and_negatives():
    for lang in LANGS:
        assert any(la == lang for la, _, _ in POSITIVES), lang
        assert any(la == lang for la, _ in NEGATIVES), lang


@pytest.mark.parametrize("lang,text,span", POSITIVES, ids=[f"{la}-{s}" for la, _, s in POSITIVES])
def test_jargon_is_flagged(lang, text, span, rules):
    assert any(span in flagged for flagged in jargon_spans(lang, text, rules))


@pytest.mark.parametrize("lang,text", NEGATIVES, ids=case_ids(NEGATIVES))
def test_plain_words_are_not_jargon(lang, text, rules):
    assert jargon_spans(lang, text, rules) == []


def test_every_term_has_a_plain_word_in_every_language():
    path = Path(rules_dir()) / "lexicons" / "jargon.toml"
    terms = tomllib.loads(path.read_text(encoding="utf-8"))["terms"]
    missing = [(t["id"], lang) for t in terms for lang in LANGS if not t.get("plain", {}).get(lang)]
    assert missing == []
