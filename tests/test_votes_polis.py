"""pol.is' own computation, step by step (votes.polis_kmeans, votes.polis_method, votes.compare).

Reference: pol.is' API fixtures in tests/fixtures/polis-api (pol.is' own in-conv
list, base clusters, groups, repness and consensus, from red-dwarf, MPL-2.0).
Every figure asserted here is computed from our groups against pol.is'.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from statementkit.votes.analysis import load_vote_rules
from statementkit.votes.compare import compare_with_polis
from statementkit.votes.conversation import read_conversation
from statementkit.votes.polis_kmeans import (
    Cluster,
    clean_start,
    init_clusters,
    kmeans,
    silhouette,
)
from statementkit.votes.polis_method import KSmoother, group_clusters

ALL = ["below-100-ptpts", "50ptpt-3gp-strict-no-meta", "25ptpt-3gp-no-strict-with-meta",
       "150ptpt-3gp-no-strict-no-meta", "above-100-ptpts"]
WITH_VOTES = ALL[:3]


@pytest.fixture(scope="module")
def api():
    from conftest import FIXTURES

    return FIXTURES / "polis-api"


@pytest.fixture(scope="module")
def comparisons(api):
    from statementkit.votes.analysis import analyse_conversation

    rules = load_vote_rules()
    out = {}
    for name in WITH_VOTES:
        conv = read_conversation(api / name)
        own = analyse_conversation(conv, rules)
        out[name] = (conv, own, {(s.step, s.start): s for s in compare_with_polis(conv, rules, own=own)})
    return out


@pytest.mark.parametrize("name", ALL)
def test_group_step_given_polis_base_clusters_is_identical(api, name):
    math = json.loads((api / name / "math-pca2.json").read_text())
    bc = math["base-clusters"]
    base = sorted((Cluster(b, list(m), np.array([x, y])) for b, m, x, y in
                   zip(bc["id"], bc["members"], bc["x"], bc["y"])), key=lambda c: c.id)
    groups, k, _ = group_clusters(base)
    polis = {b: g["id"] for g in math["group-clusters"] for b in g["members"]}
    ours = {b: gid for gid, g in enumerate(groups[k]) for b in g.members}
    ids = sorted(polis)
    assert k == len(math["group-clusters"])
    assert adjusted_rand_score([polis[b] for b in ids], [ours[b] for b in ids]) == 1.0
    assert ours == polis  # same numbering too: pol.is' group ids follow its k-means start


def test_api_export_is_read_with_meta_statements_moderated_out(api):
    conv = read_conversation(api / "25ptpt-3gp-no-strict-with-meta")
    math = json.loads((api / "25ptpt-3gp-no-strict-with-meta" / "math-pca2.json").read_text())
    assert conv.votes_source == "votes.json" and len(conv.history) == len(conv.votes) == 1386
    assert conv.moderated_out == {str(t) for t in math["mod-out"]} == {str(t) for t in math["meta-tids"]}
    assert len(conv.polis_groups) == 27 and set(conv.polis_groups.values()) == {0, 1, 2}
    assert np.all(np.diff(conv.history.times) >= 0)


@pytest.mark.parametrize("name", WITH_VOTES)
def test_from_polis_clusters_groups_repness_and_consensus_are_identical(comparisons, name):
    _, _, steps = comparisons[name]
    groups = steps[("groups", "pol.is clusters")]
    assert groups.same and "ARI 1.000" in groups.detail
    assert steps[("representative statements", "pol.is clusters")].same, steps[("representative statements",
                                                                                 "pol.is clusters")].detail
    assert steps[("group-informed consensus", "pol.is clusters")].same
    assert steps[("consensus statements", "votes")].same


@pytest.mark.parametrize("name", WITH_VOTES)
def test_from_votes_alone_in_conv_k_and_groups_match_polis(comparisons, name):
    conv, own, steps = comparisons[name]
    assert steps[("participants clustered (in-conv)", "votes")].same
    assert steps[("k (number of groups)", "votes")].same
    # the ARI, recomputed here from the groups themselves
    og = own.groups
    labels = dict(zip(og.participants, og.labels.tolist()))
    ids = sorted(conv.polis_groups)
    assert all(labels[p] >= 0 for p in ids)
    assert adjusted_rand_score([conv.polis_groups[p] for p in ids], [labels[p] for p in ids]) == 1.0


def test_init_clusters_takes_the_first_distinct_points_in_order():
    pts = np.array([[0.0, 0], [0, 0], [1, 1], [0, 0], [2, 2]])
    cl = init_clusters(pts, 2)
    assert [c.id for c in cl] == [0, 1] and np.allclose([c.center for c in cl], [[0, 0], [1, 1]])


def test_clean_start_merges_twins_and_gives_the_farthest_point_the_next_id():
    pts = np.array([[0.0, 0], [0, 1], [5, 0], [9, 0]])
    names = [10, 11, 12, 13]
    last = [Cluster(3, [10], np.zeros(2)), Cluster(7, [11, 12], np.zeros(2)), Cluster(4, [13], np.zeros(2))]
    # four distinct points, three clusters: the point farthest from every centre gets a cluster of its own
    out = clean_start(names, pts, last, 4)
    assert sorted(c.id for c in out) == [3, 4, 7, 8]
    newest = next(c for c in out if c.id == 8)
    assert newest.members == [12]  # 12 is 2.55 from its centre (2.5, 0.5); 11 only 1 from (0, 0)
    twins = clean_start(names[:2], np.zeros((2, 2)), [Cluster(3, [10], np.ones(2)), Cluster(5, [11], np.ones(2))], 4)
    assert len(twins) == 1 and twins[0].id == 5 and sorted(twins[0].members) == [10, 11]


def test_clean_start_recentres_groups_by_base_cluster_size():
    # pol.is' recenter-clusters passes the base-cluster sizes as weights: a cluster of a
    # 3-member and a 1-member base cluster is centred at 3/4 of the way, not half
    pts = np.array([[0.0, 0], [4, 0], [100, 0]])
    out = clean_start([0, 1, 2], pts, [Cluster(0, [0, 1], np.zeros(2)), Cluster(1, [2], np.zeros(2))], 2,
                      weights=np.array([3.0, 1, 1]))
    assert np.allclose(out[0].center, [1, 0]) and np.allclose(out[1].center, [100, 0])


def test_kmeans_is_deterministic_and_ids_survive_a_warm_start():
    rng = np.random.default_rng(0)
    pts = np.vstack([rng.normal(0, 0.1, (20, 2)), rng.normal(3, 0.1, (20, 2))])
    names = list(range(40))
    first = kmeans(names, pts, 2)
    again = kmeans(names, pts + 0.01, 2, last=first)
    assert [sorted(c.members) for c in first] == [sorted(c.members) for c in again]
    assert [c.id for c in first] == [c.id for c in again] == [0, 1]


def test_silhouette_scores_a_lone_point_zero():
    pts = np.array([[0.0, 0], [0, 1], [10, 0]])
    s = silhouette(pts, np.array([0, 0, 1]))
    # (0,0): a = 1, b = 10; (0,1): a = 1, b = sqrt(101); (10,0) alone: 0
    assert s == pytest.approx((0.9 + (1 - 1 / np.sqrt(101))) / 3)
    assert silhouette(pts, np.array([0, 0, 0])) is None


def test_k_changes_only_after_winning_four_updates_in_a_row():
    sm = KSmoother()
    assert [sm.update(k) for k in (2, 3, 3, 3, 3, 2, 3)] == [2, 2, 2, 2, 3, 3, 3]


def test_cli_compare_polis_and_polis_clusters(api, fixtures):
    from typer.testing import CliRunner

    from statementkit.cli.main import app

    folder = api / "below-100-ptpts"
    r = CliRunner().invoke(app, ["votes", str(folder), "--compare-polis", "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    steps = [json.loads(line) for line in r.output.splitlines()]
    assert {s["step"] for s in steps} >= {"participants clustered (in-conv)", "base clusters", "k (number of groups)",
                                          "groups", "representative statements", "consensus statements"}
    assert all(s["same"] for s in steps), [s for s in steps if not s["same"]]
    r = CliRunner().invoke(app, ["votes", str(folder), "--compare-polis"])
    assert r.exit_code == 0 and "steps the same as pol.is" in r.output
    r = CliRunner().invoke(app, ["votes", str(folder), "--polis-clusters", "--participants", "--format", "json"])
    people = json.loads(r.output)
    assert all(p["group"] == p["polis_group"] for p in people if p["polis_group"] is not None)
    # a CSV export has no pol.is math to compare with: a clear error, not a traceback
    r = CliRunner().invoke(app, ["votes", str(fixtures / "polis" / "london.youth.policing"), "--compare-polis"])
    assert r.exit_code != 0 and "math-pca2.json" in r.output


def test_api_export_errors_name_the_file_and_the_record(tmp_path):
    from statementkit.errors import VotesError

    (tmp_path / "comments.json").write_text(json.dumps([{"tid": 0, "txt": "a", "mod": 1, "is_meta": False}]))
    (tmp_path / "votes.json").write_text(json.dumps([{"pid": 1, "tid": 0, "vote": 1, "modified": 5},
                                                     {"pid": 1, "tid": 9, "vote": 1, "modified": 6}]))
    with pytest.raises(VotesError, match=r"votes.json.*2.*statement '9'"):
        read_conversation(tmp_path)
    (tmp_path / "votes.json").write_text(json.dumps([{"pid": 1, "tid": 0, "vote": 2, "modified": 5}]))
    with pytest.raises(VotesError, match="vote must be 1, -1 or 0"):
        read_conversation(tmp_path)
    (tmp_path / "votes.json").write_text("[{")
    with pytest.raises(VotesError, match="votes.json.*not valid JSON"):
        read_conversation(tmp_path)


def test_report_reads_an_api_export(api):
    from statementkit.report.data import source_kind

    assert source_kind(api / "below-100-ptpts") == "polis"


def test_replay_runs_blas_on_one_thread_and_restores_it(api, monkeypatch):
    """The replay's many small products run on one BLAS thread; the caller's setting is left as it was."""
    from threadpoolctl import threadpool_info

    import statementkit.votes.polis_method as pm

    seen: list[int] = []
    real = pm.polis_projection

    def spy(*args, **kwargs):
        seen.append(max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"))
        return real(*args, **kwargs)

    before = [p["num_threads"] for p in threadpool_info()]
    monkeypatch.setattr(pm, "polis_projection", spy)
    conv = read_conversation(api / "below-100-ptpts")
    run = pm.replay(conv.votes, conv.history, conv.moderated_out)
    assert seen and set(seen) == {1}
    assert [p["num_threads"] for p in threadpool_info()] == before
    polis = [conv.polis_groups.get(p, -1) for p in conv.votes.participants]
    both = [i for i, g in enumerate(polis) if g >= 0 and run.labels()[i] >= 0]
    assert adjusted_rand_score([polis[i] for i in both], [run.labels()[i] for i in both]) == 1.0
