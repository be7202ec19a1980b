"""`benchmarks/dedup.py --calibrate` writes only the thresholds it calibrates into models/registry.toml."""

from __future__ import annotations

import difflib
import importlib
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CALIBRATED = ("candidate", "duplicate", "duplicate_cross", "substitution", "frame", "stance_coverage",
              "stance_coverage_cross", "word", "mutual", "near_copy", "soft")  # what the grid chooses


@pytest.fixture()
def bench(monkeypatch, tmp_path):
    """The benchmark module with its ROOT pointing at a temporary copy of models/registry.toml."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    module = importlib.import_module("dedup")
    (tmp_path / "models").mkdir()
    shutil.copy(ROOT / "models" / "registry.toml", tmp_path / "models" / "registry.toml")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    yield module, tmp_path / "models" / "registry.toml"
    sys.modules.pop("dedup", None)


def _thresholds(path: Path) -> dict[str, dict]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {m["id"]: m["thresholds"] for m in data["models"]}


def test_calibrate_keeps_hand_added_keys_and_comments(bench):
    module, path = bench
    before_text = path.read_text(encoding="utf-8")
    before = _thresholds(path)
    calibrated = {model: {key: value for key, value in t.items() if key in CALIBRATED}
                  for model, t in before.items()}
    calibrated["use-multilingual-v3"] |= {"duplicate": 0.61, "word": 0.75}
    calibrated["hashing"] |= {"candidate": 0.42}
    module.write_registry(calibrated)
    after = _thresholds(path)
    for model, t in before.items():
        expected = t | calibrated[model]
        assert after[model] == expected, model
    assert after["use-multilingual-v3"]["claim_missing"] == 1  # a hand-added key survives
    assert "flip_cosine" in after["use-multilingual-v3"]
    # only the three changed values differ, each line keeps its comment
    changed = [line for line in difflib.unified_diff(before_text.splitlines(), path.read_text(encoding="utf-8").splitlines(),
                                                       lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) == 6, changed
    assert "+duplicate = 0.61   # same claim, same stance: cosine at or above this" in changed


def test_calibrate_adds_a_missing_key(bench):
    module, path = bench
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("near_copy = 0.9   # character similarity that makes a near-exact copy\n", "", 1),
                    encoding="utf-8")
    t = _thresholds(path)["use-multilingual-v3"]
    module.write_registry({"use-multilingual-v3": t | {"near_copy": 0.91}})
    after = _thresholds(path)["use-multilingual-v3"]
    assert after["near_copy"] == 0.91 and after["flip_cosine"] == t["flip_cosine"]
