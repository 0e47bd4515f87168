"""Serve-side numbers: start-up on a fresh data dir, index size, warm ask latency over HTTP, peak RSS.

Usage: .venv/bin/python -m bench.server_numbers [--questions N]
Starts `chubei serve` on a temporary data dir (the shipped embedding cache makes the first
index build a matter of seconds), asks the golden questions over HTTP twice (the first pass
warms up), and reads the server's VmHWM from /proc.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from evals.metrics import percentile
from evals.sets import load_suite
from tests.servers import free_port, stop, wait_http

BIN = Path(sys.executable).parent


def du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(limit: int) -> None:
    questions = [case.question for case in load_suite("ask")][:limit]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "CHUBEI_DATA_DIR": f"{tmp}/data", "CHUBEI_API_KEYS": "bench"}
        started = time.monotonic()
        server = subprocess.Popen([str(BIN / "chubei"), "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(f"{url}/healthz", server, timeout=600)
            ready = time.monotonic() - started
            client = httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"}, timeout=60)
            for question in questions:  # warm-up pass
                client.post("/api/v1/ask", json={"question": question})
            timings = []
            for question in questions:
                t0 = time.perf_counter()
                client.post("/api/v1/ask", json={"question": question}).raise_for_status()
                timings.append((time.perf_counter() - t0) * 1000)
            plans = []
            for case in load_suite("guidance")[:30]:
                t0 = time.perf_counter()
                client.post("/api/v1/guidance", json={"description": case.description}).raise_for_status()
                plans.append((time.perf_counter() - t0) * 1000)
            print(f"start-up to ready (fresh data dir, index built from shipped cache): {ready:.1f} s")
            print(f"index on disk: {du(Path(tmp) / 'data' / 'index'):.1f} MiB "
                  f"(chroma {du(Path(tmp) / 'data' / 'index' / 'chroma'):.1f} MiB)")  # fmt: skip
            print(f"warm /api/v1/ask over HTTP, {len(timings)} questions: p50 {percentile(timings, .5):.0f} ms, "
                  f"p95 {percentile(timings, .95):.0f} ms")  # fmt: skip
            print(f"warm /api/v1/guidance, {len(plans)} descriptions: p50 {percentile(plans, .5):.0f} ms, "
                  f"p95 {percentile(plans, .95):.0f} ms")  # fmt: skip
            print(f"server peak RSS (VmHWM): {rss_peak_mb(server.pid):.0f} MiB")
        finally:
            stop(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=80)
    main(parser.parse_args().questions)
