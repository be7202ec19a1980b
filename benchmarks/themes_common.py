"""Shared by the theme benchmarks: evaluation data, a cached embedder, metrics."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from _common import DATA, ROOT

from statementkit.embed import CachedEmbedder, EmbeddingCache, load_embedder
from statementkit.records import Statement

LABELS = ("1", "2", "3", "4", "5", "6", "7", "none")
LANGS = ("en", "de", "fr", "nl", "es", "it", "pl")


def split(name: str) -> list[dict[str, Any]]:
    """themes-dev or themes-test rows: id, text, lang, theme, theme2."""
    path = DATA / f"themes-{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus() -> list[dict[str, Any]]:
    path = ROOT / "corpus" / "paper-statements.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def straddle_examples():
    """Examples that straddle two themes (benchmarks/data/themes-straddle.jsonl, written for the project)."""
    from statementkit.themes.taxonomy import ThemeExample

    path = DATA / "themes-straddle.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [ThemeExample(r["text"], r["theme"], r["lang"], "taxonomy", r["id"], r["theme2"]) for r in rows]


def statements(rows: Sequence[dict[str, Any]]) -> list[Statement]:
    return [Statement(str(r["id"]), r["text"], r.get("lang")) for r in rows]


def embedder():
    """The default model behind the on-disk cache (benchmarks re-encode nothing on a rerun)."""
    return CachedEmbedder(load_embedder(), EmbeddingCache())


def accuracy_report(pred: Sequence[str], rows: Sequence[dict[str, Any]],
                    confidence: Sequence[float] | None = None) -> dict[str, Any]:
    """Top-1 accuracy, lenient accuracy (theme2 counts), macro-F1 over the 8 labels, per language, ECE."""
    gold = [r["theme"] for r in rows]
    gold2 = [r.get("theme2") for r in rows]
    correct = [p == g for p, g in zip(pred, gold)]
    lenient = [p == g or (g2 is not None and p == g2) for p, g, g2 in zip(pred, gold, gold2)]
    f1s = []
    for label in LABELS:
        tp = sum(p == label and g == label for p, g in zip(pred, gold))
        fp = sum(p == label and g != label for p, g in zip(pred, gold))
        fn = sum(p != label and g == label for p, g in zip(pred, gold))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    per_lang: dict[str, list[bool]] = defaultdict(list)
    for r, ok in zip(rows, correct):
        per_lang[r.get("lang", "?")].append(ok)
    out = {"n": len(rows), "accuracy": _mean(correct), "lenient_accuracy": _mean(lenient),
           "macro_f1": float(np.mean(f1s)),
           "per_language": {k: round(_mean(v), 4) for k, v in sorted(per_lang.items())},
           "confusion": {f"{g}->{p}": n for (g, p), n in sorted(Counter(zip(gold, pred)).items()) if g != p}}
    if confidence is not None:
        out["ece"] = ece(confidence, correct)
        out["mean_confidence"] = float(np.mean(confidence)) if len(confidence) else 0.0
    return out


def ece(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: |confidence - accuracy| averaged over equal-width bins."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = (conf > lo) & (conf <= hi) if b else (conf >= lo) & (conf <= hi)
        if sel.any():
            total += sel.sum() / len(conf) * abs(conf[sel].mean() - ok[sel].mean())
    return float(total)


def theme2_report(pred2: Sequence[str | None], rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Precision/recall of the second theme: right when it equals the gold theme2."""
    tp = sum(p is not None and p == r.get("theme2") for p, r in zip(pred2, rows))
    npred = sum(p is not None for p in pred2)
    ngold = sum(r.get("theme2") is not None for r in rows)
    precision = tp / npred if npred else 0.0
    recall = tp / ngold if ngold else 0.0
    return {"predicted": npred, "gold": ngold, "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if tp else 0.0}


def _mean(values: Sequence[bool]) -> float:
    return float(np.mean(values)) if len(values) else 0.0
