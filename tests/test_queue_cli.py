"""`statementkit queue ...` and `statementkit triage` through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from queue_helpers import make_queue
from typer.testing import CliRunner

from statementkit.cli.main import app

runner = CliRunner()


def sk(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def db(tmp_path):
    make_queue(tmp_path / "a.db").close()
    return tmp_path / "a.db"


@pytest.mark.slow  # `queue add` runs every stage with the default embedding model
def test_init_add_list_decide_undo_export(tmp_path, fixtures):
    db = tmp_path / "q.db"
    r = sk("queue", "init", db, "--published", fixtures / "statements.jsonl", "--who", "alice")
    assert r.exit_code == 0, r.output
    assert "3 published statements" in r.output
    subs = tmp_path / "subs.jsonl"
    subs.write_text('{"id": "n1", "text": "Museums should share their metadata openly."}\n'
                    '{"id": "n2", "text": "Archives must never sell data for AI training."}\n', encoding="utf-8")
    r = sk("queue", "add", db, subs)
    assert r.exit_code == 0 and "added 2 submissions" in r.output and "lang" in r.output
    r = sk("queue", "list", db, "--status", "pending", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in r.output.splitlines()] == ["n1", "n2"]
    r = sk("queue", "decide", db, "reject", "n2", "--reason", "vague,out_of_scope", "--note", "why", "--who", "bob")
    assert r.exit_code == 0 and "reject n2 (vague, out_of_scope)" in r.output
    r = sk("queue", "decide", db, "accept", "n2")
    assert r.exit_code == 4 and "already rejected by bob" in r.output
    r = sk("queue", "undo", db, "--who", "bob")
    assert r.exit_code == 0 and "n2 is pending again" in r.output
    r = sk("queue", "decide", db, "edit", "n1", "--text", "Museums should publish their metadata openly.")
    assert r.exit_code == 0
    r = sk("queue", "export", db, "published", "-", "--to", "jsonl", "--new")
    assert [json.loads(x)["id"] for x in r.output.splitlines()] == ["n1"]
    out = tmp_path / "log.csv"
    r = sk("queue", "export", db, "log", out)
    assert r.exit_code == 0 and "wrote 4 records" in r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(x["action"], x["target"], x["codes"]) for x in rows] == [
        ("theme", "a2", ""),  # the published file gave a2's theme
        ("reject", "n2", "vague;out_of_scope"), ("undo", "n2", "vague;out_of_scope"), ("edit", "n1", "")]


def test_list_filters_and_table(db):
    r = sk("queue", "list", db, "--code", "duplicate", "--lang", "en", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in r.output.splitlines()] == ["s2", "s5"]
    r = sk("queue", "list", db, "--search", "museen")
    assert r.exit_code == 0 and "s3" in r.output and "s1 " not in r.output
    r = sk("queue", "list", db, "--status", "finished")
    assert r.exit_code == 3 and "unknown status 'finished'" in r.output


def test_show_renders_flags_duplicates_theme(db):
    r = sk("queue", "show", db, "s2")
    assert r.exit_code == 0
    shown = " ".join(r.output.split())
    for part in ("duplicate candidates", "0.91", "p1", "theme 3", "Control over collections"):
        assert part in shown
    r = sk("queue", "show", db, "s1", "--format", "json")
    item = json.loads(r.output)[0]
    assert item["flags"][0]["suggestion"] == "further train"


def test_batch_decide_and_skip_conflicts(db):
    assert sk("queue", "decide", db, "accept", "s4").exit_code == 0
    r = sk("queue", "decide", db, "reject", "s2", "s4", "s5", "-r", "duplicate")
    assert r.exit_code == 4 and "s4" in r.output
    r = sk("queue", "decide", db, "reject", "s2", "s4", "s5", "-r", "duplicate", "--skip-conflicts")
    assert r.exit_code == 0 and "skipped s4" in r.output
    r = sk("queue", "undo", db)
    assert r.output.count("undid") == 2


def test_theme_decision_and_stats(db):
    assert sk("queue", "decide", db, "theme", "s1", "--theme", "4").exit_code == 0
    r = sk("queue", "decide", db, "theme", "s1", "--theme", "42")
    assert r.exit_code == 3 and "unknown theme '42'" in r.output
    r = sk("queue", "stats", db, "--check", "--format", "json")
    s = json.loads(r.output)[0]
    assert s["integrity"] == "ok" and s["status"] == {"pending": 5}
    r = sk("queue", "stats", db)
    assert r.exit_code == 0 and "5 submissions" in r.output


def test_log_command(db):
    sk("queue", "decide", db, "accept", "s4", "--who", "carol")
    r = sk("queue", "log", db, "--format", "jsonl")
    (entry,) = [json.loads(x) for x in r.output.splitlines()]
    assert entry["who"] == "carol" and entry["action"] == "accept"


def test_errors_are_one_line_without_traceback(tmp_path):
    r = sk("queue", "list", tmp_path / "missing.db")
    assert r.exit_code == 3 and "no such queue" in " ".join(r.output.split()) and "Traceback" not in r.output
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    r = sk("queue", "stats", bad)
    assert r.exit_code == 3 and "corrupted" in r.output
    r = sk("triage", bad)
    assert r.exit_code == 3 and "corrupted" in r.output


def test_decide_ids_from_stdin(db):
    r = runner.invoke(app, ["queue", "decide", str(db), "reject", "-", "-r", "duplicate"], input="s2\ns5\n")
    assert r.exit_code == 0, r.output
    r = sk("queue", "list", db, "--group", "1", "--status", "rejected", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in r.output.splitlines()] == ["s2", "s5"]


def test_add_prints_a_summary_and_warns_when_most_are_out_of_scope(tmp_path):
    """Importing a real export under the wrong rules says so (issue 15, finding 10)."""
    db = str(tmp_path / "s.db")
    assert sk("queue", "init", db).exit_code == 0
    comments = tmp_path / "comments.jsonl"
    comments.write_text("\n".join(json.dumps({"id": f"c{i}", "text": t, "lang": "en"}) for i, t in enumerate([
        "The city should build more bike lanes downtown.", "Bus fares should be free for students.",
        "The council should plant more trees in parks.", "Museums should label texts written by AI."])) + "\n",
        encoding="utf-8")
    r = sk("queue", "add", db, str(comments))
    out = " ".join(r.output.split())
    assert r.exit_code == 0 and "verdicts:" in out and "reason codes:" in out and "languages: en 4" in out
    assert "3 of 4 (75%) are out_of_scope" in out and "--rules DIR" in out
