"""The blind sets: every stage on statements its developers never saw.

benchmarks/blind/ was written by someone who saw neither the rules, the code
nor the other evaluation sets (see its README). Nothing is tuned on it; this
script only reports, with the shipped settings, through the public API, and
the way a user runs it: languages are detected, not taken from the labels.

  - criteria: precision / recall per reason code and per language
  - duplicates: precision / recall / F1, cross-lingual recall, stance flips called duplicates
  - themes: top-1 accuracy per language

    python benchmarks/blind.py [--only criteria|dedup|dedup2|themes]
"""

from __future__ import annotations

import argparse
import json
import time

from _common import ROOT, print_table, write_result

BLIND = ROOT / "benchmarks" / "blind"
LANGS = ("en", "de", "fr", "nl", "es", "it", "pl")


def load(name: str) -> list[dict]:
    path = BLIND / f"{name}-blind.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def criteria() -> dict:
    """Lexicons only (the no-embedding path), and lexicons + learned classifiers (the CLI's default)."""
    from checks_quality import score, show
    from themes_common import embedder

    from statementkit.checks import check, load_rules
    from statementkit.records import Statement
    from statementkit.text.language import with_languages

    rows = load("criteria")
    statements = with_languages([Statement(r["id"], r["text"]) for r in rows])
    detected = sum(s.lang == r["lang"] for s, r in zip(statements, rows)) / len(rows)
    out = {"language_detected_correctly": round(detected, 3)}
    for name, emb in (("lexicons", None), ("lexicons+classifiers", embedder())):
        t = time.perf_counter()
        results = check(statements, load_rules(), embedder=emb)
        elapsed = time.perf_counter() - t
        predicted = [{f.code for f in s.flags if f.severity in ("reject", "review")} for s in results]
        result = score(rows, predicted)
        show(f"blind criteria, {name}", result)
        out[name] = {**result, "seconds": round(elapsed, 2)}
    return out


def themes() -> dict:
    from themes_common import accuracy_report, embedder

    from statementkit.records import Statement
    from statementkit.text.language import with_languages
    from statementkit.themes.assign import assign_themes

    rows = load("themes")
    statements = with_languages([Statement(r["id"], r["text"]) for r in rows])
    result = assign_themes(statements, embedder=embedder())
    report = accuracy_report([a.theme for a in result.assignments], rows,
                             [a.confidence for a in result.assignments])
    print(f"\n== blind themes: {report['n']} statements, top-1 {report['accuracy']:.3f}, "
          f"macro-F1 {report['macro_f1']:.3f}, ECE {report.get('ece', 0):.3f}")
    print_table(["lang", "top-1"], [[k, v] for k, v in report["per_language"].items()])
    return report


def dedup(name: str = "dedup") -> dict:
    """Pairs: each `b` screened against `a` as a published statement (`dedup2`: the second blind set)."""
    from themes_common import embedder

    from statementkit.dedup.detect import find_duplicates
    from statementkit.records import Statement
    from statementkit.text.language import with_languages

    rows = load(name)
    emb = embedder()
    got = []
    for r in rows:
        a, b = with_languages([Statement("a", r["a"]), Statement("b", r["b"])])
        res = find_duplicates([b], [a], embedder=emb)[0]
        got.append(any(d.id == "a" and d.is_duplicate for d in res.duplicates))
    tp = sum(g and r["label"] for g, r in zip(got, rows))
    fp = sum(g and not r["label"] for g, r in zip(got, rows))
    fn = sum(not g and r["label"] for g, r in zip(got, rows))
    p = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    cross = [g for g, r in zip(got, rows) if r["label"] and r["a_lang"] != r["b_lang"]]
    flips = [g for g, r in zip(got, rows) if r["kind"] == "stance_flip"]
    by_kind: dict[str, list[bool]] = {}
    for g, r in zip(got, rows):
        by_kind.setdefault(r["kind"], []).append(g)
    out = {"pairs": len(rows), "precision": round(p, 3), "recall": round(rec, 3), "f1": round(f1, 3),
           "cross_lingual_recall": round(sum(cross) / len(cross), 3) if cross else None,
           "stance_flips_called_duplicate": round(sum(flips) / len(flips), 3) if flips else None,
           "called_duplicate_by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())}}
    print(f"\n== blind duplicates ({name}-blind.jsonl): {len(rows)} pairs")
    print_table(["P", "R", "F1", "cross-lingual R", "stance flips called dup"],
                [[out["precision"], out["recall"], out["f1"], out["cross_lingual_recall"],
                  out["stance_flips_called_duplicate"]]])
    print_table(["kind", "called duplicate"], [[k, v] for k, v in out["called_duplicate_by_kind"].items()])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("criteria", "dedup", "dedup2", "themes"))
    args = ap.parse_args()
    stages = {"criteria": criteria, "dedup": dedup, "dedup2": lambda: dedup("dedup2"), "themes": themes}
    path = ROOT / "benchmarks" / "results" / "blind.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    results = {k: previous.get(k) for k in stages if previous.get(k)}
    for name, fn in stages.items():
        if args.only in (None, name):
            results[name] = fn()
    write_result("blind", results)


if __name__ == "__main__":
    main()
