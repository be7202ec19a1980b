"""The CLI through typer's CliRunner: thin commands, clear errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from statementkit.cli.main import app
from statementkit.embed import EmbeddingCache

runner = CliRunner()


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_version():
    r = invoke("--version")
    assert r.exit_code == 0 and r.output.startswith("statementkit ")


def test_every_command_has_help_with_an_example():
    import typer.main

    group = typer.main.get_command(app)
    assert group.commands, "no commands registered"
    for name, cmd in group.commands.items():
        r = invoke(name, "--help")
        assert r.exit_code == 0, name
        assert "Example" in (cmd.help or ""), f"`{name} --help` has no example"


def test_lang_json(fixtures):
    r = invoke("lang", str(fixtures / "statements.jsonl"), "--format", "jsonl")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [row["lang"] for row in rows] == ["en", "de", "fr"]
    assert rows[0]["forced"] is True  # given in the input


def test_lang_force_and_table(fixtures):
    r = invoke("lang", str(fixtures / "statements.jsonl"), "--lang", "nl")
    assert r.exit_code == 0
    assert "Summary" in r.output and "nl" in r.output


def test_convert_to_polis_and_back(tmp_path, fixtures):
    out = tmp_path / "comments.csv"
    r = invoke("convert", str(fixtures / "statements.jsonl"), str(out), "--to", "polis")
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").startswith("timestamp,datetime,comment-id")
    r = invoke("convert", str(out), "-")
    ids = [json.loads(line)["id"] for line in r.output.splitlines()]
    assert ids == ["a1", "a2", "a3"]


def test_bad_input_exit_code_3_without_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n')
    r = invoke("lang", str(bad))
    assert r.exit_code == 3
    assert "bad.jsonl:2" in r.output and "Traceback" not in r.output


def test_unknown_output_format(tmp_path, fixtures):
    r = invoke("convert", str(fixtures / "statements.jsonl"), str(tmp_path / "x.xml"))
    assert r.exit_code == 3 and "output format" in r.output


def test_stdin_input():
    r = invoke("lang", "-", "--format", "json", input="Museen sollten ihre Sammlungen digitalisieren\n")
    assert r.exit_code == 0
    assert json.loads(r.output)[0]["lang"] == "de"


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from statementkit.cli.main import app; "
            "heavy = [m for m in ('torch', 'spacy', 'sentence_transformers', 'hdbscan', 'datasets', "
            "'numpy', 'langdetect', 'textual', 'plotly') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("args", [["demo", "--help"], ["lang", "--help"], ["convert", "--help"]])
def test_help_runs_in_a_subprocess(args):
    out = subprocess.run([sys.executable, "-m", "statementkit", *args], capture_output=True, text=True)
    assert out.returncode == 0 and "Example" in out.stdout


def test_the_cli_freezes_the_garbage_collector_at_exit_and_keeps_its_exit_code(tmp_path):
    """`run()` collects what the command left and freezes the rest for the interpreter's shutdown
    (its garbage collections walked every object: ~0.4 s of a first `check`'s exit), whatever the
    exit code; a database the command dropped is still closed (an SQLite connection is freed only
    by a collection), so the embedding cache's write-ahead log is checkpointed and removed."""
    code = ("import atexit, gc, sys; atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0));"
            "from statementkit.cli.main import run; sys.argv = ['statementkit', *sys.argv[1:]]; run()")
    ok = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.split()[-2:] == ["frozen", "True"] and "statementkit" in ok.stdout
    bad = subprocess.run([sys.executable, "-c", code, "check", str(tmp_path / "missing.jsonl")], capture_output=True,
                         text=True)
    assert bad.returncode not in (0, None) and bad.stdout.split()[-2:] == ["frozen", "True"]
    db = tmp_path / "vectors.sqlite"
    command = ("import sys, numpy as np; import statementkit.cli.main as m; from statementkit.embed import EmbeddingCache\n"
               "def app():\n"
               f"    cache = EmbeddingCache({str(db)!r}); cache.put_many([(b'k', np.ones(4))]); raise SystemExit(3)\n"
               "m.app = app; m.run()")
    assert subprocess.run([sys.executable, "-c", command], capture_output=True).returncode == 3
    assert db.exists() and not db.with_name("vectors.sqlite-wal").exists()
    assert len(EmbeddingCache(db)) == 1


def test_models_prepare_also_prepares_lemma_tables_and_patterns(tmp_path, monkeypatch):
    """`models prepare` builds the bundled assembly's languages' lemma tables and its compiled
    patterns into the prepared folder (the model part is tested in test_embed)."""
    from statementkit.checks import pattern_cache
    from statementkit.embed import use_prepared
    from statementkit.text import lemma_tables

    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path))
    monkeypatch.setattr(use_prepared, "prepared_file", lambda: tmp_path / "model.npz")
    seen = {}

    def tables(langs):
        seen["langs"] = langs
        return [tmp_path / "lookups" / f"{lang}-x.sqlite" for lang in langs]

    def patterns(rules):
        seen["rules"] = rules.dir
        return [tmp_path / "patterns" / "a.json"]

    monkeypatch.setattr(lemma_tables, "prepare", tables)
    monkeypatch.setattr(pattern_cache, "prepare", patterns)
    result = invoke("models", "prepare")
    assert result.exit_code == 0, result.output
    from statementkit.checks import load_rules

    bundled = load_rules()
    assert seen == {"langs": list(bundled.languages), "rules": bundled.dir}
    assert "lemma tables (en, " in result.output and "compiled patterns (1 languages)" in result.output
    assert invoke("models", "prepare", "--quiet").output == ""
