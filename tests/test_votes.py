"""Vote shares, intervals, categories and rules (statementkit.votes.analysis, statementkit.votes.conversation)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from statementkit.errors import RulesError, VotesError
from statementkit.votes.analysis import (
    GroupShares,
    StatementVotes,
    analyse_votes,
    classify,
    from_percentages,
    load_vote_rules,
    wilson,
)
from statementkit.votes.conversation import (
    Votes,
    read_conversation,
    read_participants_votes,
    read_votes_csv,
)


@pytest.fixture(scope="module")
def rules():
    return load_vote_rules()


def crafted(counts: dict[str, tuple[int, int, int]]) -> Votes:
    """Votes where statement s gets (agree, disagree, pass) from distinct participants."""
    records = []
    for sid, (a, d, p) in counts.items():
        for i, vote in enumerate([1] * a + [-1] * d + [0] * p):
            records.append((f"u{i}", sid, vote))
    return Votes.from_records(records)


def test_wilson_interval_known_values():
    lo, hi = wilson(8, 10, 0.95)
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)
    lo, hi = wilson(0, 20)
    assert lo == 0.0 and 0.15 < hi < 0.17
    assert wilson(0, 0) == (0.0, 1.0)
    narrow, wide = wilson(60, 100, 0.9), wilson(60, 100, 0.99)
    assert wide[0] < narrow[0] < 0.6 < narrow[1] < wide[1]


def test_categories_on_crafted_vote_matrix(rules):
    votes = crafted({
        "cons": (60, 30, 10),       # exactly 60 % agree → consensus
        "near": (59, 31, 10),       # 59 % agree, 31 % disagree → divided, not consensus
        "rej": (20, 60, 20),        # 60 % disagree → rejection
        "unsure": (50, 25, 25),     # 25 % pass → uncertainty
        "plain": (50, 29, 21),      # nothing reaches a threshold → no category
        "few": (9, 0, 0),           # 9 votes < min_votes 10 → too few, though 100 % agree
        "ten": (10, 0, 0),          # 10 votes → classified
    })
    analysis = analyse_votes(votes, rules, groups=False)
    got = {s.id: s for s in analysis.statements}
    assert {k: v.category for k, v in got.items()} == {
        "cons": "consensus", "near": "divided", "rej": "rejection", "unsure": "uncertainty",
        "plain": None, "few": "too_few_votes", "ten": "consensus"}
    assert got["few"].flags == ["consensus"]  # still says what it would be
    assert (got["cons"].n, got["cons"].agree, got["cons"].disagree, got["cons"].passes) == (100, 60, 30, 10)
    assert got["cons"].agree_ci[0] < 0.6 < got["cons"].agree_ci[1]


def test_thresholds_come_from_the_rules(rules):
    votes = crafted({"s": (55, 35, 10)})
    assert analyse_votes(votes, rules, groups=False).statements[0].category == "divided"
    lenient = dataclasses.replace(rules, consensus_agree=0.5)
    assert analyse_votes(votes, lenient, groups=False).statements[0].category == "consensus"


def test_friction_needs_a_significant_gap_between_groups(rules):
    split = StatementVotes("s", 0.5, 0.45, 0.05, 100, 50, 45, 5,
                           groups=[GroupShares(0, 50, 45, 3), GroupShares(1, 50, 5, 42)])
    assert classify(split, rules).category == "friction"
    assert "divided" in split.flags
    tiny = StatementVotes("t", 0.5, 0.45, 0.05, 100, 50, 45, 5,
                          groups=[GroupShares(0, 4, 4, 0), GroupShares(1, 4, 0, 4)])
    assert classify(tiny, rules).category == "divided"  # groups too small to count
    small_gap = StatementVotes("u", 0.7, 0.2, 0.1, 100, 70, 20, 10,
                               groups=[GroupShares(0, 50, 38, 8), GroupShares(1, 50, 32, 12)])
    assert classify(small_gap, rules).flags == ["consensus"]
    # consensus overall outranks a group imbalance, which is still flagged
    lopsided = StatementVotes("v", 0.75, 0.12, 0.13, 200, 150, 24, 26,
                              groups=[GroupShares(0, 60, 59, 0), GroupShares(1, 140, 91, 24)])
    classify(lopsided, rules)
    assert lopsided.category == "consensus" and "friction" in lopsided.flags


def test_paper_percentages_reproduce_the_papers_categories(rules):
    from statementkit.io import read_statements
    from statementkit.resources import corpus_dir

    statements = read_statements(corpus_dir() / "paper-statements.jsonl")
    results = {r.id: r for r in from_percentages(statements, rules)}
    paper = {s.id: s.meta["category"] for s in statements if s.id in results}
    assert len(results) == 27  # the statements the paper gives percentages for
    for sid, category in paper.items():
        if category in ("consensus", "rejection", "uncertainty"):
            assert results[sid].category == category, (sid, results[sid].to_dict())
    assert results["aa-026"].category == "divided"  # the paper's friction example, shares only
    assert all(r.n is None and r.agree_ci is None for r in results.values())


# ---------------------------------------------------------------- rules


def test_rules_override_and_errors(tmp_path):
    (tmp_path / "votes.toml").write_text("[consensus]\nagree_min = 0.7\n")
    r = load_vote_rules(tmp_path)
    assert r.consensus_agree == 0.7 and r.rejection_disagree == 0.6  # the rest from the bundled file
    (tmp_path / "votes.toml").write_text("[consensus]\nagre_min = 0.7\n")
    with pytest.raises(RulesError, match=r"votes.toml.*unknown key 'consensus.agre_min'.*valid: agree_min"):
        load_vote_rules(tmp_path)
    (tmp_path / "votes.toml").write_text('[groups]\nmoderated_out = "hide"\n')
    with pytest.raises(RulesError, match="zero.*drop"):
        load_vote_rules(tmp_path)
    (tmp_path / "votes.toml").write_text("[consensus\n")
    with pytest.raises(RulesError, match="votes.toml.*invalid TOML"):
        load_vote_rules(tmp_path)
    (tmp_path / "votes.toml").write_text('[groups]\nmethod = "kmeans"\n')
    with pytest.raises(RulesError, match="groups.method.*polis, restarts"):
        load_vote_rules(tmp_path)
    (tmp_path / "votes.toml").write_text('[groups]\nmethod = "restarts"\n')
    assert load_vote_rules(tmp_path).group_method == "restarts" and load_vote_rules().group_method == "polis"


def test_votes_csv_keeps_every_vote_with_its_time_for_the_replay(tmp_path):
    from statementkit.votes.conversation import read_vote_history

    path = tmp_path / "votes.csv"
    path.write_text("timestamp,datetime,comment-id,voter-id,vote\n"
                    "1600000003,,1,7,1\n1600000001,,1,7,-1\n1600000002,,2,3,0\n", encoding="utf-8")
    votes, history = read_vote_history(path)
    assert len(votes) == 2 and len(history) == 3  # the changed vote is kept in the history
    assert history.times.tolist() == [1600000001000.0, 1600000002000.0, 1600000003000.0]  # seconds → ms
    assert [votes.participants[r] for r in history.rows] == ["7", "3", "7"]
    assert history.values.tolist() == [-1, 0, 1]


# ---------------------------------------------------------------- reading


def test_votes_csv_latest_vote_wins_and_ids_sort_numerically(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("timestamp,datetime,comment-id,voter-id,vote\n"
                    "30,x,2,10,1\n10,x,2,10,-1\n20,x,1,9,0\n40,x,1,10,-1\n")
    v = read_votes_csv(path)
    assert v.participants == ["9", "10"] and v.statements == ["1", "2"]
    got = {(v.participants[r], v.statements[c]): int(x) for r, c, x in zip(v.rows, v.cols, v.values)}
    assert got == {("10", "2"): 1, ("9", "1"): 0, ("10", "1"): -1}  # the t=30 vote replaced t=10


def test_votes_csv_errors_name_file_line_and_column(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("timestamp,comment-id,voter-id,vote\n1,1,1,1\n2,1,2,agree\n")
    with pytest.raises(VotesError, match=r"votes.csv:3, field 'vote': vote must be 1, -1 or 0"):
        read_votes_csv(path)
    path.write_text("timestamp,comment-id,who,vote\n1,1,1,1\n")
    with pytest.raises(VotesError, match="missing column 'voter-id'.*accepted names"):
        read_votes_csv(path)
    path.write_text("timestamp,comment-id,voter-id,vote\n1,1,1,1\n2,1,2,5\n")
    with pytest.raises(VotesError, match=r"votes.csv:3, field 'vote': vote must be 1, -1 or 0, got 5$"):
        read_votes_csv(path)


def test_votes_on_comments_the_export_lacks_are_an_error(tmp_path, fixtures):
    import shutil

    folder = tmp_path / "conv"
    shutil.copytree(fixtures / "polis" / "london.youth.policing", folder)
    with (folder / "votes.csv").open("a", encoding="utf-8") as f:
        f.write("99999,x,999,1,1\n")
    lines = (folder / "votes.csv").read_text(encoding="utf-8").count("\n")
    with pytest.raises(VotesError, match=rf"votes.csv:{lines}, field 'comment-id': a vote on comment '999'"):
        read_conversation(folder)
    (folder / "votes.csv").unlink()
    pv = folder / "participants-votes.csv"
    rows = pv.read_text(encoding="utf-8").splitlines()
    rows = [rows[0] + ",999"] + [r + (",1" if i == 0 else ",") for i, r in enumerate(rows[1:])]
    pv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(VotesError, match="votes on comment '999', which comments.csv does not have"):
        read_conversation(folder)


def test_participants_votes_matrix_gives_the_same_votes(fixtures):
    folder = fixtures / "polis" / "london.youth.policing"
    from_log = read_votes_csv(folder / "votes.csv")
    from_matrix, groups = read_participants_votes(folder / "participants-votes.csv")

    def triplets(v):
        return {(v.participants[r], v.statements[c], int(x)) for r, c, x in zip(v.rows, v.cols, v.values)}

    assert triplets(from_log) == triplets(from_matrix)
    assert len(triplets(from_log)) == 638
    assert sorted(set(groups.values())) == [0, 1, 2] and len(groups) == 24


def test_read_conversation(fixtures):
    conv = read_conversation(fixtures / "polis" / "london-matrix-only")
    assert conv.votes_source == "participants-votes.csv"
    assert len(conv.statements) == 39 and conv.moderated_out == {"0", "2", "3"}
    assert conv.summary["topic"].startswith("What is the best way")
    assert [s.id for s in conv.statements][:3] == ["0", "1", "2"]
    full = read_conversation(fixtures / "polis" / "london.youth.policing")
    assert full.votes_source == "votes.csv" and len(full.votes) == 638


def test_read_conversation_errors(tmp_path, fixtures):
    with pytest.raises(VotesError, match="not a pol.is conversation folder"):
        read_conversation(tmp_path / "missing")
    with pytest.raises(VotesError, match="no comments.csv"):
        read_conversation(tmp_path)
    (tmp_path / "comments.csv").write_bytes((fixtures / "polis" / "biodiversity-comments.csv").read_bytes())
    with pytest.raises(VotesError, match="no votes.csv or participants-votes.csv"):
        read_conversation(tmp_path)


def test_records_are_json_ready(fixtures, rules):
    conv = read_conversation(fixtures / "polis" / "london.youth.policing")
    from statementkit.votes.analysis import analyse_conversation

    analysis = analyse_conversation(conv, rules)
    rec = json.loads(json.dumps(analysis.by_id()["7"].to_dict()))
    assert rec["category"] == "rejection" and rec["votes"] == 24
    assert set(rec) >= {"id", "agree", "disagree", "pass", "agree_share", "agree_ci", "category", "groups"}
    assert analysis.by_id()["0"].category == "moderated_out"
