"""The last word on a close pair that no rule settled: do the two make the same claim?

A cosine threshold and a count of left-over words each see one side of a
pair. A small model over what the claims stage measured anyway (sentence
cosine, word alignment and coverage, the words left over on each side, the
character similarity, a weak stance flip, how the two statements' sizes
compare, one language or two, how the pair stands out among each statement's
other candidates) weighs them together. Fitted by `scripts/fit_pair_judge.py`
on the project's dev data only (the pair set's dev split and same-topic dev
batches, every unlabelled batch pair a negative; the shipped judge learned
from the heritage batch), its operating point chosen by cross-validation for
precision first; the fitted numbers are a
small JSON file per model in `models/pair-judge/`. A model without one keeps
the threshold rules of `claims.verdict`.

Two kinds: a logistic regression (`PairJudge`, shipped), and gradient-boosted
trees whose every feature may only push one way (`TreeJudge`: more cosine or
more aligned words never lowers the probability). Left out one dev topic at a
time, the trees found 46 % of the duplicates at precision 0.91, the logistic
regression 33 % at 0.90; but on the held-out test split they found no more
(recall 0.382 both) and flagged one more wrongly (precision 0.867 against
0.929), so the logistic regression stays.

The judge sees only pairs the rules left open: an exact copy, a stance flip on
shared content, different numbers or names, a substituted word, a near-exact
copy are decided before it, and nothing it says overrules them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from statementkit.resources import models_dir

if TYPE_CHECKING:
    from statementkit.dedup.claims import PairFeatures

#: What the judge looks at, in this order (the JSON file names them; a mismatch is an error).
FEATURES = ("cosine", "cross", "cosine_cross", "soft", "coverage", "claim", "claim_cross",
            "claim_left_max", "claim_left_min", "left_max", "left_min", "near_copy", "weak_flip",
            "substitution", "size_ratio", "size_min", "names_one_side", "left_best", "soft_cross",
            "claim_left_max_cross", "left_best_cross", "gap", "best_of")


def pair_features(f: PairFeatures, cosine: float, floor: float) -> list[float]:
    """The judge's inputs for one pair, symmetric in its two statements.

    `floor`: the search's candidate cosine; a statement without another candidate has a rival there.
    """
    rivals = [floor if r is None else max(r, floor) for r in f.rivals]
    cross = float(f.cross_lingual)
    claim_left = sorted((len(f.claim_unmatched[0]), len(f.claim_unmatched[1])))
    left = sorted((len(f.unmatched[0]), len(f.unmatched[1])))
    sizes = sorted(f.sizes)
    return [cosine, cross, cosine * cross, f.soft, f.coverage, f.claim, f.claim * cross,
            float(claim_left[1]), float(claim_left[0]), float(left[1]), float(left[0]), f.near_copy,
            float(f.flip), float(f.substitution), sizes[0] / sizes[1] if sizes[1] else 1.0, float(sizes[0]),
            float(bool(f.names[0]) + bool(f.names[1])), f.left_best, f.soft * cross, claim_left[1] * cross,
            f.left_best * cross, cosine - max(rivals), float(sum(cosine > r for r in rivals))]


@dataclass(frozen=True, slots=True)
class PairJudge:
    """A fitted logistic regression on standardised `FEATURES`, and the probability that makes a duplicate."""

    model: str
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    floor: float            # the candidate cosine of the search the judge was fitted with

    def probability(self, f: PairFeatures, cosine: float) -> float:
        z = self.intercept + sum(c * (x - m) / s for c, x, m, s in
                                 zip(self.coef, pair_features(f, cosine, self.floor), self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict:
        return {"model": self.model, "features": list(FEATURES), "mean": list(self.mean),
                "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept,
                "threshold": self.threshold, "floor": self.floor}


@dataclass(frozen=True, slots=True)
class TreeJudge:
    """Gradient-boosted trees on `FEATURES` (scikit-learn's HistGradientBoostingClassifier, fitted with
    a monotonic constraint per feature), each padded to a full tree of `depth` levels so that all of
    them are walked at once: at a node, a feature at or below its threshold goes left. The sum of the
    leaves and `baseline` is the log-odds of a duplicate."""

    model: str
    baseline: float
    feature: np.ndarray     # trees x (2**depth - 1): the feature each inner node looks at
    cut: np.ndarray         # trees x (2**depth - 1): ... and its threshold
    leaf: np.ndarray        # trees x 2**depth: the leaves' values
    threshold: float
    floor: float

    @property
    def depth(self) -> int:
        return int(self.leaf.shape[1]).bit_length() - 1

    def probability(self, f: PairFeatures, cosine: float) -> float:
        return float(self.probabilities(np.array([pair_features(f, cosine, self.floor)]))[0])

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """The probability of each row of features `x` (pairs x features)."""
        trees = np.arange(self.feature.shape[0])
        node = np.zeros((len(x), len(trees)), dtype=np.int64)
        for _ in range(self.depth):
            right = np.take_along_axis(x, self.feature[trees, node], axis=1) > self.cut[trees, node]
            node = 2 * node + 1 + right
        z = self.baseline + self.leaf[trees, node - (2 ** self.depth - 1)].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def from_boosted(cls, model, model_id: str, depth: int, threshold: float, floor: float) -> TreeJudge:
        """A fitted scikit-learn HistGradientBoostingClassifier (binary, numeric features, trees no deeper
        than `depth`), each tree padded to `depth` levels: a leaf above the last level becomes inner
        nodes that always go left, down to copies of it."""
        inner = 2 ** depth - 1
        trees = [predictors[0].nodes for predictors in model._predictors]
        feature = np.zeros((len(trees), inner), dtype=np.int64)
        cut = np.full((len(trees), inner), 1e308)  # a padded node: every value goes left (JSON has no inf)
        leaf = np.zeros((len(trees), inner + 1))

        def pad(t: int, nodes, at: int, slot: int, level: int) -> None:
            node = nodes[at]
            if level == depth:
                if not node["is_leaf"]:
                    raise ValueError(f"a tree deeper than {depth} levels")
                leaf[t, slot - inner] = node["value"]
            elif node["is_leaf"]:
                pad(t, nodes, at, 2 * slot + 1, level + 1)
                pad(t, nodes, at, 2 * slot + 2, level + 1)
            else:
                feature[t, slot], cut[t, slot] = node["feature_idx"], node["num_threshold"]
                pad(t, nodes, node["left"], 2 * slot + 1, level + 1)
                pad(t, nodes, node["right"], 2 * slot + 2, level + 1)

        for t, nodes in enumerate(trees):
            pad(t, nodes, 0, 0, 0)
        return cls(model_id, float(np.ravel(model._baseline_prediction)[0]), feature, cut, leaf, threshold, floor)

    def to_dict(self) -> dict:
        return {"model": self.model, "kind": "trees", "features": list(FEATURES), "baseline": self.baseline,
                "feature": self.feature.tolist(), "cut": self.cut.tolist(), "leaf": self.leaf.tolist(),
                "threshold": self.threshold, "floor": self.floor}


def judge_path(model_id: str):
    return models_dir() / "pair-judge" / f"{model_id}.json"


@lru_cache(maxsize=8)
def load_pair_judge(model_id: str | None) -> PairJudge | TreeJudge | None:
    """The fitted judge of a model, or None when the project fitted none for it."""
    from statementkit.errors import ModelError

    if not model_id:
        return None
    path = judge_path(model_id)
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if tuple(raw.get("features", ())) != FEATURES:
            raise ModelError(f"{path}: its features {raw.get('features')} are not this version's "
                             f"{list(FEATURES)}; rebuild it with scripts/fit_pair_judge.py")
        if raw.get("kind", "logistic") != "trees":
            return PairJudge(raw["model"], tuple(raw["mean"]), tuple(raw["scale"]), tuple(raw["coef"]),
                             float(raw["intercept"]), float(raw["threshold"]), float(raw["floor"]))
        judge = TreeJudge(raw["model"], float(raw["baseline"]), np.array(raw["feature"], dtype=np.int64),
                          np.array(raw["cut"], dtype=np.float64), np.array(raw["leaf"], dtype=np.float64),
                          float(raw["threshold"]), float(raw["floor"]))
        trees, inner = judge.feature.shape
        if (judge.cut.shape != (trees, inner) or judge.leaf.shape != (trees, inner + 1)
                or (inner + 1) & inner or not ((0 <= judge.feature) & (judge.feature < len(FEATURES))).all()):
            raise ValueError("its trees are not full trees over the features")
        return judge
    except (ValueError, KeyError, TypeError, AttributeError) as e:  # json's errors are ValueErrors
        raise ModelError(f"{path}: not a pair judge ({e}); rebuild it with scripts/fit_pair_judge.py") from None
