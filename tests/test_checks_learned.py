"""The learned stage of the checks: classifier settings as data, fitting and keeping fits,
classifier flags beside lexicon flags (with a deterministic hashing embedder), and the real
model with the bundled examples (slow)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from statementkit.checks import check, learned, learned_model, load_rules
from statementkit.embed import HashingEmbedder
from statementkit.errors import RulesError
from statementkit.records import REASON_CODES, Statement
from statementkit.resources import rules_dir

# Small labelled sets for a hashing-embedder classifier: near-identical wording per class,
# so character n-grams separate them (the real model learns meaning from the bundled examples).
REPLIES = ["Piggybacking on Maria's remark, museums should label AI images.",
           "Piggybacking on Maria's remark, archives must publish AI contracts.",
           "Piggybacking on Maria's remark, libraries need AI training for staff.",
           "Piggybacking on Maria's remark, Europeana should not sell data to AI firms.",
           "Piggybacking on Maria's remark, AI transcription must be free for volunteers.",
           "Piggybacking on Maria's remark, curators must review AI descriptions."]
GOOD = ["Museums should label AI images in their catalogues.",
        "Archives must publish the contracts they sign with AI firms.",
        "Libraries need paid AI training for their staff.",
        "Europeana should not sell heritage data to AI firms.",
        "AI transcription must be free for heritage volunteers.",
        "Curators must review every AI description before it goes online."]


def write_assembly(tmp_path: Path, classifier: str, examples: list[dict]) -> Path:
    root = tmp_path / "rules"
    root.mkdir()
    (root / "assembly.toml").write_text('[assembly]\nname = "test"\nbase = "bundled"\n', encoding="utf-8")
    (root / "examples").mkdir()
    (root / "examples" / "ex.jsonl").write_text("".join(json.dumps(e) + "\n" for e in examples), encoding="utf-8")
    (root / "classifier.toml").write_text(classifier, encoding="utf-8")
    shutil.copy(rules_dir() / "scope.toml", root / "scope.toml")
    return root


CLASSIFIER = """[classifier]
examples = "examples/ex.jsonl"
lexical_weight = 1.0
models = ["hashing"]
[classifier.codes.not_standalone]
flag = 0.6
strong = 1.01
"""


def examples() -> list[dict]:
    return [{"text": t, "lang": "en", "codes": ["not_standalone"]} for t in REPLIES] + \
        [{"text": t, "lang": "en", "codes": []} for t in GOOD]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path / "cache"))
    learned._FITS.clear()
    yield tmp_path / "cache"
    learned._FITS.clear()


# ---------------------------------------------------------------- settings and examples are data


@pytest.mark.parametrize("text,problem", [
    ("[classifier]\nthreshold = 1\n", "unknown key 'classifier.threshold'"),
    ("[classifier.codes.duplicate]\nflag = 0.9\n", "unknown code 'duplicate'"),
    ("[classifier.codes.vague]\nflag = 2\n", "must be a probability"),
    ("[classifier.codes.vague]\ngate = \"syntax\"\n", "unknown gate 'syntax'"),
    ("[classifier]\nmodels = \"use\"\n", "classifier.models must list"),
    ("[classifier]\nexample_weights = [1, 2]\n", "one positive number per examples file"),
    ("[classifier]\nexample_weights = [0]\n", "one positive number per examples file"),
    ("[classifier.codes.vague]\nelsewhere = { flag = 0.9 }\n", "elsewhere needs languages"),
    ("[classifier.codes.vague]\nlanguages = \"en\"\n", "languages must list"),
    ("[classifier.codes.vague]\nveto_variants = \"fact\"\n", "veto_variants must list"),
    ("[classifier.codes.vague]\nlanguages = [\"en\"]\nelsewhere = { flag = 3 }\n", "elsewhere.flag must be a probability"),
])
def test_bad_classifier_settings_name_the_file_and_the_problem(tmp_path, text, problem):
    root = write_assembly(tmp_path, text, examples())
    with pytest.raises(RulesError, match=problem) as err:
        load_rules(root)
    assert "classifier.toml" in str(err.value)


def test_bad_example_line_is_reported_with_its_line(tmp_path):
    path = tmp_path / "ex.jsonl"
    path.write_text('{"text": "ok", "codes": []}\n{"text": "bad", "codes": ["vauge"]}\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"ex\.jsonl:2: .*reason codes.*valid:"):
        learned_model.load_examples(path, REASON_CODES)
    path.write_text('{"text": "ok"}\nnot json\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"ex\.jsonl:2: invalid JSON"):
        learned_model.load_examples(path, REASON_CODES)


def test_bundled_examples_cover_every_language_and_code():
    rows = [json.loads(line) for line in (rules_dir() / "examples" / "criteria-examples.jsonl").read_text(
        encoding="utf-8").splitlines()]
    for lang in ("en", "de", "fr", "nl", "es", "it", "pl"):
        mine = [r for r in rows if r["lang"] == lang]
        assert sum(not r["codes"] for r in mine) >= 120, lang
        for code in ("vague", "no_standpoint", "not_standalone", "incivility", "multiple_ideas", "out_of_scope",
                     "jargon"):
            assert sum(code in r["codes"] for r in mine) >= 25, (lang, code)
    assert len({(r["lang"], r["text"]) for r in rows}) == len(rows)  # no repeats


# ---------------------------------------------------------------- fitting and keeping a fit


def test_a_fit_round_trips_through_npz_and_is_kept_by_key(tmp_path, cache):
    items = [learned_model.CriterionExample(str(i), e["text"], "en", tuple(e["codes"])) for i, e in enumerate(examples())]
    emb = HashingEmbedder()
    vectors = emb.encode([e.text for e in items])
    models = learned_model.fit(items, vectors, ["not_standalone"], lexical_weight=1.0, meta={"key": "k1"})
    probe = ["Piggybacking on Maria's remark, museums need more staff.", "Museums need more staff."]
    p = models.probabilities(emb.encode(probe), probe)[:, 0]
    assert p[0] > 0.5 > p[1]
    learned_model.store(models)
    again = learned_model.cached("k1")
    assert again is not None and again.codes == ["not_standalone"]
    assert np.allclose(again.probabilities(emb.encode(probe), probe), models.probabilities(emb.encode(probe), probe))
    assert learned_model.cached("other-key") is None


def test_a_code_without_positives_is_an_error(tmp_path):
    items = [learned_model.CriterionExample(str(i), t, "en", ()) for i, t in enumerate(GOOD)]
    with pytest.raises(RulesError, match="no positive"):
        learned_model.fit(items, HashingEmbedder().encode(GOOD), ["vague"], lexical_weight=0.0)


# ---------------------------------------------------------------- classifier flags beside lexicon flags


def test_classifier_flags_what_the_lexicons_miss_and_explains_it(tmp_path, cache):
    rules = load_rules(write_assembly(tmp_path, CLASSIFIER, examples()))
    text = "Piggybacking on Maria's remark, museums must publish their AI budgets."
    lexicon_only = check([Statement("a", text, "en")], rules)[0]
    assert "not_standalone" not in lexicon_only.codes  # "piggybacking on ..." is in no lexicon list
    found = check([Statement("a", text, "en"), Statement("b", "Museums must publish their AI budgets.", "en")],
                  rules, embedder=HashingEmbedder())
    flag = next(f for f in found[0].flags if f.code == "not_standalone")
    assert flag.rule == "stand-alone:model" and flag.severity == "review"  # below `strong`: weak evidence
    assert flag.span is not None and text[flag.span.start:flag.span.end] == "Piggybacking on Maria's remark"
    assert "reply" in flag.message and text[flag.span.start:flag.span.end] in flag.message
    assert "not_standalone" not in found[1].codes
    assert list((cache / "checks").glob("classifier-*.npz"))  # the fit is kept for the next run


def test_classifier_only_for_the_models_its_thresholds_were_chosen_for(tmp_path, cache):
    rules = load_rules(write_assembly(tmp_path, CLASSIFIER.replace('["hashing"]', '["use-multilingual-v3"]'),
                                      examples()))
    text = "Piggybacking on Maria's remark, museums must publish their AI budgets."
    assert learned.active_codes(rules, HashingEmbedder()) == []
    assert "not_standalone" not in check([Statement("a", text, "en")], rules, embedder=HashingEmbedder())[0].codes


def test_veto_drops_a_lexicon_flag_the_classifier_rejects(tmp_path, cache):
    veto = CLASSIFIER.replace("flag = 0.6", "flag = 0.6\nveto = 0.5")
    rules = load_rules(write_assembly(tmp_path, veto, examples()))
    text = "I agree with the above: museums must publish their AI budgets."  # a lexicon reply marker
    assert "not_standalone" in check([Statement("a", text, "en")], rules)[0].codes
    vetoed = check([Statement("a", text, "en")], rules, embedder=HashingEmbedder())[0]
    assert "not_standalone" not in vetoed.codes  # the classifier has only seen "Piggybacking ..." replies
    lexicon_flag = next(f for f in check([Statement("a", text, "en")], rules)[0].flags if f.code == "not_standalone")
    assert lexicon_flag.rule == "stand-alone"


def test_veto_variants_limit_which_lexicon_flags_the_veto_drops(tmp_path, cache):
    text = "I agree with the above: museums must publish their AI budgets."
    other_kind = CLASSIFIER.replace("flag = 0.6", 'flag = 0.6\nveto = 0.5\nveto_variants = ["not-this-kind"]')
    rules = load_rules(write_assembly(tmp_path, other_kind, examples()))
    kept = check([Statement("a", text, "en")], rules, embedder=HashingEmbedder())[0]
    assert "not_standalone" in kept.codes  # the veto may drop only flags of the kinds it lists


def test_thresholds_with_languages_hold_only_there_and_elsewhere_in_the_rest(tmp_path, cache):
    only_en = CLASSIFIER.replace("flag = 0.6", 'languages = ["en"]\nflag = 0.6')
    text = "Piggybacking on Maria's remark, museums must publish their AI budgets."
    rules = load_rules(write_assembly(tmp_path, only_en, examples()))
    found = check([Statement("a", text, "en"), Statement("b", text, "fr")], rules, embedder=HashingEmbedder())
    assert "not_standalone" in found[0].codes
    assert "not_standalone" not in found[1].codes  # no thresholds for French: the classifier does not judge it
    assert rules.classifier.codes["not_standalone"].for_language("fr") is None
    strict = only_en.replace("strong = 1.01", "strong = 1.01\nelsewhere = { flag = 0.6, strong = 0.6 }")
    learned._FITS.clear()
    (tmp_path / "rules").rename(tmp_path / "old")
    rules = load_rules(write_assembly(tmp_path, strict, examples()))
    found = check([Statement("a", text, "en"), Statement("b", text, "fr")], rules, embedder=HashingEmbedder())
    assert {f.severity for f in found[0].flags if f.code == "not_standalone"} == {"review"}
    assert {f.severity for f in found[1].flags if f.code == "not_standalone"} == {"reject"}  # elsewhere's strong


def test_example_files_are_weighted_and_unjudged_codes_teach_nothing(tmp_path):
    """A second examples file counts `example_weights` per line; a line that did not judge a code
    (`judged`) has no say in that code's classifier, whatever its `codes` say."""
    from statementkit.checks.classifier_settings import ExampleFile

    path = tmp_path / "real.jsonl"
    rows = [{"text": t, "codes": [], "judged": ["vague"]} for t in REPLIES]  # replies, but not_standalone unjudged
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    loaded = learned_model.load_examples(path, REASON_CODES, weight=3.0)
    assert {e.weight for e in loaded} == {3.0} and {e.judged for e in loaded} == {("vague",)}
    base = [learned_model.CriterionExample(str(i), e["text"], "en", tuple(e["codes"])) for i, e in enumerate(examples())]
    emb = HashingEmbedder()
    vectors = lambda items: np.asarray(emb.encode([e.text for e in items]))  # noqa: E731
    alone = learned_model.fit(base, vectors(base), ["not_standalone"])
    mixed = learned_model.fit(base + loaded, vectors(base + loaded), ["not_standalone"])
    p_alone = alone.probabilities(vectors([base[0]]), [base[0].text])[0, 0]
    p_mixed = mixed.probabilities(vectors([base[0]]), [base[0].text])[0, 0]
    assert p_mixed == pytest.approx(p_alone, abs=0.05)  # the unjudged "no" labels did not pull it down
    judged = [learned_model.CriterionExample(e.id, e.text, e.lang, e.codes, 3.0, ("not_standalone",)) for e in loaded]
    taught = learned_model.fit(base + judged, vectors(base + judged), ["not_standalone"])
    assert taught.probabilities(vectors([base[0]]), [base[0].text])[0, 0] < p_alone - 0.1  # judged: they count
    key = learned_model.fit_key
    one = key([ExampleFile(path)], "m", ["vague"], 1.0, 0.5)
    assert key([ExampleFile(path, 2.0)], "m", ["vague"], 1.0, 0.5) != one  # a weight is part of the fit
    assert key([ExampleFile(path)], "m", ["vague"], 1.0, 0.5) == one


def test_assembly_specific_codes_need_the_examples_and_scope_from_one_directory(tmp_path):
    bundled = load_rules()
    assert "out_of_scope" in learned.active_codes(bundled)
    other = tmp_path / "other"
    other.mkdir()
    (other / "assembly.toml").write_text('[assembly]\nname = "other"\nbase = "bundled"\n', encoding="utf-8")
    (other / "scope.toml").write_text('[scope]\nname.en = "parks"\nin_scope_when = [["parks"]]\n'
                                      '[scope.groups.parks]\nen = ["park*"]\n', encoding="utf-8")
    codes = learned.active_codes(load_rules(other))
    assert "out_of_scope" not in codes and "vague" in codes  # heritage examples say nothing about parks


def test_clauses_split_at_punctuation_and_keep_two_words_or_more():
    text = "Well said above; museums, in short, must label AI images."
    assert [text[s.start:s.end] for s in learned.clauses(text)] == ["Well said above", "in short",
                                                                     "must label AI images"]


def test_ngram_scores_are_scikit_learns_tfidf_of_the_fit():
    """The classifiers' n-gram part, computed without scikit-learn, against its TfidfVectorizer with
    the bundled fit's vocabulary and IDF: the same n-grams and the same scores."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from statementkit.resources import models_dir

    models = learned_model.CodeModels.load(models_dir() / learned_model.BUNDLED)
    texts = [json.loads(line)["text"] for line in (rules_dir() / "examples" / "criteria-examples.jsonl")
             .read_text(encoding="utf-8").splitlines()[:400]]
    texts += ["", "  ", "a", "ab", "I  II\t\nIII", "Ça   VA?  Żółw!", "x" * 30, "tab\tand\u00a0nbsp"]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=learned_model.NGRAMS, sublinear_tf=True,
                          dtype=np.float32, vocabulary=models.vocabulary)
    vec.idf_ = models.idf
    analyse = vec.build_analyzer()
    for text in texts:
        assert learned_model.char_wb_ngrams(text) == analyse(text), text
    theirs = np.asarray(vec.transform(texts) @ models.w_lex.T)
    assert np.abs(models.lexical_scores(texts) - theirs).max() < 1e-5


# ---------------------------------------------------------------- the real model (slow)


@pytest.mark.slow
def test_bundled_fit_matches_the_bundled_examples_and_model():
    """The committed fit is the one `check()` uses: same examples, settings and model (no refit)."""
    from statementkit.embed import load_embedder
    from statementkit.resources import models_dir

    rules = load_rules()
    embedder = load_embedder()
    settings = rules.classifier
    key = learned_model.fit_key(settings.examples, learned.model_id(embedder), list(settings.codes), settings.C,
                                settings.lexical_weight)
    bundled = learned_model.CodeModels.load(models_dir() / learned_model.BUNDLED)
    assert bundled.meta["key"] == key, "run python scripts/fit_checks_classifier.py after editing the examples"


@pytest.mark.slow
@pytest.mark.parametrize("lang,text,code", [
    ("en", "Heritage bodies ought to embark on a transformative journey with AI.", "vague"),
    ("de", "Die Kulturerbe-Einrichtungen sollten mit KI einfach neue Horizonte eröffnen.", "vague"),
    ("nl", "Het zou interessant zijn te weten hoeveel archieven al AI gebruiken.", "no_standpoint"),
])
def test_classifiers_catch_wording_outside_the_lexicons(lang, text, code):
    """Clear positives in wording no lexicon lists: flagged only with the model, with a span and
    a message in the statement's language."""
    from statementkit.embed import load_embedder

    rules = load_rules()
    assert code not in check([Statement("x", text, lang)], rules)[0].codes
    s = check([Statement("x", text, lang)], rules, embedder=load_embedder())[0]
    flag = next(f for f in s.flags if f.code == code)
    assert flag.rule.endswith(":model") and flag.message and flag.span is not None


def test_no_position_gate_keeps_the_classifier_from_overruling_a_demand(tmp_path, cache):
    """A demand is a standpoint whatever its grammar: with `gate = "no_position"` the classifier
    may not flag a statement whose proposal the lexicons recognise ("Keine ... mehr")."""
    topics = ["Lebendtiertransporte", "Plastiktüten", "Ölheizungen", "Kurzstreckenflüge", "Einwegbecher", "Laubbläser"]
    bare = [{"text": f"Thema {t} im Winter", "lang": "de", "codes": ["no_standpoint"]} for t in topics]
    demands = [{"text": f"Die Regierung muss {t} verbieten.", "lang": "de", "codes": []} for t in topics]
    settings = CLASSIFIER.replace("not_standalone]\nflag = 0.6", "no_standpoint]\nflag = 0.5")
    text = "Keine Lebendtiertransporte im Winter mehr!"
    ungated = load_rules(write_assembly(tmp_path, settings, bare + demands))
    assert "no_standpoint" in check([Statement("a", text, "de")], ungated, embedder=HashingEmbedder())[0].codes
    learned._FITS.clear()
    (tmp_path / "rules").rename(tmp_path / "ungated")
    gated = load_rules(write_assembly(tmp_path, settings + 'gate = "no_position"\n', bare + demands))
    found = check([Statement("a", text, "de"), Statement("b", "Thema Plastiktüten im Sommer", "de"),
                   Statement("c", "Ich bin dafür: Thema Plastiktüten im Sommer", "de"),
                   Statement("d", "auch Thema Plastiktüten im Sommer", "de")], gated,
                  embedder=HashingEmbedder())
    assert "no_standpoint" not in found[0].codes  # "Keine ... mehr" is a proposal the lexicons know
    assert "no_standpoint" in found[1].codes  # a bare topic is still the classifier's to flag
    assert "no_standpoint" not in found[2].codes  # so is a stated stance ("ich bin dafür")
    assert "no_standpoint" not in found[3].codes  # the rest of another comment: not_standalone's to flag
    assert "not_standalone" in found[3].codes
