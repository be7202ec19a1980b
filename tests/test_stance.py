"""Stance cues per language (rules/stance.toml) and the pair-level stance decision."""

from __future__ import annotations

import shutil

import pytest

from statementkit.dedup.claims import ClaimJudge, analyse
from statementkit.dedup.stance import (
    expand_attached,
    find_cues,
    load_stance,
    lower_pieces,
)
from statementkit.embed import HashingEmbedder
from statementkit.errors import RulesError


@pytest.fixture(scope="module")
def rules():
    return load_stance()


def negations(text: str, lang: str, rules) -> list[str]:
    tokens = lower_pieces(expand_attached(text, rules.lang(lang)))
    return [c.text for c in find_cues(tokens, lang, rules) if c.kind != "antonym" or c.sign < 0]


@pytest.mark.parametrize("text, lang, expected", [
    ("Museums should not share their data.", "en", ["not"]),
    ("Museums shouldn't share their data.", "en", ["not"]),
    ("Museums should share not only images but also texts.", "en", []),
    ("Neither museums nor archives should sell data.", "en", ["neither"]),
    ("Museen sollten keine Daten teilen.", "de", ["keine"]),
    ("Museen sollten nicht nur Bilder teilen.", "de", []),
    ("Les musées ne doivent pas partager leurs données.", "fr", ["ne"]),          # ne ... pas counts once
    ("Les musées n'ont jamais partagé leurs données.", "fr", ["ne"]),
    ("Les musées ne doivent utiliser que des outils ouverts.", "fr", []),         # ne ... que = only
    ("Musea moeten géén gegevens delen.", "nl", ["géén"]),                        # emphatic spelling
    ("Los museos no deberían nunca vender datos.", "es", ["no"]),                 # negative concord
    ("Nunca deberían vender datos.", "es", ["nunca"]),
    ("I musei non dovrebbero mai vendere dati.", "it", ["non"]),
    ("Muzea nigdy nie powinny sprzedawać danych.", "pl", ["nie"]),
    ("Muzea powinny uczyć nie tylko obsługi narzędzi.", "pl", []),
    ("AI should assist rather than replace curators.", "en", ["rather than"]),
    ("Les cantines devraient servir au moins un repas végétarien.", "fr", []),    # au moins = at least
])
def test_negation_cues(rules, text, lang, expected):
    assert negations(text, lang, rules) == expected


def test_antonym_concepts_are_shared_across_languages(rules):
    def concepts(text, lang):
        return {(k, c.sign) for c in find_cues(lower_pieces(text), lang, rules) if c.kind == "antonym"
                for k in c.concepts}

    assert ("permit", 1) in concepts("Museums should allow AI training.", "en")
    assert ("permit", -1) in concepts("Museen sollten KI-Training verbieten.", "de")
    assert ("permit", -1) in concepts("Les musées devraient interdire l'entraînement.", "fr")
    assert ("amount", -1) in concepts("Archiwa powinny zmniejszyć zużycie energii.", "pl")
    assert ("open", -1) in concepts("Los archivos deberían restringir el acceso.", "es")
    assert ("accept", -1) in concepts("I musei dovrebbero rifiutare l'IA.", "it")
    assert ("use", -1) in concepts("Musea moeten AI vermijden.", "nl")


def test_short_stems_do_not_match(rules):
    # French Snowball stems both "données" and "donner" to "don": too short to be a word
    tokens = lower_pieces("Les musées partagent leurs données.")
    assert not [c for c in find_cues(tokens, "fr", rules) if c.text == "données"]


@pytest.fixture(scope="module")
def judge(rules):
    return ClaimJudge(HashingEmbedder(), {"word": 0.7, "mutual": 0.5}, rules=rules)


def flip(judge, rules, a: str, b: str, lang_a: str = "en", lang_b: str = "en") -> bool:
    ca, cb = analyse(a, lang_a, rules), analyse(b, lang_b, rules)
    judge.prepare([ca, cb])
    return judge.features(ca, cb).flip


@pytest.mark.parametrize("a, b, flipped", [
    ("Museums should share their data for AI training.",
     "Museums should not share their data for AI training.", True),
    ("Museums should allow AI training on their collections.",
     "Museums should forbid AI training on their collections.", True),
    ("Museums should forbid AI training on their collections.",
     "Museums should not allow AI training on their collections.", False),   # two ways to say no
    ("Investing in open AI is essential for public institutions.",
     "Investing in open AI is not essential for public institutions.", True),
    ("AI is ethical in archives.", "AI is unethical in archives.", True),     # negative prefix
    ("Museums should collaborate with partners to ensure diversity and no bias.",
     "Museums should collaborate with partners to ensure diversity.", False),  # negation of extra content
    ("Museums should share data, not only images.", "Museums should share data and images.", False),
])
def test_pair_stance(judge, rules, a, b, flipped):
    assert flip(judge, rules, a, b) is flipped
    assert flip(judge, rules, b, a) is flipped  # symmetric


@pytest.mark.parametrize("a, lang_a, b, lang_b", [
    ("Small institutions will benefit least from AI.", "en",
     "Small institutions will benefit most from AI.", "en"),                   # a near-exact copy, opposite
    ("Der Kultursektor sollte die Einführung von KI beschleunigen.", "de",
     "Sektor kultury powinien spowolnić wdrażanie AI.", "pl"),                 # little aligned content
    ("AI will create jobs in museums.", "en", "AI zal banen in musea vernietigen.", "nl"),
])
def test_opposed_concept_is_never_a_duplicate(judge, rules, a, lang_a, b, lang_b):
    ca, cb = analyse(a, lang_a, rules), analyse(b, lang_b, rules)
    judge.prepare([ca, cb])
    for x, y in ((ca, cb), (cb, ca)):
        verdict = judge.compare(x, y, cosine=0.95)
        assert not verdict.duplicate and not verdict.same_stance, verdict


def test_bad_stance_file_names_file_and_key(tmp_path):
    from statementkit.resources import rules_dir

    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    path = target / "stance.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("concord_window = 6", "concord_windw = 6"),
                    encoding="utf-8")
    with pytest.raises(RulesError, match=r"stance.toml.*unknown key 'concord_windw'"):
        load_stance(target)


def test_a_negation_inside_a_near_copy_is_still_a_flip():
    """'ne devraient pas autoriser que' is a negation, not the exception 'ne ... que' (= only): no copy
    rule may overrule it (issue 14)."""
    from statementkit.dedup import find_duplicates
    from statementkit.records import Statement

    yes = Statement("p1", "Les archives devraient autoriser que les chercheurs entraînent des modèles d'IA "
                          "sur leurs fonds.", "fr")
    no = Statement("n1", "Les archives ne devraient pas autoriser que les chercheurs entraînent des modèles "
                         "d'IA sur leurs fonds.", "fr")
    [r] = find_duplicates([no], [yes], semantic=False)
    assert r.duplicates == [] or not r.duplicates[0].is_duplicate
    assert r.to_dict()["similar"][0]["same_stance"] is False
    rules = load_stance()
    assert find_cues(lower_pieces("Les archives ne devraient publier que des documents vérifiés."), "fr", rules) == []


@pytest.mark.parametrize("text, lang", [("I musei dovrebbero offrire audioguide per i non vedenti.", "it"),
                                        ("Die Umfrage sollte nicht-binäre Menschen mitzählen.", "de"),
                                        ("Non-profit archives should get AI tools for free.", "en"),
                                        ("Les musées devraient aider les associations à but non lucratif.", "fr"),
                                        ("Les musées devraient travailler avec des associations non lucratives.",
                                         "fr"),
                                        ("Les visiteurs non voyants devraient avoir des audioguides.", "fr"),
                                        ("Les organisations non-profit devraient avoir accès aux données.", "fr"),
                                        ("Les ONG, organisations non gouvernementales, doivent être consultées.",
                                         "fr"),
                                        ("Non-governmental organisations should sit on the board.", "en"),
                                        ("Le organizzazioni non governative dovrebbero avere accesso ai dati.",
                                         "it"),
                                        ("Las organizaciones no gubernamentales deberían tener voz.", "es"),
                                        ("As organizações não governamentais devem ser ouvidas.", "pt")])
def test_words_that_only_look_negative_are_no_negation(text, lang):
    cues = find_cues(lower_pieces(text), lang, load_stance())
    assert [c for c in cues if c.kind == "negation"] == []


def antonym_words(text: str, lang: str, rules) -> list[str]:
    return [c.text for c in find_cues(lower_pieces(text), lang, rules) if c.kind == "antonym"]


@pytest.mark.parametrize("text, lang, word", [
    # each shares a Snowball stem with a cue entry but is another word
    ("Vrijwilligers in kleine musea moeten AI-cursussen kunnen volgen.", "nl", "vrijwilligers"),  # vrijwillig
    ("Freiwillige in kleinen Museen sollten KI-Kurse besuchen können.", "de", "freiwillige"),   # freiwillig
    ("Museen sollten mehrere Anbieter vergleichen.", "de", "mehrere"),                          # mehr
    ("Museen sollten mehrere Anbieter vergleichen.", "de", "anbieter"),                         # anbieten
    ("Museums should ask providers about their position.", "en", "providers"),                 # provide
    ("Museums should ask providers about their position.", "en", "position"),                  # positive
    ("Los museos deberían explicar los términos en las calles.", "es", "términos"),            # terminar
    ("Los museos deberían explicar los términos en las calles.", "es", "calles"),              # callar
])
def test_a_word_sharing_a_stem_with_a_cue_is_no_cue(rules, text, lang, word):
    assert word not in antonym_words(text, lang, rules)


@pytest.mark.parametrize("text, lang, word", [
    ("Deelname moet vrijwillige blijven.", "nl", "vrijwillige"),
    ("Udział powinien być dobrowolne.", "pl", "dobrowolne"),
    ("Museums are reducing their energy use.", "en", "reducing"),
    ("KI-Training sollte verboten werden.", "de", "verboten"),
])
def test_inflected_cue_words_still_match(rules, text, lang, word):
    assert word in antonym_words(text, lang, rules)


@pytest.mark.parametrize("a, lang_a, b, lang_b", [
    ("Freiwillige in kleinen Museen sollten kostenlose KI-Kurse besuchen können.", "de",
     "Vrijwilligers in kleine musea moeten gratis AI-cursussen kunnen volgen.", "nl"),
    ("Volunteers at small museums should be able to take AI courses free of charge.", "en",
     "Vrijwilligers in kleine musea moeten gratis AI-cursussen kunnen volgen.", "nl"),
    ("Museen sollten Freiwillige schulen.", "de", "Museums should train volunteers.", "en"),
])
def test_volunteers_are_not_the_opposite_of_mandatory(judge, rules, a, lang_a, b, lang_b):
    assert not flip(judge, rules, a, b, lang_a, lang_b)
    assert not flip(judge, rules, b, a, lang_b, lang_a)
