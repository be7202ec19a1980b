"""Inputs that used to switch the checks off: no words, languages without lexicons, regional or
unknown language codes, disguised words. None may end in a silent `accept`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from statementkit.checks import check, load_rules, selfcheck
from statementkit.cli.main import app
from statementkit.io import read_statements
from statementkit.records import Statement
from statementkit.resources import corpus_dir

runner = CliRunner()


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\u200b\u200b", "!!! ???", "\u202e\u202c"])
def test_text_without_words_is_rejected_with_a_reason(rules, text):
    [s] = check([Statement("e", text, "en")], rules)
    assert s.verdict == "reject" and s.codes == ["no_standpoint"]
    assert "empty or only symbols" in s.flags[0].message
    advice = selfcheck(text, rules=rules)
    assert advice.verdict == "reject" and advice.exit_code == 11 and advice.problems[0].code == "no_standpoint"


@pytest.mark.parametrize("lang", ["en", "de", "fr", "nl", "es", "it", "pl", "pt"])
def test_every_participant_language_explains_an_empty_statement(rules, lang):
    advice = selfcheck("   ", lang=lang, rules=rules)
    assert advice.lang == lang and advice.problems and advice.problems[0].message
    assert advice.problems[0].message != rules.messages["en"]["no_standpoint"]["empty"]["message"] or lang == "en"


@pytest.mark.parametrize("text", ["Музеи должны маркировать тексты, написанные искусственным интеллектом.",
                                  "يجب على المتاحف أن تضع علامة على النصوص التي يكتبها الذكاء الاصطناعي",
                                  "博物館應該標示人工智慧生成的文字"])
def test_a_language_without_lexicons_goes_to_review_not_accept(rules, text):
    [s] = check([Statement("u", text)], rules)
    assert s.verdict == "review" and s.codes == ["unsupported_language"]
    assert s.lang in ("ru", "ar", "zh") and s.lang in s.flags[0].message


def test_length_still_applies_in_a_language_without_lexicons(rules):
    [s] = check([Statement("u", "Музеи должны маркировать тексты искусственного интеллекта. " * 4)], rules)
    assert s.verdict == "reject" and set(s.codes) == {"too_long", "unsupported_language"}


def test_regional_and_unknown_language_codes_never_skip_the_checks(rules):
    vague = "Museums should somehow do something better with AI, and so on."
    got = check([Statement("a", vague, "en-GB"), Statement("b", vague, "xx"), Statement("c", vague, "EN_us"),
                 Statement("d", vague, "english")], rules)
    assert [s.lang for s in got] == ["en"] * 4
    assert all(s.verdict != "accept" for s in got)
    r = runner.invoke(app, ["check", str(corpus_dir() / "demo-submissions.jsonl"), "--lang", "xx", "--no-embed"])
    assert r.exit_code == 3 and "unknown language code 'xx'" in r.output


@pytest.mark.parametrize("text", ["Only id\u200biots think AI can write a museum label better than a curator.",
                                  "Only ıdiots think AI can write a museum label better than a curator.",
                                  "Only idiоts think AI can write a museum label better than a curator.",  # Cyrillic о
                                  "Only id\u00adiots think AI can write a museum label better than a curator."])
def test_a_disguised_insult_is_still_an_insult(rules, text):
    [s] = check([Statement("i", text, "en")], rules)
    assert "incivility" in s.codes, s.flags
    span = next(f.span for f in s.flags if f.code == "incivility")
    assert text[span.start:span.end].endswith("ts")  # the span covers the disguised word as written


def test_real_cyrillic_words_are_not_mangled():
    from statementkit.text.normalise import clean_word, fold

    assert clean_word("Музеи") == "Музеи" and fold("Музеи") == "музеи"
    assert clean_word("idiоts") == "idiots" and fold("ID\u200bIOTS") == "idiots"


def test_selfcheck_and_check_give_one_answer_on_the_demo_batch(rules):
    statements = read_statements(corpus_dir() / "demo-submissions.jsonl")
    checked = {s.id: s.verdict for s in check(statements, rules)}
    for s in statements:
        assert selfcheck(s.text, s.lang, rules).verdict == checked[s.id], s.id


@pytest.mark.slow
def test_selfcheck_and_check_cli_agree_with_the_model(tmp_path):
    text = "Les conservateurs qui refusent l'IA sont des dinosaures incompétents."
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "a", "text": text}) + "\n", encoding="utf-8")
    checked = json.loads(runner.invoke(app, ["check", str(path), "--format", "jsonl"]).output.splitlines()[-1])
    advised = runner.invoke(app, ["selfcheck", text, "--format", "json"])
    assert json.loads(advised.output)[0]["verdict"] == checked["verdict"]


def _realtext_test_split() -> list[Statement]:
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "realtext" / "polis-test.jsonl"
    if not path.exists():  # an installed package without the benchmarks
        pytest.skip("benchmarks/realtext is not here")
    return [Statement(r["id"], r["text"]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def test_selfcheck_and_check_give_one_answer_on_real_comments(rules):
    """Real participants' text (the held-out real-text split, languages detected): the author and
    the moderator are told the same verdict, lexicons only."""
    statements = _realtext_test_split()
    checked = {s.id: s.verdict for s in check(statements, rules)}
    for s in statements:
        assert selfcheck(s.text, None, rules).verdict == checked[s.id], s.id


@pytest.mark.slow
def test_selfcheck_and_check_give_one_answer_on_real_comments_with_the_model(rules):
    from statementkit.embed import load_embedder

    embedder = load_embedder()
    statements = _realtext_test_split()
    checked = {s.id: s.verdict for s in check(statements, rules, embedder=embedder)}
    for s in statements:
        assert selfcheck(s.text, None, rules, embedder=embedder).verdict == checked[s.id], s.id
