"""Opinion groups, projection and repness (statementkit.votes.opinion_groups, statementkit.votes.repness)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from votes_synth import two_group_votes

from statementkit.votes.analysis import analyse_votes, load_vote_rules
from statementkit.votes.conversation import Votes, read_conversation
from statementkit.votes.opinion_groups import (
    clusterable,
    find_opinion_groups,
    kmeans,
    project,
)
from statementkit.votes.repness import (
    group_informed_consensus,
    prop_test,
    representative_statements,
    two_prop_test,
)


@pytest.fixture(scope="module")
def rules():
    return load_vote_rules()


@pytest.fixture(scope="module")
def synth():
    return two_group_votes()


def test_two_groups_are_recovered(synth, rules):
    votes, truth, _ = synth
    og = find_opinion_groups(votes, rules)
    assert og.k == 2
    assert adjusted_rand_score(truth, og.labels) > 0.95
    assert og.sizes == [60, 40]  # group A is the larger one
    assert set(og.silhouettes) == {2, 3, 4, 5} and max(og.silhouettes, key=og.silhouettes.get) == 2


def test_groups_do_not_depend_on_participant_order(synth, rules):
    votes, truth, _ = synth
    perm = np.random.default_rng(1).permutation(len(votes.participants))
    inv = np.argsort(perm)
    shuffled = Votes([votes.participants[i] for i in perm], votes.statements, inv[votes.rows].astype(np.int32),
                     votes.cols, votes.values)
    a, b = find_opinion_groups(votes, rules), find_opinion_groups(shuffled, rules)
    la = dict(zip(a.participants, a.labels))
    lb = dict(zip(b.participants, b.labels))
    assert adjusted_rand_score([la[p] for p in votes.participants], [lb[p] for p in votes.participants]) > 0.95


def test_divisive_statements_are_friction_and_common_ones_consensus(synth, rules):
    votes, _, kinds = synth
    analysis = analyse_votes(votes, rules)
    for sv in analysis.statements:
        if kinds[sv.id] == "common":
            assert sv.category == "consensus", sv.to_dict()
        else:
            assert sv.category == "friction", sv.to_dict()
            assert sv.group_gap > 0.4


def test_repness_picks_what_sets_each_group_apart(synth, rules):
    votes, truth, kinds = synth
    analysis = analyse_votes(votes, rules)
    og = analysis.groups
    # which found group is the true group A (agrees with kind "a")?
    found_a = int(np.bincount(og.labels[truth == 0]).argmax())
    for g, reps in enumerate(og.repness):
        assert 1 <= len(reps) <= rules.repness_per_group
        assert reps[0].best_agree and reps[0].repful == "agree"
        mine = "a" if g == found_a else "b"
        for r in reps:
            assert kinds[r.id] != "common"  # everyone agrees: not what sets a group apart
            assert (r.repful == "agree") == (kinds[r.id] == mine), r
            assert r.p_test > rules.repness_z
    cons = dict(zip(og.statements, og.consensus))
    common = min(cons[s] for s, k in kinds.items() if k == "common")
    divisive = max(cons[s] for s, k in kinds.items() if k != "common")
    assert common > 0.4 and common > 2 * divisive


def test_unseen_is_not_disagree_and_sparse_voters_are_pushed_out(rules):
    votes, truth, _ = two_group_votes(seen=1.0, seed=3)
    # a newcomer who agrees with group A on two statements only
    a_statements = [s for s in votes.statements if int(s[1:]) % 2 == 0][:2]
    extra = [("new", s, 1) for s in a_statements]
    records = [(votes.participants[r], votes.statements[c], int(x)) for r, c, x in
               zip(votes.rows, votes.cols, votes.values)] + extra
    v2 = Votes.from_records(records)
    proj = project(v2)
    i_new = v2.participants.index("new")
    a_members = [v2.participants.index(p) for p, t in zip(votes.participants, truth) if t == 0]
    b_members = [v2.participants.index(p) for p, t in zip(votes.participants, truth) if t == 1]
    ca, cb = proj.coords[a_members].mean(0), proj.coords[b_members].mean(0)
    assert np.linalg.norm(proj.coords[i_new] - ca) < np.linalg.norm(proj.coords[i_new] - cb)
    # scaling by sqrt(statements / seen) keeps the newcomer away from the centre
    assert np.linalg.norm(proj.coords[i_new]) > 0.3 * np.linalg.norm(ca)
    # and two votes are too few to be clustered
    assert not clusterable(v2, rules.min_participant_votes, rules.min_clustered)[i_new]


def test_moderated_out_statements_do_not_shape_the_map(synth, rules):
    votes, _, kinds = synth
    divisive = [s for s, k in kinds.items() if k != "common"]
    proj = project(votes, moderated_out=divisive[:3])
    cols = [votes.statements.index(s) for s in divisive[:3]]
    assert np.all(proj.components[:, cols] == 0)
    assert not proj.active[cols].any()
    zero, drop = project(votes, divisive[:3]), project(votes, divisive[:3], zero_moderated=False)
    # same directions; "zero" (pol.is) counts the zeroed columns as seen, so it scales less
    assert np.allclose(zero.components, drop.components)
    assert np.linalg.norm(zero.coords) < np.linalg.norm(drop.coords)


def test_too_few_participants_gives_no_groups_with_a_reason(rules):
    votes = Votes.from_records([("a", "1", 1), ("a", "2", 1), ("b", "1", 1), ("b", "2", 1)])
    og = find_opinion_groups(votes, rules)
    assert og.k == 0 and og.note and (og.labels == -1).all()
    analysis = analyse_votes(votes, rules)
    assert analysis.statements[0].groups == []


def test_kmeans_seeds_with_first_distinct_points_and_drops_empty_clusters():
    pts = np.array([[0.0, 0], [0, 0], [10, 0], [10, 1], [0, 1]])
    labels, centres = kmeans(pts, 2)
    assert labels.tolist() == [0, 0, 1, 1, 0]
    assert np.allclose(centres, [[0, 1 / 3], [10, 0.5]])
    labels, centres = kmeans(np.array([[0.0, 0], [0, 0]]), 2)
    assert len(centres) == 1


def test_polis_statistics():
    # one-proportion: 8 of 10 agree → 2·sqrt(11)·(9/11 − 1/2)
    assert prop_test(np.array(8.0), np.array(10.0)) == pytest.approx(2 * np.sqrt(11) * (9 / 11 - 0.5))
    assert two_prop_test(np.array(5.0), np.array(5.0), np.array(10.0), np.array(10.0)) == 0
    assert two_prop_test(np.array(9.0), np.array(1.0), np.array(10.0), np.array(10.0)) > 3
    counts = np.array([[[9, 0, 10], [1, 8, 10]], [[9, 1, 10], [8, 1, 10]]])
    gic = group_informed_consensus(counts)
    assert gic[0] == pytest.approx((10 / 12) * (10 / 12)) and gic[0] > gic[1]
    reps = representative_statements(counts, ["x", "y"], np.array([False, False]))
    assert [r.id for r in reps[0]] == ["x"] or reps[0][0].id == "x"


def test_groups_match_polis_on_a_real_conversation(fixtures, rules):
    """Canadian electoral reform: pol.is' own groups are reproducible from the export."""
    conv = read_conversation(fixtures / "polis" / "canadian-electoral-reform")
    og = find_opinion_groups(conv.votes, rules, conv.moderated_out, history=conv.history)
    ids = [p for i, p in enumerate(og.participants) if og.labels[i] >= 0 and p in conv.polis_groups]
    labels = dict(zip(og.participants, og.labels))
    ari = adjusted_rand_score([conv.polis_groups[p] for p in ids], [labels[p] for p in ids])
    assert og.k == 2 and len(ids) == 281
    assert ari >= 0.8


def test_participant_records(synth, rules):
    votes, _, _ = synth
    og = find_opinion_groups(votes, dataclasses.replace(rules, min_participant_votes=100, min_clustered=90,
                                                        group_method="restarts"))
    recs = og.participant_records({"p000": 1})
    assert len(recs) == 100 and set(recs[0]) == {"id", "group", "x", "y", "polis_group"}
    assert recs[0]["polis_group"] == 1 and recs[1]["polis_group"] is None
    assert sum(r["group"] is None for r in recs) == 10  # only the 90 most active are clustered


def test_statements_marked_meta_leave_the_maths_and_unknown_ids_are_named(fixtures):
    """pol.is' CSV export does not say which statements its moderators marked meta; `--meta` does."""
    from statementkit.errors import StatementkitError, VotesError
    from statementkit.votes.conversation import parse_id_ranges, with_meta

    assert parse_id_ranges("1-3, 7,x9 ,") == ["1", "2", "3", "7", "x9"]
    with pytest.raises(StatementkitError, match="spans more than"):
        parse_id_ranges("1-20000000")  # a typing mistake, not 20 M ids to build
    conv = read_conversation(fixtures / "polis" / "london.youth.policing")
    marked = with_meta(conv, parse_id_ranges("1-14"))
    assert {str(i) for i in range(1, 15)} <= marked.moderated_out
    assert not {str(i) for i in range(5, 15)} & conv.moderated_out  # the original is unchanged
    with pytest.raises(VotesError, match="no statement 9999 to mark meta"):
        with_meta(conv, ["9999"])


def test_votes_cli_takes_meta_ids(fixtures):
    from typer.testing import CliRunner

    from statementkit.cli.main import app

    result = CliRunner().invoke(app, ["votes", str(fixtures / "polis" / "london.youth.policing"), "--meta", "1-14",
                                      "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    categories = {r["id"]: r["category"] for r in map(__import__("json").loads, result.output.splitlines())}
    assert categories["5"] == "moderated_out" and categories["15"] != "moderated_out"
    bad = CliRunner().invoke(app, ["votes", str(fixtures / "polis" / "london.youth.policing"), "--meta", "9999"])
    assert bad.exit_code != 0 and "9999" in bad.output
