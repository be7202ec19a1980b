"""A very large input, as a user meets it: how soon `check` prints, how much memory it holds, how
long `convert` takes.

Makes a JSONL file of 1.5 M statements (~200 MB: the bundled corpus and real-text statements
with numbered variations), then runs, each from a fresh process:

  - `statementkit check FILE --no-embed --format jsonl`: seconds to the first result line, and the
    peak RSS once 100,000 results have been printed (then it is stopped: the rest is the same work);
  - `statementkit convert FILE OUT.csv`: wall time and peak RSS.

Targets (issue 16): first result in under a second; peak RSS under 500 MB; convert no slower than
before (73 s for the same file, when everything was read into memory first).

    python benchmarks/check_stream.py [--statements 1500000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, print_table, write_result


def make_file(path: Path, n: int) -> None:
    texts = []
    for name in ("corpus/demo-submissions.jsonl", "corpus/paper-statements.jsonl",
                 "benchmarks/realtext/polis-dev.jsonl"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = texts[i % len(texts)]
            if i >= len(texts):
                text = f"{text} ({i // len(texts)})"
            f.write(json.dumps({"id": f"s{i}", "text": text}, ensure_ascii=False) + "\n")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_check(path: Path, lines: int) -> dict:
    cmd = [sys.executable, "-m", "statementkit", "check", str(path), "--no-embed", "--format", "jsonl"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    first = None
    seen = 0
    for _ in proc.stdout:
        seen += 1
        if first is None:
            first = time.perf_counter() - start
        if seen >= lines:
            break
    elapsed = time.perf_counter() - start
    rss = peak_rss_mb(proc.pid)
    proc.kill()
    proc.wait()
    return {"first_result_s": round(first or float("nan"), 2), "results": seen, "seconds": round(elapsed, 1),
            "per_s": round(seen / elapsed), "peak_rss_mb": round(rss)}


def run_convert(path: Path, out: Path) -> dict:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "statementkit", "convert", str(path), str(out)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    elapsed = time.perf_counter() - start
    rss = next((int(line.split()[-1]) / 1024 for line in done.stderr.splitlines()
                if "Maximum resident set size" in line), float("nan"))
    return {"seconds": round(elapsed, 1), "peak_rss_mb": round(rss), "exit": done.returncode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=1_500_000)
    ap.add_argument("--check-lines", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.jsonl"
        t = time.perf_counter()
        make_file(path, args.statements)
        size = path.stat().st_size / 1e6
        print(f"{args.statements:,} statements, {size:.0f} MB, written in {time.perf_counter() - t:.0f} s")
        check = run_check(path, args.check_lines)
        convert = run_convert(path, Path(tmp) / "big.csv")
    print_table(["command", "first result s", "results", "seconds", "per s", "peak RSS MB"],
                [["check --no-embed --format jsonl", check["first_result_s"], check["results"], check["seconds"],
                  check["per_s"], check["peak_rss_mb"]],
                 ["convert FILE OUT.csv", "-", args.statements, convert["seconds"], "-", convert["peak_rss_mb"]]])
    write_result("check_stream", {"statements": args.statements, "megabytes": round(size), "check": check,
                                  "convert": convert})


if __name__ == "__main__":
    main()
