"""Knowledge that staff correct in place, on a real server of its own (these tests change its knowledge): access per
role, validation refusals as ``chubei kb validate`` would find them, the review queue, versions and restore, the
feedback loop, /healthz; then the whole scenario in real Chromium. Also the loader, the start-up check and the export
on real YAML, and the change store on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from alembic import command
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import inspect

from api.auth import StaffIdentity
from api.db.engine import Database
from api.knowledge_changes import ChangeConflict, ChangeRefused, KnowledgeChanges
from kb.corpus import shipped_corpus
from kb.edits import ItemEdit, item_dict
from kb.export import export
from kb.grounding import shipped_problems, validate
from kb.knowledge import DATA_DIR, KnowledgeBase
from tests.conftest import CHROMIUM, with_shipped_index
from tests.servers import VENV_BIN, chubei_server
from tests.test_browser import Watched
from tests.test_project_store import alembic

SHARED_KEY = "kb-edits-shared-key"
PROXY = "127.0.0.2"
PASSWORD = "correct-horse-7"
QUESTION = "KTV能开在地下室吗？"
FAQ = "faq.ktv_basement"
CORRECTED = "地下一层经消防评估后可以考虑，地下二层及更深不行：娱乐场所不得设在建筑物地下一层以下（不含地下一层）。"
_addresses = (f"10.17.0.{n}" for n in itertools.count(1))


class KbServer:
    def __init__(self, url: str, data_dir: Path) -> None:
        self.url = url
        self.data_dir = data_dir

    def client(self, bearer: str | None = None) -> httpx.Client:
        headers = {"X-Forwarded-For": next(_addresses)}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return httpx.Client(base_url=self.url, headers=headers, transport=httpx.HTTPTransport(local_address=PROXY),
                            timeout=300)  # fmt: skip

    def staff(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "CHUBEI_DATA_DIR": str(self.data_dir), "CHUBEI_API_KEYS": SHARED_KEY}
        command = [str(VENV_BIN / "chubei"), "staff", *args] + (["--password-stdin"] if password is not None else [])
        return subprocess.run(command, input=(password or "") + "\n", capture_output=True, text=True, env=env,
                              timeout=60)  # fmt: skip

    @contextlib.contextmanager
    def login(self, username: str) -> Iterator[httpx.Client]:
        with self.client() as client:
            response = client.post("/staff/login", data={"username": username, "password": PASSWORD})
            assert response.status_code == 303, response.text
            yield client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shipped_index: Path) -> Iterator[KbServer]:
    home = tmp_path_factory.mktemp("kbedits")
    with_shipped_index(home / "data", shipped_index)
    env = {"CHUBEI_DATA_DIR": str(home / "data"), "CHUBEI_API_KEYS": SHARED_KEY, "CHUBEI_PUBLIC_BASE_URL": "",
           "CHUBEI_TRUSTED_PROXIES": PROXY}  # fmt: skip
    with chubei_server(env, cwd=home) as url:
        yield KbServer(url, home / "data")


@pytest.fixture(scope="module")
def people(server: KbServer) -> dict[str, str]:
    for username, name, role in (("chen.admin", "陈管理", "管理员"), ("sun.zy", "孙专员", "专员")):
        made = server.staff("add", username, "--name", name, "--role", role, password=PASSWORD)
        assert made.returncode == 0, made.stderr
    return {"admin": "chen.admin", "specialist": "sun.zy"}


def answer(client: httpx.Client, question: str = QUESTION) -> dict:
    response = client.post("/api/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def edits_file(server: KbServer) -> str:
    path = server.data_dir / "kb" / "edits.yaml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_access_per_role(server: KbServer, people) -> None:
    with server.client() as anonymous:
        assert anonymous.get(f"/api/v1/kb/items/{FAQ}").status_code == 401
        assert anonymous.patch(f"/api/v1/kb/items/{FAQ}", json={"item": {}, "reason": "x"}).status_code == 401
    with server.login(people["specialist"]) as specialist:
        item = specialist.get(f"/api/v1/kb/items/{FAQ}")
        assert item.status_code == 200 and item.json()["kind_name"] == "常见问答" and item.json()["version"] is None
        found = specialist.get("/api/v1/kb/items", params={"q": "地下室", "kind": "faq"}).json()
        assert [row["id"] for row in found] == [FAQ]
        assert specialist.get("/api/v1/kb/changes", params={"status": "待审核"}).status_code == 200
        for method, path in (("POST", "/api/v1/kb/changes/1/approve"), ("POST", "/api/v1/kb/changes/1/reject"),
                             ("POST", f"/api/v1/kb/items/{FAQ}/restore")):  # fmt: skip
            refused = specialist.request(method, path, json={"reason": "试试"})
            assert refused.status_code == 403 and "管理员" in refused.json()["message"], (path, refused.text)
        page = specialist.get("/staff/knowledge")
        assert page.status_code == 200 and "知识库" in page.text


def test_every_write_is_validated_as_kb_validate_does_and_refused_in_chinese(server: KbServer, people) -> None:
    before = edits_file(server)
    with server.login(people["admin"]) as admin:
        changes = len(admin.get("/api/v1/kb/changes").json())
        cases = [
            ({"basis": [{"doc_id": "yule-changsuo-guanli-tiaoli", "article": "第七条", "quote": "娱乐场所可以设在任何地方"}]},
             "依据第1条（basis.0）", "引文不是《娱乐场所管理条例》第七条的原文"),
            ({"basis": [{"doc_id": "no-such-law", "article": "第一条", "quote": "四个字以上"}]},
             "依据第1条（basis.0）", "依据文件 no-such-law 不在语料库中"),
            ({"answer": "地下一层可以，需在30日内报消防部门备案。"}, "答复（answer）", "“30日”在所引条文中找不到"),
            ({"basis": [], "basis_pending": False}, "条目", "没有 basis 时必须标注 basis_pending: true"),
            ({"colour": "红"}, "colour（colour）", "不是可识别的字段"),
            ({"project_types": "ktv"}, "项目类型（project_types）", "应为列表"),
            ({"answer": "含\x00空字符"}, "答复（answer）", "含有无效字符"),
        ]  # fmt: skip
        for fields, field, reason in cases:
            refused = admin.patch(f"/api/v1/kb/items/{FAQ}", json={"item": fields, "reason": "测试校验"})
            assert refused.status_code == 422, refused.text
            body = refused.json()
            assert body["message"].startswith("未通过知识库校验"), body
            assert any(d["field"] == field and reason in d["message"] for d in body["detail"]), (fields, body)
        no_reason = admin.patch(f"/api/v1/kb/items/{FAQ}", json={"item": {"answer": CORRECTED}, "reason": " "})
        assert no_reason.status_code == 422 and "修改原因" in no_reason.json()["message"]
        wrong_type = admin.post("/api/v1/kb/items/gym.fire.test", json={"kind": "requirement", "reason": "新增",
                                "item": {"dimension": "消防", "title": "测试", "detail": "测试", "basis_pending": True,
                                         "pending_note": "测试"}})  # fmt: skip
        assert wrong_type.status_code == 422 and "gym 不是项目类型" in wrong_type.json()["message"]
        bad_dimension = admin.post("/api/v1/kb/items/ktv.fire.test", json={"kind": "requirement", "reason": "新增",
                                   "item": {"dimension": "防火", "title": "测试", "detail": "测试", "basis_pending": True,
                                            "pending_note": "测试"}})  # fmt: skip
        assert bad_dimension.status_code == 422
        assert bad_dimension.json()["detail"][0]["field"] == "维度（dimension）"
        assert "取值不在允许范围内" in bad_dimension.json()["detail"][0]["message"]
        # A 高发问题 that a case cites cannot be retired while the case cites it (a reference check of kb validate).
        cited = admin.request(
            "DELETE", "/api/v1/kb/items/entertainment.problem.underground", json={"reason": "测试停用"}
        )
        assert cited.status_code == 422, cited.text
        assert "案例引用了不存在的高发问题 entertainment.problem.underground" in cited.json()["message"]
        assert len(admin.get("/api/v1/kb/changes").json()) == changes  # nothing half-saved
    assert edits_file(server) == before


def test_a_specialists_change_waits_then_goes_live_and_an_old_version_is_restored(server: KbServer, people) -> None:
    with server.login(people["specialist"]) as specialist, server.login(people["admin"]) as admin:
        original = answer(specialist)["answer"]
        proposed = specialist.patch(
            f"/api/v1/kb/items/{FAQ}", json={"item": {"answer": CORRECTED}, "reason": "补充消防评估"}
        )
        assert proposed.status_code == 200, proposed.text
        change = proposed.json()
        assert change["status"] == "待审核" and change["proposed_by"] == "孙专员" and change["base_id"] is None
        assert [d["field"] for d in change["diff"]] == ["answer"] and change["diff"][0]["after"] == CORRECTED
        assert answer(specialist)["answer"] == original  # not live while it waits
        queue = admin.get("/api/v1/kb/changes", params={"status": "待审核"}).json()
        assert change["id"] in [c["id"] for c in queue]

        approved = admin.post(f"/api/v1/kb/changes/{change['id']}/approve", json={"note": "同意"})
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "已生效" and approved.json()["reviewed_by"] == "陈管理"
        assert CORRECTED[:20] in answer(specialist)["answer"]  # the next identical question uses the correction
        again = admin.post(f"/api/v1/kb/changes/{change['id']}/approve", json={})
        assert again.status_code == 409 and "已处理" in again.json()["message"]

        stale = specialist.patch(f"/api/v1/kb/items/{FAQ}", json={"item": {"answer": CORRECTED + "另需备案。"},
                                                                 "reason": "再补一句"}).json()  # fmt: skip
        own = admin.patch(f"/api/v1/kb/items/{FAQ}", json={"item": {"answer": CORRECTED + "签约前请先咨询。"},
                                                          "reason": "管理员直接修改"}).json()  # fmt: skip
        assert own["status"] == "已生效"  # a 管理员's own change is live at once
        conflict = admin.post(f"/api/v1/kb/changes/{stale['id']}/approve", json={})
        assert conflict.status_code == 409 and "重新提交" in conflict.json()["message"]
        rejected = admin.post(f"/api/v1/kb/changes/{stale['id']}/reject", json={"note": "已由管理员改过"}).json()
        assert rejected["status"] == "已驳回" and rejected["review_note"] == "已由管理员改过"

        versions = admin.get(f"/api/v1/kb/items/{FAQ}/versions").json()
        assert [v["version"] for v in versions] == [None, change["id"], own["id"]]
        assert versions[-1]["current"] and versions[1]["by"] == "孙专员" and versions[1]["reason"] == "补充消防评估"
        restored = admin.post(f"/api/v1/kb/items/{FAQ}/restore", json={"version": None, "reason": "恢复原答复"})
        assert restored.status_code == 201 and restored.json()["action"] == "恢复", restored.text
        assert answer(specialist)["answer"] == original
        assert admin.get(f"/api/v1/kb/items/{FAQ}/versions").json()[-1]["version"] == restored.json()["id"]


def test_add_retire_and_restore_an_item(server: KbServer, people) -> None:
    question = "KTV包厢门能装锁吗？"
    with server.login(people["admin"]) as admin:
        added = admin.post("/api/v1/kb/items", json={"kind": "faq", "reason": "窗口常问", "item": {
            "question": question, "answer": "包厢门不得装锁（测试答复）。", "project_types": ["ktv"],
            "basis_pending": True, "pending_note": "以窗口答复为准"}})  # fmt: skip
        assert added.status_code == 201 and added.json()["status"] == "已生效", added.text
        item_id = added.json()["item_id"]
        assert "包厢门不得装锁" in answer(admin, question)["answer"]
        retired = admin.request("DELETE", f"/api/v1/kb/items/{item_id}", json={"reason": "重复"})
        assert retired.status_code == 200 and retired.json()["action"] == "停用"
        assert admin.get(f"/api/v1/kb/items/{item_id}").status_code == 404
        assert "包厢门不得装锁" not in answer(admin, question)["answer"]
        versions = admin.get(f"/api/v1/kb/items/{item_id}/versions").json()
        assert versions[0]["item"] is None and versions[-1]["item"] is None
        back = admin.post(
            f"/api/v1/kb/items/{item_id}/restore", json={"version": versions[1]["version"], "reason": "误删"}
        )
        assert back.status_code == 201, back.text
        assert admin.get(f"/api/v1/kb/items/{item_id}").status_code == 200
    exported = server.data_dir.parent / "export"
    done = subprocess.run([str(VENV_BIN / "chubei"), "kb", "export", "--out", str(exported)], capture_output=True,
                          text=True, env={**os.environ, "CHUBEI_DATA_DIR": str(server.data_dir)}, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    staff_faq = yaml.safe_load((exported / "faq-staff.yaml").read_text(encoding="utf-8"))
    assert [entry["question"] for entry in staff_faq] == [question]
    assert (exported / "types" / "ktv.yaml").exists() and (exported / "permits").is_dir()


def test_thumbs_down_lands_in_the_queue_and_is_resolved_by_the_change_it_caused(server: KbServer, people) -> None:
    with server.login(people["specialist"]) as specialist, server.login(people["admin"]) as admin:
        asked = answer(specialist, "网吧离学校要多远？")
        session = specialist.get(f"/api/v1/sessions/{asked['session_id']}").json()
        message_id = session["messages"][-1]["id"]
        rated = specialist.post("/api/v1/feedback", json={"message_id": message_id, "rating": "down",
                                                         "reason": "没说幼儿园"})  # fmt: skip
        assert rated.status_code == 201, rated.text
        queue = specialist.get("/api/v1/feedback", params={"rating": "down", "unresolved": "true"}).json()
        row = next(f for f in queue if f["id"] == rated.json()["id"])
        assert row["channel"] == "staff" and row["question"] == "网吧离学校要多远？"
        with server.client(SHARED_KEY) as other:  # someone else's answer cannot be rated from outside the session
            assert other.post("/api/v1/feedback", json={"message_id": 99999, "rating": "down"}).status_code == 404

        item = specialist.get("/api/v1/kb/items/faq.internet_cafe_school_distance").json()["item"]
        change = specialist.patch("/api/v1/kb/items/faq.internet_cafe_school_distance", json={
            "item": {"answer": item["answer"] + "附近有幼儿园的，签约前同样先向主管部门确认。"}, "reason": "反馈：没说幼儿园",
            "feedback_id": rated.json()["id"]}).json()  # fmt: skip
        assert change["feedback_ids"] == [rated.json()["id"]]
        waiting = specialist.get("/api/v1/feedback", params={"rating": "down", "unresolved": "true"}).json()
        assert rated.json()["id"] in [f["id"] for f in waiting]  # not resolved until the change is live
        assert admin.post(f"/api/v1/kb/changes/{change['id']}/approve", json={}).status_code == 200
        resolved = next(f for f in admin.get("/api/v1/feedback").json() if f["id"] == rated.json()["id"])
        assert resolved["resolved"] is True and resolved["change_id"] == change["id"]
        assert resolved["change_item_id"] == "faq.internet_cafe_school_distance"


def test_healthz_reports_a_problem_in_an_overlay_and_the_rest_of_the_type_stays(server: KbServer, people) -> None:
    overlay = server.data_dir / "kb" / "faq-broken.yaml"
    overlay.write_text(yaml.safe_dump([
        {"id": "faq.broken_one", "question": "坏条目？", "answer": "需要30日。", "basis": [
            {"doc_id": "yule-changsuo-guanli-tiaoli", "article": "第七条", "quote": "(四)建筑物地下一层以下；"}]},
        {"id": "faq.good_one", "question": "好条目？", "answer": "可以（测试）。", "basis_pending": True, "pending_note": "测试"},
    ], allow_unicode=True), encoding="utf-8")  # fmt: skip
    try:
        with server.login(people["admin"]) as admin:
            change = admin.post("/api/v1/kb/items", json={"kind": "faq", "reason": "触发重新载入", "item": {
                "question": "健康检查测试？", "answer": "测试答复。", "basis_pending": True, "pending_note": "测试"}})  # fmt: skip
            assert change.status_code == 201, change.text
            health = httpx.get(f"{server.url}/healthz").json()
            assert health["status"] == "ok"
            assert any(p.startswith("faq-broken.yaml faq.broken_one") and "“30日”在所引条文中找不到" in p
                       for p in health["knowledge_problems"]), health  # fmt: skip
    finally:
        overlay.unlink()


# -- the loader, the start-up check and the export, on real YAML ---------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge with one invalid field in one KTV requirement."""
    copy = tmp_path_factory.mktemp("kbdata") / "data"
    shutil.copytree(DATA_DIR, copy)
    path = copy / "types" / "ktv.yaml"
    text = path.read_text(encoding="utf-8")
    assert "dimension: 设备" in text
    path.write_text(text.replace("dimension: 设备", "dimension: 设施", 1), encoding="utf-8")
    return copy


def test_one_invalid_item_is_reported_and_only_it_is_left_out(broken_copy: Path, shipped: KnowledgeBase) -> None:
    broken = KnowledgeBase.load(broken_copy)
    [error] = broken.errors
    assert error.file == "types/ktv.yaml" and error.location.endswith("（requirements.0.dimension）")
    assert "取值不在允许范围内" in error.message
    left = {item.id for item in broken.types["ktv"].requirements}
    assert left == {item.id for item in shipped.types["ktv"].requirements} - {error.location.split("（")[0]}
    assert broken.types["ktv"].problems == shipped.types["ktv"].problems


def test_the_server_refuses_to_start_on_invalid_shipped_knowledge(broken_copy: Path) -> None:
    problems = shipped_problems(broken_copy, shipped_corpus())
    assert len(problems) == 1 and problems[0].startswith("types/ktv.yaml: ktv.") and "dimension" in problems[0]
    assert shipped_problems(DATA_DIR, shipped_corpus()) == []


def test_export_writes_back_what_loads_as_the_same_knowledge(tmp_path: Path, shipped: KnowledgeBase) -> None:
    kb = shipped
    entry = item_dict(kb.faq[FAQ]) | {"answer": CORRECTED}
    changed = kb.with_edits([ItemEdit(kind="faq", item_id=FAQ, item=entry)])
    export(changed, tmp_path)
    again = KnowledgeBase.load(tmp_path)
    assert again.faq[FAQ].answer == CORRECTED and again.types == kb.types and again.permits == kb.permits
    assert validate(again, shipped_corpus()) == []


# -- the whole scenario in real Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium）；make test 会安装")
@pytest.mark.timeout(600, func_only=True)
def test_a_specialist_corrects_an_answer_an_admin_approves_and_restores_in_the_browser(
    server: KbServer, artifacts: Path, browser: Browser
) -> None:
    """First admin → creates a 专员 → the 专员 asks, corrects the answer's item (a wrong quote is refused first), the
    change waits → the admin approves → the identical question is answered from the corrected item → the admin
    restores the original version → the question is answered as before."""
    corrected = "地下一层须经消防设计单位评估后才能考虑，地下二层及更深不行。"
    made = server.staff("add", "liu.admin", "--name", "刘管理", "--role", "管理员", password=PASSWORD)
    assert made.returncode == 0, made.stderr

    def login(watched: Watched, username: str) -> Page:
        page = watched.page
        page.goto(f"{server.url}/staff/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(f"{server.url}/staff")
        return page

    def ask(page: Page) -> str:
        page.goto(f"{server.url}/staff/ask")
        page.get_by_label("您的问题").fill(QUESTION)
        page.get_by_role("button", name="提问").click()
        answer = page.locator("#thread article.msg.bot").last
        expect(answer).to_be_visible(timeout=120_000)
        return answer.locator(".a-text").inner_text()

    context = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "reduced_motion": "reduce"}
    admin_w, staff_w = Watched(browser.new_context(**context)), Watched(browser.new_context(**context))
    admin = login(admin_w, "liu.admin")
    admin.get_by_role("link", name="账号", exact=True).click()
    admin.get_by_label("用户名").fill("qian.zy")
    admin.get_by_label("姓名").fill("钱专员")
    admin.get_by_label("初始密码").fill(PASSWORD)
    admin.get_by_role("button", name="创建账号").click()
    expect(admin.locator("#account-form-status")).to_have_text("已创建 钱专员（qian.zy，专员）")

    staff = login(staff_w, "qian.zy")
    original = ask(staff)
    answer = staff.locator("#thread article.msg.bot").last
    answer.get_by_role("button", name="纠正").click()
    answer.get_by_role("button", name=f"修改条目 {FAQ}").click()
    form = answer.locator("form.kb-editor")
    expect(form.get_by_label("答复", exact=True)).to_have_value(re.compile("地下一层"), timeout=30_000)
    form.get_by_label("答复", exact=True).fill(corrected)
    # The basis picker: a chosen article whose quote is then made up is refused, naming the field.
    form.get_by_label("搜索法规条文作为依据").fill("娱乐场所 地下")
    form.get_by_role("button", name="搜索条文").click()
    hit = form.locator(".article-hit").filter(has_text="娱乐场所管理条例").first
    expect(hit).to_be_visible(timeout=30_000)
    hit.get_by_role("button", name="选用").click()
    quote = form.locator(".basis-list li").last.locator("textarea")
    assert "地下" in quote.input_value()  # the article's own text, to cut down
    quote.fill("娱乐场所可以设在地下二层")
    form.get_by_role("button", name="提交修改").click()
    expect(form.get_by_role("status").last).to_contain_text("未通过知识库校验", timeout=60_000)
    expect(form.locator(".field-error").first).to_contain_text("引文不是《娱乐场所管理条例》")
    form.locator(".basis-list li").last.get_by_role("button", name="移除").click()
    form.get_by_role("button", name="提交修改").click()
    expect(form.get_by_role("status").last).to_contain_text("等待管理员审核", timeout=60_000)
    answer.screenshot(path=str(artifacts / "kb-01-specialist-corrects.png"))
    assert ask(staff) == original  # not live while it waits

    admin.goto(f"{server.url}/staff/knowledge")
    card = admin.locator(".change-card").filter(has_text="钱专员").first
    expect(card).to_contain_text(corrected)
    expect(card.locator("td.before")).to_contain_text("地下一层可以考虑")
    admin.screenshot(path=str(artifacts / "kb-02-review-queue.png"), full_page=True)
    card.get_by_role("button", name="通过").click()
    expect(card.get_by_role("status")).to_have_text("已通过，已生效。", timeout=120_000)
    assert corrected[:20] in ask(staff)  # the identical question, answered from the corrected item

    admin.get_by_label("编号、标题或内容").fill("地下室")
    admin.get_by_role("button", name="查找").click()
    admin.locator(".item-row").filter(has_text=FAQ).click()
    versions = admin.locator("#versions > li")
    expect(versions.last).to_contain_text("钱专员")
    expect(versions.last).to_contain_text("现行")
    admin.once("dialog", lambda dialog: dialog.accept("恢复原答复"))
    versions.first.get_by_role("button", name="恢复此版本").click()
    expect(versions.first.get_by_role("status")).to_have_text("已恢复，已生效。", timeout=120_000)
    expect(admin.locator("#versions > li").last).to_contain_text("恢复", timeout=30_000)
    admin.screenshot(path=str(artifacts / "kb-03-versions.png"), full_page=True)
    assert ask(staff) == original

    errors = [e for e in admin_w.errors + staff_w.errors if "status of 422" not in e]
    assert errors == [], errors


# -- the change store on SQLite and PostgreSQL ------------------------------------------------------------------------


class LoadedKnowledge:
    """The knowledge as the server holds it, re-read from the overlay on each reload (no index: the server tests
    above cover re-indexing). ``fail_next`` makes the next reload fail as a full disk would."""

    def __init__(self, shipped, overlay_dir: Path) -> None:
        self.shipped, self.overlay_dir, self.corpus = shipped, overlay_dir, shipped_corpus()
        self.fail_next = False
        self.reload_knowledge()

    def reload_knowledge(self) -> int:
        if self.fail_next:
            self.fail_next = False
            raise OSError(28, "No space left on device")
        path = self.overlay_dir / "edits.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
        self.kb = self.shipped.with_edits([ItemEdit.model_validate(edit) for edit in raw or []])
        self.knowledge_issues = validate(self.kb, self.corpus)
        return 0


def test_changes_are_kept_reviewed_and_restored_on_each_database(database_url: str, shipped, tmp_path: Path) -> None:
    knowledge = LoadedKnowledge(shipped, tmp_path)
    database = Database(database_url)
    changes = KnowledgeChanges(database, knowledge, tmp_path)
    specialist, admin = StaffIdentity("孙专员", "专员"), StaffIdentity("陈管理", "管理员")
    original = knowledge.kb.faq[FAQ].answer

    waiting = changes.edit(FAQ, {"answer": CORRECTED}, "补充消防评估", specialist)
    assert waiting.status == "待审核" and not (tmp_path / "edits.yaml").exists()
    knowledge.fail_next = True
    with pytest.raises(OSError):
        changes.approve(waiting.id, admin, "同意")
    assert changes.change(waiting.id).status == "待审核"  # nothing half-saved: the row, the file, the knowledge
    assert not (tmp_path / "edits.yaml").exists() and knowledge.kb.faq[FAQ].answer == original

    assert changes.approve(waiting.id, admin, "同意").status == "已生效"
    assert knowledge.kb.faq[FAQ].answer == CORRECTED
    assert changes.item(FAQ).version == waiting.id
    with pytest.raises(ChangeConflict):
        changes.approve(waiting.id, admin, "")
    with pytest.raises(ChangeRefused) as refused:
        changes.edit(FAQ, {"answer": CORRECTED}, "没改", admin)
    assert "没有修改" in str(refused.value)

    retired = changes.retire(FAQ, "合并到别的问答", admin)
    assert retired.status == "已生效" and FAQ not in knowledge.kb.faq
    versions = changes.versions(FAQ)
    assert [v.item["answer"] if v.item else None for v in versions] == [original, CORRECTED, None]
    restored = changes.restore(FAQ, None, "恢复原答复", admin)
    assert restored.action == "恢复" and knowledge.kb.faq[FAQ].answer == original
    assert [c.id for c in changes.changes(None, FAQ, 10)] == [restored.id, retired.id, waiting.id]
    # A fresh data directory beside the same database gets the changes in force written back.
    fresh = tmp_path / "fresh"
    again = KnowledgeChanges(Database(database_url), LoadedKnowledge(shipped, fresh), fresh)
    assert again.sync() is True and again.sync() is False
    assert (fresh / "edits.yaml").read_text(encoding="utf-8") == (tmp_path / "edits.yaml").read_text(encoding="utf-8")

    # Migration 0007 goes back to 0006 and forward again.
    alembic(database.engine, command.downgrade, "0006")
    with database.engine.connect() as connection:
        assert "knowledge_changes" not in inspect(connection).get_table_names()
        assert "change_id" not in {c["name"] for c in inspect(connection).get_columns("feedback")}
    alembic(database.engine, command.upgrade, "head")
    assert changes.changes(None, None, 10) == []
