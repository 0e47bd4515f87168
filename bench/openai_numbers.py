"""The OpenAI-compatible door's cost over HTTP, against POST /api/v1/ask on the same server.

Usage: .venv/bin/python -m bench.openai_numbers [--questions N]
Starts `chubei serve` twice on one temporary data dir: with the default turn cache, and with a cache of one
entry (every earlier turn of ``messages`` re-read on every request, as after a restart). Each golden question
is asked alone and after the earlier turns of ``bench.server_numbers.PRIOR_TURNS``; the first pass warms up.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.server_numbers import PRIOR_TURNS, line, timed
from evals.sets import load_suite
from tests.servers import free_port, stop, wait_http

BIN = Path(sys.executable).parent


def chat(question: str, prior: list[str]) -> dict:
    """A conversation as an OpenAI client sends it: earlier questions with (placeholder) answers, then the question."""
    messages = [m for q in prior for m in ({"role": "user", "content": q}, {"role": "assistant", "content": "…"})]
    return {"model": "chubei", "messages": [*messages, {"role": "user", "content": question}]}


def measure(data_dir: str, questions: list[str], extra_env: dict[str, str]) -> dict[str, list[float]]:
    port = free_port()
    env = {**os.environ, "CHUBEI_DATA_DIR": data_dir, "CHUBEI_API_KEYS": "bench", **extra_env}
    server = subprocess.Popen([str(BIN / "chubei"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz", server, timeout=600)
        client = httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"}, timeout=120)
        for question in questions:  # warm-up pass (and, with the cache, the earlier turns are now cached)
            client.post("/v1/chat/completions", json=chat(question, PRIOR_TURNS))
        return {
            "ask": [timed(client, "/api/v1/ask", {"question": q})[0] for q in questions],
            "chat": [timed(client, "/v1/chat/completions", chat(q, []))[0] for q in questions],
            "chat with history": [timed(client, "/v1/chat/completions", chat(q, PRIOR_TURNS))[0] for q in questions],
        }
    finally:
        stop(server)


def main(limit: int) -> None:
    questions = [case.question for case in load_suite("ask") if case.kind == "single"][:limit]
    with tempfile.TemporaryDirectory() as tmp:
        cached = measure(f"{tmp}/data", questions, {})
        uncached = measure(f"{tmp}/data", questions, {"CHUBEI_OPENAI__TURN_CACHE": "1"})
    print(line("warm /api/v1/ask, no session", cached["ask"]))
    print(line("warm /v1/chat/completions, one user message", cached["chat"]))
    print(
        line(
            f"warm /v1/chat/completions after {len(PRIOR_TURNS)} earlier turns, turn cache on",
            cached["chat with history"],
        )
    )
    print(
        line(
            f"warm /v1/chat/completions after {len(PRIOR_TURNS)} earlier turns, re-read every time",
            uncached["chat with history"],
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=30)
    main(parser.parse_args().questions)
