"""Overload numbers against a running server: many clients hammering ask, /healthz while saturated, and RSS
around a burst of long guidance requests (is it bounded?).

Usage:
  .venv/bin/python -m bench.overload ask URL KEY [--clients 20] [--seconds 60]
  .venv/bin/python -m bench.overload rss URL KEY --pid SERVER_PID [--requests 60] [--clients 20]

Throttling is a separate concern: from one address with one key, raise CHUBEI_STAFF_RATE and CHUBEI_CLIENT_RATE on
the server first, or the rate limits (not the work limit) are what gets measured.
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time
from collections import Counter

import httpx

from evals.metrics import percentile

QUESTIONS = [
    "KTV能开在地下一层吗？",
    "游泳池要配几个救生员？",
    "网吧离学校要多远？",
    "民宿要办哪些证？",
    "诊所备案需要什么材料？",
    "健身房带泳池要办什么许可？",
    "娱乐经营许可多久能批下来？",
    "小区底商能开KTV吗？",
]
LONG_DESCRIPTION = ("在商场四楼开一家健身会所，带二十五米恒温泳池，水面四百平方米，另有瑜伽室、淋浴间和简餐吧，"
                    "房子是租的，准备招二十名员工，其中救生员四名，还想卖运动饮料和蛋白粉。") * 45  # fmt: skip


def summary(name: str, latencies: list[float]) -> str:
    if not latencies:
        return f"{name}: none"
    ms = [1000 * x for x in latencies]
    return (f"{name}: n={len(ms)} p50={percentile(ms, 0.5):.0f} ms p95={percentile(ms, 0.95):.0f} ms "
            f"p99={percentile(ms, 0.99):.0f} ms max={max(ms):.0f} ms")  # fmt: skip


def hammer_ask(url: str, key: str, clients: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    asks: list[float] = []
    statuses: Counter = Counter()
    health: list[float] = []
    questions = itertools.cycle(QUESTIONS)
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
            while time.monotonic() < deadline:
                with lock:
                    question = next(questions)
                start = time.perf_counter()
                try:
                    code = http.post("/api/v1/ask", json={"question": question}).status_code
                except httpx.HTTPError:
                    code = "transport error"
                with lock:
                    statuses[code] += 1
                    if code == 200:
                        asks.append(time.perf_counter() - start)

    def probe() -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                http.get("/healthz").raise_for_status()
                health.append(time.perf_counter() - start)
                time.sleep(0.2)

    threads = [threading.Thread(target=client) for _ in range(clients)] + [threading.Thread(target=probe)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        f"{clients} clients for {seconds:.0f} s: {len(asks) / seconds:.2f} answered asks/s; statuses {dict(statuses)}"
    )
    print(summary("ask (200 only)", asks))
    print(summary("/healthz while saturated", health))


def rss(pid: int) -> int:
    """Resident set size in bytes, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def guidance_rss(url: str, key: str, pid: int, requests: int, clients: int) -> None:
    before = rss(pid)
    statuses: Counter = Counter()
    remaining = itertools.count()
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=300) as http:
            while True:
                with lock:
                    if next(remaining) >= requests:
                        return
                code = http.post("/api/v1/guidance", json={"description": LONG_DESCRIPTION}).status_code
                with lock:
                    statuses[code] += 1

    peak = before
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, rss(pid))
        time.sleep(0.2)
    time.sleep(10)
    after = rss(pid)
    mb = 1 << 20
    print(f"{requests} guidance requests of {len(LONG_DESCRIPTION)} characters by {clients} clients: {dict(statuses)}")
    print(f"RSS before {before / mb:.0f} MB, peak {peak / mb:.0f} MB, 10 s after {after / mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["ask", "rss"])
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--pid", type=int)
    args = parser.parse_args()
    if args.mode == "ask":
        hammer_ask(args.url, args.key, args.clients, args.seconds)
    else:
        guidance_rss(args.url, args.key, args.pid, args.requests, args.clients)


if __name__ == "__main__":
    main()
