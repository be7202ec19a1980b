"""The on-disk cache of compiled lexicon patterns gives exactly what compiling gives, and a bad
cache file is compiled again instead of becoming an error."""

from __future__ import annotations

from statementkit.checks.pattern_cache import _row, cached_patterns
from statementkit.checks.patterns import compile_pattern
from statementkit.checks.ruleset import load_rules

SOURCES = [("fine-tun*", False, {"cat": "jargon", "term": "fine-tuning", "plain": "adapt", "weak": False}),
           ("(should | must) [not] be ~2 banned", False, {"cat": "vague.x"}),
           ("^^ I agree $", False, {"cat": "reply.markers"}),
           ("sera", True, {"cat": "tense.future"}),
           ("AI", False, {"cat": "scope.ai"}), ("*erá", False, {"cat": "x"}), ("« non »", False, {"cat": "p"})]


def compile_all(lang="fr"):
    calls.append(lang)
    return [compile_pattern(s, lang, d, forms_only=f) for s, f, d in SOURCES]


calls: list[str] = []


def test_a_cached_set_is_identical_to_a_compiled_one(tmp_path):
    calls.clear()
    first = cached_patterns("fr", SOURCES, compile_all, folder=tmp_path)
    second = cached_patterns("fr", SOURCES, compile_all, folder=tmp_path)
    assert calls == ["fr"]  # the second came from the file
    assert [_row(p) for p in first] == [_row(p) for p in second]
    assert [p.simple for p in first] == [p.simple for p in second]
    # another language or another source list is another entry
    cached_patterns("it", SOURCES, lambda: compile_all("it"), folder=tmp_path)
    cached_patterns("fr", SOURCES[:2], lambda: compile_all()[:2], folder=tmp_path)
    assert calls == ["fr", "it", "fr"]


def test_a_damaged_cache_file_is_compiled_again(tmp_path):
    calls.clear()
    cached_patterns("fr", SOURCES, compile_all, folder=tmp_path)
    for path in tmp_path.glob("*.json"):
        path.write_text('[["broken"', encoding="utf-8")
    again = cached_patterns("fr", SOURCES, compile_all, folder=tmp_path)
    assert calls == ["fr", "fr"] and [p.source for p in again] == [s for s, _, _ in SOURCES]


def test_the_bundled_rules_match_the_same_text_from_the_cache(tmp_path, monkeypatch):
    from statementkit.checks.document import analyse
    from statementkit.records import Statement

    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path))
    text = "Museen sollten irgendwie mehr KI-Training für Fine-Tuning anbieten, oder?"
    found = []
    for _ in range(2):  # compiled, then read back
        rules = load_rules()
        doc = analyse([Statement("s", text, "de")])[0]
        found.append([(m.start, m.end, m.data["cat"]) for m in rules.patterns("de").find(doc)])
    assert found[0] == found[1] and found[0]
    assert list((tmp_path / "patterns").glob("*.json"))
