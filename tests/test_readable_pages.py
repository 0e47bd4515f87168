"""Readable on any phone, checked in a real Chromium on a real ``chubei serve``: axe-core finds no WCAG 2.1 AA
violation on the operator page (plan with every section and item opened, chat with an answer and its article)
or on the staff pages with every section opened; on the operator page every tap target is at least 44 × 44 px
and all text at least 14 px; the 大字 mode stays on across reloads; focus rings stand out at 3:1 or more."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.conftest import CHROMIUM, RunningServer
from tests.test_browser import PHONE, Watched, create_by_api, shot, staff_login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium）；make test 会安装"),
    pytest.mark.timeout(180, func_only=True),
]
GYM = "健身会所带25米恒温泳池，水面400平，租的商场四楼，房本还没下来"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}

# Every visible control whose box is smaller than 44 × 44 CSS px (the off-screen skip link is not visible).
SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], button, summary, input, select, textarea, [role=tab]')]
  .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.right > 0 && (r.width < 43.5 || r.height < 43.5))
  .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.className} 「${e.textContent.trim().slice(0, 20)}」 ${Math.round(r.width)}×${Math.round(r.height)}`)"""
# Every visible piece of text set smaller than 14 CSS px.
SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.textContent.trim() || !element.getClientRects().length || element.closest('.sr-only, .skip-link')) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 14) small.push(`${element.tagName.toLowerCase()}.${element.className} 「${node.textContent.trim().slice(0, 15)}」 ${size}px`);
  }
  return small;
}"""


@pytest.fixture(scope="module")
def gym(server: RunningServer) -> dict:
    return create_by_api(server, "某游泳健身馆（无障碍）", GYM)


def violations(page: Page) -> list[str]:
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:5]} {v['help']}" for v in found]


def open_every_section(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.wait_for_load_state("networkidle")


def readable(page: Page) -> None:
    """axe finds nothing, and the phone rules hold: 44 × 44 px targets, 14 px text."""
    assert (found := violations(page)) == [], found
    assert (small := page.evaluate(SMALL_TARGETS)) == [], small
    assert (tiny := page.evaluate(SMALL_TEXT)) == [], tiny


def contrast(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    def luminance(rgb: tuple[float, ...]) -> float:
        c = [v / 255 for v in rgb[:3]]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(match: tuple[str, ...], background: tuple[int, ...]) -> tuple[float, ...]:
    """A CSS colour (r, g, b[, alpha]) as it shows over the background."""
    alpha = float(match[3]) if match[3] else 1.0
    return tuple(alpha * int(v) + (1 - alpha) * b for v, b in zip(match[:3], background, strict=True))


def test_the_operator_page_reads_well_on_a_phone(
    browser: Browser, server: RunningServer, gym: dict, artifacts: Path
) -> None:
    phone = Watched(browser.new_context(**PHONE))
    page = phone.page
    page.goto(f"{server.url}/c/{gym['links'][0]['token']}")
    expect(page.locator("#plan")).to_be_visible()

    # An item opened shows what the plan JSON no longer carries: its detail, materials, department and basis.
    first = page.locator("#items .item").first
    first.locator(".item-more > summary").click()
    expect(first.locator(".item-more-body .loading")).to_have_count(0)
    requirement = next(
        r for r in gym["plan"]["requirements"] if r["title"] == first.locator(".item-title").inner_text()
    )
    if requirement["detail"]:
        expect(first.locator(".item-detail")).to_have_text(requirement["detail"])
    if requirement["basis"]:
        expect(first.locator(".cite").first).to_contain_text(requirement["basis"][0]["title"])
    for material in requirement["materials"][:3]:
        expect(first.locator(".materials")).to_contain_text(material)
    first.screenshot(path=str(artifacts / "browser-21-operator-item-opened.png"))

    open_every_section(page)
    expect(page.locator(".item-more-body .loading")).to_have_count(0)
    assert page.locator(".item-more-body .cite").count() > 5
    readable(page)

    page.get_by_role("tab", name="在线咨询").click()
    page.get_by_label("输入您的问题").fill("游泳池要配几个救生员？")
    page.get_by_role("button", name="发送").click()
    answer = page.locator("article.msg.bot").last
    expect(answer.locator(".cite").first).to_be_visible(timeout=60_000)
    cite = answer.locator(".cite").first
    cite.locator("summary").click()
    cite.get_by_role("button", name="查看全文").click()
    expect(cite.locator(".article-text")).to_be_visible()
    answer.get_by_role("button", name="没帮助").click()  # opens the reason form: its label and button count too
    expect(answer.locator(".fb-form")).to_be_visible()
    readable(page)
    assert phone.errors == [], phone.errors
    phone.context.close()


def test_large_text_stays_on_across_visits(browser: Browser, server: RunningServer, gym: dict, artifacts: Path) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    url = f"{server.url}/c/{gym['links'][0]['token']}"
    page.goto(url)
    expect(page.locator("#plan")).to_be_visible()
    toggle = page.get_by_role("button", name="大字")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    title = page.locator("#items .item-title").first
    normal = float(title.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)"))

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert float(title.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")) >= normal * 1.2
    page.reload()
    expect(page.locator("#plan")).to_be_visible()
    expect(page.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("html")).to_have_class(re.compile(r"\bbig-text\b"))
    shot(page, artifacts, "22-operator-large-text")
    again = context.new_page()  # a later visit from the same phone
    again.goto(url)
    expect(again.locator("#plan")).to_be_visible()
    assert (
        float(again.locator("#items .item-title").first.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)"))
        >= normal * 1.2
    )
    # Large text must not break the phone rules either.
    open_every_section(again)
    assert again.evaluate(SMALL_TARGETS) == []

    again.get_by_role("button", name="大字").click()
    again.reload()
    expect(again.locator("#plan")).to_be_visible()
    expect(again.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "false")
    expect(again.locator("html")).not_to_have_class(re.compile(r"\bbig-text\b"))
    context.close()


def test_staff_pages_with_every_section_opened_have_no_violations(
    browser: Browser, server: RunningServer, gym: dict
) -> None:
    staff = staff_login(browser, server, name="孙审批")
    page = staff.page
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    httpx.post(f"{server.url}/api/v1/c/{gym['links'][0]['token']}/ask", json={"question": "水质多久检测一次？"},
               timeout=60).raise_for_status()  # fmt: skip
    page.goto(f"{server.url}/staff/projects/{gym['id']}")
    expect(page.locator(".checklist tbody tr").first).to_be_visible()
    expect(page.locator("#conversation-list")).to_contain_text("水质")
    open_every_section(page)
    assert violations(page) == []
    page.goto(f"{server.url}/staff/feedback")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    page.goto(f"{server.url}/staff/knowledge")  # an item open in the editor, and the new-item form
    page.get_by_label("编号、标题或内容").fill("地下室")
    page.get_by_role("button", name="查找").click()
    page.locator(".item-row").first.click()
    expect(page.locator("form.kb-editor")).to_be_visible()
    page.locator("#new-item > summary").click()
    expect(page.locator("#new-editor form.kb-editor")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert staff.errors == [], staff.errors
    staff.context.close()


def test_focus_rings_stand_out_on_cards_and_on_the_blue_bars(browser: Browser, server: RunningServer) -> None:
    staff = staff_login(browser, server, name="郑审批")
    page = staff.page
    page.wait_for_load_state("networkidle")
    for selector, background in (("#create-form button[type=submit]", (255, 255, 255)), (".topnav a", (31, 95, 168))):
        control = page.locator(selector).first
        control.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focused from the keyboard, so :focus-visible applies
        shadow = control.evaluate("(e) => getComputedStyle(e).boxShadow")
        colours = [over(m, background) for m in re.findall(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", shadow)]
        assert colours, (selector, shadow)
        assert max(contrast(c, background) for c in colours) >= 3, (selector, shadow)
    staff.context.close()
