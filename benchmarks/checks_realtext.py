"""The criteria checks on real participants' text: pol.is comments nobody here wrote.

Data: benchmarks/realtext/polis-{dev,test}.jsonl, comments sampled from 16 public
pol.is conversations (English, German, Chinese) and labelled against the criteria
by two independent readers who saw neither the tool nor the moderators' decisions;
only the comments on which both gave the same codes are kept (see
benchmarks/realtext/README.md). Split by conversation (Chinese: one conversation,
split by comment). Scope and duplicates depend on the conversation and are not
labelled: their flags are left out before the verdict is taken.

Judged as a moderator meets it, per comment:
  - acceptable comments rejected / sent to review (false alarms);
  - problem comments rejected / sent to review / accepted (misses);
  - precision and recall per code (a code counts when a flag has it, reject or review).

    python benchmarks/checks_realtext.py                # dev, as shipped (model when installed)
    python benchmarks/checks_realtext.py --no-embed     # lexicons only
    python benchmarks/checks_realtext.py --errors       # list the dev mistakes
    python benchmarks/checks_realtext.py --split test   # the test split: rarely, and say so
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from _common import ROOT, print_table, write_result

from statementkit.checks import check, load_rules
from statementkit.checks.render import verdict
from statementkit.records import Statement
from statementkit.text.language import with_languages

DATA = ROOT / "benchmarks" / "realtext"
CODES = ("too_long", "jargon", "vague", "no_standpoint", "multiple_ideas", "not_standalone", "incivility")
UNLABELLED = ("out_of_scope", "duplicate")  # depend on the conversation: not labelled, not counted
LANGS = ("en", "de", "zh")


def load(split: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"polis-{split}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def run(rows: list[dict], embed: bool) -> tuple[list[dict], float]:
    """Each comment's verdict and codes, as `statementkit check` gives them (languages detected)."""
    embedder = None
    if embed:
        from statementkit.embed import default_embedder, missing_model

        embedder = None if missing_model() else default_embedder()
    rules = load_rules()
    statements = with_languages([Statement(r["id"], r["text"]) for r in rows], rules.languages)
    t = time.perf_counter()
    screenings = check(statements, rules, embedder=embedder)
    elapsed = time.perf_counter() - t
    out = []
    for s in screenings:
        flags = [f for f in s.flags if f.code not in UNLABELLED]
        out.append({"verdict": verdict(flags), "codes": {f.code for f in flags if f.severity in ("reject", "review")},
                    "lang": s.lang})
    return out, elapsed


def score(rows: list[dict], got: list[dict]) -> dict:
    def share(n: int, d: int) -> float:
        return round(n / d, 3) if d else 0.0

    summary: dict = {}
    for lang in (None, *LANGS):
        pairs = [(r, g) for r, g in zip(rows, got) if lang is None or r["lang"] == lang]
        ok = [g["verdict"] for r, g in pairs if not r["codes"]]
        bad = [g["verdict"] for r, g in pairs if r["codes"]]
        rejected = [r for r, g in pairs if g["verdict"] == "reject"]
        summary[lang or "all"] = {
            "comments": len(pairs), "acceptable": len(ok), "problems": len(bad),
            "acceptable_rejected": share(ok.count("reject"), len(ok)),
            "acceptable_review": share(ok.count("review"), len(ok)),
            "problems_rejected": share(bad.count("reject"), len(bad)),
            "problems_review": share(bad.count("review"), len(bad)),
            "problems_accepted": share(bad.count("accept"), len(bad)),
            "reject_precision": share(sum(1 for r in rejected if r["codes"]), len(rejected)),
        }
    per_code: dict = {}
    for code in CODES:
        for lang in (None, *LANGS):
            tp = fp = fn = 0
            for r, g in zip(rows, got):
                if lang is not None and r["lang"] != lang:
                    continue
                gold, pred = code in r["codes"], code in g["codes"]
                tp += gold and pred
                fp += pred and not gold
                fn += gold and not pred
            p = tp / (tp + fp) if tp + fp else None
            rec = tp / (tp + fn) if tp + fn else None
            per_code.setdefault(code, {})[lang or "all"] = {
                "precision": None if p is None else round(p, 3), "recall": None if rec is None else round(rec, 3),
                "tp": tp, "fp": fp, "fn": fn}
    return {"verdicts": summary, "codes": per_code}


def report(split: str, result: dict) -> None:
    print(f"\n== {split}: verdicts per comment (scope and duplicates not counted)")
    keys = ["comments", "acceptable", "acceptable_rejected", "acceptable_review", "problems",
            "problems_rejected", "problems_review", "problems_accepted", "reject_precision"]
    print_table(["lang", *keys], [[lang, *(v[k] for k in keys)] for lang, v in result["verdicts"].items()])
    print(f"\n== {split}: precision / recall per code (tp fp fn, all languages)")
    rows = []
    for code, by_lang in result["codes"].items():
        a = by_lang["all"]
        rows.append([code, *(f"{v['precision'] if v['precision'] is not None else '-'}/"
                             f"{v['recall'] if v['recall'] is not None else '-'}" for v in by_lang.values()),
                     f"{a['tp']} {a['fp']} {a['fn']}"])
    print_table(["code", "all", *LANGS, "tp fp fn"], rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "both"), default="dev")
    ap.add_argument("--no-embed", action="store_true", help="lexicons only")
    ap.add_argument("--errors", action="store_true", help="list every comment whose verdict is wrong (dev only)")
    ap.add_argument("--output", help="results name (default checks_realtext[_noembed])")
    args = ap.parse_args()
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    results = {}
    for split in splits:
        rows = load(split)
        got, elapsed = run(rows, embed=not args.no_embed)
        results[split] = {**score(rows, got), "seconds": round(elapsed, 2)}
        report(split, results[split])
        if args.errors and split == "dev":
            print("\n== dev mistakes: gold -> got")
            for r, g in zip(rows, got):
                wrong = (not r["codes"]) != (g["verdict"] == "accept") or set(r["codes"]) != g["codes"]
                if wrong:
                    print(f"{r['id']:45s} {','.join(r['codes']) or 'ok':30s} -> {g['verdict']:6s} "
                          f"{','.join(sorted(g['codes']))}  | {r['text'][:110]!r}")
        counts = Counter(g["verdict"] for g in got)
        print(f"{split}: {dict(counts)}; {len(rows) / elapsed:.0f} comments/s")
    name = args.output or ("checks_realtext_noembed" if args.no_embed else "checks_realtext")
    write_result(name, {"splits": list(splits), "embed": not args.no_embed, **results})


if __name__ == "__main__":
    main()
