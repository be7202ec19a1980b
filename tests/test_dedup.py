"""Duplicate detection with the deterministic hashing embedder (fast, no model)."""

from __future__ import annotations

import json
import random
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statementkit.dedup.copies import copy_candidates
from statementkit.dedup.detect import (
    DedupStats,
    compare_pairs,
    find_duplicates,
    group_members,
)
from statementkit.dedup.neighbours import nearest
from statementkit.embed import HashingEmbedder
from statementkit.records import Statement

EMB = HashingEmbedder()

BATCH = [
    Statement("n1", "Museums should share their data for AI training.", "en"),
    Statement("n2", "museums should share their data for AI training!!", "en"),          # exact copy of n1
    Statement("n3", "Museums should share thier data for AI trainig.", "en"),            # typos
    Statement("n4", "Museums should not share their data for AI training.", "en"),       # stance flip
    Statement("n5", "The city should build more bike lanes along the river.", "en"),
    Statement("n6", "The city should build 20 new bike lanes along the river.", "en"),
    Statement("n7", "The city should build 50 new bike lanes along the river.", "en"),   # other number
    Statement("n8", "Archives should label texts written by AI.", "en"),
    Statement("n9", "Archives should clearly label texts written by AI.", "en"),         # light edit
    Statement("n10", "Pensions should be the same in every country.", "en"),
]
PUBLISHED = [
    Statement("p1", "Museums should share their data for AI training", "en"),
    Statement("p2", "Libraries must never sell reader data.", "en"),
]


def dups(result) -> dict[str, bool]:
    return {d.id: d.is_duplicate for d in result.duplicates}


def test_empty_and_single_input():
    assert find_duplicates([], PUBLISHED, embedder=EMB) == []
    [only] = find_duplicates([BATCH[0]], embedder=EMB)
    assert only.id == "n1" and only.duplicates == [] and only.group is None
    [r] = find_duplicates([BATCH[4]], PUBLISHED, embedder=EMB)
    assert r.duplicates == [] and r.group is None


def test_copies_flips_and_numbers():
    results = {r.id: r for r in find_duplicates(BATCH, PUBLISHED, embedder=EMB)}
    assert [r.id for r in find_duplicates(BATCH, PUBLISHED, embedder=EMB)] == [s.id for s in BATCH]
    n1 = results["n1"]
    assert dups(n1)["p1"] and dups(n1)["n2"] and dups(n1)["n3"]
    assert next(d for d in n1.duplicates if d.id == "p1").published is True
    assert next(d for d in n1.duplicates if d.id == "n2").published is False
    flip = next(d for d in n1.duplicates if d.id == "n4")
    assert flip.same_stance is False and flip.is_duplicate is False and "opposite stance" in flip.reason
    assert not dups(results["n6"]).get("n7", False)          # 20 vs 50 bike lanes
    assert dups(results["n8"])["n9"]                          # "clearly" added
    assert results["n10"].duplicates == []
    # duplicates first, then by falling score
    scores = [d.score for d in n1.duplicates if d.is_duplicate]
    assert scores == sorted(scores, reverse=True)


def test_groups_are_connected_components():
    results = find_duplicates(BATCH, PUBLISHED, embedder=EMB)
    groups = group_members(results)
    by_id = {r.id: r.group for r in results}
    assert by_id["n1"] is not None and by_id["n1"] == by_id["n2"] == by_id["n3"]
    assert by_id["n4"] != by_id["n1"]                         # the stance flip is not in the group
    assert by_id["n8"] == by_id["n9"] and by_id["n8"] != by_id["n1"]
    assert by_id["n10"] is None
    assert sorted(groups[by_id["n1"]]) == ["n1", "n2", "n3"]
    assert min(groups) == 1


def partition(results) -> set[frozenset[str]]:
    return {frozenset(ids) for ids in group_members(results).values()}


def verdicts(results) -> dict[str, set[tuple[str, bool, bool]]]:
    return {r.id: {(d.id, d.is_duplicate, d.same_stance) for d in r.duplicates} for r in results}


REFERENCE = find_duplicates(BATCH, PUBLISHED, embedder=EMB)


@settings(max_examples=20, deadline=None)
@given(st.permutations(BATCH), st.permutations(PUBLISHED))
def test_order_does_not_matter(new, published):
    results = find_duplicates(new, published, embedder=EMB)
    assert [r.id for r in results] == [s.id for s in new]
    assert partition(results) == partition(REFERENCE)
    assert verdicts(results) == verdicts(REFERENCE)


def test_copies_without_a_model():
    stats = DedupStats()
    results = {r.id: r for r in find_duplicates(BATCH, PUBLISHED, semantic=False, stats=stats)}
    assert dups(results["n1"]) == {"p1": True, "n2": True, "n3": True, "n4": False}
    assert next(d for d in results["n1"].duplicates if d.id == "n4").same_stance is False
    assert stats.encode_s == 0 and stats.method == ""


def test_copy_candidates_prefix_filter():
    new = ["The data space should advocate for AI rules at EU level.",
           "the data space should advocate for AI rules at EU levle",
           "Parking should be free on Sundays."]
    pub = ["The data space should advocate for AI rules at EU level", "Something else entirely here."]
    pairs = copy_candidates(new, pub)
    assert (0, 1) in pairs and (0, 3) in pairs and (1, 3) in pairs
    assert not any(2 in p for p in pairs) and not any(p == (3, 4) for p in pairs)


def test_compare_pairs_mirrors_the_search():
    a = Statement("a", "Museums should share their data for AI training.", "en")
    out = compare_pairs([(a, Statement("b", "Museums should not share their data for AI training.", "en")),
                         (a, Statement("c", "museums should share their data for ai training", "en")),
                         (a, Statement("d", "Pensions should rise.", "en"))], embedder=EMB)
    assert [d.is_duplicate for d in out] == [False, True, False]
    assert out[0].same_stance is False and out[2].reason == "not a candidate"


def test_threshold_option_changes_the_verdict():
    a, b = BATCH[7], BATCH[8]
    assert find_duplicates([a, b], embedder=EMB)[0].duplicates[0].is_duplicate
    strict = find_duplicates([a, b], embedder=EMB, threshold=0.999)
    assert all(not d.is_duplicate or d.reason.endswith("copy") for r in strict for d in r.duplicates)


# ---------------------------------------------------------------- neighbour search


def clustered(n: int, dim: int = 64, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // 20, dim))
    x = centres[rng.integers(0, len(centres), n)] + 0.35 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def brute(new, pub, threshold):
    s_new = new @ new.T
    np.fill_diagonal(s_new, -1)
    return ({(i, j) for i, j in zip(*np.nonzero(s_new >= threshold))},
            {(i, j) for i, j in zip(*np.nonzero(new @ pub.T >= threshold))})


def pairs_of(found):
    new = {(q, o) for q, o, p in zip(found.query, found.other, found.published) if not p}
    pub = {(q, o) for q, o, p in zip(found.query, found.other, found.published) if p}
    return new, pub


def test_exact_search_equals_brute_force():
    x = clustered(600)
    new, pub = x[:400], x[400:]
    found = nearest(new, pub, k=1000, threshold=0.8, method="exact")
    assert pairs_of(found) == brute(new, pub, 0.8)
    top = nearest(new, pub, k=2, threshold=0.8, method="exact")
    assert max(np.bincount(top.query[~top.published])) <= 2


def test_ivf_finds_nearly_all_close_pairs():
    x = clustered(3000, seed=1)
    new, pub = x[:2000], x[2000:]
    want_new, want_pub = brute(new, pub, 0.85)
    got_new, got_pub = pairs_of(nearest(new, pub, k=1000, threshold=0.85, method="ivf", probes=4))
    assert got_new <= want_new and got_pub <= want_pub      # never invents a pair
    recall = (len(got_new) + len(got_pub)) / (len(want_new) + len(want_pub))
    assert recall >= 0.97


def test_nearest_handles_empty_sets():
    x = clustered(40)
    assert len(nearest(x[:0], x, threshold=0.5)) == 0
    assert nearest(x, x[:0], threshold=0.0, k=3).published.sum() == 0


# ---------------------------------------------------------------- pipeline and CLI


def test_pipeline_fills_duplicates():
    from statementkit.pipeline import screen

    result = screen(BATCH[:4], PUBLISHED, embedder=EMB)
    assert "dedup" in result.stages
    row = result.rows[0]
    assert row.duplicates is not None and row.duplicates.id == "n1"
    assert any(d["id"] == "p1" and d["duplicate"] for d in row.to_dict()["duplicates"])


def test_cli_dedup_copies_only_and_models_list(tmp_path):
    from typer.testing import CliRunner

    from statementkit.cli.main import app

    new = tmp_path / "new.jsonl"
    new.write_text("\n".join(json.dumps(s.to_dict()) for s in BATCH), encoding="utf-8")
    pub = tmp_path / "pub.jsonl"
    pub.write_text("\n".join(json.dumps(s.to_dict()) for s in PUBLISHED), encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["dedup", str(new), "--against", str(pub), "--copies-only", "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [row["id"] for row in rows] == [s.id for s in BATCH]
    first = {d["id"]: d for d in rows[0]["duplicates"]}
    assert first["p1"]["duplicate"] and first["p1"]["same_stance"] and rows[0]["group"] == rows[1]["group"]
    r = runner.invoke(app, ["dedup", str(new), "--model", "hashing", "--no-cache"])
    assert r.exit_code == 0 and "n1" in r.output
    r = runner.invoke(app, ["models", "list", "--format", "json"])
    ids = [m["id"] for m in json.loads(r.output)]
    assert r.exit_code == 0 and "use-multilingual-v3" in ids and "hashing" in ids
    r = runner.invoke(app, ["dedup", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 3


def test_shuffled_batches_give_the_same_groups():
    rng = random.Random(7)
    for _ in range(5):
        new = BATCH[:]
        rng.shuffle(new)
        assert partition(find_duplicates(new, PUBLISHED, embedder=EMB)) == partition(REFERENCE)


def test_groups_do_not_chain_two_published_claims():
    from statementkit.dedup.detect import duplicate_groups

    # new 0 ~ published 3 (0.9), new 1 ~ published 4 (0.95), new 0 ~ new 1 (0.7), new 2 ~ new 1 (0.8)
    groups = duplicate_groups(3, 2, [(0, 3, 0.9), (1, 4, 0.95), (0, 1, 0.7), (1, 2, 0.8), (2, 4, 0.75)])
    assert groups[0] != groups[1]
    assert groups[2] == groups[1]
    # the same edges in another order give the same groups
    again = duplicate_groups(3, 2, [(1, 2, 0.8), (2, 4, 0.75), (0, 1, 0.7), (1, 4, 0.95), (0, 3, 0.9)])
    assert (again[0] == again[1]) is False and again[2] == again[1]


def test_groups_do_not_chain_across_different_claims():
    """A ~ B and B ~ C, but not A ~ C: A and C are never in one group (issue 14)."""
    from statementkit.dedup.detect import duplicate_groups

    groups = duplicate_groups(3, 0, [(0, 1, 0.9), (1, 2, 0.8)])
    assert groups[0] == groups[1] and groups.get(2) != groups[0]
    groups = duplicate_groups(3, 0, [(0, 1, 0.9), (1, 2, 0.8), (0, 2, 0.7)])
    assert groups[0] == groups[1] == groups[2]
    # anchored on a published statement (index 3): a member must repeat it, not just another member
    groups = duplicate_groups(3, 1, [(0, 3, 0.9), (0, 1, 0.85), (1, 2, 0.8)])
    assert groups[0] == 0 and groups.get(1) != groups[0] and groups.get(2) != groups[0]


def test_output_separates_duplicates_from_similar_statements():
    from statementkit.records import DedupResult, Duplicate

    r = DedupResult("n1", [Duplicate("p1", 0.93), Duplicate("p2", 0.71, same_stance=False, is_duplicate=False),
                           Duplicate("p3", 0.66, is_duplicate=False, reason="different claim")], group=1)
    record = r.to_dict()
    assert [d["id"] for d in record["duplicates"]] == ["p1"] and all(d["duplicate"] for d in record["duplicates"])
    assert [d["id"] for d in record["similar"]] == ["p2", "p3"] and not record["similar"][0]["same_stance"]


def test_a_pair_the_detector_is_not_sure_of_is_similar_and_raises_no_flag():
    """Precision first (issue 14): in a same-topic batch, close pairs with few words aligned were wrong
    more often than right, so they are listed under `similar` for context: no flag, no group.
    (Until issue 14 they were duplicates with `sure: false` whose flag asked for review.)"""
    from statementkit.checks import load_rules
    from statementkit.checks.kinds.duplicate import duplicate_findings
    from statementkit.checks.render import flags
    from statementkit.dedup.claims import PairFeatures, verdict
    from statementkit.records import DedupResult, Duplicate, Statement

    t = {"duplicate": 0.6, "duplicate_cross": 0.575, "soft": 0.0, "sure_soft": 0.82, "near_copy": 0.9}
    base = dict(exact=False, near_copy=0.3, coverage=0.8, unmatched=([], []), negatives=([], []),
                numbers=([], []), names=([], []), cross_lingual=True)
    assert verdict(PairFeatures(soft=0.9, **base), 0.8, t).duplicate
    loose = verdict(PairFeatures(soft=0.7, **base), 0.8, t)
    assert not loose.duplicate and loose.same_stance and loose.reason.startswith("related")

    rules = load_rules()
    published = [Statement("p1", "Museums should label AI-generated texts.", "en")]
    new = [Statement("n1", "Les musées devraient signaler les textes écrits par l'IA.", "fr"),
           Statement("n2", "Museums should clearly label texts written by AI.", "en")]
    results = [DedupResult("n1", [Duplicate("p1", 0.7, is_duplicate=False, reason=loose.reason)]),
               DedupResult("n2", [Duplicate("p1", 0.9, reason="near-exact copy")])]
    found = duplicate_findings(new, results, published, rules.criterion("duplicate"))
    assert 0 not in found
    assert flags(rules, found[1], "en")[0].severity == "reject"
    record = results[0].to_dict()
    assert record["duplicates"] == [] and record["similar"][0]["reason"] == loose.reason
    assert "sure" not in record["similar"][0]


def test_a_pair_with_claim_words_left_over_is_no_duplicate():
    """The claim check (issue 14): a same-frame pair that leaves a side's action, partner or group
    without counterpart ("train staff" / "teach visitors") may still be close enough to list as
    similar, but it is no duplicate; one word left over is a paraphrase's freedom."""
    from statementkit.dedup.claims import PairFeatures, verdict

    t = {"duplicate": 0.6, "duplicate_cross": 0.575, "soft": 0.0, "near_copy": 0.9,
         "claim_missing": 1, "claim_coverage_cross": 0.7}
    base = dict(soft=0.9, exact=False, near_copy=0.3, coverage=0.8, unmatched=([], []), negatives=([], []),
                numbers=([], []), names=([], []))
    one = verdict(PairFeatures(**base, cross_lingual=False, claim=0.9, claim_unmatched=(["clearly"], [])), 0.8, t)
    two = verdict(PairFeatures(**base, cross_lingual=False, claim=0.8,
                               claim_unmatched=(["train", "staff"], ["teach", "visitors"])), 0.8, t)
    assert one.duplicate
    assert not two.duplicate and two.reason == "related (left over: train, staff vs teach, visitors)"
    # across languages the share of aligned content decides, not the count of words
    low = verdict(PairFeatures(**base, cross_lingual=True, claim=0.6, claim_unmatched=(["a", "b"], [])), 0.8, t)
    high = verdict(PairFeatures(**base, cross_lingual=True, claim=0.75, claim_unmatched=(["a", "b"], [])), 0.8, t)
    assert not low.duplicate and high.duplicate


def test_a_stance_flip_on_little_shared_content_blocks_a_marginal_duplicate():
    """'Museen sollten keine KI-Sensoren …' / 'Museums should use AI sensors …': across languages the
    word alignment shows too little shared content to call the flip, yet the cosine passes; below
    `flip_cosine` the stance stage keeps the last word."""
    from statementkit.dedup.claims import PairFeatures, verdict

    t = {"duplicate": 0.6, "duplicate_cross": 0.575, "soft": 0.0, "near_copy": 0.9, "stance_coverage_cross": 0.7,
         "stance_coverage": 0.8, "flip_cosine": 0.65}
    flip = PairFeatures(soft=0.8, exact=False, near_copy=0.0, coverage=0.5, unmatched=([], []),
                        negatives=(["keine"], []), numbers=([], []), names=([], []), cross_lingual=True)
    low = verdict(flip, 0.62, t)
    assert not low.duplicate and not low.same_stance and low.reason.startswith("opposite stance")
    assert verdict(flip, 0.7, t).duplicate
    assert verdict(flip, 0.62, {**t, "flip_cosine": 0.0}).duplicate  # off: the earlier behaviour


def test_judging_in_chunks_changes_nothing(monkeypatch):
    import statementkit.dedup.detect as detect

    whole = find_duplicates(BATCH, PUBLISHED, embedder=EMB)
    monkeypatch.setattr(detect, "JUDGE_CHUNK", 3)
    assert find_duplicates(BATCH, PUBLISHED, embedder=EMB) == whole


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), unique=True, max_size=60), st.integers(1, 7))
def test_each_statement_is_let_go_once_after_its_last_pair(keys, size):
    from statementkit.dedup.detect import _in_pair_order

    first = np.array([i for i, _ in keys], dtype=np.int64)
    second = np.array([j for _, j in keys], dtype=np.int64)
    released: set[int] = set()
    judged = []
    for chunk, finished in _in_pair_order(first, second, size):
        assert len(chunk) <= size
        assert not {x for p in chunk.tolist() for x in keys[p]} & released  # nothing needed again once let go
        judged += chunk.tolist()
        assert not released & set(finished)
        released |= set(finished)
    assert sorted(judged) == list(range(len(keys)))
    assert [keys[p] for p in judged] == sorted(keys)
    assert released == {x for key in keys for x in key}


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(0, 12), st.integers(13, 20)), st.sampled_from([0.5, 0.7, 0.9]),
                       max_size=40))
def test_a_rival_is_the_best_other_candidate(pairs):
    from statementkit.dedup.detect import Rivals

    keys = list(pairs)
    rivals = Rivals(np.array([i for i, _ in keys], dtype=np.int64), np.array([j for _, j in keys], dtype=np.int64),
                    np.array(list(pairs.values())), 21)
    for i, j in keys:
        for x, partner in ((i, j), (j, i)):
            others = [score for (a, b), score in pairs.items() if x in (a, b) and partner not in (a, b)]
            assert rivals.of(x, partner) == (max(others) if others else None)


def test_stats_time_the_language_and_record_peak_memory_per_stage():
    stats = DedupStats()
    find_duplicates([Statement(s.id, s.text) for s in BATCH], PUBLISHED, embedder=EMB, stats=stats)
    assert stats.language_s > 0 and stats.language_s <= stats.claims_s
    assert list(stats.peak_rss_mb) == ["copies", "encode", "search", "language", "claims", "group"]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(0, 3), st.data())
def test_every_group_member_duplicates_the_groups_representative(n, m, data):
    """Groups never chain (issue 14): whatever the duplicate pairs, each group has a representative
    (its published statement, else one of its members) that every other member is a duplicate of."""
    from statementkit.dedup.detect import duplicate_groups

    possible = [(i, j) for i in range(n) for j in range(i + 1, n + m)]
    chosen = data.draw(st.lists(st.sampled_from(possible), unique=True)) if possible else []
    edges = [(i, j, data.draw(st.floats(0.5, 1.0))) for i, j in chosen]
    linked = {(i, j) for i, j, _ in edges}
    groups = duplicate_groups(n, m, edges)
    for root in set(groups.values()):
        members = [i for i, g in groups.items() if g == root]
        anchors = {j for i in members for j in range(n, n + m) if (i, j) in linked}
        candidates = [p for p in anchors if all((i, p) in linked for i in members)] or members
        assert any(all(x == rep or (min(x, rep), max(x, rep)) in linked for x in members) for rep in candidates)


def _features(**changes):
    from statementkit.dedup.claims import PairFeatures

    base = dict(soft=0.95, exact=False, near_copy=0.5, coverage=0.9, unmatched=([], []), negatives=([], []),
                numbers=([], []), names=([], []), cross_lingual=False)
    return PairFeatures(**{**base, **changes})


def _judge(intercept: float):
    """A judge that says yes (large intercept) or no (negative) to every pair it is asked about."""
    from statementkit.dedup.pair_judge import FEATURES, PairJudge

    k = len(FEATURES)
    return PairJudge("test", (0.0,) * k, (1.0,) * k, (0.0,) * k, intercept, 0.5, 0.575)


def test_the_pair_judge_decides_only_what_the_rules_leave_open():
    """The stance stage keeps its authority (issue 14): a judge that would call everything a duplicate
    never turns a stance flip, a near-copy with a negation, or different numbers into one."""
    from statementkit.dedup.claims import verdict

    t = {"duplicate": 0.6, "duplicate_cross": 0.575, "soft": 0.0, "near_copy": 0.9, "stance_coverage": 0.8,
         "stance_coverage_cross": 0.7, "substitution": 0.99, "frame": 0.7}
    yes, no = _judge(50.0), _judge(-50.0)
    flip = verdict(_features(negatives=(["not"], [])), 0.9, t, judge=yes)
    assert not flip.duplicate and not flip.same_stance and flip.reason.startswith("opposite stance")
    # "Les archives (ne) devraient (pas) autoriser …": a near-copy whose negation bears on little shared
    # content is still no copy
    copy_flip = verdict(_features(near_copy=0.95, coverage=0.5, negatives=(["ne", "pas"], [])), 0.9, t,
                        judge=yes)
    assert not copy_flip.duplicate and copy_flip.reason.startswith("opposite stance")
    assert not verdict(_features(numbers=(["20"], ["50"])), 0.9, t, judge=yes).duplicate
    assert verdict(_features(near_copy=0.95), 0.9, t, judge=no).duplicate  # a near-exact copy stays one
    open_yes = verdict(_features(), 0.7, t, judge=yes)
    open_no = verdict(_features(claim_unmatched=(["staff"], ["visitors"])), 0.9, t, judge=no)
    assert open_yes.duplicate and open_yes.reason == "paraphrase"
    assert not open_no.duplicate and open_no.reason == "related (left over: staff vs visitors)"


def test_the_shipped_pair_judge_loads_for_the_default_model_only():
    from statementkit.dedup.pair_judge import FEATURES, load_pair_judge

    judge = load_pair_judge("use-multilingual-v3")
    assert judge is not None and len(judge.coef) == len(FEATURES) and 0.5 <= judge.threshold < 1.0
    assert load_pair_judge("hashing") is None and load_pair_judge(None) is None
    # a pair alone (no rival candidate) and the same pair where the statement has a closer rival
    alone = judge.probability(_features(), 0.8)
    crowded = judge.probability(_features(rivals=(0.85, None)), 0.8)
    assert crowded < alone


def test_a_french_negation_inside_a_near_copy_is_no_duplicate():
    """Issue 14: "ne … pas" added to the same words was called a near-exact copy."""
    new = [Statement("n1", "Les archives ne devraient pas autoriser que l'IA trie les documents.", "fr")]
    published = [Statement("p1", "Les archives devraient autoriser que l'IA trie les documents.", "fr")]
    [result] = find_duplicates(new, published, embedder=EMB)
    assert result.duplicates and not any(d.is_duplicate for d in result.duplicates)
    assert not result.duplicates[0].same_stance


def test_texts_without_words_repeat_nothing():
    """Emoji-only and zero-width-only texts have no words: close vectors must not make them copies of
    each other ("Says the same as submission zw: “\u200b\u200b”"); the checks reject them as empty."""
    from statementkit.dedup.claims import ClaimJudge, analyse
    from statementkit.dedup.stance import load_stance

    rules = load_stance()
    judge = ClaimJudge(None, rules=rules)
    empty, emoji, words, again = (analyse(t, "en", rules) for t in
                                  ("\u200b\u200b", "🙂🙂🙂", "Museums should label AI texts.", "Museums should label AI texts!"))
    assert not judge.compare(empty, emoji, 0.95).duplicate
    assert not judge.compare(emoji, words, 0.95).duplicate
    assert judge.compare(words, again, 0.99).duplicate


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/status is Linux's")
def test_peak_memory_of_a_child_is_its_own():
    """`subprocess` starts a child with vfork + exec, and `ru_maxrss` then carries the parent's peak:
    a benchmark's child measured in a big parent seemed to start at the parent's 1 GB."""
    import subprocess

    held = np.ones(200 * 2**20, dtype=np.uint8)  # 200 MB, touched
    code = "from statementkit.dedup.detect import peak_rss_mb; print(peak_rss_mb())"
    child = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert held.sum() == held.size
    assert 0 < child < 150


def test_a_tree_judge_walks_its_padded_trees_as_the_fitted_model_does(tmp_path, monkeypatch):
    """`TreeJudge.from_boosted` pads every tree to full depth; its probabilities are the fitted model's,
    and its JSON loads back to the same judge."""
    import json

    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    from statementkit.dedup import pair_judge
    from statementkit.dedup.pair_judge import FEATURES, TreeJudge

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, len(FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 3] - x[:, 7] + rng.normal(scale=0.5, size=300)) > 0.3
    model = HistGradientBoostingClassifier(max_iter=30, max_depth=3, min_samples_leaf=20, random_state=0).fit(x, y)
    judge = TreeJudge.from_boosted(model, "test-model", 3, 0.9, 0.575)
    assert np.allclose(judge.probabilities(x), model.predict_proba(x)[:, 1], atol=1e-9)
    (tmp_path / "pair-judge").mkdir()
    (tmp_path / "pair-judge" / "test-model.json").write_text(json.dumps(judge.to_dict()), encoding="utf-8")
    monkeypatch.setattr(pair_judge, "models_dir", lambda: tmp_path)
    pair_judge.load_pair_judge.cache_clear()
    loaded = pair_judge.load_pair_judge("test-model")
    pair_judge.load_pair_judge.cache_clear()
    assert isinstance(loaded, TreeJudge) and np.allclose(loaded.probabilities(x), judge.probabilities(x))
    with pytest.raises(ValueError, match="deeper"):
        TreeJudge.from_boosted(model, "test-model", 2, 0.9, 0.575)


@pytest.mark.parametrize("content", ['{"features": [', '{"kind": "trees"}', "[]", "FEATURES-trees-short"])
def test_a_damaged_pair_judge_file_is_a_model_error_naming_it(tmp_path, monkeypatch, content):
    import json

    from statementkit.dedup import pair_judge
    from statementkit.errors import ModelError

    if content == "FEATURES-trees-short":  # the right features, trees of the wrong shape
        content = json.dumps({"model": "m", "kind": "trees", "features": list(pair_judge.FEATURES), "baseline": 0,
                              "feature": [[0, 1, 2]], "cut": [[0.5, 0.5]], "leaf": [[0, 0, 0, 0]],
                              "threshold": 0.9, "floor": 0.5})
    elif content == '{"kind": "trees"}':
        content = json.dumps({"kind": "trees", "features": list(pair_judge.FEATURES)})
    (tmp_path / "pair-judge").mkdir()
    (tmp_path / "pair-judge" / "m.json").write_text(content, encoding="utf-8")
    monkeypatch.setattr(pair_judge, "models_dir", lambda: tmp_path)
    pair_judge.load_pair_judge.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"m\.json: "):
            pair_judge.load_pair_judge("m")
    finally:
        pair_judge.load_pair_judge.cache_clear()
