"""Time for an approved knowledge change to be live, and the longest stall of questions asked meanwhile.

Against a running server with a shared staff key (acts as 管理员): a change to a FAQ entry is proposed as a 专员 would
(``X-Staff-Name`` only names the author; a shared key's change is live at once, which is the same path an approval
takes: the overlay, the re-index and the switch), while one client keeps asking a question. Reported: the time from
request to the change answering questions, and the ask latencies during the change against those before it.
Each round edits the entry and then restores it, so the server's knowledge ends as it started.

Usage:
  .venv/bin/python -m bench.kb_change_live URL KEY [--rounds 3]
"""

from __future__ import annotations

import argparse
import threading
import time

import httpx

from bench.overload import summary

FAQ = "faq.ktv_basement"
QUESTION = "KTV能开在地下室吗？"
BACKGROUND = "开KTV需要办哪些证？"
GIVE_UP_S = 300.0


def run(url: str, key: str, rounds: int) -> None:
    headers = {"Authorization": f"Bearer {key}", "X-Staff-Name": "bench"}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as http:
        before: list[float] = []
        for _ in range(5):
            start = time.perf_counter()
            http.post("/api/v1/ask", json={"question": BACKGROUND}).raise_for_status()
            before.append(time.perf_counter() - start)
        original = http.get(f"/api/v1/kb/items/{FAQ}").json()["item"]["answer"]
        live_times: list[float] = []
        during: list[float] = []
        for n in range(rounds):
            marker = f"地下一层须先经消防评估（第{'一二三四五六七八九'[n % 9]}轮）。"
            stop = threading.Event()

            def asker(latencies: list[float] = during, done: threading.Event = stop) -> None:
                with httpx.Client(base_url=url, headers=headers, timeout=300) as other:
                    while not done.is_set():
                        start = time.perf_counter()
                        other.post("/api/v1/ask", json={"question": BACKGROUND}).raise_for_status()
                        latencies.append(time.perf_counter() - start)

            thread = threading.Thread(target=asker)
            thread.start()
            start = time.perf_counter()
            change = http.patch(f"/api/v1/kb/items/{FAQ}", json={"item": {"answer": marker + original},
                                                                 "reason": "bench"})  # fmt: skip
            change.raise_for_status()
            # The edited sentence shows anywhere in the answer (a verdict on the facts may come before it).
            while marker not in http.post("/api/v1/ask", json={"question": QUESTION}).json()["answer"]:
                if time.perf_counter() - start > GIVE_UP_S:
                    stop.set()
                    raise SystemExit(f"改动 {GIVE_UP_S:g} 秒后仍未生效")
            live_times.append(time.perf_counter() - start)
            stop.set()
            thread.join()
            http.post(
                f"/api/v1/kb/items/{FAQ}/restore", json={"version": None, "reason": "bench 还原"}
            ).raise_for_status()
        print(summary("change → live (request to first answer from it)", live_times))
        print(summary("ask before any change", before))
        print(summary("ask during a change (longest = the stall)", during))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run(args.url, args.key, args.rounds)


if __name__ == "__main__":
    main()
