"""The specialist sees on the staff project page what the operator asked through the OpenAI-compatible API."""

from __future__ import annotations

import openai
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import CHROMIUM, RunningServer
from tests.test_browser import create_by_api, staff_login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium）；make test 会安装"),
    pytest.mark.timeout(120, func_only=True),
]


def test_the_staff_page_shows_the_operators_openai_conversation(browser: Browser, server: RunningServer) -> None:
    project = create_by_api(server, "接口问答KTV", "写字楼里开KTV，8个包间")
    sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key=project["links"][0]["token"], max_retries=0)
    question = "KTV要办哪些证？"
    answer = sdk.chat.completions.create(model="chubei", messages=[{"role": "user", "content": question}])
    staff = staff_login(browser, server, name="钱审批")
    page = staff.page
    page.goto(f"{server.url}/staff/projects/{project['id']}")
    conversation = page.locator("#conversation-list .conversation").filter(has_text="经营者（OpenAI 兼容接口）")
    expect(conversation).to_contain_text(question)
    expect(conversation).to_contain_text(answer.choices[0].message.content.splitlines()[0][:30])
    assert staff.errors == [], staff.errors
    staff.context.close()
