"""Speed of the second stage (claims) against a baseline revision, and proof that the verdicts did not change.

Two pair samples:

- `scale`: the 5,000 candidate pairs `dedup_scale.py` times (10 k synthetic new
  statements against 10 k published, default model, same seed), the work
  `find_duplicates` does on every candidate pair; `scale-all`: all 30,041 of
  them, in the search's order (each statement analysed once for all its pairs);
- `pairs-dev` / `pairs-test`: every pair of benchmarks/data/dedup-{dev,test}.jsonl
  (paraphrases, translations, light edits, stance flips, substitutions, numbers).

The working tree and the baseline (default: `main`, extracted with `git
archive` into a temporary checkout) each judge every sample in a fresh process,
then `scale` again, alternately, `--repeat` times; the best time of each is its
speed (the machine is shared). Timed as in `dedup_scale.py`: analysing the statements, encoding
their content words (from the on-disk embedding cache, warmed first), judging
every pair. Then every pair's verdict (duplicate, same_stance, reason) must be
identical, and so must its features (`ClaimJudge.features`) under every word /
mutual threshold `benchmarks/dedup.py` calibrates over; the script exits 1 if
not.

    python benchmarks/claims_speed.py                    # working tree vs main
    python benchmarks/claims_speed.py --baseline HEAD~2 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from _common import DATA, ROOT, print_table, write_result

SCALE_NEW = 10_000
SAMPLE = 5000
GRID = [(w, m) for w in (0.65, 0.7, 0.75, 0.8) for m in (0.5, 1.0)]  # benchmarks/dedup.py WORD_GRID x MUTUAL_GRID


def samples() -> dict[str, list[dict]]:
    """The pair samples, with each pair's sentence cosine: {name: [{id, a, a_lang, b, b_lang, cos}]}."""
    from dedup_scale import candidates, claims_sample

    from statementkit.embed import CachedEmbedder, load_embedder

    emb = CachedEmbedder(load_embedder())
    items, found = candidates(SCALE_NEW)
    def pairs(sample):
        return [{"id": f"{k}:{a}-{b}", "a": items[a][0], "a_lang": items[a][1], "b": items[b][0],
                 "b_lang": items[b][1], "cos": cos} for k, (a, b, cos) in enumerate(claims_sample(found, sample))]
    out = {"scale": pairs(SAMPLE), "scale-all": pairs(None)}
    for split in ("dev", "test"):
        rows = [json.loads(line) for line in (DATA / f"dedup-{split}.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
        va = emb.encode([r["a"] for r in rows])
        vb = emb.encode([r["b"] for r in rows])
        out[f"pairs-{split}"] = [{**{k: r[k] for k in ("id", "a", "a_lang", "b", "b_lang")},
                                  "cos": float(va[n] @ vb[n])} for n, r in enumerate(rows)]
    return out


def judge_sample(pairs: list[dict], grid: bool) -> dict:
    """Judge one sample in this process (whatever statementkit is on the path); timed like dedup_scale.

    Uses the tree's batch entry points (`analyse_many`, `compare_many`) where it
    has them, as its `find_duplicates` does.
    """
    from statementkit.dedup import claims as stage
    from statementkit.dedup.claims import ClaimJudge, analyse, verdict
    from statementkit.dedup.detect import thresholds_for
    from statementkit.dedup.stance import load_stance
    from statementkit.embed import CachedEmbedder, load_embedder

    rules = load_stance()
    emb = CachedEmbedder(load_embedder())
    t = thresholds_for(emb)
    judge = ClaimJudge(emb, t, rules=rules)
    analyse_many = getattr(stage, "analyse_many", lambda items, rules: [analyse(x, lang, rules) for x, lang in items])
    compare_many = getattr(judge, "compare_many", lambda items: [judge.compare(a, b, cos) for a, b, cos in items])
    start, cpu = time.perf_counter(), time.process_time()
    keys = list(dict.fromkeys(key for p in pairs for key in ((p["a"], p["a_lang"]), (p["b"], p["b_lang"]))))
    claims = dict(zip(keys, analyse_many(keys, rules)))
    judged = [(claims[(p["a"], p["a_lang"])], claims[(p["b"], p["b_lang"])], p["cos"]) for p in pairs]
    judge.prepare(list(claims.values()))
    verdicts = compare_many(judged)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    out = {"seconds": seconds, "cpu_seconds": cpu, "verdicts": {p["id"]: [v.duplicate, v.same_stance, v.reason]
                                            for p, v in zip(pairs, verdicts)}}
    settings = GRID if grid else [(t["word"], t["mutual"])]
    features = {}
    for word, mutual in settings:  # untimed: the features the calibration grid sees
        j = ClaimJudge(emb, {**t, "word": word, "mutual": mutual}, rules=rules)
        j.prepare(list(claims.values()))
        for p, (a, b, cos) in zip(pairs, judged):
            f = j.features(a, b)
            if (word, mutual) == (t["word"], t["mutual"]):
                # the tree's fitted pair judge, where it has one (issue 14), decides what the rules leave open
                v = verdict(f, cos, t, judge=judge.pair_judge) if hasattr(judge, "pair_judge") else verdict(f, cos, t)
                assert [v.duplicate, v.same_stance, v.reason] == out["verdicts"][p["id"]], p["id"]
            features[f"{p['id']}@{word}/{mutual}"] = _plain(asdict(f))
    out["features"] = features
    return out


def _plain(x):
    """JSON-safe, with floats rounded so float32 summation order cannot show as a difference."""
    if isinstance(x, float):
        return round(x, 5)
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def worker(samples_path: str, out_path: str, names: str) -> None:
    for module in filter(None, os.environ.get("CLAIMS_SPEED_HIDE", "").split(",")):
        sys.modules[module] = None  # type: ignore[assignment]  # import fails: as if not installed
    data = json.loads(Path(samples_path).read_text(encoding="utf-8"))
    result = {name: judge_sample(data[name], grid=name.startswith("pairs")) for name in names.split(",")}
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def run_tree(src: Path, samples_path: Path, names: str, hide: str = "") -> dict:
    """Judge the samples with the statementkit of `src` in a fresh process, without the modules in `hide`."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1", "CLAIMS_SPEED_HIDE": hide}
    proc = subprocess.run([sys.executable, __file__, "--worker", str(samples_path), str(out), names], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    result = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return result


def extract(rev: str, into: Path) -> Path:
    """A checkout of `rev` (src, rules, models) under `into`; returns its src/."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "src", "rules", "models"],
                             capture_output=True, check=True).stdout
    into.mkdir(parents=True, exist_ok=True)
    path = into / "baseline.tar"
    path.write_bytes(archive)
    with tarfile.open(path) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def differences(before: dict, after: dict, key: str) -> list[str]:
    return [k for k in before[key] if before[key][k] != after[key].get(k)] + \
        [k for k in after[key] if k not in before[key]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-hide", default="Stemmer",
                        help="modules the baseline runs without (default: Stemmer, i.e. PyStemmer, which the baseline "
                             "did not depend on and snowballstemmer would silently pick up)")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline], capture_output=True,
                         text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = samples()
        samples_path = tmp / "samples.json"
        samples_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        trees = {"before": extract(args.baseline, tmp / "baseline"), "after": ROOT / "src"}
        names = ",".join(data)
        hide = {"before": args.baseline_hide, "after": ""}
        runs = {"before": run_tree(trees["before"], samples_path, names, hide["before"]),  # also warms the cache
                "after": run_tree(trees["after"], samples_path, names)}
        times = {which: {name: [] for name in data} for which in trees}
        cpus = {which: {name: [] for name in data} for which in trees}
        for _ in range(args.repeat):
            for which, src in trees.items():
                timed = run_tree(src, samples_path, "scale", hide[which])
                times[which]["scale"].append(timed["scale"]["seconds"])
                cpus[which]["scale"].append(timed["scale"]["cpu_seconds"])
        for which in trees:
            for name in data:
                times[which][name].append(runs[which][name]["seconds"])
                cpus[which][name].append(runs[which][name]["cpu_seconds"])
    rows, out = [], {"baseline": f"{args.baseline} ({rev})", "baseline_without": args.baseline_hide,
                     "working_tree": head, "repeat": args.repeat, "samples": {}}
    identical = True
    for name, pairs in data.items():
        before, after = runs["before"][name], runs["after"][name]
        verdicts = differences(before, after, "verdicts")
        features = differences(before, after, "features")
        identical &= not verdicts and not features
        best_before, best_after = min(times["before"][name]), min(times["after"][name])
        cpu_before, cpu_after = min(cpus["before"][name]), min(cpus["after"][name])
        entry = {"pairs": len(pairs), "before_pairs_per_s": round(len(pairs) / best_before, 1),
                 "after_pairs_per_s": round(len(pairs) / best_after, 1),
                 "speedup": round(best_before / best_after, 2),
                 "before_pairs_per_cpu_s": round(len(pairs) / cpu_before, 1),
                 "after_pairs_per_cpu_s": round(len(pairs) / cpu_after, 1),
                 "speedup_cpu": round(cpu_before / cpu_after, 2),
                 "before_s_runs": [round(x, 2) for x in times["before"][name]],
                 "after_s_runs": [round(x, 2) for x in times["after"][name]],
                 "before_cpu_s_runs": [round(x, 2) for x in cpus["before"][name]],
                 "after_cpu_s_runs": [round(x, 2) for x in cpus["after"][name]],
                 "verdicts_compared": len(before["verdicts"]), "verdicts_different": verdicts[:20],
                 "features_compared": len(before["features"]), "features_different": features[:20]}
        out["samples"][name] = entry
        rows.append([name, len(pairs), entry["before_pairs_per_s"], entry["after_pairs_per_s"], entry["speedup"],
                     entry["speedup_cpu"], f"{len(verdicts)} / {len(before['verdicts'])}",
                     f"{len(features)} / {len(before['features'])}"])
    out["identical"] = identical
    print_table(["sample", "pairs", "before pairs/s", "after pairs/s", "speed-up", "(cpu time)", "verdicts differing",
                 "features differing"], rows)
    write_result("claims_speed", out)
    if not identical:
        sys.exit("verdicts or features differ from the baseline")


if __name__ == "__main__":
    main()
