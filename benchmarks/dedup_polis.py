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

    python benchmarks/dedup_polis.py
"""

from __future__ import annotations

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
    from statementkit.dedup.detect import DedupStats, find_duplicates
    from statementkit.embed import CachedEmbedder, load_embedder
    from statementkit.io import read_statements
    from statementkit.text.language import DEFAULT_LANGUAGES, with_languages

    embedder = CachedEmbedder(load_embedder())
    rows, details, examples = [], {}, {}
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
    sweep = operating_points(embedder)
    print("\nstricter duplicate cosines (same threshold for every pair):")
    print_table(["duplicate cosine", "rejected: dup of earlier accepted", "accepted: dup of earlier accepted"],
                [[p["threshold"], p["rejected_share"], p["accepted_share"]] for p in sweep])
    write_result("dedup_polis", {"model": embedder.id, "total": total, "conversations": details,
                                 "examples": examples, "operating_points": sweep})


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
