"""Language identification on short statements (<= 140 characters).

Compares, on tests/fixtures/lang/short-statements.jsonl (25 statements in
each of en de fr nl es it pl pt):
  - langdetect over all its 55 languages (what most tools do),
  - statementkit's `detect`: langdetect seeded, prior restricted to the
    assembly's languages, `und` when unsure,
  - lingua-language-detector restricted the same way (if installed), as the
    "is another packaged detector clearly better" check.
Reports accuracy per language, the share answered `und`, and speed.

    python benchmarks/lang.py
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict

from _common import ROOT, print_table, write_result

from statementkit.lang import DEFAULT_LANGUAGES, detect

FIXTURE = ROOT / "tests" / "fixtures" / "lang" / "short-statements.jsonl"


def load() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def langdetect_all(text: str) -> str:
    return detect(text, languages=None, min_prob=0.0)[0]


def statementkit_detect(text: str) -> str:
    return detect(text, DEFAULT_LANGUAGES)[0]


def lingua_detector():
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
    except ImportError:
        return None
    codes = [getattr(IsoCode639_1, c.upper()) for c in DEFAULT_LANGUAGES]
    det = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def run(text: str) -> str:
        lang = det.detect_language_of(text)
        return lang.iso_code_639_1.name.lower() if lang else "und"

    return run


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


def main() -> None:
    rows = load()
    detectors = [("langdetect, 55 languages", langdetect_all), ("statementkit detect", statementkit_detect)]
    lingua = lingua_detector()
    if lingua:
        detectors.append(("lingua, same languages", lingua))
    results = [evaluate(name, fn, rows) for name, fn in detectors]
    langs = sorted(results[0]["per_language"])
    print(f"{len(rows)} statements, {min(len(r['text']) for r in rows)}-{max(len(r['text']) for r in rows)} chars")
    print_table(["detector", "acc", "und", "wrong", "stmt/s", *langs],
                [[r["detector"], r["accuracy"], r["und_share"], r["wrong_share"], r["statements_per_s"],
                  *[r["per_language"][lang] for lang in langs]] for r in results])
    for r in results:
        for e in r["errors"][:8]:
            print(f"  {r['detector']}: {e['lang']}->{e['got']}: {e['text']}")
    write_result("lang", {"fixture": str(FIXTURE.relative_to(ROOT)), "statements": len(rows), "results": results})


if __name__ == "__main__":
    main()
