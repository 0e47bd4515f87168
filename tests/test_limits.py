"""Limits, sessions and errors on a real server with small limits: 413, 429, 503, logout, key change, disk full.

The server trusts 127.0.0.2 as a reverse proxy, so each test connects from 127.0.0.2 and names its own client
address in X-Forwarded-For: per-IP budgets do not leak between tests. A client connecting from 127.0.0.1 is not a
trusted proxy, so whatever X-Forwarded-For it sends is ignored.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import with_shipped_index
from tests.servers import VENV_BIN, chubei_server

MAIN_KEY, BURN_KEY, OLD_KEY = "limits-main-key", "limits-burn-key", "limits-old-key"
PROXY = "127.0.0.2"
LIMITS = {
    "CHUBEI_LOGIN_RATE": "3/minute",
    "CHUBEI_AUTH_FAILURE_RATE": "5/minute",
    "CHUBEI_STAFF_RATE": "30/minute",
    "CHUBEI_OPERATOR_RATE": "4/minute",
    "CHUBEI_MAX_BODY_BYTES": "100000",
    "CHUBEI_WORK_CONCURRENCY": "1",
    "CHUBEI_WORK_QUEUE": "1",
    "CHUBEI_WORK_WAIT_S": "1",
    "CHUBEI_TRUSTED_PROXIES": PROXY,
}
LONG_QUESTION = (
    "我想在商场四楼开一家带恒温泳池的健身会所，水面四百平方米，请问需要办理哪些许可和备案，消防和卫生有什么要求？" * 20
)
_addresses = (f"10.14.0.{n}" for n in itertools.count(1))


class Limited:
    def __init__(self, url: str, data_dir: Path, on_tmpfs: bool) -> None:
        self.url = url
        self.data_dir = data_dir
        self.on_tmpfs = on_tmpfs

    def client(self, key: str | None = MAIN_KEY) -> httpx.Client:
        """A client with an address of its own (via the trusted proxy) and, unless None, a staff key."""
        headers = {"X-Forwarded-For": next(_addresses)}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        transport = httpx.HTTPTransport(local_address=PROXY)
        return httpx.Client(base_url=self.url, headers=headers, transport=transport, timeout=120)


@contextlib.contextmanager
def small_disk(path: Path) -> Iterator[bool]:
    """A 256 MB tmpfs at ``path`` when this process may mount one (root), so the disk can really be filled."""
    path.mkdir(parents=True)
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", str(path)],
                                                   capture_output=True).returncode == 0  # fmt: skip
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory, shipped_index: Path) -> Iterator[Limited]:
    home = tmp_path_factory.mktemp("limited")
    data = home / "data"
    with small_disk(data) as on_tmpfs:
        with_shipped_index(data, shipped_index)
        (data / "staff-api-key.txt").write_text(f"{MAIN_KEY}\n{BURN_KEY}\n{OLD_KEY}\n", encoding="utf-8")
        env = {"CHUBEI_DATA_DIR": str(data), "CHUBEI_API_KEYS": "", "CHUBEI_PUBLIC_BASE_URL": "", **LIMITS}
        with chubei_server(env, cwd=home) as url:
            yield Limited(url, data, on_tmpfs)


@pytest.fixture(scope="module")
def project(limited: Limited) -> dict:
    with limited.client() as client:
        response = client.post("/api/v1/projects", json={"name": "限流泳馆", "description": "健身会所带恒温泳池，水面400平",
                                                         "specialist_name": "王专员"})  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def token(project: dict) -> str:
    return project["links"][0]["token"]


def chinese_retry(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert "秒后" in response.json()["message"]


def test_an_oversized_body_is_413_before_the_key_is_checked(limited: Limited) -> None:
    big = b'{"question": "' + b"x" * 200_000 + b'"}'
    with limited.client(key=None) as client:
        declared = client.post("/api/v1/ask", content=big, headers={"Content-Type": "application/json"})
        to_operator = client.post("/api/v1/c/no-such-link/ask", content=big)
    for response in (declared, to_operator):
        assert response.status_code == 413 and "请求体过大" in response.json()["message"]


def test_a_streamed_body_without_length_is_cut_at_the_limit(limited: Limited) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(50):
            yield b"y" * 10_000
        yield b'"}'

    with limited.client() as client:
        response = client.post("/api/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and "请求体过大" in response.json()["message"]


def test_a_bad_operator_link_is_401_before_its_body_is_validated(limited: Limited) -> None:
    with limited.client(key=None) as client:
        response = client.post("/api/v1/c/no-such-link/ask", json={"question": 5})
    assert response.status_code == 401 and "无效" in response.json()["message"]


def test_login_attempts_per_client_are_limited(limited: Limited) -> None:
    with limited.client(key=None) as client:
        tries = [client.post("/staff/login", data={"key": MAIN_KEY, "name": "赵审批"}) for _ in range(4)]
    assert [r.status_code for r in tries[:3]] == [303, 303, 303]
    assert tries[3].status_code == 429 and int(tries[3].headers["retry-after"]) >= 1
    assert "登录尝试过于频繁" in tries[3].text


def test_wrong_keys_lock_the_client_out_even_with_the_right_key(limited: Limited) -> None:
    with limited.client(key=None) as client:
        wrong = [client.get("/api/v1/kb/types", headers={"Authorization": f"Bearer guess-{n}"}) for n in range(5)]
        right = client.get("/api/v1/kb/types", headers={"Authorization": f"Bearer {MAIN_KEY}"})
    assert [r.status_code for r in wrong] == [401] * 5
    chinese_retry(right, 429)
    with limited.client() as other:
        assert other.get("/api/v1/kb/types").status_code == 200


def test_a_client_that_is_no_trusted_proxy_cannot_pick_its_address(limited: Limited) -> None:
    """From 127.0.0.1 X-Forwarded-For is ignored: changing it each time does not reset the failure budget."""
    codes = []
    for n in range(6):
        response = httpx.get(f"{limited.url}/api/v1/c/guess-{n}/project", headers={"X-Forwarded-For": f"10.99.0.{n}"})
        codes.append(response.status_code)
    assert codes == [401] * 5 + [429]


def test_guessing_links_on_the_operator_page_is_limited_too(limited: Limited) -> None:
    with limited.client(key=None) as client:
        pages = [client.get(f"/c/guess-page-{n}") for n in range(6)]
    assert [p.status_code for p in pages] == [401] * 5 + [429]
    assert "专员" in pages[0].text and int(pages[5].headers["retry-after"]) >= 1 and "尝试过多" in pages[5].text


def test_each_operator_link_has_its_own_budget(limited: Limited, token: str) -> None:
    with limited.client(key=None) as client:
        codes = [client.get(f"/api/v1/c/{token}/project").status_code for _ in range(4)]
    with limited.client(key=None) as elsewhere:
        over = elsewhere.get(f"/api/v1/c/{token}/project")
    assert codes == [200] * 4
    chinese_retry(over, 429)
    assert "访问链接" in over.json()["message"]


def test_each_staff_key_has_its_own_budget(limited: Limited) -> None:
    with limited.client(key=BURN_KEY) as client:
        codes = [client.get("/api/v1/kb/types").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429
    with limited.client() as other:
        assert other.get("/api/v1/kb/types").status_code == 200


@contextlib.contextmanager
def login(limited: Limited, key: str) -> Iterator[httpx.Client]:
    with limited.client(key=None) as client:
        response = client.post("/staff/login", data={"key": key, "name": "钱审批"})
        assert response.status_code == 303, response.text
        yield client


def test_logout_ends_the_session_on_the_server(limited: Limited) -> None:
    with login(limited, MAIN_KEY) as client:
        cookie = client.cookies["chubei_staff"]
        assert client.get("/api/v1/projects").status_code == 200
        assert client.get("/staff").status_code == 200
        client.post("/staff/logout")
    with limited.client(key=None) as copied:  # the cookie, kept from before the logout
        copied.cookies.set("chubei_staff", cookie)
        assert copied.get("/api/v1/projects").status_code == 401
        page = copied.get("/staff")
        assert page.status_code == 303 and page.headers["location"] == "/staff/login"


def test_changing_a_key_ends_its_sessions_and_the_key_at_once(limited: Limited) -> None:
    with login(limited, OLD_KEY) as old_session, login(limited, MAIN_KEY) as kept:
        assert old_session.get("/api/v1/projects").status_code == 200
        key_file = limited.data_dir / "staff-api-key.txt"
        key_file.write_text(f"{MAIN_KEY}\n{BURN_KEY}\nlimits-new-key\n", encoding="utf-8")
        assert old_session.get("/api/v1/projects").status_code == 401
        assert kept.get("/api/v1/projects").status_code == 200
    with limited.client(key=OLD_KEY) as old_key, limited.client(key="limits-new-key") as new_key:
        assert old_key.get("/api/v1/projects").status_code == 401
        assert new_key.get("/api/v1/projects").status_code == 200


def test_saturated_expensive_work_is_refused_and_health_stays_up(limited: Limited) -> None:
    """One answer at a time, one waiting for at most a second: the rest are told to retry; /healthz keeps answering."""
    results: list[httpx.Response] = []

    def ask() -> None:
        with limited.client() as client:
            results.append(client.post("/api/v1/ask", json={"question": LONG_QUESTION}))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    health = [httpx.get(f"{limited.url}/healthz", timeout=30) for _ in range(5)]
    for thread in threads:
        thread.join()
    assert all(r.status_code == 200 and r.json()["status"] == "ok" for r in health)
    assert {r.status_code for r in results} <= {200, 503}
    busy = [r for r in results if r.status_code == 503]
    assert busy and any(r.status_code == 200 for r in results)
    chinese_retry(busy[0], 503)
    assert "繁忙" in busy[0].json()["message"]


def test_head_healthz_and_bodies_that_cannot_be_read(limited: Limited) -> None:
    assert httpx.head(f"{limited.url}/healthz").status_code == 200
    with limited.client() as client:
        latin = client.post("/api/v1/ask", content='{"question": "网吧"}'.encode("gbk"),
                            headers={"Content-Type": "application/json"})  # fmt: skip
        broken = client.post("/api/v1/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert latin.status_code == 400 and "UTF-8" in latin.json()["message"]
    assert broken.status_code == 422 and broken.json()["detail"][0]["field"] == "body"
    assert "不是合法的 JSON" in broken.json()["message"]


def test_nul_in_a_note_or_a_reason_is_a_chinese_422_and_nothing_is_saved(limited: Limited, project: dict) -> None:
    item = project["items"][0]["item_id"]
    with limited.client() as client:
        note = client.patch(f"/api/v1/projects/{project['id']}/items/{item}", json={"note": "已提交\x00预审"})
        after = client.get(f"/api/v1/projects/{project['id']}").json()
    assert note.status_code == 422 and note.json()["detail"][0]["field"] == "note"
    assert "备注含有无效字符" in note.json()["message"]
    assert after["items"][0]["note"] == ""


def fill(path: Path) -> None:
    with path.open("wb") as handle:
        block = b"\0" * (1 << 20)
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    with contextlib.suppress(OSError), path.with_suffix(".tail").open("wb") as tail:
        while True:
            tail.write(b"\0" * 512)
            tail.flush()


def test_a_full_disk_is_a_chinese_507_and_nothing_is_left_behind(limited: Limited, token: str) -> None:
    if not limited.on_tmpfs:
        pytest.skip("filling a real disk needs a small tmpfs, which only root may mount")
    filler = limited.data_dir / "filler.bin"
    fill(filler)
    try:
        with limited.client() as client:
            faq = client.post("/api/v1/kb/faq", json={"question": "磁盘满时的问题？", "answer": "磁盘满时的答案。"})
            project = client.post("/api/v1/projects", json={"name": "满盘", "description": "网吧，80台电脑",
                                                            "specialist_name": "王"})  # fmt: skip
        for response in (faq, project):
            assert response.status_code == 507, response.text
            assert "存储空间不足" in response.json()["message"] and str(limited.data_dir) in response.json()["message"]
        overlay = limited.data_dir / "kb" / "faq-staff.yaml"
        assert not list(overlay.parent.glob("*.tmp"))
        assert not overlay.exists() or "磁盘满时的问题" not in overlay.read_text(encoding="utf-8")
    finally:
        filler.unlink()
        filler.with_suffix(".tail").unlink(missing_ok=True)
    with limited.client() as client:
        listed = client.get("/api/v1/projects").json()
    assert all(p["name"] != "满盘" for p in listed)


def test_a_read_only_data_directory_is_explained_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(data), str(data)], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(data)], check=True)
    else:
        data.chmod(0o555)
    try:
        result = subprocess.run([str(VENV_BIN / "chubei"), "serve", "--port", "9"], capture_output=True, text=True,
                                env={**os.environ, "CHUBEI_DATA_DIR": str(data)}, timeout=120)  # fmt: skip
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(data)], check=True)
    assert result.returncode == 1
    assert f"无法写入数据目录 {data}" in result.stderr and "CHUBEI_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
