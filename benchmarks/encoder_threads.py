"""How many threads should the encoders use? Wall and CPU time per thread count, alternating runs.

The answer sets `statementkit.embed.encoders.encoder_threads()` (default 1; `STATEMENTKIT_THREADS`
overrides). Runs alternate between settings so both see the same machine load; the load average is
recorded with the result, because on a shared machine the ratio is what means something.

    .venv/bin/python benchmarks/encoder_threads.py [--n 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import polis_comments, print_table, write_result  # noqa: E402


def texts(n: int) -> list[str]:
    """Real pol.is comments when the exports are present, else the bundled corpus (repeated)."""
    from statementkit.io import read_statements
    from statementkit.resources import corpus_dir

    found = [text for _, text in polis_comments()]
    if not found:
        found = [s.text for s in read_statements(corpus_dir() / "demo-submissions.jsonl")]
    return (found * (n // len(found) + 1))[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="statements per run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per setting")
    args = parser.parse_args()

    import numpy as np

    from statementkit.embed.encoders import SentenceTransformerEmbedder, USEEmbedder
    from statementkit.embed.registry import installed_embedder

    batch = texts(args.n)
    encoders = {("use-multilingual-v3", n): USEEmbedder(threads=n) for n in (1, 2)}
    minilm = getattr(installed_embedder("all-MiniLM-L6-v2"), "inner", None)  # the model, not its cache
    if isinstance(minilm, SentenceTransformerEmbedder):
        encoders.update({("all-minilm-l6-v2", n): SentenceTransformerEmbedder(minilm.id, minilm.path, threads=n)
                         for n in (1, 2)})
    for enc in encoders.values():
        enc.encode(batch[:16])  # load weights outside the timing
    times: dict[tuple[str, int], list[tuple[float, float]]] = {k: [] for k in encoders}
    vectors: dict[tuple[str, int], np.ndarray] = {}
    load = os.getloadavg()[0]
    for _ in range(args.rounds):
        for key, enc in encoders.items():
            wall, cpu = time.perf_counter(), time.process_time()
            vectors[key] = enc.encode(batch)
            times[key].append((time.perf_counter() - wall, time.process_time() - cpu))
    rows, payload = [], {}
    for (model, threads), runs in times.items():
        best_wall = min(w for w, _ in runs)
        cpu = min(c for _, c in runs)
        same = float(np.abs(vectors[(model, threads)] - vectors[(model, 1)]).max())
        rows.append([model, threads, round(best_wall, 2), round(cpu, 2), round(args.n / best_wall), f"{same:.1e}"])
        payload[f"{model}/{threads}"] = {"best_wall_s": best_wall, "cpu_s": cpu, "per_s": args.n / best_wall,
                                         "walls": [w for w, _ in runs], "max_abs_diff_vs_1_thread": same}
    print(f"{args.n} statements, {args.rounds} alternating rounds, load average {load:.2f} at start")
    print_table(["model", "threads", "best wall s", "cpu s", "per s", "max |diff| vs 1"], rows)
    path = write_result("encoder_threads", {"n": args.n, "rounds": args.rounds, "load_average": load,
                                            "runs": payload})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
