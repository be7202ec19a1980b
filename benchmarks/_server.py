"""Start `statementkit serve` in a child process on a free loopback port, for the serve benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(*args: str, token: str | None = None, timeout: float = 120.0):
    """Yield the base URL of a `statementkit serve` started with `args`; stop it (SIGTERM, graceful)
    on the way out. Startup time (rules, model, warm-up) is printed."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if token:
        env["STATEMENTKIT_TOKEN"] = token
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "statementkit", "serve", "--port", str(port), *args],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"statementkit serve exited: {child.stderr.read()}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - started > timeout:
                raise RuntimeError("statementkit serve did not start in time")
            time.sleep(0.2)
        print(f"server up in {time.perf_counter() - started:.1f} s ({' '.join(args) or 'defaults'})")
        yield base
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
