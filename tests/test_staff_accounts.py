"""Named staff accounts on a real server: the CLI, login by password (throttled), sessions that end when the account
changes, roles, per-account API keys, and each member's own question sessions; then the staff ask page and the
accounts page in a real browser. Screenshots go to test-artifacts/.

Like tests/test_limits.py, the server trusts 127.0.0.2 as a reverse proxy, so each client names its own address in
X-Forwarded-For and per-IP budgets do not leak between tests.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from argon2 import PasswordHasher
from playwright.sync_api import Browser, expect

from api.accounts import StaffAccounts
from api.db.engine import Database
from api.dossiers import Refused
from api.schemas import AccountCreate, AccountUpdate
from api.sessions import StaffSessions
from tests.conftest import CHROMIUM, with_shipped_index
from tests.servers import VENV_BIN, chubei_server
from tests.test_browser import Watched
from tests.test_project_store import alembic

SHARED_KEY = "accounts-shared-key"
PROXY = "127.0.0.2"
PASSWORD = "correct-horse-7"
LIMITS = {"CHUBEI_LOGIN_RATE": "5/minute", "CHUBEI_AUTH_FAILURE_RATE": "5/minute", "CHUBEI_TRUSTED_PROXIES": PROXY}
_addresses = (f"10.13.0.{n}" for n in itertools.count(1))


class AccountServer:
    def __init__(self, url: str, data_dir: Path) -> None:
        self.url = url
        self.data_dir = data_dir

    def client(self, bearer: str | None = None) -> httpx.Client:
        headers = {"X-Forwarded-For": next(_addresses)}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return httpx.Client(base_url=self.url, headers=headers, transport=httpx.HTTPTransport(local_address=PROXY),
                            timeout=120)  # fmt: skip

    def staff(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
        """``chubei staff …`` against this server's data directory, as an administrator would run it."""
        env = {**os.environ, "CHUBEI_DATA_DIR": str(self.data_dir), "CHUBEI_API_KEYS": SHARED_KEY}
        command = [str(VENV_BIN / "chubei"), "staff", *args] + (["--password-stdin"] if password is not None else [])
        return subprocess.run(command, input=(password or "") + "\n", capture_output=True, text=True, env=env,
                              timeout=60)  # fmt: skip

    @contextlib.contextmanager
    def login(self, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
        with self.client() as client:
            response = client.post("/staff/login", data={"username": username, "password": password})
            assert response.status_code == 303, response.text
            yield client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shipped_index: Path) -> Iterator[AccountServer]:
    home = tmp_path_factory.mktemp("accounts")
    with_shipped_index(home / "data", shipped_index)
    env = {"CHUBEI_DATA_DIR": str(home / "data"), "CHUBEI_API_KEYS": SHARED_KEY, "CHUBEI_PUBLIC_BASE_URL": "", **LIMITS}
    with chubei_server(env, cwd=home) as url:
        yield AccountServer(url, home / "data")


@pytest.fixture(scope="module")
def people(server: AccountServer) -> dict[str, str]:
    """An admin and two 专员, created with the CLI while the server runs."""
    for username, name, role in (
        ("wang.admin", "王管理", "管理员"),
        ("li.zy", "李专员", "专员"),
        ("zhao.zy", "赵专员", "专员"),
    ):
        made = server.staff("add", username, "--name", name, "--role", role, password=PASSWORD)
        assert made.returncode == 0, made.stderr
        assert f"已创建账号 {username}（{name}，{role}）" in made.stdout
    return {"admin": "wang.admin", "specialist": "li.zy", "other": "zhao.zy"}


def test_serve_says_how_to_create_the_first_admin(server: AccountServer) -> None:
    log = (server.data_dir.parent / "server.log").read_text(encoding="utf-8")
    assert "chubei staff add <用户名> --name <姓名> --role 管理员" in log


def test_the_cli_refuses_bad_input_in_chinese_and_lists_accounts(server: AccountServer, people) -> None:
    short = server.staff("add", "qian", "--name", "钱", "--role", "管理员", password="short")
    assert short.returncode == 2 and "密码（password）至少要 10 个字符" in short.stderr
    role = server.staff("add", "qian", "--name", "钱", "--role", "老板", password=PASSWORD)
    assert role.returncode == 2 and "角色（role）" in role.stderr
    taken = server.staff("add", "li.zy", "--name", "重名", password=PASSWORD)
    assert taken.returncode == 2 and "已被使用" in taken.stderr
    listed = server.staff("list").stdout
    assert "wang.admin" in listed and "李专员" in listed and "qian" not in listed  # nothing half-made
    with sqlite3.connect(server.data_dir / "chubei.sqlite3") as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM staff_accounts")]
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_login_by_password_and_the_history_names_the_account(server: AccountServer, people) -> None:
    page = server.client().get("/staff/login")
    assert "用户名" in page.text and "密码" in page.text
    with server.login(people["specialist"]) as client:
        assert client.get("/api/v1/me").json() == {"name": "李专员", "role": "专员", "username": "li.zy"}
        project = client.post("/api/v1/projects", headers={"X-Staff-Name": "%E5%86%92%E5%90%8D"},  # 冒名
                              json={"name": "账号泳馆", "description": "健身会所带恒温泳池，水面400平",
                                    "specialist_name": "李专员"})  # fmt: skip
        assert project.status_code == 201, project.text
        history = client.get(f"/api/v1/projects/{project.json()['id']}/history").json()
        assert history and {h["actor"] for h in history} == {"李专员"}
        staff_page = client.get("/staff")
        assert "李专员" in staff_page.text and 'href="/staff/ask"' in staff_page.text
        assert 'href="/staff/accounts"' not in staff_page.text


def test_wrong_passwords_are_throttled_and_then_even_the_right_one_waits(server: AccountServer, people) -> None:
    with server.client() as client:
        for _ in range(5):
            wrong = client.post("/staff/login", data={"username": people["specialist"], "password": "wrong-password"})
            assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
        refused = client.post("/staff/login", data={"username": people["specialist"], "password": PASSWORD})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "秒后再试" in refused.text and "chubei_staff" not in refused.cookies


def test_a_new_password_a_new_role_or_disabling_ends_the_accounts_sessions(server: AccountServer, people) -> None:
    other = people["other"]
    with server.login(people["admin"]) as admin, server.login(other) as session:
        assert session.get("/api/v1/projects").status_code == 200
        changed = admin.patch(f"/api/v1/accounts/{other}", json={"password": "a-new-password-1"})
        assert changed.status_code == 200, changed.text
        assert session.get("/api/v1/projects").status_code == 401
        assert session.get("/staff").headers["location"] == "/staff/login"
    with server.login(other, "a-new-password-1") as session:
        assert session.get("/api/v1/me").json()["role"] == "专员"
        assert server.staff("role", other, "管理员").returncode == 0
        assert session.get("/api/v1/projects").status_code == 401
    with server.login(other, "a-new-password-1") as session:
        assert session.get("/api/v1/me").json()["role"] == "管理员"
        disabled = server.staff("disable", other)
        assert disabled.returncode == 0, disabled.stderr
        assert session.get("/api/v1/projects").status_code == 401
    with server.client() as client:
        refused = client.post("/staff/login", data={"username": other, "password": "a-new-password-1"})
        assert refused.status_code == 401
    assert server.staff("enable", other).returncode == 0
    assert server.staff("role", other, "专员").returncode == 0
    assert server.staff("passwd", other, password=PASSWORD).returncode == 0


def test_a_specialist_gets_a_chinese_403_for_accounts_keys_and_knowledge_writes(server: AccountServer, people) -> None:
    with server.login(people["specialist"]) as client:
        for method, path, body in (
            ("GET", "/api/v1/accounts", None),
            (
                "POST",
                "/api/v1/accounts",
                {"username": "x1", "display_name": "某", "role": "管理员", "password": PASSWORD},
            ),
            ("PATCH", f"/api/v1/accounts/{people['specialist']}", {"role": "管理员"}),
            ("POST", f"/api/v1/accounts/{people['specialist']}/keys", {"label": "自己开"}),
            ("POST", "/api/v1/kb/faq", {"question": "x"}),  # refused before the (invalid) body is looked at
            ("POST", "/api/v1/kb/cases", {}),
        ):
            response = client.request(method, path, json=body)
            assert response.status_code == 403, (path, response.text)
            assert response.json()["message"].startswith("需要管理员权限")
        page = client.get("/staff/accounts")
        assert page.status_code == 403 and "需要管理员权限" in page.text
        assert client.get("/api/v1/kb/types").status_code == 200
    assert server.staff("list").stdout.count("\n") == 3  # nobody was created, nothing changed
    with server.login(people["admin"]) as admin:
        assert admin.get("/staff/accounts").status_code == 200
        bad = admin.post(
            "/api/v1/accounts", json={"username": "新 用户", "display_name": "", "role": "老板", "password": "x"}
        )
        assert bad.status_code == 422
        fields = {d["field"] for d in bad.json()["detail"]}
        assert fields == {"username", "display_name", "role"} and "用户名（username）" in bad.json()["message"]


def test_only_an_admin_manages_public_links(server: AccountServer, people) -> None:
    """Public assistant links (tests/test_public_links.py) are 管理员 business: a 专员 gets 403, a stranger 401."""
    with server.login(people["admin"]) as admin:
        link = admin.post("/api/v1/public-links", json={"name": "服务大厅"}).json()
        assert admin.get("/staff/public-links").status_code == 200
        assert admin.get(f"/staff/public-links/{link['id']}/card").status_code == 200
    operations = (("GET", ""), ("POST", ""), ("GET", f"/{link['id']}"), ("PATCH", f"/{link['id']}"),
                  ("POST", f"/{link['id']}/rotate"), ("GET", f"/{link['id']}/qr"))  # fmt: skip
    with server.login(people["specialist"]) as client:
        for method, path in operations:
            response = client.request(method, f"/api/v1/public-links{path}", json={})
            assert response.status_code == 403, (path, response.text)
            assert response.json()["message"].startswith("需要管理员权限")
        assert client.get("/staff/public-links").status_code == 403
        assert client.get(f"/staff/public-links/{link['id']}/card").status_code == 403
        assert "/staff/public-links" not in client.get("/staff").text
    with server.client() as stranger:
        for method, path in operations:
            assert stranger.request(method, f"/api/v1/public-links{path}", json={}).status_code == 401


def test_an_accounts_api_key_acts_as_that_account_until_revoked(server: AccountServer, people) -> None:
    specialist = people["specialist"]
    with server.login(people["admin"]) as admin:
        created = admin.post(f"/api/v1/accounts/{specialist}/keys", json={"label": "Dify 接入"})
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        listed = admin.get("/api/v1/accounts").json()
    assert key.startswith("cbk_")
    keys = next(a for a in listed if a["username"] == specialist)["api_keys"]
    assert [k["label"] for k in keys if k["revoked_at"] is None] == ["Dify 接入"] and "key" not in keys[0]
    with sqlite3.connect(server.data_dir / "chubei.sqlite3") as db:
        stored = " ".join(str(value) for row in db.execute("SELECT * FROM staff_api_keys") for value in row)
    assert key.rsplit("_", 1)[-1] not in stored  # only a hash of the secret is kept

    with server.client(bearer=key) as integration:
        integration.headers["X-Staff-Name"] = "%E5%86%92%E5%90%8D"
        assert integration.get("/api/v1/me").json() == {"name": "李专员", "role": "专员", "username": specialist}
        assert integration.get("/api/v1/projects").status_code == 200
        assert integration.get("/api/v1/accounts").status_code == 403
        assert integration.get("/v1/models").status_code == 200  # the OpenAI-compatible door takes it too
        assert server.staff("key-revoke", specialist, keys[0]["id"]).returncode == 0
        assert integration.get("/api/v1/projects").status_code == 401
    with server.client(bearer=key[:-3] + "xyz") as forged:
        assert forged.get("/api/v1/projects").status_code == 401


def test_each_member_lists_searches_and_reopens_only_their_own_sessions(server: AccountServer, people) -> None:
    with server.login(people["specialist"]) as mine, server.login(people["other"]) as theirs:
        first = mine.post("/api/v1/ask", json={"question": "KTV能开在地下一层吗？"}).json()
        follow = mine.post("/api/v1/ask", json={"question": "那地下二层呢？", "session_id": first["session_id"]})
        assert follow.status_code == 200 and follow.json()["session_id"] == first["session_id"]
        pool = theirs.post("/api/v1/ask", json={"question": "游泳池要配几个救生员？"}).json()

        listed = mine.get("/api/v1/sessions")
        assert [s["id"] for s in listed.json()] == [first["session_id"]] and listed.headers["x-total-count"] == "1"
        [summary] = listed.json()
        assert (summary["title"], summary["turns"], summary["started_by"]) == ("KTV能开在地下一层吗？", 2, "李专员")
        session = mine.get(f"/api/v1/sessions/{first['session_id']}").json()
        assert [m["role"] for m in session["messages"]] == ["user", "assistant", "user", "assistant"]
        assert session["messages"][1]["citations"]

        assert mine.get(f"/api/v1/sessions/{pool['session_id']}").status_code == 404
        stolen = mine.post("/api/v1/ask", json={"question": "那要几个？", "session_id": pool["session_id"]})
        assert stolen.status_code == 404 and "会话" in stolen.json()["message"]
        assert len(theirs.get(f"/api/v1/sessions/{pool['session_id']}").json()["messages"]) == 2  # nothing added
        assert mine.get("/api/v1/sessions", params={"q": "地下二层"}).json()[0]["id"] == first["session_id"]
        assert mine.get("/api/v1/sessions", params={"q": "救生员"}).json() == []
        assert mine.get("/api/v1/sessions", params={"q": "%"}).json() == []  # literal, no wildcard
        too_many = mine.get("/api/v1/sessions", params={"limit": 1000})
        assert too_many.status_code == 422 and "每页条数（limit）" in too_many.json()["message"]
    with server.login(people["admin"]) as admin:
        everyone = {s["id"] for s in admin.get("/api/v1/sessions").json()}
        assert {first["session_id"], pool["session_id"]} <= everyone


# ---- the pages, in a real browser (Debian Chromium through Playwright) ----
def browser_test(test: Callable) -> Callable:
    for mark in (
        pytest.mark.browser,
        pytest.mark.skipif(
            not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium）；make test 会安装"
        ),
        pytest.mark.timeout(180, func_only=True),
    ):
        test = mark(test)
    return test


def page_login(browser: Browser, server: AccountServer, username: str) -> Watched:
    watched = Watched(browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                          reduced_motion="reduce", permissions=["clipboard-read", "clipboard-write"]))  # fmt: skip
    page = watched.page
    page.goto(f"{server.url}/staff")
    expect(page).to_have_url(f"{server.url}/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{server.url}/staff")
    return watched


@browser_test
@pytest.mark.usefixtures("people")
def test_the_ask_page_asks_lists_reopens_expands_copies_and_corrects(
    browser: Browser, server: AccountServer, artifacts: Path
) -> None:
    made = server.staff("add", "zhou.zy", "--name", "周专员", password=PASSWORD)  # no sessions yet
    assert made.returncode == 0, made.stderr
    staff = page_login(browser, server, "zhou.zy")
    page = staff.page
    expect(page.locator(".topbar .user-name")).to_have_text("周专员")
    expect(page.get_by_role("link", name="账号", exact=True)).to_have_count(0)
    page.get_by_role("link", name="问答", exact=True).click()
    expect(page).to_have_url(f"{server.url}/staff/ask")

    page.get_by_label("您的问题").fill("游泳池要配几个救生员？")
    page.get_by_role("button", name="提问").click()
    answer = page.locator("#thread article.msg.bot").last
    expect(answer).to_be_visible(timeout=60_000)
    answer_text = answer.locator(".a-text").inner_text()
    assert "救生员" in answer_text or "救助" in answer_text
    sessions = page.locator("#session-list li")
    expect(sessions.first).to_contain_text("游泳池要配几个救生员？")
    expect(sessions.first.locator("button")).to_have_attribute("aria-current", "true")

    cite = answer.locator(".cite").first
    cite.locator("summary").click()
    cite.get_by_role("button", name="查看全文").click()
    expect(cite.locator(".article-text")).to_be_visible()
    expect(cite.locator(".article-full .article-head")).to_contain_text("第")
    title = cite.locator("summary").inner_text()

    answer.get_by_role("button", name="复制").click()
    expect(answer.get_by_role("status")).to_have_text("已复制答复和依据")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(answer_text.strip()[:40]) and "\n依据：\n[1] 《" in copied
    assert title.split("》")[0] in copied and "<" not in copied
    page.locator("#thread").screenshot(path=str(artifacts / "staff-ask-01-answer.png"))

    answer.get_by_role("button", name="纠正").click()
    form = answer.locator(".faq-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("问题")).to_have_value("游泳池要配几个救生员？")
    assert form.get_by_label("更正后的答复").input_value().strip() == answer_text.strip()
    # The basis is chosen from an article search, never carried over from the (wrong) answer's citations.
    expect(form.locator(".basis-list li")).to_have_count(0)
    expect(form.get_by_label("搜索法规条文作为依据")).to_be_visible()
    expect(answer.locator(".correct-box")).to_contain_text("提交后由管理员审核")
    answer.locator(".correct-box").screenshot(path=str(artifacts / "staff-ask-02-correct.png"))

    page.get_by_role("button", name="新会话").click()
    expect(page.locator("#thread article")).to_have_count(0)
    page.get_by_label("您的问题").fill("KTV能开在地下一层吗？")
    page.get_by_role("button", name="提问").click()
    expect(page.locator("#thread article.msg.bot")).to_have_count(1, timeout=60_000)
    expect(sessions).to_have_count(2)
    expect(sessions.first).to_contain_text("KTV")

    page.get_by_label("搜索会话").fill("救生员")
    expect(sessions).to_have_count(1)
    sessions.first.locator("button").click()
    expect(page.locator("#h-thread")).to_have_text("游泳池要配几个救生员？")
    expect(page.locator("#thread .a-text")).to_have_text(answer_text)
    page.reload()  # the session in the address reopens
    expect(page.locator("#h-thread")).to_have_text("游泳池要配几个救生员？")
    expect(page.locator("#thread article.msg.bot")).to_have_count(1)
    page.screenshot(path=str(artifacts / "staff-ask-03-reopened.png"))
    assert staff.errors == [], staff.errors
    staff.context.close()


@browser_test
@pytest.mark.usefixtures("people")
def test_an_admin_creates_an_account_changes_its_role_and_gives_it_a_key(
    browser: Browser, server: AccountServer, artifacts: Path
) -> None:
    staff = page_login(browser, server, "wang.admin")
    page = staff.page
    page.get_by_role("link", name="账号", exact=True).click()
    expect(page).to_have_url(f"{server.url}/staff/accounts")
    page.get_by_label("用户名").fill("sun.zy")
    page.get_by_label("姓名").fill("孙专员")
    page.get_by_label("初始密码").fill("short")
    page.get_by_role("button", name="创建账号").click()
    expect(page.locator("#account-form-status")).to_contain_text("密码（password）至少要 10 个字符")
    # Chromium logs the refused request (422) itself as a failed resource; that one is expected.
    assert [e for e in staff.errors if "status of 422" not in e] == [], staff.errors
    staff.errors.clear()
    page.get_by_label("初始密码").fill(PASSWORD)
    page.get_by_role("button", name="创建账号").click()
    expect(page.locator("#account-form-status")).to_have_text("已创建 孙专员（sun.zy，专员）")
    card = page.locator(".account-card[data-username='sun.zy']")
    expect(card).to_be_visible()

    card.get_by_label("孙专员的角色").select_option("管理员")
    expect(card.get_by_role("status")).to_contain_text("角色已改为管理员")
    card.get_by_text("API 密钥").click()
    card.get_by_label("新密钥用途").fill("Dify 接入")
    card.get_by_role("button", name="生成密钥").click()
    shown = card.get_by_label("新密钥（只显示这一次）")
    key = shown.input_value()
    assert key.startswith("cbk_")
    page.locator("#account-list").screenshot(path=str(artifacts / "staff-accounts-01-key.png"))
    with server.client(bearer=key) as integration:
        assert integration.get("/api/v1/me").json()["name"] == "孙专员"

    page.reload()
    card = page.locator(".account-card[data-username='sun.zy']")
    expect(card.locator("select")).to_have_value("管理员")
    assert key not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="停用").click()
    expect(card.locator(".tag")).to_have_text("已停用")
    with server.client(bearer=key) as integration:
        assert integration.get("/api/v1/me").status_code == 401
    assert staff.errors == [], staff.errors
    staff.context.close()


def test_accounts_and_their_sessions_on_each_database_and_the_migration_back(database_url: str) -> None:
    """On SQLite and PostgreSQL: a password change ends the account's logins and not others; the last 管理员 stays;
    migration 0006 goes back to 0005 keeping key logins, and forward again."""
    database = Database(database_url)
    accounts = StaffAccounts(database, 10, PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
    sessions = StaffSessions(database, b"secret", max_age_s=600)
    admin = accounts.create(AccountCreate(username="boss", display_name="王局", role="管理员", password=PASSWORD))
    accounts.create(AccountCreate(username="staff1", display_name="李专员", role="专员", password=PASSWORD))
    verified = accounts.verify_password("boss", PASSWORD)
    assert verified is not None and verified.role == "管理员" and accounts.verify_password("boss", "wrong") is None
    by_account = sessions.start(verified.display_name, account_id=verified.id)
    by_key = sessions.start("钱审批", key_fingerprint="f" * 64)
    other = sessions.start("李专员", account_id=accounts.verify_password("staff1", PASSWORD).id)

    with pytest.raises(Refused, match="至少要保留一个启用的管理员"):
        accounts.update(admin.username, AccountUpdate(role="专员", display_name="改名"))
    assert accounts.get("boss").display_name == "王局"  # nothing half-saved
    assert sessions.resolve(by_account, set()).role == "管理员"
    accounts.update("boss", AccountUpdate(password="another-password"))
    assert sessions.resolve(by_account, set()) is None
    assert sessions.resolve(other, set()).name == "李专员"
    assert sessions.resolve(by_key, {"f" * 64}).role == "管理员"

    alembic(database.engine, command.downgrade, "0005")
    alembic(database.engine, command.upgrade, "head")
    assert sessions.resolve(by_key, {"f" * 64}) is not None and sessions.resolve(other, set()) is None
    database.engine.dispose()


def test_the_same_username_created_twice_at_once_is_refused_in_chinese(tmp_path: Path) -> None:
    """Both requests pass the "is it taken?" check while their passwords hash; the unique index then refuses one."""
    from concurrent.futures import ThreadPoolExecutor

    database = Database(f"sqlite:///{tmp_path / 'accounts.sqlite3'}")
    accounts = StaffAccounts(database, 10, PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1))
    data = AccountCreate(username="twice", display_name="同名", role="专员", password=PASSWORD)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(accounts.create, data) for _ in range(2)]
    outcomes = [future.exception() for future in futures]
    refused = [error for error in outcomes if error is not None]
    assert len(refused) == 1 and isinstance(refused[0], Refused) and "已被使用" in str(refused[0])
    assert [account.username for account in accounts.list()] == ["twice"]
    database.engine.dispose()
