"""Votes: read a pol.is conversation, and what its votes say about each statement.

    from statementkit.votes import analyse_conversation, read_conversation
    analysis = analyse_conversation(read_conversation("path/to/export/"))

`conversation` reads the votes; `analysis` computes shares, intervals and the
paper's categories; `opinion_groups` finds pol.is' opinion groups (PCA, then
k-means); `repness` says what sets each group apart.
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
