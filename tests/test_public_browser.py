"""The public assistant in a real Chromium, on a real ``chubei serve``, embedded in sites of other origins (second local
HTTP servers): on an allowed site the snippet's button opens the chat in a panel by keyboard, a question gets a cited
answer and a follow-up is understood, Esc closes the panel and gives focus back; on any other site there is no
button and the browser refuses to frame the page (CSP frame-ancestors). The public page passes axe and the phone
rules, refuses out-of-scope questions and keeps 大字; staff create a link on their page, copy its snippet and print a
QR card that decodes on screen and in print. Screenshots go to test-artifacts/."""

from __future__ import annotations

import html
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.conftest import CHROMIUM, RunningServer
from tests.test_browser import PHONE, Watched, decoded_qr, shot, staff_login
from tests.test_readable_pages import open_every_section, readable, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium）；make test 会安装"),
    pytest.mark.timeout(180, func_only=True),
]
QUESTION = "KTV能开在写字楼的地下一层吗？"
FOLLOW_UP = "那如果是地下二层呢？"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "reduced_motion": "reduce"}


class Site:
    """A web site on an origin of its own (a second local HTTP server), serving the pages a test writes."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/favicon.ico":  # asked for by the browser on its own; none here
                    self.send_response(204)
                    self.end_headers()
                    return
                page = pages.get(self.path)
                if page is None:
                    self.send_error(404)
                    return
                body = page.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def portal_page(snippet: str, extra: str = "") -> str:
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某区政务服务网</title></head>
<body><main><h1>某区政务服务网</h1><p>办事指南、政策文件。</p><a href="#guide">办事指南</a>{extra}</main>
{snippet}</body></html>"""


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    """The portal staff allowed, and a site they did not."""
    allowed, other = Site(), Site()
    yield allowed, other
    allowed.close()
    other.close()


@pytest.fixture(scope="module")
def link(server: RunningServer, sites: tuple[Site, Site]) -> dict:
    allowed, other = sites
    body = {"name": "区政务网嵌入", "allowed_origins": [allowed.origin]}
    response = httpx.post(f"{server.url}/api/v1/public-links", json=body, headers=server.headers, timeout=30)
    assert response.status_code == 201, response.text
    made = response.json()
    allowed.pages["/portal.html"] = portal_page(made["embed_snippet"])
    direct = f'<iframe id="direct" title="直接嵌入的咨询页" src="{html.escape(made["url"])}"></iframe>'
    other.pages["/portal.html"] = portal_page(made["embed_snippet"], direct)
    return made


def answers(scope, count: int) -> None:
    """Wait until ``count`` answers (not the greeting) are shown."""
    expect(scope.locator("article.msg.bot")).to_have_count(count, timeout=90_000)


def test_the_snippet_opens_the_chat_on_an_allowed_site_by_keyboard(
    browser: Browser, link: dict, sites: tuple[Site, Site], artifacts: Path
) -> None:
    allowed, _ = sites
    visitor = Watched(browser.new_context(**DESKTOP))
    page = visitor.page
    page.goto(f"{allowed.origin}/portal.html")
    launcher = page.locator("#chubei-launcher")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    shot(page, artifacts, "30-portal-launcher")

    page.keyboard.press("Tab")  # the portal's own link
    page.keyboard.press("Tab")
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    panel = page.get_by_role("dialog", name="开业筹备智能咨询")
    expect(panel).to_be_visible()
    chat = page.frame_locator("#chubei-panel iframe")
    expect(chat.locator(".welcome")).to_be_visible()
    expect(chat.locator("#question")).to_be_focused()

    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    answers(chat, 1)
    first = chat.locator("article.msg.bot").first
    expect(first.locator(".cite").first).to_be_visible()
    assert "不" in first.locator(".bubble").inner_text()[:80]
    chat.locator("#question").fill(FOLLOW_UP)
    chat.locator("#question").press("Enter")
    answers(chat, 2)
    expect(chat.locator("article.msg.bot").nth(1).locator(".understood")).to_contain_text("地下二层")
    shot(page, artifacts, "31-portal-panel-answer")

    # Esc inside the panel closes it and focus comes back to the button; reopened, the conversation is still there.
    chat.locator("#question").press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    answers(chat, 2)
    chat.get_by_role("button", name="关闭").click()
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    assert visitor.errors == [], visitor.errors
    visitor.context.close()


def test_a_site_not_allowed_gets_no_button_and_the_browser_refuses_the_frame(
    browser: Browser, link: dict, sites: tuple[Site, Site], artifacts: Path
) -> None:
    _, other = sites
    visitor = Watched(browser.new_context(**DESKTOP))
    page = visitor.page
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    def refused(message: ConsoleMessage) -> bool:
        return "未获准嵌入" in message.text

    with page.expect_console_message(refused):
        page.goto(f"{other.origin}/portal.html")
    page.wait_for_load_state("load")
    expect(page.locator("#chubei-launcher")).to_have_count(0)
    direct = page.frame_locator("#direct")
    expect(direct.locator("#question")).to_have_count(0)
    framed = next(frame for frame in page.frames if frame != page.main_frame)
    assert framed.url.startswith("chrome-error://"), framed.url
    assert any("frame-ancestors" in text for text in console), console
    shot(page, artifacts, "32-portal-not-allowed")
    # Opened directly (not framed), the same page works.
    page.goto(link["url"])
    expect(page.locator(".welcome")).to_be_visible()
    visitor.context.close()


def ask(page: Page, question: str, count: int) -> None:
    page.locator("#question").fill(question)
    page.get_by_role("button", name="发送").click()
    answers(page, count)


def test_the_public_page_reads_well_refuses_out_of_scope_and_keeps_big_text(
    browser: Browser, link: dict, artifacts: Path
) -> None:
    phone = Watched(browser.new_context(**PHONE))
    page = phone.page
    page.goto(link["url"])
    expect(page.get_by_role("heading", level=1)).to_have_text("开业筹备智能咨询")
    ask(page, "游泳池要配几个救生员？", 1)
    open_every_section(page)
    page.locator(".cite").first.get_by_role("button", name="查看全文").click()
    expect(page.locator(".article-full .article-text").first).to_be_visible()
    readable(page)
    shot(page, artifacts, "33-public-phone", full_page=True)

    ask(page, "帮我写一首关于大海的诗", 2)
    refusal = page.locator("article.msg.bot").nth(1)
    expect(refusal).to_have_class("msg bot oos")
    expect(refusal).to_contain_text("温馨提示")
    expect(refusal.locator(".cite")).to_have_count(0)

    page.get_by_role("button", name="大字").click()
    page.reload()
    expect(page.locator("html")).to_have_class("big-text")
    expect(page.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("article.msg.bot")).to_have_count(0)  # a reload (the next person at a kiosk) starts afresh
    assert violations(page) == []
    # As /embed.js opens it in a panel: with its 关闭 button, and the same rules.
    page.goto(f"{link['url']}?embed=1")
    expect(page.get_by_role("button", name="关闭")).to_be_visible()
    expect(page.locator("#question")).to_be_focused()
    readable(page)
    assert phone.errors == [], phone.errors
    phone.context.close()


def test_staff_create_a_link_copy_its_snippet_and_print_a_card_that_decodes(
    browser: Browser, server: RunningServer, artifacts: Path
) -> None:
    staff = staff_login(browser, server, name="钱管理")
    page = staff.page
    staff.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.get_by_role("link", name="公开咨询").click()
    expect(page).to_have_url(f"{server.url}/staff/public-links")

    form = page.locator("#link-form")
    form.get_by_label("名称").fill("服务大厅二维码")
    form.get_by_label("允许嵌入的网站").fill("https://zwfw.example.gov.cn/portal")
    form.get_by_role("button", name="创建链接").click()
    origins = form.get_by_label("允许嵌入的网站")
    expect(origins).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error")).to_contain_text("不是网站来源")
    # Chromium logs the refused request (422) itself as a failed resource; that one is expected.
    assert all("status of 422" in e for e in staff.errors), staff.errors
    staff.errors.clear()
    origins.fill("https://zwfw.example.gov.cn\nhttps://www.example.gov.cn")
    form.get_by_role("button", name="创建链接").click()
    expect(page.locator("#link-form-status")).to_contain_text("已创建")

    card = page.locator("article.public-link").filter(has_text="服务大厅二维码")
    expect(card).to_contain_text("https://zwfw.example.gov.cn、https://www.example.gov.cn")
    snippet = card.get_by_label("嵌入代码（粘贴到允许嵌入的网站页面中）").input_value()
    assert snippet.startswith(f'<script src="{server.url}/embed.js" data-link="') and snippet.endswith("</script>")
    card.get_by_role("button", name="复制嵌入代码").click()
    expect(card.get_by_role("status")).to_have_text("嵌入代码已复制")
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    open_every_section(page)
    assert violations(page) == []
    shot(page, artifacts, "34-staff-public-links", full_page=True)

    url = next(row["url"] for row in httpx.get(f"{server.url}/api/v1/public-links", headers=server.headers).json()
               if row["name"] == "服务大厅二维码")  # fmt: skip
    card.get_by_role("link", name="打印二维码").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开业筹备智能咨询")
    on_screen = page.locator(".qr-code").screenshot(path=str(artifacts / "browser-35-public-card-qr.png"))
    assert decoded_qr(on_screen) == [url]
    document = pdfium.PdfDocument(page.pdf(format="A5", print_background=True))
    assert len(document) == 1, "卡片应打印在一页上"
    printed = io.BytesIO()
    document[0].render(scale=150 / 72).to_pil().save(printed, format="PNG")
    assert decoded_qr(printed.getvalue()) == [url]
    assert staff.errors == [], staff.errors
    staff.context.close()
