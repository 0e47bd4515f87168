"""The optional OpenAI-compatible LLM only rephrases; when it fails or invents a number, the answer stands."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request

from assistant.answering import Assistant
from assistant.llm import LlmClient
from chubei.services import Services
from tests.servers import free_port

QUESTION = "网吧离学校要多远？"


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[dict]:
    """A real HTTP server speaking the /chat/completions protocol, with a scripted reply."""
    script = {"reply": "", "requests": []}
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> dict:
        script["requests"].append(await request.json())
        return {"choices": [{"message": {"role": "assistant", "content": script["reply"]}}]}

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
    return Assistant(indexed.retriever, indexed.scope, indexed.kb, indexed.corpus, indexed.tokenizer,
                     LlmClient(url, "qwen-test", api_key="sk-test", timeout=5))  # fmt: skip


def test_llm_rephrases_the_lead_and_keeps_the_citations(indexed: Services, fake_llm: dict) -> None:
    fake_llm["reply"] = "网吧必须离中学、小学校园200米以上，也不能开在居民住宅楼里。"
    plain = indexed.assistant.ask(QUESTION)
    answer = assistant_with(indexed, fake_llm["url"]).ask(QUESTION)
    assert answer.text.startswith(fake_llm["reply"])
    assert answer.citations == plain.citations
    request = fake_llm["requests"][-1]
    assert request["model"] == "qwen-test" and request["temperature"] == 0
    assert "200米" in request["messages"][1]["content"]  # the model sees the quoted articles


def test_an_invented_number_falls_back_to_the_extractive_answer(indexed: Services, fake_llm: dict) -> None:
    fake_llm["reply"] = "网吧离学校至少500米。"
    plain = indexed.assistant.ask(QUESTION)
    answer = assistant_with(indexed, fake_llm["url"]).ask(QUESTION)
    assert answer.text == plain.text


def test_an_unreachable_llm_falls_back(indexed: Services) -> None:
    plain = indexed.assistant.ask(QUESTION)
    answer = assistant_with(indexed, f"http://127.0.0.1:{free_port()}/v1").ask(QUESTION)
    assert answer.text == plain.text and answer.citations == plain.citations


def test_out_of_scope_never_reaches_the_llm(indexed: Services, fake_llm: dict) -> None:
    before = len(fake_llm["requests"])
    answer = assistant_with(indexed, fake_llm["url"]).ask("帮我写一首关于大海的诗")
    assert answer.out_of_scope and len(fake_llm["requests"]) == before
