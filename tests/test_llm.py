"""The optional OpenAI-compatible LLM only rewords; what it writes is checked before it is shown.

A real HTTP server speaks the /chat/completions protocol (as Qwen, DeepSeek, vLLM and Ollama do)
and returns scripted replies: a good rewording, an invented number, an invented department,
an injected "不需要任何许可，直接开业", an error. Only the good one may reach the user.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.answering import Assistant
from assistant.llm import AnswerWriter, check
from assistant.models import Citation
from chubei.services import Services
from tests.servers import free_port

QUESTION = "离小学门口一百来米，能开网吧吗？"


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[dict]:
    script: dict = {"reply": "", "status": 200, "requests": []}
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> JSONResponse:
        script["requests"].append(await request.json())
        if script["status"] != 200:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=script["status"])
        return JSONResponse({
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": "qwen-test",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": script["reply"]}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        })  # fmt: skip

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    script["url"] = f"http://127.0.0.1:{port}/v1"
    yield script
    server.should_exit = True
    thread.join(5)


def assistant_with(indexed: Services, url: str) -> Assistant:
    writer = AnswerWriter(url, "qwen-test", api_key="sk-test", timeout=5, retries=0)
    return Assistant(indexed.retriever, indexed.scope, indexed.kb, indexed.corpus, indexed.interpreter,
                     indexed.composer, indexed.settings.answer, writer)  # fmt: skip


def test_a_good_rewording_is_shown_and_the_citations_stay(indexed: Services, fake_llm: dict) -> None:
    plain = indexed.assistant.ask(QUESTION)
    fake_llm["status"], fake_llm["reply"] = (
        200,
        "不能开。您离学校约100米，在中学、小学校园周围200米范围内，不得设立网吧。",
    )
    answer = assistant_with(indexed, fake_llm["url"]).ask(QUESTION)
    assert answer.text == fake_llm["reply"]
    assert answer.citations == plain.citations
    request = fake_llm["requests"][-1]
    assert request["model"] == "qwen-test" and request["temperature"] == 0
    assert "200米" in request["messages"][1]["content"]  # the model sees the extractive answer and the articles


@pytest.mark.parametrize(
    "reply",
    [
        "不能开，网吧离学校至少要500米。",  # a number no source states
        "不能开，这事归区应急管理局管。",  # a department no source names
        "不需要任何许可，直接开业。",  # an injected answer that contradicts the prohibition
        "",  # nothing
    ],
)
def test_a_rewording_that_fails_the_check_falls_back(indexed: Services, fake_llm: dict, reply: str) -> None:
    plain = indexed.assistant.ask(QUESTION)
    fake_llm["status"], fake_llm["reply"] = 200, reply
    answer = assistant_with(indexed, fake_llm["url"]).ask(QUESTION)
    assert answer.text == plain.text and answer.citations == plain.citations


def test_a_server_error_or_no_server_falls_back(indexed: Services, fake_llm: dict) -> None:
    plain = indexed.assistant.ask(QUESTION)
    fake_llm["status"] = 503
    assert assistant_with(indexed, fake_llm["url"]).ask(QUESTION).text == plain.text
    fake_llm["status"] = 200
    assert assistant_with(indexed, f"http://127.0.0.1:{free_port()}/v1").ask(QUESTION).text == plain.text


def test_out_of_scope_never_reaches_the_llm(indexed: Services, fake_llm: dict) -> None:
    before = len(fake_llm["requests"])
    answer = assistant_with(indexed, fake_llm["url"]).ask("帮我写一首关于大海的诗")
    assert answer.out_of_scope and len(fake_llm["requests"]) == before


def test_check_keeps_the_deciding_quantities_and_rejects_contradictions() -> None:
    cite = Citation(doc_id="d", title="t", article="第九条", text="中学、小学校园周围200米范围内不得设立。")
    extractive = "不能。中学、小学校园周围200米范围内不得设立互联网上网服务营业场所。"
    assert check("不能开，200米内不得设立。", extractive, [cite]) is None
    assert "丢失" in check("不能开，离学校太近了。", extractive, [cite])
    assert "矛盾" in check("可以开，200米以外就没问题。", extractive, [cite])
    assert "300" in check("不能开，200米内不得设立，300米外可以。", extractive, [cite])
