"""Agreement of the checks' verdicts with real pol.is moderators.

Every public conversation in ../shared/data/polis/ (read-only; skipped when
absent) is screened with its own rules directory (benchmarks/polis-rules/
<conversation>/, scope from its summary.csv). Its comments with a moderation
decision (accepted 1 / rejected -1) are compared with our verdict: "flagged"
is verdict reject (strict) or reject-or-review (lenient). Reported per
conversation: share rejected by the moderators, share we flag, accuracy,
Cohen's kappa, precision and recall of our flags for the moderators'
rejections, and which reason codes we give to accepted and to rejected
comments.

pol.is moderators reject for reasons the criteria do not see (a comment
repeating an earlier one, spam, a moderator's own taste), and some
conversations accept comments the criteria would not (questions, several
ideas): agreement is a measure of fit between two policies, not an accuracy.

    python benchmarks/checks_polis.py            # keywords only
    python benchmarks/checks_polis.py --embed    # scope also by meaning (default embedding model)
    python benchmarks/checks_polis.py --dedup    # and repeats of earlier comments (the duplicate detector)

With --dedup, each conversation's comments are screened in the order they
were written and a comment repeating an earlier one gets a `duplicate` flag
(review: "lenient" counts it), as a moderator working through the queue
would see it.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter

from _common import ROOT, polis_dir, print_table, write_result

from statementkit.checks import check, load_rules
from statementkit.records import REASON_CODES, Statement

RULES = ROOT / "benchmarks" / "polis-rules"


def kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    n = tp + fp + fn + tn
    po = (tp + tn) / n
    pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 0.0


def confusion(gold: list[bool], flagged: list[bool]) -> dict:
    tp = sum(g and f for g, f in zip(gold, flagged))
    fp = sum(f and not g for g, f in zip(gold, flagged))
    fn = sum(g and not f for g, f in zip(gold, flagged))
    tn = len(gold) - tp - fp - fn
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"accuracy": round((tp + tn) / len(gold), 3), "kappa": round(kappa(tp, fp, fn, tn), 3),
            "precision": round(p, 3), "recall": round(r, 3), "flagged": round((tp + fp) / len(gold), 3),
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def comments(folder) -> list[dict]:
    with (folder / "comments.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["moderated"] in ("1", "-1") and r["comment-body"].strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embed", action="store_true", help="judge scope by meaning too (default embedding model)")
    ap.add_argument("--dedup", action="store_true", help="flag repeats of earlier comments (implies --embed)")
    args = ap.parse_args()
    args.embed = args.embed or args.dedup
    root = polis_dir()
    if root is None:
        raise SystemExit("no pol.is data: set STATEMENTKIT_POLIS_DIR or provide ../shared/data/polis")
    embedder = None
    if args.embed:
        from statementkit.embed import CachedEmbedder, load_embedder

        embedder = CachedEmbedder(load_embedder())
    per_conv, rows, all_gold, all_strict, all_lenient = {}, [], [], [], []
    code_counts: dict[str, Counter] = {"accepted": Counter(), "rejected": Counter()}
    totals = Counter()
    t0 = time.perf_counter()
    for rules_dir in sorted(p for p in RULES.iterdir() if p.is_dir()):
        folder = root / rules_dir.name
        if not (folder / "comments.csv").exists():
            continue
        rules = load_rules(rules_dir)
        data = comments(folder)
        lang = rules.languages[0]
        data.sort(key=lambda r: (int(r["timestamp"] or 0), int(r["comment-id"])))
        statements = [Statement(r["comment-id"], r["comment-body"], lang) for r in data]
        results = check(statements, rules, embedder=embedder, against=[] if args.dedup else None)
        gold = [r["moderated"] == "-1" for r in data]
        strict = [s.verdict == "reject" for s in results]
        lenient = [s.verdict != "accept" for s in results]
        for g, s in zip(gold, results):
            group = "rejected" if g else "accepted"
            totals[group] += 1
            code_counts[group].update(set(s.codes))
        c_strict, c_lenient = confusion(gold, strict), confusion(gold, lenient)
        per_conv[rules_dir.name] = {"lang": lang, "comments": len(data), "moderator_rejected": round(sum(gold) / len(gold), 3),
                                    "strict": c_strict, "lenient": c_lenient}
        rows.append([rules_dir.name[:38], lang, len(data), sum(gold) / len(gold), c_strict["flagged"],
                     c_strict["accuracy"], c_strict["kappa"], c_strict["precision"], c_strict["recall"],
                     c_lenient["accuracy"], c_lenient["kappa"]])
        all_gold += gold
        all_strict += strict
        all_lenient += lenient
    overall = {"strict": confusion(all_gold, all_strict), "lenient": confusion(all_gold, all_lenient),
               "comments": len(all_gold), "moderator_rejected": round(sum(all_gold) / len(all_gold), 3)}
    rows.append(["ALL", "", len(all_gold), overall["moderator_rejected"], overall["strict"]["flagged"],
                 overall["strict"]["accuracy"], overall["strict"]["kappa"], overall["strict"]["precision"],
                 overall["strict"]["recall"], overall["lenient"]["accuracy"], overall["lenient"]["kappa"]])
    print_table(["conversation", "lang", "n", "mod. rej", "we flag", "acc", "kappa", "P(rej)", "R(rej)",
                 "acc lenient", "kappa lenient"], rows)
    rates = {group: {code: round(code_counts[group][code] / totals[group], 3) for code in REASON_CODES
                     if code_counts[group][code]} for group in code_counts}
    print("\nshare of comments with each code:")
    print_table(["code", "accepted by moderators", "rejected by moderators"],
                [[code, rates["accepted"].get(code, 0.0), rates["rejected"].get(code, 0.0)] for code in REASON_CODES])
    name = "checks_polis_dedup" if args.dedup else "checks_polis_embed" if embedder else "checks_polis"
    path = write_result(name, {"embedder": getattr(embedder, "id", None), "overall": overall,
                               "per_conversation": per_conv, "code_rates": rates,
                               "seconds": round(time.perf_counter() - t0, 1)})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
