"""Real moderation decisions: how many rejected pol.is comments repeat an earlier accepted one?

For every conversation in the bundled pol.is exports (../shared/data/polis:
English, German and Chinese), the comments the real moderators rejected
(`moderated = -1`) are run through `find_duplicates` against the comments they
accepted (`moderated = 1`). A rejected comment counts when the detector calls
it a duplicate (same claim, same stance) of an accepted comment posted
*before* it. Moderators reject for many reasons (off topic, incivility,
repeats); the export does not say which, so this is the share of rejections
the duplicate criterion alone would explain.

For contrast, the same question for the accepted comments: how many does
the detector call a duplicate of an earlier accepted comment (moderators let
those through, so this is an upper bound of its false alarms on real data,
or of the repeats moderators tolerated).

    python benchmarks/dedup_polis.py [--pairs OUT.jsonl]

Precision on real text: `benchmarks/realtext/dedup-flagged.jsonl` holds every
pair this benchmark flagged on 2026-12-07 (70), each read by two readers who saw
only the two comments and the criterion (same actor, action or measure, object
and stance); the run scores the pairs it flags now against the agreed labels
(flagged pairs not in the file are counted as unread).

`--pairs`: also write every flagged pair (conversation, the later comment, the
earlier accepted one, which moderation it got, score, reason) as JSON lines,
for people to read and judge whether the two really make the same claim.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _common import polis_dir, print_table, write_result


def conversations() -> list[Path]:
    root = polis_dir()
    if root is None:
        raise SystemExit("no pol.is exports found (expected ../shared/data/polis)")
    return sorted(p for p in root.iterdir() if (p / "comments.csv").is_file())


def earlier_duplicates(results, by_id, published: bool) -> list[tuple[str, str, float, str]]:
    """(statement, earlier accepted statement, score, reason) for each statement with such a duplicate."""
    out = []
    for r in results:
        mine = by_id[r.id].meta.get("timestamp") or 0
        for d in r.duplicates:
            if d.is_duplicate and d.published == published and (by_id[d.id].meta.get("timestamp") or 0) < mine:
                out.append((r.id, d.id, d.score, d.reason or ""))
                break
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=Path, help="write every flagged pair here (JSON lines)")
    args = parser.parse_args()
    from statementkit.dedup.detect import DedupStats, find_duplicates
    from statementkit.embed import CachedEmbedder, load_embedder
    from statementkit.io import read_statements
    from statementkit.text.language import DEFAULT_LANGUAGES, with_languages

    embedder = CachedEmbedder(load_embedder())
    rows, details, examples, pairs = [], {}, {}, []
    total = {"rejected": 0, "found": 0, "copies": 0, "accepted": 0, "accepted_flagged": 0}
    for conv in conversations():
        statements = read_statements(conv / "comments.csv", skip_empty=True)
        statements = with_languages(statements, DEFAULT_LANGUAGES)
        accepted = [s for s in statements if s.meta.get("moderated") == 1]
        rejected = [s for s in statements if s.meta.get("moderated") == -1]
        by_id = {s.id: s for s in statements}
        t = time.perf_counter()
        stats = DedupStats()
        found = earlier_duplicates(find_duplicates(rejected, accepted, embedder=embedder, stats=stats), by_id, True)
        copies = [f for f in found if f[3] in ("exact copy", "near-exact copy")]
        flagged = earlier_duplicates(find_duplicates(accepted, embedder=embedder), by_id, False)
        seconds = time.perf_counter() - t
        langs = sorted({s.lang for s in statements if s.lang and s.lang != "und"})
        rows.append([conv.name, "/".join(langs[:3]), len(rejected), len(found),
                     f"{len(found) / max(1, len(rejected)):.1%}", len(copies), len(accepted), len(flagged),
                     f"{len(flagged) / max(1, len(accepted)):.1%}"])
        details[conv.name] = {"languages": langs, "rejected": len(rejected), "rejected_duplicate_of_earlier_accepted":
                              len(found), "of_which_copies": len(copies), "accepted": len(accepted),
                              "accepted_duplicate_of_earlier_accepted": len(flagged), "seconds": round(seconds, 1)}
        pairs += [{"conversation": conv.name, "moderated": moderated, "later": by_id[a].text, "earlier": by_id[b].text,
                   "later_lang": by_id[a].lang, "earlier_lang": by_id[b].lang, "score": round(s, 3), "reason": reason}
                  for moderated, found_here in (("rejected", found), ("accepted", flagged))
                  for a, b, s, reason in found_here]
        examples[conv.name] = [{"rejected": by_id[a].text, "earlier_accepted": by_id[b].text, "score": round(s, 3),
                                "reason": reason} for a, b, s, reason in found[:3]]
        for key, value in (("rejected", len(rejected)), ("found", len(found)), ("copies", len(copies)),
                           ("accepted", len(accepted)), ("accepted_flagged", len(flagged))):
            total[key] += value
    rows.append(["all", "", total["rejected"], total["found"], f"{total['found'] / max(1, total['rejected']):.1%}",
                 total["copies"], total["accepted"], total["accepted_flagged"],
                 f"{total['accepted_flagged'] / max(1, total['accepted']):.1%}"])
    print_table(["conversation", "langs", "rejected", "dup of earlier accepted", "share", "of which copies",
                 "accepted", "accepted flagged", "share"], rows)
    reading = score_reading(pairs)
    if args.pairs:
        args.pairs.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs), encoding="utf-8")
        print(f"wrote {len(pairs)} flagged pairs to {args.pairs}")
    sweep = operating_points(embedder)
    print("\nstricter duplicate cosines (same threshold for every pair):")
    print_table(["duplicate cosine", "rejected: dup of earlier accepted", "accepted: dup of earlier accepted"],
                [[p["threshold"], p["rejected_share"], p["accepted_share"]] for p in sweep])
    write_result("dedup_polis", {"model": embedder.id, "total": total, "conversations": details,
                                 "examples": examples, "operating_points": sweep, "reading": reading})


def score_reading(pairs: list[dict]) -> dict:
    """Precision of the flagged pairs against the readers' agreed labels, overall and per kind."""
    path = Path(__file__).resolve().parent / "realtext" / "dedup-flagged.jsonl"
    read = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["label"] in ("same", "different"):
            read[(row["later"], row["earlier"])] = row["label"] == "same"
    kinds: dict[str, list[int]] = {}
    for p in pairs:
        right = read.get((p["later"], p["earlier"]))
        zh = "zh" in (p["later_lang"], p["earlier_lang"])
        for kind in ("all", "copies" if "copy" in p["reason"] else "semantic", "zh" if zh else "not zh"):
            counts = kinds.setdefault(kind, [0, 0, 0])
            counts[0 if right is None else 1 if right else 2] += 1
    rows = [[k, sum(c), c[1], c[2], c[0], f"{c[1] / (c[1] + c[2]):.2f}" if c[1] + c[2] else "-"]
            for k, c in kinds.items()]
    print("\nflagged pairs against two readers' agreed labels (benchmarks/realtext/dedup-flagged.jsonl):")
    print_table(["pairs", "flagged", "same claim", "different", "unread", "precision"], rows)
    return {k: {"flagged": sum(c), "same": c[1], "different": c[2], "unread": c[0]} for k, c in kinds.items()}


def operating_points(embedder, thresholds=(0.65, 0.7, 0.75, 0.8)) -> list[dict]:
    """Shares of rejected and of accepted comments flagged, over all conversations, per duplicate cosine."""
    from statementkit.dedup.detect import find_duplicates
    from statementkit.io import read_statements
    from statementkit.text.language import DEFAULT_LANGUAGES, with_languages

    data = []
    for conv in conversations():
        statements = with_languages(read_statements(conv / "comments.csv", skip_empty=True), DEFAULT_LANGUAGES)
        data.append(([s for s in statements if s.meta.get("moderated") == 1],
                     [s for s in statements if s.meta.get("moderated") == -1], {s.id: s for s in statements}))
    out = []
    for threshold in thresholds:
        n_rej = n_acc = f_rej = f_acc = 0
        for accepted, rejected, by_id in data:
            f_rej += len(earlier_duplicates(find_duplicates(rejected, accepted, embedder=embedder,
                                                            threshold=threshold), by_id, True))
            f_acc += len(earlier_duplicates(find_duplicates(accepted, embedder=embedder, threshold=threshold),
                                            by_id, False))
            n_rej, n_acc = n_rej + len(rejected), n_acc + len(accepted)
        out.append({"threshold": threshold, "rejected_share": round(f_rej / max(1, n_rej), 3),
                    "accepted_share": round(f_acc / max(1, n_acc), 3)})
    return out


if __name__ == "__main__":
    main()
