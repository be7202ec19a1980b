"""Quality of the criteria checks: precision and recall per reason code and per language.

Data: benchmarks/data/criteria-{dev,test}.jsonl (350 statements each, 50 per
language for en de fr nl es it pl, labelled with the codes they break; see
benchmarks/data/README.md). Rules were tuned on dev only; test is reported
once, with the finished configuration.

A code counts as predicted when a flag with that code has severity reject or
review. Also reported: accept accuracy (a statement without codes is
accepted; a statement with codes gets at least one of its codes), per
language.

    python benchmarks/checks_quality.py                 # dev and test, keywords only
    python benchmarks/checks_quality.py --embed         # scope judged by meaning too (default model)
    python benchmarks/checks_quality.py --split dev --errors   # list the mistakes on dev
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from _common import DATA, print_table, write_result

from statementkit.checks import check, load_rules
from statementkit.records import Statement

CODES = ("too_long", "jargon", "vague", "out_of_scope", "no_standpoint", "multiple_ideas", "not_standalone",
         "incivility")
LANGS = ("en", "de", "fr", "nl", "es", "it", "pl")


def load(split: str) -> list[dict]:
    path = DATA / f"criteria-{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(rows: list[dict], embedder=None) -> tuple[list[set[str]], float]:
    statements = [Statement(r["id"], r["text"], r["lang"]) for r in rows]
    rules = load_rules()
    t = time.perf_counter()
    results = check(statements, rules, embedder=embedder)
    elapsed = time.perf_counter() - t
    return [{f.code for f in s.flags if f.severity in ("reject", "review")} for s in results], elapsed


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def score(rows: list[dict], predicted: list[set[str]]) -> dict:
    per_code: dict[str, dict] = {}
    per_code_lang: dict[str, dict[str, dict]] = defaultdict(dict)
    for code in CODES:
        for lang in (None, *LANGS):
            tp = fp = fn = 0
            for r, p in zip(rows, predicted):
                if lang and r["lang"] != lang:
                    continue
                gold, got = code in r["codes"], code in p
                tp += gold and got
                fp += got and not gold
                fn += gold and not got
            if lang is None:
                per_code[code] = prf(tp, fp, fn)
            else:
                per_code_lang[code][lang] = prf(tp, fp, fn)
    per_lang = {}
    for lang in LANGS:
        tp = fp = fn = 0
        ok = n = 0
        for r, p in zip(rows, predicted):
            if r["lang"] != lang:
                continue
            gold = set(r["codes"])
            tp += len(gold & p)
            fp += len(p - gold)
            fn += len(gold - p)
            n += 1
            ok += (not gold and not p) or bool(gold & p)
        per_lang[lang] = {**prf(tp, fp, fn), "accept_accuracy": round(ok / n, 3) if n else None}
    ok = sum((not set(r["codes"]) and not p) or bool(set(r["codes"]) & p) for r, p in zip(rows, predicted))
    exact = sum(set(r["codes"]) == p for r, p in zip(rows, predicted))
    return {"n": len(rows), "per_code": per_code, "per_code_lang": per_code_lang, "per_lang": per_lang,
            "accept_accuracy": round(ok / len(rows), 3), "exact_match": round(exact / len(rows), 3)}


def show(split: str, result: dict) -> None:
    print(f"\n== {split}: {result['n']} statements, accept accuracy {result['accept_accuracy']:.3f}, "
          f"exact code sets {result['exact_match']:.3f}")
    rows = [[c, v["precision"], v["recall"], v["f1"], v["tp"], v["fp"], v["fn"]] for c, v in result["per_code"].items()]
    print_table(["code", "P", "R", "F1", "tp", "fp", "fn"], rows)
    print()
    headers = ["code", *LANGS]
    rows = [[c, *[f"{v[lang]['precision']:.2f}/{v[lang]['recall']:.2f}" for lang in LANGS]]
            for c, v in result["per_code_lang"].items()]
    print_table(headers + [], rows)
    print()
    rows = [[lang, v["precision"], v["recall"], v["f1"], v["accept_accuracy"]] for lang, v in result["per_lang"].items()]
    print_table(["lang", "P", "R", "F1", "accept acc."], rows)


def errors(rows: list[dict], predicted: list[set[str]]) -> None:
    for r, p in zip(rows, predicted):
        gold = set(r["codes"])
        if gold != p:
            print(f"{r['id']} {r['lang']} gold={sorted(gold)} got={sorted(p)} | {r['text']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "both"), default="both")
    ap.add_argument("--embed", action="store_true", help="judge scope by meaning with the default embedding model")
    ap.add_argument("--errors", action="store_true", help="list every statement whose codes differ (dev only!)")
    ap.add_argument("--output", help="results name (default checks_quality[_embed])")
    ap.add_argument("--note", help="a note stored with the results (e.g. that this is not a first test run)")
    args = ap.parse_args()
    embedder = None
    if args.embed:
        from statementkit.embed import CachedEmbedder, load_embedder

        embedder = CachedEmbedder(load_embedder())
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    payload: dict = {"embedder": getattr(embedder, "id", None), "note": args.note, "splits": {}}
    for split in splits:
        rows = load(split)
        predicted, elapsed = predict(rows, embedder)
        result = score(rows, predicted)
        result["seconds"] = round(elapsed, 2)
        payload["splits"][split] = result
        show(split, result)
        if args.errors:
            if split == "test":
                raise SystemExit("--errors is for dev only: the test split must not be used for tuning")
            errors(rows, predicted)
    if args.split == "both" and not args.errors:
        name = args.output or ("checks_quality_embed" if args.embed else "checks_quality")
        print(f"\nwrote {write_result(name, payload)}")


if __name__ == "__main__":
    main()
