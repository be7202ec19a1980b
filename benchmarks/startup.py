"""Cold start of `statementkit --help` against `python -c pass` (target: <= 0.3 s).

Runs each command N times in fresh processes and reports the median wall
time; the ratio to a bare interpreter start is what to compare across
machines. Also lists any heavy module imported at start-up (there should be
none).

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _common import print_table, write_result

HEAVY = ("torch", "spacy", "sentence_transformers", "hdbscan", "datasets", "numpy", "textual", "plotly")


def time_command(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "statementkit --help": [py, "-m", "statementkit", "--help"],
        "statementkit --version": [py, "-m", "statementkit", "--version"],
        "statementkit lang --help": [py, "-m", "statementkit", "lang", "--help"],
    }
    time_command(commands["statementkit --help"], 2)  # warm the OS file cache: we measure Python, not the disk
    rows, results = [], {}
    base = None
    for name, cmd in commands.items():
        t = statistics.median(time_command(cmd, args.runs))
        base = base or t
        results[name] = {"median_s": round(t, 4), "ratio_to_python": round(t / base, 2)}
        rows.append([name, t, t / base])
    probe = subprocess.run([py, "-c", "import sys, statementkit.cli.main as m; print(','.join(sorted(x for x in "
                            f"{HEAVY!r} if x in sys.modules)))"], capture_output=True, text=True, check=True)
    heavy = [m for m in probe.stdout.strip().split(",") if m]
    print_table(["command", "median s", "x python"], rows)
    print(f"heavy modules imported at start-up: {heavy or 'none'}")
    target = results["statementkit --help"]["median_s"] <= 0.3
    print(f"target --help <= 0.3 s: {'met' if target else 'MISSED'}")
    write_result("startup", {"runs": args.runs, "results": results, "heavy_imports": heavy,
                             "target_s": 0.3, "target_met": target})


if __name__ == "__main__":
    main()
