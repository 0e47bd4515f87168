"""Serve-side numbers: start-up on a fresh data dir, index size, warm ask latency over HTTP (alone, inside a
session that already holds earlier turns, and in a project chat), plan latency, peak RSS.

Usage: .venv/bin/python -m bench.server_numbers [--questions N]
Starts `chubei serve` on a temporary data dir (the shipped embedding cache makes the first index build a
matter of seconds), asks the golden questions over HTTP twice (the first pass warms up), and reads the
server's VmHWM from /proc.
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
PRIOR_TURNS = ["KTV能开在地下一层吗？", "那地下二层呢？", "开KTV要办哪些证？", "娱乐经营许可要交哪些材料？"]


def du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(client: httpx.Client, path: str, body: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(path, json=body)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000, response.json()


def line(label: str, timings: list[float]) -> str:
    return f"{label}, {len(timings)} questions: p50 {percentile(timings, 0.5):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms"


def main(limit: int) -> None:
    questions = [case.question for case in load_suite("ask") if case.kind == "single"][:limit]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        # One key from one address asks hundreds of questions a minute: lift the per-key and per-address limits
        # (throttling is measured by bench/overload.py, not here).
        env = {**os.environ, "CHUBEI_DATA_DIR": f"{tmp}/data", "CHUBEI_API_KEYS": "bench",
               "CHUBEI_STAFF_RATE": "100000/minute", "CHUBEI_CLIENT_RATE": "100000/minute"}  # fmt: skip
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
            alone = [timed(client, "/api/v1/ask", {"question": q})[0] for q in questions]
            in_session = []
            for question in questions:
                session = None
                for prior in PRIOR_TURNS:
                    session = timed(client, "/api/v1/ask", {"question": prior, "session_id": session})[1]["session_id"]
                in_session.append(timed(client, "/api/v1/ask", {"question": question, "session_id": session})[0])
            created = client.post("/api/v1/projects", json={"name": "基准", "specialist_name": "基准",
                                                          "description": "商场二楼开网咖，80台电脑，离小学300米"})  # fmt: skip
            created.raise_for_status()
            project = created.json()["id"]
            in_project = [timed(client, "/api/v1/ask", {"question": q, "project_id": project})[0] for q in questions]
            plans = [timed(client, "/api/v1/guidance", {"description": case.description})[0]
                     for case in load_suite("guidance")[:30]]  # fmt: skip
            print(f"start-up to ready (fresh data dir, index built from shipped cache): {ready:.1f} s")
            print(f"index on disk: {du(Path(tmp) / 'data' / 'index'):.1f} MiB "
                  f"(chroma {du(Path(tmp) / 'data' / 'index' / 'chroma'):.1f} MiB)")  # fmt: skip
            print(line("warm /api/v1/ask over HTTP, no session", alone))
            print(line(f"warm /api/v1/ask in a session holding {len(PRIOR_TURNS)} earlier turns", in_session))
            print(line("warm /api/v1/ask in a project chat", in_project))
            print(line("warm /api/v1/guidance", plans).replace("questions", "descriptions"))
            print(f"server peak RSS (VmHWM): {rss_peak_mb(server.pid):.0f} MiB")
        finally:
            stop(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=120)
    main(parser.parse_args().questions)
