"""The pages in a real browser (Debian Chromium through Playwright), on a real ``chubei serve``.

Staff log in and create a project; the operator opens the QR link on a phone, reads the plan, asks,
opens the cited article and leaves a 👎; staff see it on the project page. Screenshots of each step and
``browser-metrics.json`` (chat page weight, raw and as transferred compressed; time to answer) go to test-artifacts/.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from api.db.engine import Database
from api.dossiers import Dossiers
from api.links import LinkSigner
from api.schemas import ProjectCreate
from assistant.models import GuidanceResponse
from tests import samples
from tests.conftest import CHROMIUM, RunningServer

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36"
    ),
    "locale": "zh-CN",
    "reduced_motion": "reduce",
}
PROJECT = "某健身会所市北店（带泳池）"
DESCRIPTION = "健身会所带25米恒温泳池，水面400平，租的商场四楼，房本还没下来"
QUESTION = "游泳池要配几个救生员？"
REASON = "没有说清楚400平的水面具体要几名救生员"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium）；make test 会安装"),
    pytest.mark.timeout(120, func_only=True),
]


class Watched:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))


def staff_login(browser: Browser, server: RunningServer, name: str = "李审批") -> Watched:
    staff = Watched(
        browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", reduced_motion="reduce")
    )
    page = staff.page
    page.goto(f"{server.url}/staff")
    expect(page).to_have_url(f"{server.url}/staff/login")
    page.get_by_label("工作人员密钥").fill(server.key)
    page.get_by_label("您的姓名").fill(name)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{server.url}/staff")
    expect(page.locator(".topbar .user-name")).to_have_text(name)
    return staff


def create_by_api(server: RunningServer, name: str, description: str) -> dict:
    body = {"name": name, "description": description, "specialist_name": "赵专员"}
    response = httpx.post(f"{server.url}/api/v1/projects", json=body, headers=server.headers, timeout=60)
    assert response.status_code == 201, response.text
    return response.json()


def shot(page: Page, artifacts: Path, name: str, **options) -> None:
    page.screenshot(path=str(artifacts / f"browser-{name}.png"), **options)


def test_staff_creates_project_and_operator_asks_on_a_phone(
    browser: Browser, server: RunningServer, artifacts: Path
) -> None:
    started = time.perf_counter()
    staff = staff_login(browser, server)
    page = staff.page
    shot(page, artifacts, "01-staff-projects")

    # An out-of-scope project is refused, in Chinese, without leaving the page.
    page.get_by_label("项目名称").fill("崂山核电站")
    page.get_by_label("项目描述").fill("我想在崂山建一座核电站")
    page.get_by_role("button", name="生成方案并创建项目").click()
    expect(page.locator("#create-error")).to_be_visible()
    expect(page.locator("#create-error")).to_contain_text("专员")
    expect(page).to_have_url(f"{server.url}/staff")
    # Chromium logs the refused request (422) itself as a failed resource; that one is expected.
    assert all("status of 422" in e for e in staff.errors), staff.errors
    staff.errors.clear()

    page.get_by_label("项目名称").fill(PROJECT)
    page.get_by_label("项目描述").fill(DESCRIPTION)
    page.get_by_label("专员姓名").fill("王敏")
    page.get_by_label("专员电话").fill("0532-8888 6666")
    page.get_by_role("button", name="生成方案并创建项目").click()
    page.wait_for_url(f"{server.url}/staff/projects/*")
    project_id = urlparse(page.url).path.rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    expect(page.locator(".type-chip").filter(has_text="游泳场所")).to_be_visible()
    assert page.locator(".checklist tbody tr").count() > 10
    expect(page.locator(".dim-title").first).to_contain_text("房产")
    page.wait_for_function("() => { const i = document.getElementById('qr'); return i.complete && i.naturalWidth > 0 }")
    link = page.input_value("#link-url")
    assert link.startswith(server.url + "/c/"), link
    shot(page, artifacts, "02-staff-project")

    # The operator opens the link on a phone.
    phone = Watched(browser.new_context(**PHONE))
    responses: list[Response] = []
    phone.page.on("response", lambda r: responses.append(r))
    op = phone.page
    op.goto(link)
    expect(op.locator("#project-name")).to_have_text(PROJECT)
    expect(op.locator("#specialist-name")).to_have_text("王敏")
    expect(op.locator("#specialist-phone")).to_have_attribute("href", "tel:053288886666")
    expect(op.locator("#items .badge[data-status='待准备']").first).to_be_visible()
    expect(op.locator("#h-problems")).to_have_text("高发问题")
    assert op.locator("#steps > li").count() >= 3
    op.wait_for_load_state("networkidle")
    page_files = [
        r
        for r in responses
        if r.request.resource_type in ("document", "stylesheet", "script")
        and not urlparse(r.url).path.startswith("/api/")
    ]
    weight = {urlparse(r.url).path: len(r.body()) for r in page_files}
    # What the phone downloads: the compressed bodies as they came over the wire.
    transferred = {urlparse(r.url).path: r.request.sizes()["responseBodySize"] for r in page_files}
    shot(op, artifacts, "03-operator-plan")

    op.get_by_role("tab", name="在线咨询").click()
    expect(op.locator(".welcome")).to_be_visible()
    op.get_by_label("输入您的问题").fill(QUESTION)
    clicked = time.perf_counter()
    op.get_by_role("button", name="发送").click()
    answer = op.locator("article.msg.bot").last
    expect(answer).to_be_visible(timeout=30_000)
    time_to_answer = (time.perf_counter() - clicked) * 1000
    expect(op.locator(".msg.user").last).to_have_text(QUESTION)
    answer_text = answer.locator(".bubble").inner_text()
    assert "救生员" in answer_text or "救助人员" in answer_text
    assert answer.locator(".cite").count() >= 1
    shot(op, artifacts, "04-operator-answer")

    cite = answer.locator(".cite").first
    cite.locator("summary").click()
    quote = cite.locator(".quote")
    expect(quote).to_be_visible()
    assert len(quote.inner_text().strip()) >= 4
    cite.get_by_role("button", name="查看全文").click()
    full = cite.locator(".article-text")
    expect(full).to_be_visible()
    expect(cite.locator(".article-full .article-head")).to_contain_text("第")
    assert len(full.inner_text()) >= len(quote.inner_text().strip())
    cite.scroll_into_view_if_needed()
    shot(op, artifacts, "05-operator-article")

    answer.get_by_role("button", name="没帮助").click()
    answer.get_by_label("哪里不对或没说清楚").fill(REASON)
    answer.get_by_role("button", name="提交反馈").click()
    expect(answer.get_by_text("感谢反馈")).to_be_visible()
    shot(op, artifacts, "06-operator-feedback")

    # Staff see the question, the answer and the 👎 reason on the project page.
    page.reload()
    conversations = page.locator("#conversation-list")
    expect(conversations).to_contain_text(QUESTION)
    expect(conversations).to_contain_text(answer_text.strip().splitlines()[0][:30])
    expect(conversations.locator(".fb-line.fb-down")).to_contain_text(REASON)
    expect(conversations.locator(".faq-box > summary")).to_have_text("转为常见问答")
    conversations.locator(".faq-box > summary").click()
    expect(conversations.locator(".faq-form input[name=question]")).to_have_value(QUESTION)
    page.locator("#conversations").screenshot(path=str(artifacts / "browser-07-staff-conversation.png"))

    page.goto(f"{server.url}/staff/feedback")
    expect(page.locator(".feedback-card").first).to_contain_text(REASON)
    expect(page.locator(".feedback-card").first.get_by_role("link")).to_have_text(PROJECT)
    shot(page, artifacts, "08-staff-feedback")

    page.goto(f"{server.url}/staff/projects/{project_id}/card")
    expect(page.locator(".qr-code svg")).to_be_visible()
    expect(page.locator(".qr-specialist")).to_contain_text("王敏")
    shot(page, artifacts, "09-staff-card", full_page=True)

    assert staff.errors == [] and phone.errors == [], staff.errors + phone.errors
    metrics = {
        "chat_page_weight_kb": round(sum(weight.values()) / 1024, 1),
        "chat_page_files": weight,
        "chat_page_transferred_kb": round(sum(transferred.values()) / 1024, 1),
        "time_to_answer_ms": round(time_to_answer),
        "scenario_seconds": round(time.perf_counter() - started, 1),
    }
    (artifacts / "browser-metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    assert metrics["chat_page_weight_kb"] < 66, metrics
    assert metrics["chat_page_transferred_kb"] < 25, metrics
    staff.context.close()
    phone.context.close()


def test_staff_status_changes_persist(browser: Browser, server: RunningServer, artifacts: Path) -> None:
    project = create_by_api(server, "某KTV市北店", "KTV，12个包间，在商业综合体三楼，房子是租的")
    staff = staff_login(browser, server, name="周审批")
    page = staff.page
    page.goto(f"{server.url}/staff/projects/{project['id']}")
    first = project["items"][0]
    row = page.locator(".checklist tbody tr").first
    expect(row).to_contain_text(first["title"])
    row.get_by_label(f"「{first['title']}」的状态").select_option("预审通过")
    expect(row.get_by_role("status")).to_have_text("已保存 ✓")
    note = row.get_by_label(f"「{first['title']}」的备注")
    note.fill("租赁合同已交复印件")
    note.blur()
    expect(row.get_by_role("status")).to_have_text("已保存 ✓")
    page.get_by_label("项目状态").select_option("已开业")
    expect(page.locator(".status-line [role=status]")).to_have_text("已保存 ✓")

    page.reload()
    row = page.locator(".checklist tbody tr").first
    expect(row.get_by_label(f"「{first['title']}」的状态")).to_have_value("预审通过")
    expect(row.get_by_label(f"「{first['title']}」的备注")).to_have_value("租赁合同已交复印件")
    expect(page.get_by_label("项目状态")).to_have_value("已开业")
    expect(page.locator("#history-list")).to_contain_text("预审通过")
    expect(page.locator("#history-list")).to_contain_text("周审批")
    page.locator("#checklist .dim-block").first.screenshot(path=str(artifacts / "browser-10-staff-status.png"))

    token = project["links"][0]["token"]
    view = httpx.get(f"{server.url}/api/v1/c/{token}/project").json()
    item = next(i for i in view["items"] if i["item_id"] == first["item_id"])
    assert (item["status"], item["note"]) == ("预审通过", "租赁合同已交复印件")
    assert staff.errors == [], staff.errors
    staff.context.close()


def test_revoked_link_shows_the_link_error_page(browser: Browser, server: RunningServer, artifacts: Path) -> None:
    project = create_by_api(server, "某民宿", "在市北区老城区开一家民宿，5间客房，提供早餐")
    link = project["links"][0]
    staff = staff_login(browser, server, name="吴审批")
    page = staff.page
    page.goto(f"{server.url}/staff/projects/{project['id']}")
    page.locator(".links summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"撤销链接 {link['id']}").click()
    expect(page.locator("#link-status")).to_have_text("链接已撤销。")
    expect(page.locator("#qr-missing")).to_be_visible()

    phone = Watched(browser.new_context(**PHONE))
    response = phone.page.goto(f"{server.url}/c/{link['token']}")
    assert response is not None and response.status == 403
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("这个链接暂时无法打开")
    expect(phone.page.locator(".message")).to_have_text("该访问链接已被撤销，请向您的专员索取新的二维码")
    expect(phone.page.get_by_text("请联系您的专员")).to_be_visible()
    shot(phone.page, artifacts, "11-link-revoked")

    bad = phone.page.goto(f"{server.url}/c/not-a-token")
    assert bad is not None and bad.status == 401
    expect(phone.page.locator(".message")).to_contain_text("访问链接无效")
    # The main document's own 401/403 is logged by Chromium as a failed resource; nothing else may fail.
    assert [e for e in phone.errors if "status of 40" not in e] == [], phone.errors
    assert staff.errors == [], staff.errors
    staff.context.close()
    phone.context.close()


def decoded_qr(png: bytes) -> list[str]:
    """The QR codes a decoder (zxing-cpp) reads in a rendered image.

    Only QR is searched, as a phone's camera does: with every format on, the decoder
    has now and then read a few QR modules as a short linear barcode ("6867").
    """
    image = Image.open(io.BytesIO(png))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in found]


def test_printable_card_qr_decodes_on_screen_and_in_print(
    browser: Browser, server: RunningServer, artifacts: Path
) -> None:
    project = create_by_api(server, "某网咖市北店", "网咖，80台电脑，商场二楼，房子是租的")
    link = project["links"][0]
    assert link["url"].endswith(f"/c/{link['token']}")
    assert link["warning"] and "127.0.0.1" in link["warning"], link
    staff = staff_login(browser, server, name="郑审批")
    page = staff.page

    page.goto(f"{server.url}/staff/projects/{project['id']}")
    expect(page.locator("#link-warning")).to_contain_text("手机打不开")
    page.goto(f"{server.url}/staff/projects/{project['id']}/card")
    expect(page.get_by_role("alert")).to_contain_text("CHUBEI_PUBLIC_BASE_URL")
    code = page.locator(".qr-code")
    expect(code.locator("svg")).to_be_visible()
    on_screen = code.screenshot(path=str(artifacts / "browser-12-card-qr.png"))
    assert decoded_qr(on_screen) == [link["url"]]

    pdf = page.pdf(format="A5", print_background=True)
    (artifacts / "browser-13-card.pdf").write_bytes(pdf)
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1, "卡片应打印在一页上"
    printed = document[0].render(scale=150 / 72).to_pil()
    buffer = io.BytesIO()
    printed.save(buffer, format="PNG")
    assert decoded_qr(buffer.getvalue()) == [link["url"]]
    assert staff.errors == [], staff.errors
    staff.context.close()


def test_a_clarifying_question_is_answered_in_place_and_the_plan_shows_what_changed(
    browser: Browser, server: RunningServer, artifacts: Path
) -> None:
    project = create_by_api(server, "某KTV（选址中）", "想开个KTV，还在找铺子")
    assert project["plan"]["red_lines"] == []
    staff = staff_login(browser, server, name="孙审批")
    page = staff.page
    page.goto(f"{server.url}/staff/projects/{project['id']}")
    questions = page.locator("#questions-form")
    expect(questions.locator(".tag.red").first).to_have_text("决定红线")
    questions.get_by_label("场所位于第几层？是否在地下？").fill("-2")
    questions.get_by_role("button", name="保存回答并更新方案").click()
    expect(page.locator("#plan-diff")).to_contain_text("方案已更新")
    expect(page.locator("#plan-diff")).to_contain_text("触及红线")
    expect(page.locator("#red-lines")).to_be_visible()
    expect(questions.get_by_label("场所位于第几层？是否在地下？")).to_have_count(0)
    page.locator("#understanding").screenshot(path=str(artifacts / "browser-14-question-answered.png"))

    # Every fact has a control (no JSON keys to remember): 电梯 is under 更多事实.
    page.locator(".more-facts > summary").click()
    page.get_by_label("是否使用电梯").select_option("true")
    page.get_by_role("button", name="重新生成方案").click()
    expect(page.locator("#regen-status")).to_contain_text("方案已更新")
    facts = httpx.get(f"{server.url}/api/v1/projects/{project['id']}", headers=server.headers).json()
    assert facts["fact_overrides"] == {"floor": -2, "has_elevator": True}
    assert staff.errors == [], staff.errors
    staff.context.close()


def test_the_project_list_pages_with_more_and_still_searches(
    browser: Browser, server: RunningServer, artifacts: Path
) -> None:
    """Past one page (50 projects) the list offers 更多, which appends the next page; a search starts over.
    The 52 projects go straight into the server's database, each with one real plan from the server's planner:
    planning them one by one over HTTP would take a minute."""
    description = "商场三楼开KTV，8个包间"
    planned = httpx.post(f"{server.url}/api/v1/guidance", json={"description": description}, headers=server.headers,
                         timeout=60)  # fmt: skip
    plan = GuidanceResponse.model_validate(planned.json())
    database = Database(f"sqlite:///{server.data_dir / 'chubei.sqlite3'}")
    dossiers = Dossiers(database, lambda text, facts: plan, LinkSigner(b"unused"), "", ttl_days=30)
    names = [f"分页演示{number:02d}" for number in range(52)]
    for name in names:
        dossiers.create(ProjectCreate(name=name, description=description, specialist_name="钱专员"), actor="测试")
    database.engine.dispose()

    staff = staff_login(browser, server, name="郑审批")
    page = staff.page
    rows = page.locator("#project-list .project-row")
    more = page.get_by_role("button", name="更多")
    expect(rows).to_have_count(50)
    expect(more).to_be_visible()

    page.get_by_label("搜索项目").fill("分页演示")
    expect(page.locator("#list-status")).to_have_text("显示 50 个，共 52 个项目")
    expect(rows).to_have_count(50)
    expect(rows.first.locator(".project-name")).to_have_text("分页演示51")  # most recently updated first
    more.scroll_into_view_if_needed()
    shot(page, artifacts, "14-staff-projects-more")
    more.click()
    expect(rows).to_have_count(52)
    expect(more).to_be_hidden()
    expect(page.locator("#list-status")).to_have_text("共 52 个项目")
    assert sorted(page.locator("#project-list .project-name").all_inner_texts()) == names  # each once

    page.get_by_label("搜索项目").fill("分页演示07")
    expect(rows).to_have_count(1)
    expect(more).to_be_hidden()
    expect(page.locator("#list-status")).to_have_text("共 1 个项目")
    assert staff.errors == [], staff.errors
    staff.context.close()


def test_operator_photographs_a_lease_and_staff_confirm_the_finding(
    browser: Browser, server: RunningServer, artifacts: Path
) -> None:
    """要件预审 end to end: a phone uploads a photographed lease (real OCR); staff confirm the finding."""
    project = create_by_api(server, "欢唱KTV辽宁路店", "在市北区辽宁路商场三楼开一家KTV，面积450平米，租赁")
    sample = samples.lease("青岛市市北区辽宁路88号3层301室", "商业", "450.5", "2026年1月1日", "2031年12月31日",
                           "青岛市北商业管理有限公司", "青岛欢唱娱乐有限公司")  # fmt: skip
    photo = samples.jpeg(samples.photographed(samples.render(sample), seed=11))

    phone = Watched(browser.new_context(**PHONE))
    page = phone.page
    page.goto(f"{server.url}/c/{project['links'][0]['token']}")
    documents = page.locator("#documents")
    expect(documents.get_by_text("还没有上传材料。")).to_be_visible()
    documents.get_by_label("材料类型").select_option("lease")
    page.locator("#op-doc-camera").set_input_files({"name": "合同.jpg", "mimeType": "image/jpeg", "buffer": photo})
    expect(page.locator("#op-doc-status")).to_contain_text("已识别为“房屋租赁合同”", timeout=90_000)
    card = documents.locator(".doc-card").first
    expect(card.locator("h3")).to_have_text("房屋租赁合同")
    expect(card.locator(".finding").first).to_contain_text("预审通过（待专员确认）")
    expect(card.locator(".finding").first).to_contain_text("待专员确认")
    expect(card.locator(".decision-actions")).to_have_count(0)  # operators cannot decide
    card.locator(".doc-read summary").click()
    expect(card.locator(".doc-fields")).to_contain_text("青岛欢唱娱乐有限公司")
    card.screenshot(path=str(artifacts / "browser-20-operator-prereview.png"))
    assert phone.errors == [], phone.errors

    staff = staff_login(browser, server, name="吴审批")
    page = staff.page
    page.goto(f"{server.url}/staff/projects/{project['id']}")
    first = page.locator("#doc-list .finding").first
    expect(first).to_contain_text("租期约")
    first.get_by_label("第1条结论的备注").fill("已核原件")
    first.get_by_role("button", name="确认第1条结论").click()
    expect(first.locator(".decision")).to_contain_text("专员吴审批已确认", timeout=15_000)
    item = "entertainment.property.documents"
    title = next(i["title"] for i in project["items"] if i["item_id"] == item)
    expect(page.get_by_label(f"「{title}」的状态")).to_have_value("预审通过")
    expect(page.locator("#history-list")).to_contain_text("确认预审结论")
    page.locator("#documents").screenshot(path=str(artifacts / "browser-21-staff-prereview.png"))

    # The area read from the lease becomes a project fact, with the lease line as its evidence.
    card = page.locator("#doc-list .doc-card").first
    card.locator(".doc-read summary").click()
    card.get_by_role("button", name="采纳建筑面积（平方米）为项目事实").click()
    expect(card.locator(".doc-fields")).to_contain_text("已采纳，方案已更新", timeout=60_000)
    expect(page.locator("#history-list")).to_contain_text("采纳材料事实")
    expect(page.locator("#history-list")).to_contain_text("450.5平方米")
    assert staff.errors == [], staff.errors
    staff.context.close()
    phone.context.close()
