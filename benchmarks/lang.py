"""Language identification on short statements (<= 140 characters).

Compares, on tests/fixtures/lang/short-statements.jsonl (25 statements in
each of en de fr nl es it pl pt):
  - langdetect over all its 55 languages (what most tools do),
  - langdetect seeded, prior restricted to the assembly's languages,
  - lingua-language-detector over all its languages,
  - statementkit's `detect` (lingua restricted to the assembly's languages,
    `und` when unsure) -- the default.
Reports accuracy per language, the share answered `und`, and speed.

    python benchmarks/lang.py
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict

from _common import ROOT, options, polis_dir, print_table, write_result

from statementkit.text.language import DEFAULT_LANGUAGES, detect

FIXTURE = ROOT / "tests" / "fixtures" / "lang" / "short-statements.jsonl"


def load() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


DETECTORS = {
    "langdetect, 55 languages": lambda t: detect(t, None, 0.0, backend="langdetect")[0],
    "langdetect, restricted": lambda t: detect(t, DEFAULT_LANGUAGES, backend="langdetect")[0],
    "lingua, all languages": lambda t: detect(t, None, 0.0, backend="lingua")[0],
    "statementkit detect (lingua, restricted)": lambda t: detect(t, DEFAULT_LANGUAGES)[0],
}


def evaluate(name: str, fn, rows: list[dict]) -> dict:
    fn(rows[0]["text"])  # load profiles outside the timing
    per_lang: dict[str, Counter] = defaultdict(Counter)
    errors = []
    t = time.perf_counter()
    for row in rows:
        got = fn(row["text"])
        c = per_lang[row["lang"]]
        c["n"] += 1
        c["ok"] += got == row["lang"]
        c["und"] += got == "und"
        if got != row["lang"]:
            errors.append({"text": row["text"], "lang": row["lang"], "got": got})
    elapsed = time.perf_counter() - t
    n = len(rows)
    ok = sum(c["ok"] for c in per_lang.values())
    und = sum(c["und"] for c in per_lang.values())
    return {"detector": name, "accuracy": round(ok / n, 4), "und_share": round(und / n, 4),
            "wrong_share": round((n - ok - und) / n, 4), "statements_per_s": round(n / elapsed),
            "per_language": {k: round(v["ok"] / v["n"], 4) for k, v in sorted(per_lang.items())},
            "errors": errors}


POLIS = polis_dir()
POLIS_LANG = {"austria-climate": "de", "vtaiwan": "zh"}


def polis_rows(limit_per_conversation: int = 300) -> list[dict]:
    """Real pol.is comments (when the exports are present), labelled with the conversation's language.

    Conversations hold the odd comment in another language, so this is
    agreement with the conversation language, a floor on accuracy.
    """
    from statementkit.io import read_statements

    rows = []
    for conv in sorted(POLIS.glob("*/comments.csv")) if POLIS else []:
        name = conv.parent.name
        lang = next((v for k, v in POLIS_LANG.items() if name.startswith(k)), "en")
        for s in read_statements(conv, skip_empty=True)[:limit_per_conversation]:
            rows.append({"text": s.text[:140], "lang": lang, "conversation": name})
    return rows


def main() -> None:
    options(__doc__)
    rows = load()
    results = [evaluate(name, fn, rows) for name, fn in DETECTORS.items()]
    langs = sorted(results[0]["per_language"])
    print(f"{len(rows)} statements, {min(len(r['text']) for r in rows)}-{max(len(r['text']) for r in rows)} chars")
    print_table(["detector", "acc", "und", "wrong", "stmt/s", *langs],
                [[r["detector"], r["accuracy"], r["und_share"], r["wrong_share"], r["statements_per_s"],
                  *[r["per_language"][lang] for lang in langs]] for r in results])
    for r in results:
        for e in r["errors"][:8]:
            print(f"  {r['detector']}: {e['lang']}->{e['got']}: {e['text']}")
    payload = {"fixture": str(FIXTURE.relative_to(ROOT)), "statements": len(rows), "results": results}
    if POLIS:
        real = polis_rows()
        pr = [evaluate(name, DETECTORS[name], real) for name in ("langdetect, restricted",
                                                                  "statementkit detect (lingua, restricted)")]
        for r in pr:
            r.pop("errors")
        print(f"\nreal pol.is comments: {len(real)} (first 140 chars), agreement with the conversation's language")
        plangs = sorted(pr[0]["per_language"])
        print_table(["detector", "agree", "und", "other", "stmt/s", *plangs],
                    [[r["detector"], r["accuracy"], r["und_share"], r["wrong_share"], r["statements_per_s"],
                      *[r["per_language"][lang] for lang in plangs]] for r in pr])
        payload["polis"] = {"comments": len(real), "results": pr}
    write_result("lang", payload)


if __name__ == "__main__":
    main()
