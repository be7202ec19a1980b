"""`statementkit themes` and its analyst sub-commands, through typer's CliRunner.

Uses the hashing model (`--model hashing`) and a private embedding cache, so
nothing loads a real model.
"""

from __future__ import annotations

import json

import pytest
from test_themes import GROUPS
from typer.testing import CliRunner

from statementkit.cli.main import app
from statementkit.resources import state_dir
from statementkit.themes.decisions import decisions_path

runner = CliRunner()


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "in.jsonl"
    rows = [{"id": f"{g}-{i}", "text": t, "lang": "en"} for g, ts in GROUPS.items() for i, t in enumerate(ts)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def themes(*args: str):
    return runner.invoke(app, ["themes", *args])


def records(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    return {r["id"]: r for r in map(json.loads, result.output.splitlines())}


def test_run_follows_the_output_contract_and_remembers_clusters(data):
    out = records(themes(str(data), "--model", "hashing", "--format", "jsonl"))
    assert len(out) == 15
    row = out["energy-0"]
    assert {"id", "cluster", "theme", "confidence", "labels"} <= set(row)
    assert row["theme"] in {"1", "2", "3", "4", "5", "6", "7", "none"} and 0 <= row["confidence"] <= 1
    assert not (data.parent / "in.jsonl.themes.json").exists()  # nothing written beside the input
    saved = json.loads(decisions_path(data).read_text())
    assert decisions_path(data).is_relative_to(state_dir())
    assert sorted(map(int, saved["clusters"])) == sorted({r["cluster"] for r in out.values()})


def test_table_groups_by_cluster(data):
    r = themes("run", str(data), "--model", "hashing")
    assert r.exit_code == 0, r.output
    assert r.output.count("cluster ") >= 3 and "theme" in r.output and "unclustered ·" not in r.output


def test_pin_rename_merge_split_survive_the_next_run(data):
    first = records(themes(str(data), "--model", "hashing", "--format", "jsonl"))
    energy, training, bias = (first[f"{g}-0"]["cluster"] for g in ("energy", "training", "bias"))
    assert themes("pin", str(data), "bias-0", "2").exit_code == 0
    assert themes("pin", str(data), str(energy), "3", "--cluster").exit_code == 0
    assert themes("rename", str(data), str(training), "Staff skills").exit_code == 0
    r = themes("split", str(data), str(bias), "bias-3", "bias-4")
    assert r.exit_code == 0 and "new cluster" in r.output
    assert themes("merge", str(data), str(training), str(energy)).exit_code == 0
    out = records(themes(str(data), "--model", "hashing", "--format", "jsonl"))
    assert out["bias-0"]["theme"] == "2" and out["bias-0"]["source"] == "analyst"
    assert out["training-0"]["cluster"] == energy and out["training-0"]["theme"] == "3"
    assert out["bias-3"]["cluster"] == out["bias-4"]["cluster"] not in (bias, energy, training)
    assert themes("unpin", str(data), "bias-0").exit_code == 0
    assert records(themes(str(data), "--model", "hashing", "--format", "jsonl"))["bias-0"]["source"] == "model"


def test_review_lists_least_certain(data):
    r = themes("review", str(data), "--model", "hashing", "-n", "3", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert len(rows) == 3 and [x["margin"] for x in rows] == sorted(x["margin"] for x in rows)


@pytest.mark.parametrize("args, message", [
    (["pin", "{f}", "energy-0", "9"], "unknown theme '9'"),
    (["pin", "{f}", "nope", "3"], "no statement with id 'nope'"),
    (["rename", "{f}", "99", "x"], "no cluster 99"),
    (["merge", "{f}", "99", "0"], "no cluster 99"),
    (["review", "{f}", "--kind", "all"], "unknown --kind 'all'"),
])
def test_errors_exit_3_with_a_message(data, args, message):
    themes(str(data), "--model", "hashing", "--format", "jsonl")
    r = themes(*[a.format(f=data) for a in args])
    assert r.exit_code == 3 and message in " ".join(r.output.split()) and "Traceback" not in r.output


def test_rename_before_any_run_says_what_to_do(data):
    r = themes("rename", str(data), "0", "x")
    assert r.exit_code == 3 and "run `statementkit themes FILE` first" in " ".join(r.output.split())


def test_help_lists_the_analyst_commands():
    r = runner.invoke(app, ["themes", "--help"])
    assert r.exit_code == 0
    for name in ("run", "pin", "unpin", "rename", "merge", "split", "review"):
        assert name in r.output
