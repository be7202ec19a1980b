"""Agreement of two independent readers, and the comments both labelled alike.

    python benchmarks/realtext/agreement.py benchmarks/realtext/train2

The folder holds `items.jsonl` (what the readers got) and `readers/A.jsonl`,
`readers/B.jsonl` (their labels, any order). Prints agreement (same verdict,
Cohen's kappa, same codes, kappa per code) and writes `polis-train.jsonl`: the
comments with exactly the same codes from both, in the order of items.jsonl,
with the conversation's language and `too_long` (more than 140 characters,
counted, not read), as in the splits of the folder above.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
READ_CODES = ("no_standpoint", "vague", "multiple_ideas", "not_standalone", "incivility", "jargon")
TOO_LONG = 140


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main(folder: Path) -> None:
    items = rows(folder / "items.jsonl")
    a = {r["id"]: r for r in rows(folder / "readers" / "A.jsonl")}
    b = {r["id"]: r for r in rows(folder / "readers" / "B.jsonl")}
    missing = [i["id"] for i in items if i["id"] not in a or i["id"] not in b]
    if missing:
        sys.exit(f"{len(missing)} items lack a label from a reader, e.g. {missing[0]}")
    langs = {k: v["lang"] for k, v in json.loads((HERE / "conversations.json").read_text(encoding="utf-8")).items()}
    ids = [i["id"] for i in items]
    bad_a = [bool(a[i]["codes"]) for i in ids]
    bad_b = [bool(b[i]["codes"]) for i in ids]
    same_codes = [set(a[i]["codes"]) == set(b[i]["codes"]) for i in ids]
    print(f"comments {len(ids)}")
    print(f"same verdict {sum(x == y for x, y in zip(bad_a, bad_b)) / len(ids):.1%}, kappa {kappa(bad_a, bad_b):.2f}")
    print(f"same set of codes {sum(same_codes) / len(ids):.1%}")
    for code in READ_CODES:
        ca = [code in a[i]["codes"] for i in ids]
        cb = [code in b[i]["codes"] for i in ids]
        print(f"  {code:15} A {sum(ca):3}  B {sum(cb):3}  kappa {kappa(ca, cb):.2f}")
    kept = []
    for item, same in zip(items, same_codes):
        if not same:
            continue
        codes = sorted(a[item["id"]]["codes"])
        if len(item["text"]) > TOO_LONG:
            codes = ["too_long", *codes]
        kept.append({"id": item["id"], "conversation": item["conversation"], "lang": langs[item["conversation"]],
                     "text": item["text"], "codes": codes,
                     "sure": bool(a[item["id"]].get("sure", True) and b[item["id"]].get("sure", True))})
    out = folder / "polis-train.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    print(f"kept {len(kept)} -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "train2")
