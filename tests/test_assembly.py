"""`statementkit rules init|check`: rules folders for assemblies other than the reference one.

The pol.is fixture is the Canadian electoral reform conversation
(tests/fixtures/polis/README.md, CC BY 4.0, The Computational Democracy
Project). Fast tests use the hashing model or none; the slow one the real model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from statementkit.assembly import (
    AssemblySpec,
    inspect_rules,
    polis_split,
    spec_from_polis,
    write_rules,
)
from statementkit.checks import check, load_rules, selfcheck
from statementkit.cli.main import app
from statementkit.embed import HashingEmbedder
from statementkit.errors import RulesError
from statementkit.records import Statement
from statementkit.themes.taxonomy import taxonomy_for_rules
from statementkit.votes.conversation import read_comments

runner = CliRunner()
CANADA = Path(__file__).parent / "fixtures" / "polis" / "canadian-electoral-reform"


def test_init_from_flags_writes_a_folder_that_loads_with_its_own_subject(tmp_path):
    folder = tmp_path / "parks"
    r = runner.invoke(app, ["rules", "init", str(folder), "--name", "City parks", "--description",
                            "How the city plants, opens and maintains its parks.", "--lang", "en", "--lang", "de",
                            "--example", "The city should keep parks open until midnight.",
                            "--outside", "Taxes on petrol should go up.", "--max-chars", "200",
                            "--advice", "en=The city should …|The city should not …"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in folder.iterdir()) == ["assembly.toml", "criteria.toml", "scope.toml"]
    rules = load_rules(folder)
    assert (rules.name, rules.languages) == ("City parks", ("en", "de"))
    assert rules.criterion("too_long").params["max_chars"] == 200
    assert rules.scope["examples"] == ["The city should keep parks open until midnight."]
    assert rules.scope["outside"] == ["Taxes on petrol should go up."]
    assert taxonomy_for_rules(folder).empty and "taxonomy: none" in r.output
    fix = next(p.fix for p in selfcheck("How many parks are there?", "en", rules=rules).problems
               if p.code == "no_standpoint")
    assert "The city should …" in fix
    assert "out_of_scope" not in check([Statement("a", "Parks need more benches.", "en")], rules)[0].codes


def test_init_refuses_to_overwrite_and_needs_a_name(tmp_path):
    assert runner.invoke(app, ["rules", "init", str(tmp_path / "x")]).exit_code != 0
    first = runner.invoke(app, ["rules", "init", str(tmp_path / "x"), "--name", "X"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["rules", "init", str(tmp_path / "x"), "--name", "X"])
    assert again.exit_code != 0 and "--force" in again.output


def test_check_names_the_file_line_and_field_of_a_mistake(tmp_path):
    write_rules(AssemblySpec(name="X"), tmp_path / "x")
    scope = tmp_path / "x" / "scope.toml"
    scope.write_text(scope.read_text().replace("top_k = 3", "top_kk = 3"), encoding="utf-8")
    r = runner.invoke(app, ["rules", "check", str(tmp_path / "x")])
    assert r.exit_code != 0 and "scope.toml:" in r.output and "top_kk" in r.output and "top_k" in r.output


def test_check_describes_every_criterion_of_the_bundled_rules():
    summary = inspect_rules(Path(__file__).parent.parent / "rules")
    assert [c[0] for c in summary.criteria] == [c.id for c in load_rules().criteria]
    assert any("7 themes" in text for _, text in summary.facts)
    learned = dict(summary.facts)["classifiers"]  # what the classifiers learn from, and where they were measured
    assert "criteria-examples.jsonl (×0.3)" in learned and "polis-comments.jsonl (×1)" in learned
    assert "thresholds for de, en" in learned


@pytest.mark.parametrize("command", [["rules", "init", "--help"], ["rules", "check", "--help"], ["rules", "--help"]])
def test_help_shows_an_example(command):
    r = runner.invoke(app, command)
    assert r.exit_code == 0 and "Example:" in r.output


def test_the_split_is_fixed_by_the_seed_and_keeps_the_halves_apart():
    comments = read_comments(CANADA / "comments.csv")
    a, b = polis_split(comments, 0), polis_split(comments, 0)
    assert [s.id for s in a.pool_accepted] == [s.id for s in b.pool_accepted]
    assert {s.id for s in a.pool_accepted}.isdisjoint(s.id for s in a.held_accepted)
    assert len(a.pool_accepted) + len(a.held_accepted) == sum(c.meta.get("moderated") == 1 for c in comments)
    assert [s.id for s in polis_split(comments, 1).pool_accepted] != [s.id for s in a.pool_accepted]


def test_from_polis_takes_examples_only_from_the_pool():
    spec, split = spec_from_polis(CANADA, embedder=HashingEmbedder())
    assert spec.name == "Canadian Electoral Reform" and spec.languages == ("en",)
    pool = {s.text for s in split.pool_accepted}
    held = {s.text for s in split.held_accepted} | {s.text for s in split.held_rejected}
    assert spec.in_scope and set(spec.in_scope) <= pool and not set(spec.in_scope) & held
    assert set(spec.out_of_scope) <= {s.text for s in split.pool_rejected}
    assert spec.max_chars == max(140, max(len(s.text) for s in split.pool_accepted))
    assert 0 < spec.min_similarity < 1


def test_from_polis_without_a_model_writes_a_folder(tmp_path):
    r = runner.invoke(app, ["rules", "init", str(tmp_path / "canada"), "--from-polis", str(CANADA), "--no-embed"])
    assert r.exit_code == 0, r.output
    rules = load_rules(tmp_path / "canada")
    assert rules.name == "Canadian Electoral Reform" and len(rules.scope["examples"]) == 12


def test_from_polis_on_a_folder_without_comments_says_what_it_needs(tmp_path):
    r = runner.invoke(app, ["rules", "init", str(tmp_path / "r"), "--from-polis", str(tmp_path), "--no-embed"])
    assert r.exit_code != 0 and "comments.csv" in r.output


def test_a_bad_advice_option_says_the_form(tmp_path):
    r = runner.invoke(app, ["rules", "init", str(tmp_path / "r"), "--name", "X", "--advice", "en=We should"])
    assert r.exit_code != 0 and "LANG=SHOULD" in r.output


def test_the_generated_criteria_are_the_bundled_ones_with_the_new_limit(tmp_path):
    write_rules(AssemblySpec(name="X", max_chars=300), tmp_path / "x")
    ours, bundled = load_rules(tmp_path / "x").criteria, load_rules().criteria
    assert [c.id for c in ours] == [c.id for c in bundled]
    assert [(c.params, c.weak_variants) for c in ours[1:]] == [(c.params, c.weak_variants) for c in bundled[1:]]
    with pytest.raises(RulesError, match="already holds"):
        write_rules(AssemblySpec(name="X"), tmp_path / "x")


@pytest.mark.slow
def test_generated_rules_keep_held_out_accepted_comments_in_scope():
    """The real model: rules made from half the conversation judge few of the other half's accepted
    comments off topic, where the reference assembly's rules judge most of them so."""
    from statementkit.embed import default_embedder

    embedder = default_embedder()
    spec, split = spec_from_polis(CANADA, embedder=embedder)
    folder = Path(pytest.importorskip("tempfile").mkdtemp()) / "canada"
    write_rules(spec, folder)
    held = split.held_accepted

    def rate(rules):
        return sum("out_of_scope" in s.codes for s in check(held, rules, embedder=embedder)) / len(held)

    assert rate(load_rules(folder)) <= 0.15
    assert rate(load_rules()) >= 0.5


def test_rules_taxonomy_makes_the_analysts_named_clusters_the_themes(tmp_path):
    from statementkit.queue import Queue
    from statementkit.themes.assign import assign_themes

    folder = tmp_path / "parks"
    write_rules(AssemblySpec(name="City parks", description="City parks."), folder)
    texts = ["The city should plant more trees in every park.", "The city should plant more trees in parks.",
             "The city should plant trees in every park.", "Parks should stay open until midnight in summer.",
             "Parks should stay open until midnight all summer.", "Parks should stay open until midnight."]
    db = tmp_path / "parks.db"
    with Queue.create(db, rules=folder, who="ana") as q:
        q.add([Statement(f"p{i}", t, "en") for i, t in enumerate(texts)], reference=True)
        result = q.recluster(embedder=HashingEmbedder())
        trees = next(a.cluster for a in result.assignments if a.id == "p0")
        q.decide_cluster(trees, "cluster_label", "Trees in parks")
    nothing = runner.invoke(app, ["rules", "taxonomy", str(tmp_path / "other"), "--from-queue", str(tmp_path / "x.db")])
    assert nothing.exit_code != 0
    r = runner.invoke(app, ["rules", "taxonomy", str(folder), "--from-queue", str(db)])
    assert r.exit_code == 0, r.output
    tax = taxonomy_for_rules(folder)
    assert [t.label for t in tax.themes] == ["Trees in parks"]  # only the named cluster
    assert {e.text for e in tax.themes[0].examples} == set(texts[:3])
    again = runner.invoke(app, ["rules", "taxonomy", str(folder), "--from-queue", str(db)])
    assert again.exit_code != 0 and "--force" in again.output
    themed = assign_themes([Statement("n", "The city should plant more trees in every park.", "en")] +
                           [Statement(f"p{i}", t, "en") for i, t in enumerate(texts)], tax,
                           embedder=HashingEmbedder())
    assert themed.assignments[0].theme == "1"
