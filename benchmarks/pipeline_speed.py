"""The whole import as a moderator runs it: `queue init` + `queue add` of 10,000 real comments.

Comments: the bundled pol.is exports (`../shared/data/polis/`, or `$STATEMENTKIT_POLIS_DIR`), all
conversations, distinct texts, the first N. Two runs, each a fresh process:

  - cold: an empty cache directory (statement vectors, lemma tables, compiled patterns, the
    classifiers' example vectors all built on the way);
  - warm: the same cache again, a new queue (the vectors are there; every stage still runs).

Then, in this process with the warm cache, each stage of `pipeline.screen` timed on its own
(language, checks, dedup, themes), so the table says where the time goes.

Target (issue 20): the import in <= 30 s (>= 330 statements/s) with a cold vector cache.

`--dedup`: the 100 k dedup on precomputed vectors, ours next to semhash. The corpus and its
vectors are `dedup_scale.py`'s (100,000 new synthetic statements against 10,000 published, default
model, encoded once and kept in benchmarks/.cache). Each side runs in a fresh process on the same
vectors, alternately, `--repeat` times (the machine is shared: the fastest run of each counts):

  - ours: `find_duplicates(new, published)` as the CLI runs it (no languages given), its embedder
    answering the given sentence vectors and passing the claim stage's words to the default model
    (cached on disk); time and peak RSS per stage (copies + search, language, claims, grouping),
    and a fingerprint of every result, so a change that alters any verdict shows;
  - semhash (when installed; a benchmark-only dependency): `SemHash.from_embeddings` on the same
    110,000 vectors and `self_deduplicate` at our `duplicate` cosine; time and peak RSS per stage.

Target (issue 20): ours <= 2x semhash's time in the same run, peak RSS <= 1.2 GB.

    python benchmarks/pipeline_speed.py [--n 10000]
    python benchmarks/pipeline_speed.py --dedup [--new 100000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, polis_comments, print_table, write_result  # noqa: E402


def comments(n: int) -> list[dict]:
    found = polis_comments(n)
    if not found:
        raise SystemExit("needs the pol.is exports: set STATEMENTKIT_POLIS_DIR")
    return [{"id": sid, "text": text} for sid, text in found]


def cli_import(rows_file: Path, cache: Path, work: Path) -> dict:
    """`queue init` + `queue add` in fresh processes; wall time of each."""
    env = {**os.environ, "STATEMENTKIT_CACHE": str(cache), "STATEMENTKIT_DATA": str(work / "state"),
           "HF_HUB_OFFLINE": "1"}
    exe = [sys.executable, "-m", "statementkit"]
    db = work / f"q{time.monotonic_ns()}.db"
    t = time.perf_counter()
    subprocess.run([*exe, "queue", "init", str(db)], env=env, check=True, capture_output=True)
    init = time.perf_counter() - t
    t = time.perf_counter()
    done = subprocess.run([*exe, "queue", "add", str(db), str(rows_file)], env=env, capture_output=True, text=True)
    add = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"queue add failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"init_s": round(init, 1), "add_s": round(add, 1)}


def stages(rows: list[dict]) -> dict:
    """Each stage of the screening pipeline on its own, warm caches, one process."""
    from statementkit.checks import check
    from statementkit.embed import installed_embedder
    from statementkit.pipeline import ScreenResult, ScreenRow, _dedup_stage, _themes_stage
    from statementkit.records import Statement
    from statementkit.text.language import with_languages
    from statementkit.checks.ruleset import load_rules

    rules = load_rules()
    statements = [Statement(r["id"], r["text"]) for r in rows]
    embedder = installed_embedder()
    out = {}
    t = time.perf_counter()
    subs = with_languages(statements, rules.languages)
    out["language"] = time.perf_counter() - t
    t = time.perf_counter()
    screenings = check(subs, rules, embedder=embedder)
    out["checks (with the model's classifiers and encoding)"] = time.perf_counter() - t
    result = ScreenResult([ScreenRow(s, screening=sc) for s, sc in zip(subs, screenings)], [], ["lang", "checks"])
    t = time.perf_counter()
    _dedup_stage(result, None, embedder)
    out["dedup (within the batch)"] = time.perf_counter() - t
    t = time.perf_counter()
    _themes_stage(result, None, embedder, None)
    out["themes"] = time.perf_counter() - t
    return {k: round(v, 1) for k, v in out.items()}


class GivenVectors:
    """An embedder that answers the benchmark's sentence vectors by text and sends anything else
    (the claim stage's content words) to `fallback`: dedup on vectors computed beforehand."""

    def __init__(self, texts: list[str], vectors, fallback):
        self.row = {t: i for i, t in enumerate(texts)}
        self.vectors, self.fallback = vectors, fallback
        self.id, self.dim = fallback.id, vectors.shape[1]

    def encode(self, texts):
        import numpy as np

        rows = [self.row.get(t, -1) for t in texts]
        if not texts or min(rows) >= 0:
            return self.vectors[rows]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        known = [k for k, r in enumerate(rows) if r >= 0]
        other = [k for k, r in enumerate(rows) if r < 0]
        out[known] = self.vectors[[rows[k] for k in known]]
        out[other] = self.fallback.encode([texts[k] for k in other])
        return out


def fingerprint(results) -> str:
    """A hash of every result (ids, duplicates, scores to 4 places, flags, reasons, groups)."""
    h = hashlib.sha256()
    for r in results:
        h.update(json.dumps([r.id, r.group, [[d.id, round(d.score, 4), d.same_stance, d.is_duplicate, d.published,
                                               d.reason] for d in r.duplicates]]).encode())
    return h.hexdigest()[:16]


def dedup_ours(texts: list[str], vectors, published: int) -> dict:
    """`find_duplicates` of the new statements against the published ones, per stage."""
    from statementkit.dedup.detect import DedupStats, find_duplicates, peak_rss_mb
    from statementkit.embed import default_embedder
    from statementkit.records import Statement

    words = default_embedder()
    emb = GivenVectors(texts, vectors, words)
    pub = [Statement(f"p{i}", t) for i, t in enumerate(texts[:published])]
    new = [Statement(f"n{i}", t) for i, t in enumerate(texts[published:])]
    at_start = peak_rss_mb()
    stats = DedupStats()
    t, cpu = time.perf_counter(), time.process_time()
    results = find_duplicates(new, pub, embedder=emb, stats=stats)
    total, cpu = time.perf_counter() - t, time.process_time() - cpu
    stages = {"given vectors": stats.encode_s, "copies + search": stats.search_s, "language": stats.language_s,
              "claims": stats.claims_s - stats.language_s, "grouping": stats.group_s}
    peaks = stats.peak_rss_mb
    return {"total_s": round(total, 1), "cpu_s": round(cpu, 1), "stages_s": {k: round(v, 1) for k, v in stages.items()},
            "peak_rss_mb": {"start": round(at_start), "given vectors": round(peaks.get("encode", 0)),
                            "copies + search": round(peaks.get("search", 0)),
                            "language": round(peaks.get("language", 0)),
                            "claims": round(peaks.get("claims", 0)), "grouping": round(peaks.get("group", 0)),
                            "end": round(peak_rss_mb())},
            "method": stats.method, "candidate_pairs": stats.candidate_pairs,
            "duplicate_pairs": stats.duplicate_pairs, "stance_flips": stats.stance_flips,
            "flagged": sum(any(d.is_duplicate for d in r.duplicates) for r in results),
            "groups": len({r.group for r in results if r.group is not None}),
            "words_encoded": getattr(words, "encoded", None), "fingerprint": fingerprint(results)}


def dedup_semhash(texts: list[str], vectors, threshold: float) -> dict | None:
    """semhash on the same vectors: index them all, then `self_deduplicate` at `threshold`."""
    from statementkit.dedup.detect import peak_rss_mb

    try:
        from semhash import SemHash
    except ImportError:
        return None

    class Unused:  # from_embeddings keeps a model for later queries; self_deduplicate never encodes
        def encode(self, sentences, **kwargs):
            raise RuntimeError("semhash asked to encode: the benchmark gives it every vector")

    at_start = peak_rss_mb()
    t, cpu = time.perf_counter(), time.process_time()
    sh = SemHash.from_embeddings(vectors, texts, model=Unused())
    build = time.perf_counter() - t
    rss_build = peak_rss_mb()
    t2 = time.perf_counter()
    result = sh.self_deduplicate(threshold=threshold)
    dedup = time.perf_counter() - t2
    total, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"total_s": round(total, 1), "cpu_s": round(cpu, 1), "threshold": threshold,
            "stages_s": {"index (from_embeddings)": round(build, 1), "search + grouping (self_deduplicate)":
                         round(dedup, 1)},
            "peak_rss_mb": {"start": round(at_start), "index (from_embeddings)": round(rss_build),
                            "search + grouping (self_deduplicate)": round(peak_rss_mb()), "end": round(peak_rss_mb())},
            "removed": len(result.filtered), "kept": len(result.selected)}


def dedup_child(which: str, folder: str) -> None:
    """One side of the dedup comparison in this (fresh) process; prints its figures as JSON."""
    import numpy as np

    texts = json.loads((Path(folder) / "texts.json").read_text(encoding="utf-8"))
    meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
    vectors = np.load(meta["vectors"])
    if which == "ours":
        out = dedup_ours(texts, vectors, meta["published"])
    else:
        out = dedup_semhash(texts, vectors, meta["threshold"])
    print(json.dumps(out))


def dedup_compare(n_new: int, repeat: int) -> None:
    """The 100 k dedup, ours and semhash alternately in fresh processes; the fastest run of each."""
    from dedup_scale import CACHE, PUBLISHED, corpus, encode_cached

    from statementkit.dedup.detect import thresholds_for
    from statementkit.embed import load_embedder

    texts = [t for t, _ in corpus(PUBLISHED + n_new)]
    tag = f"{PUBLISHED}-{n_new}"
    vectors, _, _ = encode_cached(texts, tag)
    threshold = thresholds_for(load_embedder())["duplicate"]
    load = os.getloadavg()
    runs: dict[str, list[dict]] = {"ours": [], "semhash": []}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        (Path(tmp) / "meta.json").write_text(json.dumps({"vectors": str(CACHE / f"vectors-{tag}.npy"),
                                                         "published": PUBLISHED, "threshold": threshold}))
        del vectors
        for _ in range(repeat):
            for which in runs:
                proc = subprocess.run([sys.executable, __file__, "--dedup-child", which, tmp], capture_output=True,
                                      text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
                if proc.returncode != 0:
                    raise SystemExit(f"{which} failed: {proc.stderr[-3000:]}")
                found = json.loads(proc.stdout.strip().splitlines()[-1])
                if found is not None:
                    runs[which].append(found)
    ours = min(runs["ours"], key=lambda r: r["total_s"])
    sem = min(runs["semhash"], key=lambda r: r["total_s"]) if runs["semhash"] else None
    print(f"dedup {n_new} new against {PUBLISHED} published, precomputed vectors; load average at the start "
          f"{load[0]:.2f}; fastest of {repeat} runs each")
    rows = [["ours: " + k, v, ours["peak_rss_mb"].get(k, "")] for k, v in ours["stages_s"].items()]
    rows.append(["ours: total", f"{ours['total_s']} (cpu {ours['cpu_s']})", ours["peak_rss_mb"]["end"]])
    if sem:
        rows += [["semhash: " + k, v, sem["peak_rss_mb"].get(k, "")] for k, v in sem["stages_s"].items()]
        rows.append(["semhash: total", f"{sem['total_s']} (cpu {sem['cpu_s']})", sem["peak_rss_mb"]["end"]])
    print_table(["stage", "seconds", "peak RSS MB at its end"], rows)
    print(f"ours: {ours['candidate_pairs']} candidate pairs, {ours['duplicate_pairs']} duplicate pairs, "
          f"{ours['flagged']} statements flagged, {ours['groups']} groups, fingerprint {ours['fingerprint']} "
          f"(runs: {sorted({r['fingerprint'] for r in runs['ours']})}); words encoded {ours['words_encoded']}")
    if sem:
        ratio = ours["total_s"] / max(sem["total_s"], 1e-9)
        print(f"semhash at cosine {threshold}: {sem['removed']} removed. Ours / semhash: {ratio:.2f}x")
        print(f"target: <= 2x semhash and <= 1200 MB: {ratio:.2f}x, {ours['peak_rss_mb']['end']} MB "
              f"({'met' if ratio <= 2 and ours['peak_rss_mb']['end'] <= 1200 else 'not met'})")
    else:
        print("semhash is not installed (pip install semhash, a benchmark-only dependency): ours alone")
    path = write_result("pipeline_speed_dedup", {"new": n_new, "published": PUBLISHED, "load_average": list(load),
                                                 "repeat": repeat, "ours": ours, "semhash": sem,
                                                 "ratio": round(ours["total_s"] / sem["total_s"], 2) if sem else None,
                                                 "runs": runs, "root": str(ROOT.name)})
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="comments to import")
    parser.add_argument("--dedup", action="store_true", help="the 100 k dedup on precomputed vectors, with semhash")
    parser.add_argument("--new", type=int, default=100_000, help="new statements in the dedup comparison")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side in the dedup comparison")
    parser.add_argument("--dedup-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dedup_child:
        dedup_child(*args.dedup_child)
        return
    if args.dedup:
        dedup_compare(args.new, args.repeat)
        return
    rows = comments(args.n)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows_file = work / "comments.jsonl"
        rows_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        cache = work / "cache"
        cold = cli_import(rows_file, cache, work)
        warm = cli_import(rows_file, cache, work)
        os.environ["STATEMENTKIT_CACHE"] = str(cache)
        per_stage = stages(rows)
    n = len(rows)
    print(f"{n} distinct real comments; load average at the start {load[0]:.2f}")
    print_table(["run", "queue init s", "queue add s", "statements/s"],
                [["cold cache", cold["init_s"], cold["add_s"], round(n / cold["add_s"])],
                 ["warm cache", warm["init_s"], warm["add_s"], round(n / warm["add_s"])]])
    print()
    print_table(["stage (warm, in process)", "seconds", "share"],
                [[k, v, f"{v / max(sum(per_stage.values()), 1e-9):.0%}"] for k, v in per_stage.items()])
    print(f"target: queue add <= 30 s with a cold vector cache: {cold['add_s']} s "
          f"({'met' if cold['add_s'] <= 30 else 'not met'})")
    path = write_result("pipeline_speed", {"n": n, "load_average": list(load), "cold": cold, "warm": warm,
                                           "stages_warm_s": per_stage, "root": str(ROOT.name)})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
