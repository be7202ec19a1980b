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
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "none-prepared"))
    text = "Museen sollten irgendwie mehr KI-Training für Fine-Tuning anbieten, oder?"
    found = []
    for _ in range(2):  # compiled, then read back
        rules = load_rules()
        doc = analyse([Statement("s", text, "de")])[0]
        found.append([(m.start, m.end, m.data["cat"]) for m in rules.patterns("de").find(doc)])
    assert found[0] == found[1] and found[0]
    assert list((tmp_path / "patterns").glob("*.json"))


def test_prepared_sets_of_the_bundled_rules_are_read_never_written(tmp_path, monkeypatch):
    """`models prepare` writes every language's set of the bundled rules; a fresh process reads
    them from there without compiling or touching them; a damaged one is ignored (the cache), and
    other rules (another content address) use the cache as before."""
    from statementkit.checks import pattern_cache
    from statementkit.checks.document import analyse
    from statementkit.records import Statement

    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "prepared"))
    rules = load_rules()
    (tmp_path / "prepared" / "patterns").mkdir(parents=True)
    stale = tmp_path / "prepared" / "patterns" / ("0" * 40 + ".json")
    stale.write_text("[]", encoding="utf-8")
    made = pattern_cache.prepare(rules)
    assert len(made) == len(rules.lexicons) and not stale.exists()
    assert sorted((tmp_path / "prepared" / "patterns").iterdir()) == sorted(made)
    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in made}

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled")

    text = "Museen sollten irgendwie mehr KI-Training für Fine-Tuning anbieten, oder?"
    doc = analyse([Statement("s", text, "de")])[0]
    with monkeypatch.context() as m:
        m.setattr("statementkit.checks.ruleset.compile_pattern", no_compile)
        found = [(x.start, x.end, x.data["cat"]) for x in load_rules().patterns("de").find(doc)]
    assert found and not (tmp_path / "cache" / "patterns").exists()
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in made} == stamps
    monkeypatch.setenv("STATEMENTKIT_NO_PATTERN_CACHE", "1")
    compiled = [(x.start, x.end, x.data["cat"]) for x in load_rules().patterns("de").find(doc)]
    monkeypatch.delenv("STATEMENTKIT_NO_PATTERN_CACHE")
    assert found == compiled
    for p in made:
        p.write_text('[["broken"', encoding="utf-8")
    assert [(x.start, x.end, x.data["cat"]) for x in load_rules().patterns("de").find(doc)] == compiled
    assert len(list((tmp_path / "cache" / "patterns").glob("*.json"))) == 1  # compiled into the cache
    assert all(p.read_text(encoding="utf-8") == '[["broken"' for p in made)  # not repaired at run time


def test_other_rules_do_not_use_the_prepared_sets(tmp_path, monkeypatch):
    calls.clear()
    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "prepared"))
    cached_patterns("fr", SOURCES, compile_all, folder=tmp_path / "prepared" / "patterns")  # as prepare does
    cached_patterns("fr", SOURCES, compile_all)
    assert calls == ["fr"]  # the same sources: the prepared set
    cached_patterns("fr", SOURCES[:3], lambda: compile_all()[:3])
    assert calls == ["fr", "fr"] and len(list((tmp_path / "cache" / "patterns").glob("*.json"))) == 1
