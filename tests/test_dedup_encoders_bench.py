"""The measures of `benchmarks/dedup_encoders.py` (issue 14's encoder comparison) are the textbook ones."""

from __future__ import annotations

import importlib
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    yield importlib.import_module("dedup_encoders")
    sys.modules.pop("dedup_encoders", None)


def test_auc_is_the_share_of_positive_negative_pairs_ranked_right(bench):
    assert bench.auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert bench.auc([0.1], [0.9, 0.8]) == 0.0
    assert bench.auc([0.5, 0.5], [0.5]) == 0.5  # ties count half
    rng = random.Random(14)
    pos = [round(rng.random(), 2) for _ in range(40)]
    neg = [round(rng.random() * 0.8, 2) for _ in range(60)]
    brute = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
    assert bench.auc(pos, neg) == pytest.approx(brute)


def test_precision_at_recall_takes_the_highest_threshold_that_reaches_it(bench):
    pos = [0.9, 0.8, 0.7, 0.6]
    neg = [0.75, 0.5]
    # recall 0.75 needs 3 of 4 positives: threshold 0.7, which also takes the negative at 0.75
    assert bench.precision_at_recall(pos, neg, 0.75) == pytest.approx(3 / 4)
    assert bench.precision_at_recall(pos, neg, 0.5) == 1.0
    assert bench.precision_at_recall(pos, neg, 1.0) == pytest.approx(4 / 5)
