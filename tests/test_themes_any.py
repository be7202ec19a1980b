"""Themes for an assembly without a taxonomy: clusters and labels only, never a borrowed theme name.

Uses the hashing model, so nothing loads a real model. The conversation is a
bundled pol.is fixture (tests/fixtures/polis/README.md): Canadian electoral
reform, nothing to do with the reference assembly's themes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_themes import GROUPS, statements
from typer.testing import CliRunner

from statementkit.cli.main import app
from statementkit.embed import HashingEmbedder
from statementkit.errors import RulesError
from statementkit.resources import rules_dir
from statementkit.themes.assign import assign_themes
from statementkit.themes.taxonomy import Taxonomy, load_taxonomy, taxonomy_for_rules

runner = CliRunner()
CANADA = Path(__file__).parent / "fixtures" / "polis" / "canadian-electoral-reform" / "comments.csv"


def reference_names() -> set[str]:
    """Every label and title of the reference assembly's taxonomy."""
    tax = load_taxonomy()
    return {t.label for t in tax.themes} | {t.title for t in tax.themes if t.title}


def other_assembly(tmp_path: Path) -> Path:
    """A rules folder for another subject: its own scope, the rest (lexicons, messages) bundled."""
    root = tmp_path / "electoral"
    root.mkdir()
    (root / "assembly.toml").write_text('[assembly]\nname = "Electoral reform"\nlanguages = ["en"]\n'
                                        'base = "bundled"\n', encoding="utf-8")
    (root / "scope.toml").write_text('[scope]\nname.en = "electoral reform"\n'
                                     'description.en = "How Canada should elect its parliament."\n'
                                     'exemplars = ["description"]\n', encoding="utf-8")
    return root


def test_a_folder_with_its_own_scope_inherits_no_taxonomy(tmp_path):
    root = other_assembly(tmp_path)
    assert taxonomy_for_rules(root).empty
    same_subject = tmp_path / "stricter"
    same_subject.mkdir()  # the reference assembly with other limits keeps its taxonomy
    (same_subject / "assembly.toml").write_text('[assembly]\nbase = "bundled"\n', encoding="utf-8")
    assert taxonomy_for_rules(same_subject).ids == load_taxonomy().ids
    assert taxonomy_for_rules(None).ids == load_taxonomy().ids


def test_a_taxonomy_file_without_themes_is_an_empty_taxonomy(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text('name = "to be written"\n', encoding="utf-8")
    tax = load_taxonomy(path)
    assert tax.empty and tax.ids == []
    with pytest.raises(RulesError, match="no taxonomy"):
        tax.check_theme("1")


def test_without_a_taxonomy_statements_get_clusters_labels_and_no_theme():
    result = assign_themes(statements(), Taxonomy([]), embedder=HashingEmbedder())
    assert {a.theme for a in result.assignments} == {None}
    assert all(a.confidence == 0.0 and a.theme2 is None for a in result.assignments)
    assert len(result.clusters) == len(GROUPS)
    for cluster in result.clusters:
        assert cluster.theme is None and cluster.label and len(cluster.representatives) == 3
    assert result.info["taxonomy"] == "none" and result.taxonomy_fit_warning is None


def test_themes_cli_without_a_taxonomy_never_prints_a_reference_theme(tmp_path, monkeypatch):
    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path / "cache"))
    rules = other_assembly(tmp_path)
    table = runner.invoke(app, ["themes", str(CANADA), "--rules", str(rules), "--model", "hashing"])
    assert table.exit_code == 0, table.output
    assert "no taxonomy" in table.output and "cluster 0" in table.output
    for name in reference_names():
        assert name not in table.output, name
    jsonl = runner.invoke(app, ["themes", str(CANADA), "--rules", str(rules), "--model", "hashing",
                                "--format", "jsonl", "--no-save"])
    rows = [json.loads(line) for line in jsonl.output.splitlines()]
    assert len(rows) == 174 and {r["theme"] for r in rows} == {None}
    assert any(r["cluster_label"] for r in rows)


def test_a_taxonomy_that_fits_badly_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("STATEMENTKIT_CACHE", str(tmp_path / "cache"))
    r = runner.invoke(app, ["themes", str(CANADA), "--model", "hashing", "--no-save"])
    assert r.exit_code == 0, r.output
    assert "fits these statements badly" in r.output and "--no-taxonomy" in r.output


def test_review_without_a_taxonomy_says_what_to_do_instead(tmp_path):
    r = runner.invoke(app, ["themes", "review", str(CANADA), "--rules", str(other_assembly(tmp_path))])
    assert r.exit_code != 0 and "rename" in r.output


def test_copied_rules_keep_the_reference_taxonomy(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir(), copy)
    assert taxonomy_for_rules(copy).ids == load_taxonomy().ids


def test_screening_with_rules_without_a_taxonomy_gives_clusters_not_themes(tmp_path):
    from statementkit.pipeline import screen
    from statementkit.records import Statement

    rules = other_assembly(tmp_path)
    subs = [Statement(f"s{i}", t, "en") for i, t in enumerate(GROUPS["energy"] + GROUPS["training"])]
    result = screen(subs, [], rules, embedder=HashingEmbedder())
    assert "themes" in result.stages
    assert {row.theme.theme for row in result.rows} == {None}
    assert {row.theme.cluster for row in result.rows} - {None}
