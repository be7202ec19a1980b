"""The last word on a close pair that no rule settled: do the two make the same claim?

A cosine threshold and a count of left-over words each see one side of a
pair. A small logistic regression over what the claims stage measured anyway
(sentence cosine, word alignment and coverage, the words left over on each
side, the character similarity, a weak stance flip, how the two statements'
sizes compare, one language or two) weighs them together. Fitted by
`scripts/fit_pair_judge.py` on the project's dev data only (the pair set's dev
split and the same-topic batch's dev split, every unlabelled batch pair a
negative), its operating point chosen by cross-validation for precision
first; the fitted numbers are a small JSON file per model in
`models/pair-judge/`. A model without one keeps the threshold rules of
`claims.verdict`.

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


def judge_path(model_id: str):
    return models_dir() / "pair-judge" / f"{model_id}.json"


@lru_cache(maxsize=8)
def load_pair_judge(model_id: str | None) -> PairJudge | None:
    """The fitted judge of a model, or None when the project fitted none for it."""
    from statementkit.errors import ModelError

    if not model_id:
        return None
    path = judge_path(model_id)
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    if tuple(raw.get("features", ())) != FEATURES:
        raise ModelError(f"{path}: its features {raw.get('features')} are not this version's {list(FEATURES)}; "
                         "rebuild it with scripts/fit_pair_judge.py")
    return PairJudge(raw["model"], tuple(raw["mean"]), tuple(raw["scale"]), tuple(raw["coef"]),
                     float(raw["intercept"]), float(raw["threshold"]), float(raw["floor"]))
