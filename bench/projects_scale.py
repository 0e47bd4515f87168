"""The project store at scale: `GET /api/v1/projects` latency over HTTP, database size per project, server RSS.

Usage: .venv/bin/python -m bench.projects_scale --projects 10000 [--plans 40] [--requests 30] [--keep DIR]
Builds the index in a fresh temporary data dir (seconds, from the shipped embedding cache), makes --plans real
plans with the planner (descriptions of 8 kinds with varied sizes, floors and distances), then fills the app's
SQLite database with N projects through the dossier service (each one of those plans, varied: its own name and
description, a few requirements dropped, some items marked done). Then starts `chubei serve` on that data dir and
times, over HTTP: the list as the staff page first asks for it, a search, and the last page.
Target (issue 14): < 200 ms at 10,000 projects.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from api.db.engine import Database
from api.dossiers import Dossiers
from api.keys import app_secret
from api.links import LinkSigner
from api.schemas import ItemUpdate, ProjectCreate
from assistant.models import GuidanceResponse
from bench.server_numbers import rss_peak_mb
from chubei.services import Services
from chubei.settings import Settings
from evals.metrics import percentile
from tests.servers import free_port, stop, wait_http

BIN = Path(sys.executable).parent
# Descriptions as operators give them; the numbers vary, and with them the facts and the plan.
TEMPLATES = [
    "健身会所带{size}米恒温泳池，水面{area}平，租的商场{floor}楼，房本还没下来",
    "小区底商开KTV，{floor}楼，{size}个包间",
    "商场{floor}楼开网咖，{area}台电脑，离小学{distance}米",
    "农村自建房开民宿，{size}间客房，共{floor}层",
    "沿街{floor}楼开口腔诊所，{size}台牙椅",
    "商场{floor}楼开剧本杀店，{size}个房间",
    "写字楼{floor}楼开美容美发店，带半永久纹眉",
    "临街商铺开餐馆，面积{area}平，有明火，{floor}楼",
]
DISTRICTS = ["市北区", "市南区", "李沧区", "崂山区", "黄岛区", "城阳区"]


def description(number: int, rng: random.Random) -> str:
    template = TEMPLATES[number % len(TEMPLATES)]
    return template.format(size=rng.randint(3, 30), area=rng.randint(60, 600), floor=rng.choice([-1, 1, 2, 3, 4, 5]),
                           distance=rng.randint(50, 500))  # fmt: skip


def varied(plans: list[tuple[str, GuidanceResponse]], number: int, rng: random.Random) -> tuple[str, GuidanceResponse]:
    """One of the real plans with a few requirements dropped, as further facts would make it."""
    text, plan = plans[number % len(plans)]
    kept = [r for r in plan.requirements if rng.random() > 0.05]
    return text, plan.model_copy(update={"requirements": kept})


def fill(settings: Settings, count: int, real_plans: int, seed: int) -> float:
    """N projects through the dossier service; returns the seconds it took."""
    services = Services(settings)
    services.ensure_index()
    rng = random.Random(seed)
    texts = [description(number, rng) for number in range(real_plans)]
    plans = [(text, services.guide.plan(text)) for text in texts]
    current: dict[str, GuidanceResponse] = {}
    dossiers = Dossiers(Database(settings.sqlalchemy_url), lambda description, facts: current["plan"],
                        LinkSigner(app_secret(settings)), "", settings.token_ttl_days)  # fmt: skip
    started = time.perf_counter()
    for number in range(count):
        base, current["plan"] = varied(plans, number, rng)
        district = rng.choice(DISTRICTS)
        project = dossiers.create(ProjectCreate(name=f"{district}项目{number:05d}", description=f"{district}，{base}",
                                                specialist_name=f"专员{number % 40:02d}"), actor="基准")  # fmt: skip
        for item in project.items[: rng.randrange(0, 4)]:
            dossiers.update_item(project.id, item.item_id, ItemUpdate(status="已完成", note="材料已交"), actor="基准")
        if number and number % 1000 == 0:
            print(f"  {number} projects, {time.perf_counter() - started:.0f} s", flush=True)
    return time.perf_counter() - started


def database_bytes(path: Path) -> int:
    """The SQLite file after the write-ahead log is folded in."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(client: httpx.Client, params: dict, requests: int) -> tuple[list[float], httpx.Response]:
    timings, response = [], None
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/api/v1/projects", params=params)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return timings, response


def main(count: int, real_plans: int, requests: int, seed: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = keep or Path(tmp) / "data"
        settings = Settings(data_dir=data, api_keys="bench")
        seconds = fill(settings, count, real_plans, seed)
        size = database_bytes(data / "chubei.sqlite3")
        print(
            f"{count} projects ({real_plans} real plans, varied) created through the dossier service in {seconds:.0f} s"
        )
        print(f"database: {size / 2**20:.1f} MiB, {size / count / 1024:.1f} KiB per project")
        port = free_port()
        env = {**os.environ, "CHUBEI_DATA_DIR": str(data), "CHUBEI_API_KEYS": "bench"}
        server = subprocess.Popen([str(BIN / "chubei"), "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(f"{url}/healthz", server, timeout=600)
            client = httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"}, timeout=600)
            timed(client, {}, 1)  # warm-up
            before = rss_mb(server.pid)
            cases = {
                "first page (as the staff page asks)": {},
                "search 市北区": {"q": "市北区"},
                "last page": {"offset": max(count - 50, 0)},
            }
            for label, params in cases.items():
                timings, response = timed(client, params, requests)
                total = response.headers.get("X-Total-Count", "—")
                print(f"GET /api/v1/projects, {label}: p50 {percentile(timings, 0.5):.0f} ms, "
                      f"p95 {percentile(timings, 0.95):.0f} ms ({requests} requests; {len(response.json())} rows, "
                      f"total {total})")  # fmt: skip
            print(f"server RSS: {before:.0f} MiB after the first list, {rss_mb(server.pid):.0f} MiB after all, "
                  f"peak {rss_peak_mb(server.pid):.0f} MiB")  # fmt: skip
        finally:
            stop(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--plans", type=int, default=40, help="real plans made by the planner, then varied")
    parser.add_argument("--requests", type=int, default=30, help="requests per case")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--keep", type=Path, help="use and keep this data dir (new or empty) instead of a temporary one"
    )
    arguments = parser.parse_args()
    main(arguments.projects, arguments.plans, arguments.requests, arguments.seed, arguments.keep)
