"""Jargon precision and recall per language on the dev-side sets (never the held-back test split).

Sets: benchmarks/data/criteria-dev.jsonl, rules/examples/criteria-examples.jsonl and
benchmarks/data/jargon-extra-dev.jsonl (written for breadth of AI and heritage-tech
terms, with hard negatives). Lexicons only: the jargon check has no learned stage.

    python benchmarks/jargon_recall.py            # table + benchmarks/results/jargon_recall.json
    python benchmarks/jargon_recall.py --errors   # also list every jargon miss and false flag
"""

from __future__ import annotations

import argparse
import json

from _common import DATA, ROOT, print_table, write_result

from statementkit.checks import check, load_rules
from statementkit.records import Statement

LANGS = ("en", "de", "fr", "nl", "es", "it", "pl")
SETS = {"dev": DATA / "criteria-dev.jsonl", "examples": ROOT / "rules" / "examples" / "criteria-examples.jsonl",
        "extra": DATA / "jargon-extra-dev.jsonl"}


def _prf(tp: int, fp: int, fn: int) -> dict:
    return {"precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0, "tp": tp, "fp": fp, "fn": fn}


def evaluate(rows: list[dict], rules) -> tuple[dict, list[str]]:
    """Per-language and overall P/R of the `jargon` code (a reject or review flag), and the mistakes."""
    results = check([Statement(r["id"], r["text"], r["lang"]) for r in rows], rules, embedder=None)
    counts = {lang: [0, 0, 0] for lang in (*LANGS, "all")}
    mistakes = []
    for r, s in zip(rows, results):
        got = any(f.code == "jargon" and f.severity in ("reject", "review") for f in s.flags)
        gold = "jargon" in r["codes"]
        for key in (r["lang"], "all"):
            if key in counts:
                c = counts[key]
                c[0] += gold and got
                c[1] += got and not gold
                c[2] += gold and not got
        if got != gold:
            mistakes.append(f"{'MISS' if gold else 'FALSE'} {r['id']} {r['lang']} | {r['text']}")
    return {k: _prf(*v) for k, v in counts.items()}, mistakes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list misses and false flags")
    args = ap.parse_args()
    rules = load_rules()
    payload: dict = {"sets": {}}
    for name, path in SETS.items():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        result, mistakes = evaluate(rows, rules)
        payload["sets"][name] = result
        print(f"\n== {name}: {len(rows)} statements")
        print_table(["lang", "P", "R", "tp", "fp", "fn"],
                    [[k, v["precision"], v["recall"], v["tp"], v["fp"], v["fn"]] for k, v in result.items()])
        if args.errors:
            print("\n".join(mistakes))
    print(f"\nwrote {write_result('jargon_recall', payload)}")


if __name__ == "__main__":
    main()
