"""Load on `statementkit serve` over loopback: throughput and latency of POST /api/v1/check.

A bounded run (it stops by itself): N requests (default 2,000) from C
concurrent clients (default 8), each a keep-alive HTTP connection in its own
thread, over 414 distinct statements in seven languages (the demo batch and the
criteria dev set), against a server started for the run: lexicons only
(`--no-embed`) and with the model (the default); then N/10 requests from one
client, the latency without queueing. The server's per-client rate
limit is off for the run (`--rate 0`): every client here is 127.0.0.1.
Latency is measured at the client (request sent to answer parsed). For
comparison, the in-process cost of the same check per statement
(`checks.check_with_advice` on one statement at a time, as the server calls
it), so the HTTP layer's share is visible. Targets on a 2-core machine: p95 <=
100 ms with the model, >= 200 checks/s lexicons only. Client and server share
the machine's cores.

    python benchmarks/serve_load.py [--requests 2000] [--clients 8]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

from _common import DATA, print_table, write_result
from _server import ROOT, running_server

TARGET_P95_MS = 100.0
TARGET_RPS = 200.0


def texts() -> list[str]:
    out = []
    for path in (ROOT / "corpus" / "demo-submissions.jsonl", DATA / "criteria-dev.jsonl"):
        out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load(base: str, statements: list[str], n: int, clients: int) -> dict:
    """n requests from `clients` threads; each takes the next statement until n are done."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(n))
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                started = time.perf_counter()
                answer = http.post("/api/v1/check", json={"text": statements[i % len(statements)]})
                answer.json()
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return {"requests": n, "clients": clients, "seconds": round(wall, 2), "per_second": round(n / wall, 1),
            "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1), "statuses": statuses}


def in_process(statements: list[str], embed: bool) -> dict:
    """`check_with_advice` on one statement at a time, warm (every statement checked once before),
    as a server without batching would call it; and on all of them in one call, the floor."""
    from statementkit.checks import check_with_advice, load_rules
    from statementkit.records import Statement

    embedder = None
    if embed:
        from statementkit.embed import load_embedder

        embedder = load_embedder()
    rules = load_rules()
    batch = [Statement(str(n), text) for n, text in enumerate(statements)]
    check_with_advice(batch, rules, embedder=embedder)  # warm-up: lexicons, parsers, classifiers
    started = time.perf_counter()
    check_with_advice(batch, rules, embedder=embedder)
    batch_ms = (time.perf_counter() - started) * 1000 / len(batch)
    times = []
    for s in batch:
        started = time.perf_counter()
        check_with_advice([s], rules, embedder=embedder)
        times.append((time.perf_counter() - started) * 1000)
    return {"statements": len(batch), "mean_ms": round(statistics.mean(times), 2),
            "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "per_second": round(1000 / statistics.mean(times), 1), "batch_ms_per_statement": round(batch_ms, 2)}


def load_average() -> list[float]:
    import os

    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    statements = texts()
    runs, before = {}, load_average()
    for name, flags in (("lexicons only", ["--no-embed"]), ("with the model", [])):
        with running_server("--rate", "0", *flags) as base:
            load(base, statements, 50, 2)  # first requests: connections, allocator
            runs[name] = load(base, statements, args.requests, args.clients)
            runs[name]["load_average_after"] = load_average()
            runs[name + ", one client"] = load(base, statements, max(100, args.requests // 10), 1)
    local = {"lexicons only": in_process(statements, False), "with the model": in_process(statements, True)}
    rows = []
    for name, r in runs.items():
        here = local[name.split(",")[0]]
        rows.append([name, f"{r['requests']} x {r['clients']}", r["seconds"], r["per_second"], r["p50_ms"],
                     r["p95_ms"], r["p99_ms"], here["mean_ms"], here["batch_ms_per_statement"],
                     ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))])
    print_table(["mode", "requests x clients", "s", "checks/s", "p50 ms", "p95 ms", "p99 ms",
                 "in-process ms, one at a time", "in-process ms, all in one call", "HTTP statuses"], rows)
    print(f"load average (1, 5, 15 min) before: {before}; other processes share these cores")
    model, lexicons = runs["with the model"], runs["lexicons only"]
    print(f"targets: p95 <= {TARGET_P95_MS:.0f} ms with the model: {model['p95_ms']} ms "
          f"({'met' if model['p95_ms'] <= TARGET_P95_MS else 'NOT met'}); >= {TARGET_RPS:.0f} checks/s lexicons "
          f"only: {lexicons['per_second']} ({'met' if lexicons['per_second'] >= TARGET_RPS else 'NOT met'})")
    write_result("serve_load", {"runs": runs, "in_process": local, "distinct_statements": len(statements),
                                "load_average_before": before,
                                "targets": {"p95_ms_with_model": TARGET_P95_MS, "per_second_lexicons": TARGET_RPS}})


if __name__ == "__main__":
    main()
