"""Per-language analysis degrades gracefully: model, lookup, stem, none."""

from __future__ import annotations

import pytest

from statementkit.text import nlp
from statementkit.text.normalise import fold


@pytest.mark.parametrize("lang,expected", [("en", "model"), ("fr", "model"), ("de", "lookup"), ("es", "lookup"),
                                           ("it", "lookup"), ("nl", "lookup"), ("pl", "stem"), ("zz", "none")])
def test_capabilities(lang, expected):
    assert nlp.capabilities(lang).lemmas == expected


@pytest.mark.slow
@pytest.mark.parametrize("lang,text,word,lemma", [
    ("en", "Museums should share their collections", "Museums", "museum"),
    ("fr", "Les musées devraient partager leurs données", "musées", "musée"),
    ("de", "Die Museen sollten ihre Sammlungen teilen", "Sammlungen", "sammlung"),
    ("es", "Los museos deberían compartir sus datos", "museos", "museo"),
    ("it", "I musei dovrebbero condividere le collezioni", "collezioni", "collezione"),
    ("nl", "Archieven moeten hun collecties delen", "collecties", "collectie"),
])
def test_lemmas(lang, text, word, lemma):
    tokens = nlp.analyse(text, lang)
    tok = next(t for t in tokens if t.text == word)
    assert tok.lemma == lemma
    assert text[tok.start:tok.end] == word


def test_polish_stems_conflate_inflections():
    a = {t.text: t.lemma for t in nlp.analyse("muzea i muzeów, kolekcje i kolekcji", "pl")}
    assert a["muzea"] == a["muzeów"] and a["kolekcje"] == a["kolekcji"]


def test_unknown_language_still_tokenises():
    tokens = nlp.analyse("uber 就是 叫派", "und")
    assert [t.text for t in tokens][0] == "uber"


def test_fold_and_stop_words():
    assert fold("Çà et là, Łódź") == "ca et la, lodz"
    assert "und" in nlp.stop_words("de") and "the" in nlp.stop_words("en")


def _fold_reference(text: str) -> str:
    """`fold` as it was written before its translate tables: one character at a time in Python."""
    import unicodedata

    from statementkit.text.normalise import _APOSTROPHES, _CONFUSABLE, _DROP_INVISIBLE

    def clean(word: str) -> str:
        if word.isascii():
            return word
        word = word.translate(_DROP_INVISIBLE)
        if any("a" <= ch.lower() <= "z" for ch in word) or "ı" in word:
            word = word.translate(_CONFUSABLE)
        return word

    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", " ".join(map(clean, text.split(" "))).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l").translate(_APOSTROPHES)


def test_fold_equals_the_character_by_character_reference():
    """The fast `fold` (regex look-ups before translating, combining marks dropped by a translate
    table) gives what the per-character loop gave, and so does `clean_word`: on every non-ASCII
    form of two lemma tables, disguised words and random text across scripts."""
    import gzip
    import json
    import random

    from statementkit.text import lemma_tables
    from statementkit.text.normalise import _CONFUSABLE, _DROP_INVISIBLE, clean_word

    words = ["Musées", "idi\u043ets", "\u0131diots", "id\u200biots", "Łódź’s", "ＭＵＳÉＥ", "ΣΟΦΊΑ σοφία", "Ǆemal",
             "İstanbul", "\u212aelvin", "a\u0301\u0327", "Кот и кіт", "naïve café ﬁn", "\u00ad", "ʼn"]
    for lang in ("de",):
        source = lemma_tables.source_file(lang, "lemma_lookup")
        if source is not None:
            with gzip.open(source, "rt", encoding="utf-8") as f:
                words += [w for w in json.load(f) if not w.isascii()]
    rng = random.Random(20)
    blocks = [(0x20, 0x250), (0x300, 0x370), (0x400, 0x500), (0x1E00, 0x1F00), (0x2000, 0x2100), (0x20, 0x30000)]
    for _ in range(20000):
        words.append("".join(chr(rng.randrange(*rng.choice(blocks))) for _ in range(rng.randrange(1, 12))))
    for word in words:
        assert fold(word) == _fold_reference(word), repr(word)
        ref = word if word.isascii() else word.translate(_DROP_INVISIBLE)
        if not word.isascii() and (any("a" <= ch.lower() <= "z" for ch in ref) or "ı" in ref):
            ref = ref.translate(_CONFUSABLE)
        assert clean_word(word) == ref, repr(word)


def test_fold_many_is_fold_of_each():
    """`fold_many` (one pass over the joined texts, used to convert lemma tables) gives `fold` of
    each text: on every non-ASCII form of every lemma table, on the disguised and tricky words above
    (a final sigma, a dotted capital I, ligatures, invisible and look-alike characters, NUL), and on
    random lists of text across scripts."""
    import gzip
    import json
    import random

    from statementkit.text import lemma_tables
    from statementkit.text.normalise import fold_many

    tricky = ["Musées", "idi\u043ets", "\u0131diots", "id\u200biots", "Łódź’s", "ＭＵＳÉＥ", "ΣΟΦΊΑ σοφία", "ΣΑΣ",
              "Σ", "aΣ'", "'Σa", "Ǆemal", "İstanbul", "\u212aelvin", "a\u0301\u0327", "\u0301a", "Кот и кіт",
              "naïve café ﬁn", "\u00ad", "ʼn", "", " ", "a\0b", "ß", "ẞ"]
    assert fold_many(tricky) == [fold(w) for w in tricky]
    assert fold_many([w for w in tricky if "\0" not in w]) == [fold(w) for w in tricky if "\0" not in w]
    for lang in ("de", "fr", "es", "it", "nl", "en", "pt"):
        source = lemma_tables.source_file(lang, "lemma_lookup")
        if source is not None:
            with gzip.open(source, "rt", encoding="utf-8") as f:
                forms = [w for w in json.load(f) if not w.isascii()]
            assert fold_many(forms) == [fold(w) for w in forms], lang
    rng = random.Random(20)
    blocks = [(0x20, 0x250), (0x300, 0x370), (0x370, 0x400), (0x400, 0x500), (0x1E00, 0x1F00), (0x2000, 0x2100),
              (0x1, 0x30000)]
    for _ in range(300):
        texts = ["".join(chr(rng.randrange(*rng.choice(blocks))) for _ in range(rng.randrange(0, 12)))
                 for _ in range(rng.randrange(1, 40))]
        assert fold_many(texts) == [fold(t) for t in texts], texts


# ---------------------------------------------------------------- fast path (no spaCy)


@pytest.mark.parametrize("lang,text,tokens", [
    ("fr", "L'IA doit être réglée, c'est clair.", ["L'", "IA", "doit", "être", "réglée", ",", "c'", "est", "clair", "."]),
    ("it", "dell'IA e degli archivi", ["dell'", "IA", "e", "degli", "archivi"]),
    ("en", "Museums don't need AI's hype...", ["Museums", "do", "n't", "need", "AI", "'s", "hype", "..."]),
    ("de", "z.B. KI-Texte im 19. Jh. prüfen", ["z.B.", "KI-Texte", "im", "19", ".", "Jh.", "prüfen"]),
    ("en", "See https://example.org/a?b=1.", ["See", "https://example.org/a?b=1", "."]),
])
def test_tokenize(lang, text, tokens):
    found = nlp.tokenize(text, lang)
    assert [t for t, _, _ in found] == tokens
    assert all(text[s:e] == t for t, s, e in found)


@pytest.mark.parametrize("word,lang,lemma", [
    ("idiots", "en", "idiot"), ("AI", "en", "ai"),            # an acronym is not looked up ("ai" -> "have")
    ("Sammlungen", "de", "sammlung"), ("museen", "de", "museum"),  # lowercase German noun
    ("gebruikers", "nl", "gebruiker"), ("musea", "nl", "museum"),  # suffix rules + lemma index
    ("musees", "fr", "musée"), ("données", "fr", "donner"),    # typed without accents
    ("idioci", "pl", nlp.stem("idioci", "pl")),               # Polish: Snowball stem
])
def test_lemma_of(word, lang, lemma):
    assert nlp.lemma_of(word, lang) == lemma


def test_fast_analysis_matches_offsets_and_skips_spacy():
    import subprocess
    import sys

    code = ("import sys; from statementkit.text import nlp; "
            "t = nlp.analyse_many(['Les musées devraient partager leurs données.'], 'fr', parse=False)[0]; "
            "print([x.lemma for x in t], 'spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'musée'" in out and out.strip().endswith("False")


# ---------------------------------------------------------------- lemma tables on disk, cheap parses


def test_lookup_tables_are_converted_once_into_the_cache(tmp_path, monkeypatch):
    from statementkit.text import lemma_tables

    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path))
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "none-prepared"))
    lemma_tables._open.cache_clear()
    try:
        table, folded = lemma_tables.lemma_table("it"), lemma_tables.folded_table("it")
        files = list((tmp_path / "lookups").glob("it-*.sqlite"))
        assert len(files) == 1 and files[0] == lemma_tables.cache_path("it")
        memory, _, _ = lemma_tables._in_memory("it")
        for form in ("collezioni", "musei", "città", "Archivi", "avrebbero"):
            assert table.get(form) == memory.get(form)
        assert len(table) == len(memory) and "zzzz" not in table and folded
        assert lemma_tables.folded_table("fr").get("musees") == lemma_tables._in_memory("fr")[1].get("musees") == "musée"
        stamp = files[0].stat().st_mtime_ns
        lemma_tables._open.cache_clear()
        assert lemma_tables.lemma_table("it").get("musei") == "museo"
        assert files[0].stat().st_mtime_ns == stamp  # read, not rebuilt
        rules, index, _ = lemma_tables.rule_tables("nl")
        assert rules and "noun" in index
    finally:
        lemma_tables._open.cache_clear()
        lemma_tables._in_memory.cache_clear()


@pytest.fixture
def prepared_it(tmp_path, monkeypatch):
    """Italian's tables prepared (`models prepare`) into an empty prepared folder, with an empty cache."""
    from statementkit.text import lemma_tables

    if lemma_tables.source_file("it", "lemma_lookup") is None:
        pytest.skip("spacy-lookups-data not installed")
    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "prepared"))
    (made,) = lemma_tables.prepare(["it"])
    assert made == lemma_tables.prepared_path("it") and made.parent == tmp_path / "prepared" / "lookups"
    assert made.name == lemma_tables.cache_path("it").name  # the cache's own name: same format and sources
    lemma_tables._open.cache_clear()
    yield made
    lemma_tables._open.cache_clear()
    lemma_tables._in_memory.cache_clear()


def test_a_prepared_lemma_table_is_read_and_never_written(prepared_it, tmp_path):
    from statementkit.text import lemma_tables

    before = prepared_it.read_bytes()
    stamp = prepared_it.stat().st_mtime_ns
    memory, folded_memory, _ = lemma_tables._in_memory("it")
    table = lemma_tables.lemma_table("it")
    for form in ("collezioni", "musei", "città", "Archivi", "avrebbero"):
        assert table.get(form) == memory.get(form)
    assert len(table) == len(memory) and len(lemma_tables.folded_table("it")) == len(folded_memory)
    assert not (tmp_path / "cache" / "lookups").exists()  # nothing converted into the cache
    assert prepared_it.read_bytes() == before and prepared_it.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in prepared_it.parent.iterdir()) == [prepared_it.name]
    # preparing again keeps the valid file as it is
    lemma_tables._open.cache_clear()
    assert lemma_tables.prepare(["it"]) == [prepared_it] and prepared_it.stat().st_mtime_ns == stamp


def test_a_stale_prepared_lemma_table_is_ignored(prepared_it, tmp_path, monkeypatch):
    """Made from other source data (another spacy-lookups-data: another name) or under a name
    it was not built for: not read; the cache is built and used as without it."""
    from statementkit.text import lemma_tables

    other = prepared_it.with_name("it-0000000000000000.sqlite")
    prepared_it.rename(other)  # what an older release's file looks like: never found
    assert lemma_tables.lemma_table("it").get("musei") == "museo"
    assert lemma_tables.cache_path("it").is_file()
    lemma_tables._open.cache_clear()
    lemma_tables.cache_path("it").unlink()
    other.rename(prepared_it)
    monkeypatch.setattr(lemma_tables, "FORMAT", lemma_tables.FORMAT + 1)  # same file, another format's name
    prepared_it.rename(lemma_tables.prepared_path("it"))
    assert lemma_tables.lemma_table("it").get("musei") == "museo"
    assert lemma_tables.cache_path("it").is_file()  # its `meta` name is not the one looked for
    # `prepare` replaces a stale file
    lemma_tables._open.cache_clear()
    (made,) = lemma_tables.prepare(["it"])
    assert [p.name for p in made.parent.iterdir()] == [made.name]


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_a_damaged_prepared_lemma_table_is_ignored(prepared_it, tmp_path, damage):
    from statementkit.text import lemma_tables

    data = prepared_it.read_bytes()
    prepared_it.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"not a database" * 1000)
    assert lemma_tables.lemma_table("it").get("musei") == "museo"
    assert lemma_tables.folded_table("fr").get("musees") == "musée"
    assert lemma_tables.cache_path("it").is_file()  # the cache, built as without it
    assert lemma_tables.rule_tables("it")[0] == lemma_tables._in_memory("it")[2][0]


@pytest.mark.parametrize("lang", ["de", "fr", "en", "nl"])
def test_the_cache_file_holds_exactly_the_tables_read_in_memory(tmp_path, lang):
    """The lookup and folded tables SQLite fills from the source JSON (json_each) are row for row
    the dicts `_lemmas` reads in Python (French: values are lists), as are the sizes in `meta`; so
    are the lemma index and exceptions per part of speech, and the suffix rules."""
    import marshal
    import sqlite3

    from statementkit.text import lemma_tables

    if lemma_tables.source_file(lang, "lemma_lookup") is None:
        pytest.skip("spacy-lookups-data not installed")
    path = tmp_path / f"{lang}.sqlite"
    lemma_tables._build(lang, path)
    table, folded = lemma_tables._lemmas(lang)
    con = sqlite3.connect(path)
    try:
        assert dict(con.execute("SELECT form, lemma FROM lemma")) == table
        assert dict(con.execute("SELECT form, lemma FROM folded")) == folded
        sizes = marshal.loads(dict(con.execute("SELECT key, value FROM meta"))["sizes"])
        assert sizes == (len(table), len(folded)) and len(folded) > (10 if lang == "en" else 1000)
        rules, index, exc = lemma_tables._rules(lang)
        assert marshal.loads(dict(con.execute("SELECT key, value FROM meta"))["rules"]) == rules
        for name, by_pos in (("idx", {pos: {form: form for form in forms} for pos, forms in index.items()}),
                             ("exc", exc)):
            rows: dict[str, dict[str, str]] = {}
            for pos, form, lemma in con.execute(f"SELECT pos, form, lemma FROM {name}"):
                rows.setdefault(pos, {})[form] = lemma
            assert rows == {pos: forms for pos, forms in by_pos.items() if forms}, name
    finally:
        con.close()


@pytest.mark.parametrize("repeated", [False, True])
def test_folded_forms_are_read_in_the_sources_order(tmp_path, monkeypatch, repeated):
    """The accent-free table takes, for each folded key, the first entry in the source file that
    folds to it: read back from the lemma table in the source's order (`at`), or, when a form is
    repeated in the source, from a second pass over the JSON, entry by entry, as before."""
    import gzip
    import json
    import sqlite3

    from statementkit.text import lemma_tables

    pairs = [("Zürich", "Zürich"), ("zurich", "zurich"), ("Müse", "muse1"), ("Muse", "Muse"), ("Mûse", "muse2"),
             ("Straße", "Straße"), ("Écoles", "école"), ("écoles", "école2"), ("Äpfel", "Apfel")]
    if repeated:
        pairs += [("Müse", "muse3"), ("Écoles", "école4")]
    source = tmp_path / "xx_lemma_lookup.json.gz"
    with gzip.open(source, "wt", encoding="utf-8") as f:  # a JSON object with repeated keys, in order
        f.write("{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in pairs) + "}")
    monkeypatch.setattr(lemma_tables, "source_file", lambda lang, table: source if table == "lemma_lookup" else None)
    lemma_tables._build("xx", tmp_path / "xx.sqlite")
    folded: dict[str, str] = {}
    for form, lemma in pairs:  # the rule, entry by entry in the source's order
        if not form.isascii() and fold(form) != form.lower():
            folded.setdefault(fold(form), lemma.lower())
    con = sqlite3.connect(tmp_path / "xx.sqlite")
    try:
        assert dict(con.execute("SELECT form, lemma FROM folded")) == folded
        assert dict(con.execute("SELECT form, lemma FROM lemma")) == dict(pairs)
    finally:
        con.close()
    assert folded["muse"] == "muse1" and folded["ecoles"] == "école"


def test_json_sqlite_cannot_parse_falls_back_to_python(tmp_path, monkeypatch):
    """A source file SQLite's JSON parser refuses (Python's json module is laxer: spacy-lookups-data's
    lemma_index files are such) is converted the old way, to the same tables."""
    import sqlite3

    from statementkit.text import lemma_tables

    if lemma_tables.source_file("it", "lemma_lookup") is None:
        pytest.skip("spacy-lookups-data not installed")
    monkeypatch.setattr(lemma_tables, "_ENTRIES", "SELECT key, value FROM json_each(?) WHERE no_such_function()")
    path = tmp_path / "it.sqlite"
    lemma_tables._build("it", path)
    table, folded = lemma_tables._lemmas("it")
    con = sqlite3.connect(path)
    try:
        assert dict(con.execute("SELECT form, lemma FROM lemma")) == table
        assert dict(con.execute("SELECT form, lemma FROM folded")) == folded
    finally:
        con.close()


def test_rule_tables_are_read_from_the_cache_not_held_in_memory(tmp_path, monkeypatch):
    """The lemma index and exceptions (French ~60 MB as Python lists) are queried from the cache
    file, and give the same lemmas as the tables in memory."""
    from statementkit.text import lemma_tables, nlp

    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path))
    lemma_tables._open.cache_clear()
    nlp.rule_tables.cache_clear()
    nlp.rule_lemma.cache_clear()
    try:
        _, index, exc = lemma_tables.rule_tables("fr")
        _, mem_index, mem_exc = lemma_tables._in_memory("fr")[2]
        assert set(index) == set(mem_index) and set(exc) == set(mem_exc)
        assert all(isinstance(t, lemma_tables.Table) for t in (*index.values(), *exc.values()))
        assert len(index["noun"]) == len(set(mem_index["noun"])) and "musée" in index["noun"]
        assert "zzzz" not in index["noun"]
        form, lemma = next(iter(mem_exc["verb"].items()))
        assert exc["verb"].get(form) == lemma
        _, nl_index, _ = nlp.rule_tables("nl")
        assert isinstance(nl_index["noun"], lemma_tables.Table)
        assert nlp.rule_lemma("gebruikers", "nl") == "gebruiker"
    finally:
        lemma_tables._open.cache_clear()
        lemma_tables._in_memory.cache_clear()
        nlp.rule_tables.cache_clear()
        nlp.rule_lemma.cache_clear()


def test_an_unwritable_cache_falls_back_to_memory(tmp_path, monkeypatch):
    from statementkit.text import lemma_tables, nlp

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("STATEMENTKIT_CACHE", str(blocker))
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "none"))  # no prepared table (models prepare)
    lemma_tables._open.cache_clear()
    try:
        assert isinstance(lemma_tables.lemma_table("it"), dict)
        assert lemma_tables.lemma_table("it").get("musei") == "museo"
        nlp.rule_tables.cache_clear()
        nlp.rule_lemma.cache_clear()
        assert nlp.rule_lemma("gebruikers", "nl") == "gebruiker"
    finally:
        lemma_tables._open.cache_clear()
        nlp.rule_tables.cache_clear()
        nlp.rule_lemma.cache_clear()


@pytest.mark.slow
@pytest.mark.parametrize("lang,text", [
    ("en", "Museums should label AI images and archives must publish their data."),
    ("fr", "Les musées doivent étiqueter les images et ils doivent publier leurs données."),
])
def test_parse_many_gives_heads_and_labels_on_fast_tokens(lang, text):
    from statementkit.text.parsing import parse_many

    tokens = parse_many([text], lang)[0]
    assert [t.text for t in tokens] == [t for t, _, _ in nlp.tokenize(text, lang)]
    assert any(t.dep == "conj" and t.pos in ("VERB", "AUX") for t in tokens)  # the second clause
    assert any(t.dep == "nsubj" for t in tokens)
    assert all(0 <= t.head < len(tokens) for t in tokens)
    assert parse_many(["Muzea powinny"], "pl") == [None]  # no parser: nothing, not an error


@pytest.mark.slow
def test_parsing_skips_torch_and_the_french_tokenizer_module():
    """In a fresh process: a French parse neither imports torch (through thinc) nor compiles the
    French tokenizer's regular expression (seconds each), and torch still imports afterwards."""
    import subprocess
    import sys

    code = ("import sys; from statementkit.text.parsing import parse_many; parse_many(['Les musées doivent publier.'], 'fr');"
            "print('torch' in sys.modules, 'spacy.lang.fr.tokenizer_exceptions' in sys.modules);"
            "import torch; print(torch.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "torch"]


@pytest.mark.slow
def test_parsing_does_not_import_spacys_command_line():
    """spaCy imports with a placeholder for its command line (`spacy.cli`, ~0.3 s of modules), which
    is gone afterwards: `spacy.info` and `import spacy.cli` still give the real ones."""
    import subprocess
    import sys

    code = ("import sys; from statementkit.text.parsing import parse_many; parse_many(['Museums must publish.'], 'en');"
            "print('spacy.cli' in sys.modules, 'weasel' in sys.modules, hasattr(sys.modules['spacy'], 'cli'));"
            "import spacy; print('spacy_version' in spacy.info(silent=True));"
            "import spacy.cli; print(callable(spacy.cli.download), 'spacy.cli.info' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "False", "True", "True", "True"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_parser_without_tokenizer_rules_gives_the_same_lexemes_and_parses(lang, monkeypatch):
    """The parser's bare `Language` has no tokenizer rules (its tokenizer is never used): every
    lexeme of spaCy's tokenizer exceptions and every parse is what it was with the default rules."""
    from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS
    from spacy.language import BaseDefaults, Language
    from spacy.symbols import ORTH
    from spacy.util import load_config

    from statementkit.text import parsing

    model = parsing.parser(lang)
    if model is None:
        pytest.skip(f"no spaCy pipeline for {lang}")
    path = parsing._package_dir(nlp.PIPELINES[lang])
    config = load_config(path / "config.cfg")
    exclude = [name for name in config["nlp"]["pipeline"] if name not in parsing.PARSE_COMPONENTS]
    bare = type("Reference", (Language,), {"lang": lang, "Defaults": type("Defaults", (BaseDefaults,), {})})
    reference = bare.from_config(config, exclude=exclude).from_disk(path, exclude=["tokenizer", *exclude])
    orths = sorted({sub[ORTH] for subs in BASE_EXCEPTIONS.values() for sub in subs} | set(BASE_EXCEPTIONS))
    texts = [*orths, "Museums should label AI images, e.g. at 5 p.m., and archives must publish their data :)",
             "Les musées doivent étiqueter les images (p. ex. à 17 h) et publier leurs données !"]
    parsed = parsing.parse_many(texts, lang)
    monkeypatch.setattr(parsing, "parser", lambda _lang: reference)
    assert parsed == parsing.parse_many(texts, lang)
    for orth in orths:
        a, b = model.vocab[orth], reference.vocab[orth]
        assert (a.norm_, a.prefix_, a.suffix_, a.shape_, a.is_punct, a.like_num, a.lower_) == \
               (b.norm_, b.prefix_, b.suffix_, b.shape_, b.is_punct, b.like_num, b.lower_), orth


@pytest.mark.slow
def test_spacys_registries_see_the_same_entry_points_grouped():
    """After importing spaCy here, catalogue holds the installed entry points as a dict by group:
    per group the same entry points in the same order as its filtering gave (each look-up filtered
    all of them), and a parser loads from them."""
    import subprocess
    import sys

    code = ("import catalogue; from importlib.metadata import entry_points; points = entry_points();"
            "ref = {g: [(e.name, e.value) for e in points.select(group=g)] for g in points.groups};"
            "from statementkit.text.parsing import parse_many; parse_many(['Museums must publish.'], 'en');"
            "got = catalogue.AVAILABLE_ENTRY_POINTS;"
            "print(type(got).__name__, {g: [(e.name, e.value) for e in v] for g, v in got.items()} == ref)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["dict", "True"]
