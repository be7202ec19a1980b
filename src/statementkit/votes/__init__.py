"""Votes: read a pol.is conversation, and what its votes say about each statement.

    from statementkit.votes import analyse_conversation, read_conversation
    analysis = analyse_conversation(read_conversation("path/to/export/"))

`conversation` reads the votes (pol.is' CSV or API export); `analysis`
computes shares, intervals and the paper's categories; `projection` draws
pol.is' map (PCA); `opinion_groups` finds the opinion groups, by default
pol.is' own way (`polis_method` replays pol.is' updates, `polis_kmeans` is its
k-means); `repness` says what sets each group apart; `compare` shows, step by
step, where our computation and pol.is' own differ.
"""

from statementkit.votes.analysis import (
    StatementVotes,
    VoteAnalysis,
    analyse_conversation,
    analyse_votes,
    load_vote_rules,
)
from statementkit.votes.conversation import Conversation, Votes, read_conversation
from statementkit.votes.opinion_groups import OpinionGroups, find_opinion_groups

__all__ = ["Conversation", "OpinionGroups", "StatementVotes", "VoteAnalysis", "Votes", "analyse_conversation",
           "analyse_votes", "find_opinion_groups", "load_vote_rules", "read_conversation"]
