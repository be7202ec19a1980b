"""Duplicate flags as a moderator meets them: one batch of same-topic submissions at a time.

Data: benchmarks/dedup_batch/ (per split: 40 published statements and 200 submissions on AI in
cultural heritage, seven languages; every true duplicate pair labelled; see its README). Each
split is screened exactly as `statementkit check FILE --against PUBLISHED` does: every
submission against every published statement and every other submission.

Reported, per statement (what a moderator sees), for every `duplicate` flag and for the flags that
reject (they name a published statement; a flag naming an earlier submission asks for review). Since
issue 14 a pair the detector is not confident of is `similar` and raises no flag at all:
  - precision of the `duplicate` flag (a flagged submission has at least one true duplicate among
    what it was flagged for), recall (a submission with a true duplicate is flagged);
  - flags per 100 submissions;
and per pair (each flagged pair right or wrong), with the kinds of the wrong ones: stance flips
and different claims called duplicates.

    python benchmarks/dedup_batch.py                 # dev
    python benchmarks/dedup_batch.py --split test    # rarely, and say so
    python benchmarks/dedup_batch.py --errors        # the dev mistakes
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from _common import ROOT, print_table, write_result

from statementkit.checks import load_rules
from statementkit.embed import default_embedder
from statementkit.records import Statement
from statementkit.text.language import with_languages

DATA = ROOT / "benchmarks" / "dedup_batch"
#: Dev batches on other topics (their own README in DATA): the judge learns from them as from dev.
DEV_TOPICS = ("mobility", "schools")


def load(split: str) -> tuple[list[dict], list[dict]]:
    def rows(name: str) -> list[dict]:
        return [json.loads(line) for line in (DATA / f"{name}-{split}.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]

    return rows("published"), rows("submissions")


def run(published: list[dict], submissions: list[dict], embedder) -> tuple[dict, dict, float]:
    """What `check --against` flags (submission -> the statement its flag names) and every pair the
    detector calls a duplicate (submission -> ids), exactly as the check computes them."""
    from statementkit.checks.kinds.duplicate import duplicate_findings
    from statementkit.dedup import find_duplicates

    rules = load_rules()
    pub = with_languages([Statement(p["id"], p["text"]) for p in published], rules.languages)
    new = with_languages([Statement(s["id"], s["text"]) for s in submissions], rules.languages)
    t = time.perf_counter()
    results = find_duplicates(new, pub, embedder=embedder)
    elapsed = time.perf_counter() - t
    findings = duplicate_findings(new, results, pub, rules.criterion("duplicate"))
    flags = {new[i].id: f[0].values["id"] for i, f in findings.items()}
    rejects = {new[i].id: f[0].values["id"] for i, f in findings.items() if f[0].variant == "published"}
    pairs = {r.id: {d.id for d in r.duplicates if d.is_duplicate} for r in results}
    return flags, rejects, pairs, elapsed


def score(submissions: list[dict], flags: dict[str, str], pairs: dict[str, set[str]]) -> dict:
    """Per statement, as a moderator meets the batch in order: a submission should be flagged when
    it repeats a published statement or an *earlier* submission (the first of two repeats is the
    one to keep, and `check` flags the later one); per pair, either direction is right."""
    position = {s["id"]: n for n, s in enumerate(submissions)}
    pair_gold = {s["id"]: set(s["duplicate_of"]) for s in submissions}
    gold = {sid: {d for d in targets if position.get(d, -1) < position[sid]} for sid, targets in pair_gold.items()}
    kind = {s["id"]: s["kind"] for s in submissions}
    flagged = flags
    tp = sum(1 for sid, target in flags.items() if target in gold[sid])
    fp = len(flags) - tp
    fn = sum(1 for sid in gold if gold[sid] and sid not in flags)
    pair_right = pair_wrong = 0
    wrong_kinds: Counter = Counter()
    for sid, ids in pairs.items():
        for other in ids:
            if other in pair_gold[sid]:
                pair_right += 1
            else:
                pair_wrong += 1
                wrong_kinds[kind[sid]] += 1
    negatives = Counter(k for k in kind.values() if k in ("stance_flip", "different_claim"))
    flagged_negatives = Counter(kind[sid] for sid in flagged if kind[sid] in negatives and not pair_gold[sid])
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "submissions": len(gold), "with_duplicate": sum(1 for v in gold.values() if v),
        "flagged": len(flagged), "precision": round(p, 3), "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "flags_per_100": round(100 * len(flagged) / len(gold), 1),
        "pairs_right": pair_right, "pairs_wrong": pair_wrong,
        "pair_precision": round(pair_right / (pair_right + pair_wrong), 3) if pair_right + pair_wrong else 1.0,
        "stance_flips_flagged": round(flagged_negatives["stance_flip"] / negatives["stance_flip"], 3)
        if negatives["stance_flip"] else 0.0,
        "different_claims_flagged": round(flagged_negatives["different_claim"] / negatives["different_claim"], 3)
        if negatives["different_claim"] else 0.0,
        "wrong_pairs_by_kind": dict(wrong_kinds),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "both", *DEV_TOPICS, "dev-all"), default="dev",
                    help="dev-all: dev and every other dev topic")
    ap.add_argument("--errors", action="store_true", help="list the mistakes (never on test)")
    args = ap.parse_args()
    embedder = default_embedder()
    results = {}
    splits = {"both": ("dev", "test"), "dev-all": ("dev", *DEV_TOPICS)}.get(args.split, (args.split,))
    for split in splits:
        published, submissions = load(split)
        flags, rejects, pairs, seconds = run(published, submissions, embedder)
        results[split] = {**score(submissions, flags, pairs), "seconds": round(seconds, 1)}
        reject_only = score(submissions, rejects, pairs)
        results[split]["reject_flags"] = {k: reject_only[k] for k in
                                          ("flagged", "precision", "recall", "f1", "flags_per_100",
                                           "stance_flips_flagged", "different_claims_flagged")}
        if args.errors and split != "test":
            texts = {r["id"]: r["text"] for r in published + submissions}
            print(f"\n== {split} mistakes (FP: the flag names no true duplicate; FN: a true duplicate not flagged)")
            for s in submissions:
                position = {x["id"]: n for n, x in enumerate(submissions)}
                target = flags.get(s["id"])
                gold = {d for d in s["duplicate_of"] if position.get(d, -1) < position[s["id"]]}
                if target is not None and target not in gold:
                    print(f"FP {s['id']} [{s['kind']}] {s['text']!r}\n   ~ {target}: {texts.get(target, '?')!r}")
                elif target is None and gold:
                    print(f"FN {s['id']} [{s['kind']}] {s['text']!r}\n   = {sorted(gold)}: "
                          f"{[texts[g] for g in sorted(gold)][:2]!r}")
    keys = ["submissions", "with_duplicate", "flagged", "precision", "recall", "f1", "flags_per_100",
            "pair_precision", "stance_flips_flagged", "different_claims_flagged", "seconds"]
    print_table(["split", *keys], [[split, *(r[k] for k in keys)] for split, r in results.items()])
    reject_keys = ["flagged", "precision", "recall", "f1", "flags_per_100", "stance_flips_flagged",
                   "different_claims_flagged"]
    print("\nthe flags that reject (a copy of a published statement; the same claim in other words, or a repeat of "
          "a submission, asks for review):")
    print_table(["split", *reject_keys], [[split, *(r["reject_flags"][k] for k in reject_keys)]
                                          for split, r in results.items()])
    for split, r in results.items():
        print(f"{split}: wrong pairs by kind of the submission: {r['wrong_pairs_by_kind']}")
    write_result("dedup_batch" if args.split == "dev" else f"dedup_batch_{args.split}", results)


if __name__ == "__main__":
    main()
