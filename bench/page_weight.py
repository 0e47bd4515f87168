"""Operator page weight and speed on an emulated slow phone, and axe-core violations per page.

Usage: .venv/bin/python -m bench.page_weight [--runs N]
Starts `chubei serve` on a temporary data dir, creates a KTV and a gym-with-pool project, then reports:
- the operator plan JSON (`GET /api/v1/c/<token>/project`): raw bytes, gzip bytes (level 6), and the bytes
  the server actually sent to a client that accepts gzip and br;
- the time until the plan renders (`#plan` visible) in Chromium on a phone emulated with Chrome DevTools:
  1.6 Mbps down / 750 kbps up / 150 ms latency, CPU slowed 4×, cold (new context) and warm (same context, reload);
- axe-core violations (rules and nodes) on the operator plan with every section opened, the operator chat after
  one answer, and the staff project page with every section opened.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from tests.servers import free_port, stop, wait_http

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
KEY = "bench-key"
PROJECTS = {
    "KTV": "KTV，12个包间，在商业综合体三楼，房子是租的",
    "健身游泳": "健身会所带25米恒温泳池，水面400平，租的商场四楼，房本还没下来",
}
SLOW_NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
         "locale": "zh-CN", "reduced_motion": "reduce"}  # fmt: skip


def open_everything(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.wait_for_load_state("networkidle")


def axe_counts(page: Page) -> str:
    violations = Axe().run(page).response["violations"]
    nodes = sum(len(v["nodes"]) for v in violations)
    names = ", ".join(f"{v['id']}×{len(v['nodes'])}" for v in violations)
    return f"{len(violations)} rules / {nodes} nodes" + (f" ({names})" if names else "")


def render_ms(page: Page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator("#plan").wait_for(state="visible", timeout=60_000)
    return (time.perf_counter() - started) * 1000


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "CHUBEI_DATA_DIR": f"{tmp}/data", "CHUBEI_API_KEYS": KEY}
        server = subprocess.Popen([str(BIN / "chubei"), "serve", "--port", str(port)], env=env, cwd=tmp,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{url}/healthz", server, timeout=300)
            staff = {"Authorization": f"Bearer {KEY}"}
            tokens, project_ids = {}, {}
            for name, description in PROJECTS.items():
                body = {"name": f"{name}（测量）", "description": description, "specialist_name": "王敏",
                        "specialist_phone": "0532-8888 6666"}  # fmt: skip
                project = httpx.post(f"{url}/api/v1/projects", json=body, headers=staff, timeout=120).json()
                tokens[name], project_ids[name] = project["links"][0]["token"], project["id"]
            for name, token in tokens.items():
                plain = httpx.get(f"{url}/api/v1/c/{token}/project", headers={"Accept-Encoding": "identity"})
                sent = {}
                for encoding in ("gzip", "br"):
                    with httpx.stream("GET", f"{url}/api/v1/c/{token}/project",
                                      headers={"Accept-Encoding": encoding}) as response:  # fmt: skip
                        sent[encoding] = (response.headers.get("content-encoding"), len(b"".join(response.iter_raw())))
                raw = len(plain.content)
                print(f"operator plan {name}: {raw / 1024:.1f} KB raw, {len(gzip.compress(plain.content)) / 1024:.1f} KB "
                      f"gzipped; sent: " + ", ".join(f"{e}→{enc or 'identity'} {n / 1024:.1f} KB" for e, (enc, n) in sent.items()))  # fmt: skip

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                for name, token in tokens.items():
                    cold, warm = [], []
                    for _ in range(runs):
                        context = browser.new_context(**PHONE)
                        page = context.new_page()
                        cdp = context.new_cdp_session(page)
                        cdp.send("Network.enable")
                        cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
                        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                        cold.append(render_ms(page, f"{url}/c/{token}"))
                        page.wait_for_load_state("networkidle")
                        warm.append(render_ms(page, f"{url}/c/{token}"))
                        context.close()
                    print(f"plan rendered, {name}, slow phone, {runs} runs: cold median {statistics.median(cold):.0f} ms, "
                          f"warm median {statistics.median(warm):.0f} ms")  # fmt: skip

                context = browser.new_context(**PHONE)
                page = context.new_page()
                token = tokens["健身游泳"]
                page.goto(f"{url}/c/{token}")
                page.locator("#plan").wait_for(state="visible")
                open_everything(page)
                print(f"axe, operator plan (all opened): {axe_counts(page)}")
                page.get_by_role("tab", name="在线咨询").click()
                page.get_by_label("输入您的问题").fill("游泳池要配几个救生员？")
                page.get_by_role("button", name="发送").click()
                page.locator("article.msg.bot").last.wait_for(timeout=60_000)
                open_everything(page)
                print(f"axe, operator chat (one answer, citations opened): {axe_counts(page)}")
                context.close()

                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
                page = context.new_page()
                page.goto(f"{url}/staff/login")
                page.get_by_label("工作人员密钥").fill(KEY)
                page.get_by_label("您的姓名").fill("测量")
                page.get_by_role("button", name="登录").click()
                page.wait_for_url(f"{url}/staff")
                page.wait_for_load_state("networkidle")
                print(f"axe, staff projects: {axe_counts(page)}")
                page.goto(f"{url}/staff/projects/{project_ids['健身游泳']}")
                page.locator(".checklist tbody tr").first.wait_for()
                open_everything(page)
                print(f"axe, staff project (all opened): {axe_counts(page)}")
                context.close()
                browser.close()
        finally:
            stop(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
