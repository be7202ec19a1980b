"""The package's shape: stages are folders, no import cycles, no private names shared, the API resolves."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import statementkit as sk
from statementkit.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "statementkit"
STAGES = ("text", "checks", "embed", "dedup", "themes", "queue", "votes", "report")


def _cycles_script():
    spec = importlib.util.spec_from_file_location("import_cycles", ROOT / "scripts" / "import_cycles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_import_cycles_counting_imports_inside_functions():
    script = _cycles_script()
    graph = script.import_graph(PACKAGE)
    assert "statementkit.dedup.detect" in graph and "statementkit.text.nlp" in graph["statementkit.text.parsing"]
    assert script.cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle_hidden_in_a_function(tmp_path):
    pkg = tmp_path / "statementkit"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from statementkit.b import x\n")
    (pkg / "b.py").write_text("def x():\n    from statementkit import a\n    return a\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from statementkit import a\n")
    script = _cycles_script()
    assert script.cycles(script.import_graph(pkg)) == [["statementkit.a", "statementkit.b"]]


def test_every_stage_is_a_folder_and_few_modules_stay_loose():
    loose = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert len(loose) <= 8, loose
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").exists(), stage


def test_no_private_name_is_imported_across_modules():
    shared = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("statementkit"):
                shared += [f"{path.relative_to(PACKAGE)}: {a.name}" for a in node.names
                           if a.name.startswith("_") and not a.name.startswith("__")]
    assert shared == []


def test_public_api_names_all_resolve():
    for name in sk.__all__:
        assert getattr(sk, name) is not None, name
    for name, stage in sk._LAZY.items():
        assert name in sk.__all__, name
        assert getattr(importlib.import_module(f"statementkit.{stage}"), name) is getattr(sk, name)
    with pytest.raises(AttributeError):
        sk.no_such_name  # noqa: B018


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_exports_what_it_lists(stage):
    module = importlib.import_module(f"statementkit.{stage}")
    assert module.__doc__ and module.__all__
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{stage}.{name}"


def test_exit_codes_are_distinct_and_documented():
    from statementkit.checks import VERDICT_EXIT_CODES
    from statementkit.errors import EXIT_CODES, InputError, QueueConflict

    assert len(set(EXIT_CODES) | set(VERDICT_EXIT_CODES.values())) == len(EXIT_CODES) + 2  # accept shares 0
    assert InputError("x").exit_code == 3 and QueueConflict("x").exit_code == 4
    runner = CliRunner()
    help_text = " ".join(runner.invoke(app, ["--help"]).output.split())
    for code, meaning in EXIT_CODES.items():
        assert f"{code} {meaning.split(':')[0]}" in help_text, code
    selfcheck_help = " ".join(runner.invoke(app, ["selfcheck", "--help"]).output.split())
    assert all(f" {code} " in selfcheck_help for code in VERDICT_EXIT_CODES.values())
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert all(f"| {code} |" in readme for code in [*EXIT_CODES, 10, 11])


def test_usage_error_input_error_and_bug_exit_differently(tmp_path):
    usage = subprocess.run([sys.executable, "-m", "statementkit", "lang", "--no-such-option"], capture_output=True)
    missing = subprocess.run([sys.executable, "-m", "statementkit", "lang", str(tmp_path / "missing.jsonl")],
                             capture_output=True, text=True)
    assert usage.returncode == 2
    assert missing.returncode == 3 and "missing.jsonl" in missing.stderr and "Traceback" not in missing.stderr
