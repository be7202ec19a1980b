"""Helpers shared by the benchmark scripts: result files and plain tables."""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "benchmarks" / "data"


def polis_dir() -> Path | None:
    """The full pol.is exports, when present: $STATEMENTKIT_POLIS_DIR or ../shared/data/polis."""
    import os

    for candidate in (os.environ.get("STATEMENTKIT_POLIS_DIR"), ROOT.parent / "shared" / "data" / "polis",
                      Path("/work/shared/data/polis")):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def polis_comments(n: int | None = None) -> list[tuple[str, str]]:
    """(id, text) of every distinct non-empty comment of the bundled pol.is exports, conversation by
    conversation (ids prefixed by the conversation's number, so they stay unique), the first `n`."""
    from statementkit.votes.conversation import read_comments

    folder = polis_dir()
    if folder is None:
        return []
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for number, path in enumerate(sorted(folder.glob("*/comments.csv"))):
        for s in read_comments(path):
            if s.text and s.text not in seen:
                seen.add(s.text)
                out.append((f"c{number}-{s.id}", s.text))
    return out[:n]


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write benchmarks/results/<name>.json with machine info and a timestamp."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
               "machine": {"python": platform.python_version(), "cpus": _cpus(), "platform": platform.platform()},
               **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain fixed-width table on stdout (no dependencies)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def options(doc: str | None, flags: tuple[str, ...] = ()) -> argparse.Namespace:
    """The command line of a benchmark whose only options are on/off `flags`: `--help` prints its
    docstring (which says how to run it) instead of starting a run that overwrites its results."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for flag in flags:
        ap.add_argument(flag, action="store_true")
    return ap.parse_args()
