"""Themes stage: clusters, labels, taxonomy mapping, analyst decisions across reruns.

Fast tests use the deterministic HashingEmbedder (character n-grams), so
near-identical statements cluster together and nothing loads a model; the
slow test at the end checks the real multilingual model on the corpus.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from statementkit.embed import HashingEmbedder
from statementkit.records import Statement
from statementkit.themes.assign import assign_themes, least_certain
from statementkit.themes.decisions import ThemeDecisions, decisions_path
from statementkit.themes.taxonomy import NONE, load_taxonomy

# Three groups of near-identical statements (what a hashing embedder can see), written for these tests.
GROUPS = {
    "energy": ["Museums must publish the energy use of their AI tools.",
               "Museums must publish the energy use of every AI tool.",
               "Museums should publish the energy use of their AI tools.",
               "All museums must publish the energy use of their AI tools.",
               "Museums must publish the yearly energy use of their AI tools."],
    "training": ["Archives should train their staff to judge AI output critically.",
                 "Archives should train all staff to judge AI output critically.",
                 "Archives must train their staff to judge AI output critically.",
                 "Archives should train their staff to judge AI results critically.",
                 "Archives should train their own staff to judge AI output critically."],
    "bias": ["Colonial terms in old catalogue records must be fixed before AI learns from them.",
             "Colonial terms in old catalogue records must be corrected before AI learns from them.",
             "Colonial terms in old catalogue records should be fixed before AI learns from them.",
             "Colonial words in old catalogue records must be fixed before AI learns from them.",
             "Colonial terms in the old catalogue records must be fixed before AI learns from them."],
}
LANG_OF = {"energy": "en", "training": "en", "bias": "en"}


def statements(groups=GROUPS, prefix="s") -> list[Statement]:
    out = []
    for name, texts in groups.items():
        for i, text in enumerate(texts):
            out.append(Statement(f"{prefix}-{name}-{i}", text, LANG_OF.get(name, "en")))
    return out


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def run(items, taxonomy, decisions=None):
    return assign_themes(items, taxonomy, embedder=HashingEmbedder(), decisions=decisions)


def groups_of(result) -> set[frozenset[str]]:
    return {frozenset(c.members) for c in result.clusters}


# ---------------------------------------------------------------- taxonomy


def test_bundled_taxonomy_is_the_papers_seven_themes(taxonomy):
    assert taxonomy.ids == ["1", "2", "3", "4", "5", "6", "7"]
    for theme in taxonomy.themes:
        langs = {e.lang for e in theme.examples}
        assert {"en", "de", "fr", "nl", "es", "it", "pl"} <= langs, theme.id
        assert len(theme.examples) >= 40 and all(len(e.text) <= 140 for e in theme.examples)
        assert set(theme.description) >= {"en", "de", "fr"}
    assert len(taxonomy.outside) >= 20 and all(e.theme == NONE for e in taxonomy.outside)
    assert taxonomy.label("3") == "Climate and environment" and taxonomy.label(None) == "none"


@pytest.mark.parametrize("body, message", [
    ('[[themes]]\nid = "1"\nlabel = "a"\ndescription = "x"\n[[themes]]\nid = "1"\nlabel = "b"\ndescription = "y"\n',
     "duplicate theme id '1'"),
    ('[[themes]]\nid = "1"\nlable = "typo"\ndescription = "x"\n', "unknown key 'themes[0].lable'"),
    ('[[themes]]\nid = "none"\ndescription = "x"\n', "reserved"),
    ('[[themes]]\nid = "1"\nlabel = "empty"\n', "neither a description nor examples"),
    ('themes = "x"\n', "'themes' must be a list"),
    ('[[themes]]\nid = "1"\ndescription = "x"\nexamples = [{ lang = "en" }]\n', "has no text"),
    ('[[themes]]\nid = "1"\ndescription = "x"\nexamples = [{ text = "t", also = "1" }]\n', "another theme"),
    ('[[themes]]\nid = "1"\ndescription = "x"\nexamples = [{ text = "t", also = "9" }]\n',
     "unknown theme themes[0].examples[0].also = '9'"),
])
def test_bad_taxonomy_files_name_the_problem(tmp_path, body, message):
    from statementkit.errors import RulesError

    path = tmp_path / "taxonomy.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("]", r"\]")) as err:
        load_taxonomy(path)
    assert str(path) in str(err.value)


def test_a_straddling_example_names_its_second_theme(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text('[[themes]]\nid = "1"\ndescription = "x"\n'
                    'examples = [{ text = "both", also = "2" }, { text = "one" }]\n'
                    '[[themes]]\nid = "2"\ndescription = "y"\n', encoding="utf-8")
    both, one = load_taxonomy(path).themes[0].examples
    assert (both.theme, both.theme2) == ("1", "2") and one.theme2 is None


def test_check_theme_lists_valid_ids(taxonomy):
    from statementkit.errors import RulesError

    assert taxonomy.check_theme("none") == "none"
    with pytest.raises(RulesError, match="valid: 1, 2, 3, 4, 5, 6, 7, none"):
        taxonomy.check_theme("8")


# ---------------------------------------------------------------- clustering


def test_clusters_find_the_groups_and_are_deterministic(taxonomy):
    items = statements()
    first, second = run(items, taxonomy), run(items, taxonomy)
    assert groups_of(first) == {frozenset(s.id for s in items if f"-{g}-" in s.id) for g in GROUPS}
    assert [a.to_dict() for a in first.assignments] == [a.to_dict() for a in second.assignments]
    assert [c.to_dict() for c in first.clusters] == [c.to_dict() for c in second.clusters]
    assert [a.id for a in first.assignments] == [s.id for s in items]  # input order


def test_input_order_does_not_change_the_clusters(taxonomy):
    items = statements()
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert groups_of(run(items, taxonomy)) == groups_of(run(shuffled, taxonomy))


def test_cluster_has_keywords_label_and_three_representatives(taxonomy):
    result = run(statements(), taxonomy)
    energy = next(c for c in result.clusters if any("energy" in m for m in c.members))
    assert "energy" in [k.lower() for k in energy.keywords[:4]] or any("energy" in k.lower() for k in energy.keywords)
    assert energy.label and len(energy.representatives) == 3
    assert set(energy.representatives) <= set(energy.members)
    a = next(a for a in result.assignments if a.id == energy.members[0])
    assert a.cluster == energy.id and a.labels == energy.keywords and a.cluster_label == energy.label


def test_all_duplicates_form_one_cluster(taxonomy):
    items = [Statement(f"d{i}", "Museums must publish the energy use of their AI tools.", "en") for i in range(12)]
    result = run(items, taxonomy)
    assert len(result.clusters) == 1 and result.clusters[0].size == 12
    assert len({(a.theme, round(a.confidence, 6)) for a in result.assignments}) == 1
    assert result.outlier_share == 0.0


def test_ten_statements(taxonomy):
    items = statements({"energy": GROUPS["energy"], "training": GROUPS["training"]})
    assert len(items) == 10
    result = run(items, taxonomy)
    assert len(result.assignments) == 10
    assert 1 <= len(result.clusters) <= 3
    assert all(a.theme in taxonomy.ids + [NONE] for a in result.assignments)
    assert all(0.0 <= a.confidence <= 1.0 for a in result.assignments)


def test_one_and_zero_statements(taxonomy):
    assert run([], taxonomy).assignments == []
    one = run([Statement("x", "Archives should train staff in AI.", "en")], taxonomy)
    assert len(one.assignments) == 1 and len(one.clusters) == 1


def test_mixed_language_input_gets_keywords_per_language(taxonomy):
    groups = {
        "de": ["Museen müssen den Energieverbrauch ihrer KI-Werkzeuge veröffentlichen.",
               "Museen müssen den Energieverbrauch aller KI-Werkzeuge veröffentlichen.",
               "Museen sollten den Energieverbrauch ihrer KI-Werkzeuge veröffentlichen.",
               "Alle Museen müssen den Energieverbrauch ihrer KI-Werkzeuge veröffentlichen."],
        "fr": ["Les archives doivent former leur personnel à juger les résultats de l'IA.",
               "Les archives doivent former tout leur personnel à juger les résultats de l'IA.",
               "Les archives devraient former leur personnel à juger les résultats de l'IA.",
               "Les archives doivent former leur personnel à évaluer les résultats de l'IA."],
        "energy": GROUPS["energy"][:4],
    }
    items = [Statement(f"{g}-{i}", t, g if g in ("de", "fr") else "en") for g, ts in groups.items()
             for i, t in enumerate(ts)]
    result = run(items, taxonomy)
    keywords = {kw.lower() for c in result.clusters for kw in c.keywords}
    assert "energieverbrauch" in keywords
    assert "personnel" in keywords  # French stop words ("les", "leur") are not keywords
    assert not keywords & {"les", "leur", "den", "ihrer", "the", "their"}


def test_languages_are_detected_when_missing(taxonomy):
    items = [Statement(s.id, s.text) for s in statements()]
    result = run(items, taxonomy)
    assert len(result.clusters) == 3


# ---------------------------------------------------------------- analyst decisions


def test_decisions_survive_a_rerun_with_added_statements(taxonomy, tmp_path):
    items = statements()
    decisions = ThemeDecisions()
    first = run(items, taxonomy, decisions)
    energy = next(c for c in first.clusters if "s-energy-0" in c.members)
    training = next(c for c in first.clusters if "s-training-0" in c.members)
    decisions.pin_cluster(energy.id, "3")
    decisions.rename(training.id, "Staff skills")
    decisions.pin_statement("s-bias-0", "4", "Colonial terms ...", "en")
    path = decisions.save(tmp_path / "in.jsonl.themes.json")

    grown = statements({"extra": ["Museums must publish the energy use of their AI servers.",
                                  "Archives should train their staff to judge AI output with care."]}, "n") + items
    random.Random(1).shuffle(grown)
    again = run(grown, taxonomy, ThemeDecisions.load(path))
    energy2 = again.cluster(energy.id)
    assert energy2 is not None and set(energy.members) <= set(energy2.members)
    assert energy2.theme == "3" and energy2.theme_source == "analyst"
    assert again.cluster(training.id).label == "Staff skills"
    by_id = {a.id: a for a in again.assignments}
    assert all(by_id[m].theme == "3" and by_id[m].source == "analyst" for m in energy2.members)
    assert by_id["s-bias-0"].theme == "4" and by_id["s-bias-0"].confidence == 1.0
    assert by_id["n-extra-0"].cluster == energy.id  # a new statement joins the stable cluster id


def test_merge_and_split(taxonomy):
    items = statements()
    decisions = ThemeDecisions()
    first = run(items, taxonomy, decisions)
    ids = {g: next(c.id for c in first.clusters if f"s-{g}-0" in c.members) for g in GROUPS}
    decisions.merge(ids["training"], ids["energy"])
    new = decisions.split(ids["bias"], ["s-bias-0", "s-bias-1"])
    assert new not in ids.values()
    again = run(items, taxonomy, decisions)
    merged = again.cluster(ids["energy"])
    assert merged.size == 10 and again.cluster(ids["training"]) is None
    assert sorted(again.cluster(new).members) == ["s-bias-0", "s-bias-1"]
    assert again.cluster(ids["bias"]).size == 3
    with pytest.raises(ValueError):
        decisions.merge(ids["energy"], ids["training"])  # would make a cycle


def test_pinned_statements_teach_the_model(taxonomy):
    text = "Zorgrobots in verpleeghuizen moeten altijd door een mens worden bediend."
    probe = [Statement("p", text + " Altijd.", "nl")]
    before = run(probe, taxonomy).assignments[0]
    decisions = ThemeDecisions()
    decisions.confirm(text, "6", "nl")
    after = run(probe, taxonomy, decisions)
    assert after.info["analyst_examples"] == 1
    p_after = after.assignments[0]
    assert p_after.theme == "6" and p_after.source == "model"
    assert before.theme != "6" or before.confidence < p_after.confidence


def test_a_straddling_example_splits_its_weight_over_both_themes():
    from statementkit.themes import fewshot
    from statementkit.themes.taxonomy import ThemeExample

    emb = HashingEmbedder()
    examples = [ThemeExample(t, "1") for t in ("energy use of servers", "energy bills of data centres",
                                          "carbon footprint of models")] + \
               [ThemeExample(t, "2") for t in ("training staff in archives", "courses for librarians",
                                          "staff learn to use chatbots")]
    straddler = ThemeExample("staff courses on the energy use of servers", "1", theme2="2")
    settings = fewshot.FewShotSettings(method="logreg", lexical_weight=0.0, calibrate=False)
    plain = fewshot.fit(examples, emb.encode([e.text for e in examples]), ["1", "2"], settings)
    soft = fewshot.fit(examples + [straddler], emb.encode([e.text for e in examples + [straddler]]),
                       ["1", "2"], settings)
    assert len(soft.targets) == len(plain.targets) + 2  # one row per theme of the straddler
    v = emb.encode([straddler.text])
    assert abs(soft.probabilities(v)[0, 0] - 0.5) < abs(plain.probabilities(v)[0, 0] - 0.5)


def test_fitted_classifier_is_cached_on_disk_and_reused(taxonomy, tmp_path):
    from statementkit.themes import classifier_cache, fewshot

    items = statements()
    fewshot._FITTED.clear()  # a test that ran before may have fitted the same examples
    first = assign_themes(items, taxonomy, embedder=HashingEmbedder(), model_cache=tmp_path)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    fewshot._FITTED.clear()  # as in a new process
    fitted = []
    original = fewshot._fit
    fewshot._fit = lambda *a, **k: fitted.append(1) or original(*a, **k)
    try:
        again = assign_themes(items, taxonomy, embedder=HashingEmbedder(), model_cache=tmp_path)
    finally:
        fewshot._fit = original
    assert fitted == []  # read from disk, not refitted
    assert [(a.theme, round(a.confidence, 6)) for a in again.assignments] == \
           [(a.theme, round(a.confidence, 6)) for a in first.assignments]
    # a confirmed example is new content: a new key, a second file
    decisions = ThemeDecisions()
    decisions.confirm("Archives should budget for AI energy use.", "3", "en")
    assign_themes(items, taxonomy, embedder=HashingEmbedder(), decisions=decisions, model_cache=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 2
    # an unreadable file is refitted and replaced, never an error
    for f in tmp_path.glob("*.npz"):
        f.write_bytes(b"not numpy")
    fewshot._FITTED.clear()
    assert assign_themes(items, taxonomy, embedder=HashingEmbedder(), model_cache=tmp_path).assignments
    assert classifier_cache.KEEP >= 2


def test_classifier_cache_keys_on_vectors_not_just_the_model_id(taxonomy):
    from statementkit.themes import classifier_cache, fewshot

    examples = list(taxonomy.exemplars())[:20]
    a = HashingEmbedder().encode([e.text for e in examples])
    b = HashingEmbedder(dim=128).encode([e.text for e in examples])
    settings = fewshot.FewShotSettings()
    key = classifier_cache.model_key
    assert key(examples, a, taxonomy.ids, settings, "x") != key(examples, b, taxonomy.ids, settings, "x")
    assert key(examples, a, taxonomy.ids, settings, "x") != key(examples, a, taxonomy.ids,
                                                                fewshot.FewShotSettings(C=3.0), "x")
    assert key(examples, a, taxonomy.ids, settings, "x") == key(list(examples), a.copy(), taxonomy.ids, settings, "x")


def test_cluster_second_theme_is_the_theme_of_a_real_share_of_its_members():
    from statementkit.themes.fewshot import second_theme

    assert second_theme(["2"] * 6 + ["7"] * 3, "2", 0.25) == "7"
    assert second_theme(["2"] * 9 + ["7"] * 2, "2", 0.25) is None       # 2 of 11: too few
    assert second_theme(["2", "7"], "2", 0.25) is None                  # one member is not a share
    assert second_theme(["2"] * 4 + ["none"] * 4, "2", 0.25) is None    # "none" is no second theme
    assert second_theme(["2"] * 4 + ["5"] * 2 + ["3"] * 2, "2", 0.25) == "3"  # ties: lower id


def test_unknown_theme_in_decisions_is_an_error(taxonomy):
    from statementkit.errors import RulesError

    decisions = ThemeDecisions(statement_themes={"s-energy-0": "9"})
    with pytest.raises(RulesError, match="unknown theme '9' pinned to statement s-energy-0"):
        run(statements(), taxonomy, decisions)


def test_decisions_round_trip_as_json_and_records(tmp_path):
    d = ThemeDecisions()
    d.pin_statement("a", "2", "Text a", "en")
    d.clusters = {3: ["a", "b"], 4: ["c"]}
    d.pin_cluster(3, "none")
    d.rename(3, "Off topic")
    d.merge(4, 3)
    d.split(3, ["b"])
    path = d.save(tmp_path / "x.themes.json")
    assert json.loads(path.read_text())["version"] == 1
    assert ThemeDecisions.load(path) == d
    assert ThemeDecisions.from_records(d.to_records()) == d
    assert ThemeDecisions.load(tmp_path / "missing.json").is_empty
    assert decisions_path("data/in.csv").name.startswith("in.csv-") and decisions_path("data/in.csv").name.endswith(
        ".themes.json")
    assert decisions_path("data/in.csv") != decisions_path("other/in.csv")  # one file per input, by its path
    (tmp_path / "old.jsonl.themes.json").write_text("{}")  # where earlier versions wrote it: still used
    assert decisions_path(tmp_path / "old.jsonl") == tmp_path / "old.jsonl.themes.json"


def test_corrupt_decisions_file_is_an_input_error(tmp_path):
    from statementkit.errors import InputError

    bad = tmp_path / "x.themes.json"
    bad.write_text('{"statement_themes": {"a": "1"}, "clusters": {"x": []}}')
    with pytest.raises(InputError, match="malformed theme decisions"):
        ThemeDecisions.load(bad)
    bad.write_text("{nope")
    with pytest.raises(InputError, match="not valid JSON"):
        ThemeDecisions.load(bad)


def test_stable_ids_follow_overlap_not_numbering():
    d = ThemeDecisions(clusters={7: ["a", "b", "c"], 9: ["d", "e", "f"]}, next_cluster=10)
    mapping = d.stable_ids({0: ["d", "e", "f", "g"], 1: ["a", "b"], 2: ["x", "y"]})
    assert mapping[0] == 9 and mapping[1] == 7 and mapping[2] == 10
    assert d.clusters[9] == ["d", "e", "f", "g"] and d.next_cluster == 11


# ---------------------------------------------------------------- least certain


def test_least_certain_ranks_hesitant_first_and_skips_analyst_decisions(taxonomy):
    decisions = ThemeDecisions()
    items = statements()
    decisions.pin_statement(items[0].id, "3")
    result = run(items, taxonomy, decisions)
    doubts = least_certain(result, 5, statements=items)
    assert len(doubts) == 5 and items[0].id not in {u.id for u in doubts}
    assert [u.margin for u in doubts] == sorted(u.margin for u in doubts)
    assert all(u.text for u in doubts)
    both = least_certain(result, 50, kind="both")
    assert {u.kind for u in both} == {"statement", "cluster"}


def test_progress_reports_each_stage(taxonomy):
    seen = []
    assign_themes(statements(), taxonomy, embedder=HashingEmbedder(), progress=lambda s, d, n: seen.append(s))
    assert {"encode", "cluster", "classify", "labels"} <= set(seen)


def test_precomputed_vectors_give_the_same_result(taxonomy):
    items = statements()
    emb = HashingEmbedder()
    vectors = emb.encode([s.text for s in items])
    a = assign_themes(items, taxonomy, embedder=emb)
    b = assign_themes(items, taxonomy, embedder=emb, vectors=vectors)
    assert [x.to_dict() for x in a.assignments] == [x.to_dict() for x in b.assignments]


# ---------------------------------------------------------------- real model


@pytest.mark.slow
def test_real_model_maps_multilingual_statements_onto_the_papers_themes(taxonomy):
    from statementkit.embed import load_embedder

    items = [
        Statement("en", "Data centres behind AI tools use too much water and power for museums to ignore.", "en"),
        Statement("de", "Der CO2-Fußabdruck von KI-Diensten gehört in jeden Jahresbericht eines Archivs.", "de"),
        Statement("fr", "Les bibliothécaires doivent être formés pour comprendre les limites de l'IA.", "fr"),
        Statement("pl", "Opisy kolonialne w katalogach utrwalą uprzedzenia, jeśli AI się na nich nauczy.", "pl"),
        Statement("nl", "De gemeente moet meer parkeerplaatsen aanleggen bij het station.", "nl"),
    ]
    result = assign_themes(items, taxonomy, embedder=load_embedder())
    themes = {a.id: a.theme for a in result.assignments}
    assert themes == {"en": "3", "de": "3", "fr": "5", "pl": "4", "nl": NONE}
    assert np.all([0 < a.confidence <= 1 for a in result.assignments])


def test_decisions_refuse_edits_that_name_missing_clusters():
    from statementkit.errors import ClusterEditError

    d = ThemeDecisions(clusters={1: ["a", "b"], 2: ["c"]})
    with pytest.raises(ClusterEditError, match=r"no cluster 999 \(known clusters: 1, 2\)"):
        d.merge(1, 999)
    with pytest.raises(ClusterEditError, match="into itself"):
        d.merge(2, 2)
    with pytest.raises(ClusterEditError, match="not in cluster 1: c"):
        d.split(1, ["a", "c"])
    with pytest.raises(ClusterEditError, match="no cluster 7"):
        d.rename(7, "Off topic")
    with pytest.raises(ClusterEditError, match="run the themes stage first"):
        ThemeDecisions().pin_cluster(0, "1")
    assert d == ThemeDecisions(clusters={1: ["a", "b"], 2: ["c"]})  # nothing half-applied
    d.merge(2, 1)
    assert d.resolve(2) == 1


def test_a_decision_no_cluster_carries_is_said_not_dropped(taxonomy):
    """After a rerun, a decision on a cluster that no longer exists is named (issue 15, finding 3)."""
    items = statements()
    decisions = ThemeDecisions()
    first = run(items, taxonomy, decisions)
    kept = first.clusters[0].id
    decisions.pin_cluster(kept, "3")
    decisions.clusters[999] = ["gone-1", "gone-2"]  # a cluster of an earlier run whose statements left
    decisions.cluster_themes[999] = "none"
    decisions.cluster_labels[999] = "Off topic"
    again = run(items, taxonomy, decisions)
    assert again.cluster(kept) is not None and again.cluster(kept).theme == "3"
    assert len(again.uncarried) == 1 and again.uncarried[0].startswith("cluster 999 (theme none, label “Off topic”)")
