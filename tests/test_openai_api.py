"""The OpenAI-compatible API on a real server, driven by the official ``openai`` SDK and LangChain's ``ChatOpenAI``:
the same assistant as POST /api/v1/ask and the chat page, scoped by the credential, in OpenAI's shapes."""

from __future__ import annotations

import json

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI

from tests.conftest import RunningServer
from tests.test_access import create_project

FIRST, FOLLOW_UP = "KTV能开在地下一层吗？", "那地下二层呢？"


def client(server: RunningServer, key: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=key or server.key, timeout=60, max_retries=0)


def conversation(first_answer: str) -> list[dict]:
    return [
        {"role": "system", "content": "你是开业审批助手"},
        {"role": "user", "content": FIRST},
        {"role": "assistant", "content": first_answer},
        {"role": "user", "content": FOLLOW_UP},
    ]


def numbered(citations: list[dict]) -> str:
    lines = [f"[{n}] 《{c['title']}》{c['article']}" for n, c in enumerate(citations, 1)]
    return "\n\n" + "\n".join(lines) if lines else ""


def staff_ask(server: RunningServer, question: str, session_id: str | None = None) -> dict:
    body = {"question": question, **({"session_id": session_id} if session_id else {})}
    response = httpx.post(f"{server.url}/api/v1/ask", json=body, headers=server.headers, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def ktv(server: RunningServer) -> dict:
    return create_project(server, "海湾KTV", "在小区底商开一家KTV，10个包间")


def test_models_are_listed_for_staff_and_operators(server: RunningServer, ktv: dict) -> None:
    for key in (server.key, ktv["links"][0]["token"]):
        models = client(server, key).models.list()
        assert [m.id for m in models.data] == ["chubei"]
        assert client(server, key).models.retrieve("chubei").id == "chubei"
    with pytest.raises(openai.NotFoundError) as raised:
        client(server).models.retrieve("gpt-4o")
    assert raised.value.body["code"] == "model_not_found" and "gpt-4o" in raised.value.body["message"]


def test_a_general_conversation_answers_the_follow_up_as_ask_does(server: RunningServer) -> None:
    sdk = client(server)
    first = sdk.chat.completions.create(model="chubei", messages=[{"role": "user", "content": FIRST}],
                                        temperature=0.2, max_tokens=50, user="窗口1", top_p=0.9)  # fmt: skip
    second = sdk.chat.completions.create(model="chubei", messages=conversation(first.choices[0].message.content))

    asked = staff_ask(server, FIRST)
    followed = staff_ask(server, FOLLOW_UP, asked["session_id"])
    for reply, expected in ((first, asked), (second, followed)):
        choice = reply.choices[0]
        assert choice.finish_reason == "stop" and choice.message.role == "assistant"
        assert choice.message.content == expected["answer"] + numbered(expected["citations"])
        assert reply.model_extra["citations"] == expected["citations"] and expected["citations"]
        assert reply.model_extra["out_of_scope"] is False
    extras = second.model_extra
    assert "地下二层" in extras["understood_as"] and "地下二层" in second.choices[0].message.content
    assert second.choices[0].message.content.startswith("不能")
    content = second.choices[0].message.content
    prompt = sum(len(m["content"]) for m in conversation(first.choices[0].message.content))
    assert (second.usage.prompt_tokens, second.usage.completion_tokens) == (prompt, len(content))
    assert second.usage.total_tokens == prompt + len(content)


def test_streaming_gives_the_same_answer_in_chunks_ending_with_done(server: RunningServer) -> None:
    sdk = client(server)
    first = sdk.chat.completions.create(model="chubei", messages=[{"role": "user", "content": FIRST}])
    messages = conversation(first.choices[0].message.content)
    plain = sdk.chat.completions.create(model="chubei", messages=messages)
    chunks = list(sdk.chat.completions.create(model="chubei", messages=messages, stream=True,
                                              stream_options={"include_usage": True}))  # fmt: skip
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == plain.choices[0].message.content and len(chunks) > 4
    finish = chunks[-2]
    assert finish.choices[0].finish_reason == "stop"
    assert finish.model_extra["citations"] == plain.model_extra["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(text)

    with httpx.stream("POST", f"{server.url}/v1/chat/completions", headers=server.headers, timeout=60,
                      json={"model": "chubei", "messages": messages, "stream": True}) as response:  # fmt: skip
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line]
    assert events[-1] == "data: [DONE]" and all(line.startswith("data: ") for line in events)
    assert json.loads(events[-2].removeprefix("data: "))["choices"][0]["finish_reason"] == "stop"


def test_an_operator_token_opens_that_projects_chat_and_the_specialist_sees_it(
    server: RunningServer, ktv: dict
) -> None:
    token = ktv["links"][0]["token"]
    sdk = client(server, token)
    about_site = sdk.chat.completions.create(model="chubei", messages=[{"role": "user", "content": "这里能开吗？"}])
    assert about_site.choices[0].message.content.startswith("不能")  # the project's own facts: a residential building
    assert "居民楼" in about_site.choices[0].message.content[:80]

    first = sdk.chat.completions.create(model="chubei", messages=[{"role": "user", "content": FIRST}])
    second = sdk.chat.completions.create(model="chubei", messages=conversation(first.choices[0].message.content))
    chat = [
        httpx.post(f"{server.url}/api/v1/c/{token}/ask", json={"question": q}, timeout=60).json()
        for q in (FIRST, FOLLOW_UP)
    ]
    for reply, page in zip((first, second), chat, strict=True):
        assert reply.choices[0].message.content == page["text"] + numbered(page["citations"])
    assert second.model_extra["out_of_scope"] is False and "地下二层" in second.model_extra["understood_as"]

    conversations = httpx.get(f"{server.url}/api/v1/projects/{ktv['id']}/conversations", headers=server.headers)
    by_channel = {c["channel"]: c for c in conversations.json()}
    asked = [m["text"] for m in by_channel["openai"]["messages"] if m["role"] == "user"]
    assert asked == ["这里能开吗？", FIRST, FOLLOW_UP]  # each turn once, not the resent history
    assert [m["text"] for m in by_channel["operator"]["messages"] if m["role"] == "user"] == [FIRST, FOLLOW_UP]


def test_langchain_chat_openai_plain_and_streaming(server: RunningServer, ktv: dict) -> None:
    llm = ChatOpenAI(base_url=f"{server.url}/v1", api_key=server.key, model="chubei", max_retries=0, timeout=60)
    first = llm.invoke([HumanMessage(FIRST)])
    history = [HumanMessage(FIRST), AIMessage(first.content), HumanMessage(FOLLOW_UP)]
    second = llm.invoke(history)
    assert "地下二层" in second.content and second.content.startswith("不能")
    streamed = "".join(chunk.content for chunk in llm.stream(history))
    assert streamed == second.content

    operator = ChatOpenAI(base_url=f"{server.url}/v1", api_key=ktv["links"][0]["token"], model="chubei",
                          max_retries=0, timeout=60, streaming=True)  # fmt: skip
    assert operator.invoke([HumanMessage("这里能开吗？")]).content.startswith("不能")


def test_a_refusal_is_an_ordinary_assistant_message(server: RunningServer) -> None:
    question = "给我的民宿起五个名字"
    reply = client(server).chat.completions.create(
        model="chubei", messages=[{"role": "user", "content": [{"type": "text", "text": question}]}]
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "stop" and choice.message.refusal is None
    assert reply.model_extra["out_of_scope"] is True and reply.model_extra["citations"] == []
    assert choice.message.content == staff_ask(server, question)["answer"] and "[1]" not in choice.message.content


def test_bad_or_missing_keys_are_openai_errors(server: RunningServer) -> None:
    with pytest.raises(openai.AuthenticationError) as raised:
        client(server, "sk-not-a-chubei-key").chat.completions.create(
            model="chubei", messages=[{"role": "user", "content": FIRST}]
        )
    assert raised.value.status_code == 401
    assert raised.value.body["code"] == "invalid_api_key" and "密钥无效" in raised.value.body["message"]
    response = httpx.post(f"{server.url}/v1/chat/completions", json={"model": "chubei", "messages": []})
    assert response.status_code == 401 and response.json()["error"]["code"] == "missing_api_key"

    project = create_project(server, "旧链接网咖", "商场三楼开网咖，60台电脑")
    httpx.post(f"{server.url}/api/v1/projects/{project['id']}/links", headers=server.headers)  # revokes the old one
    with pytest.raises(openai.PermissionDeniedError) as denied:
        client(server, project["links"][0]["token"]).models.list()
    assert "撤销" in denied.value.body["message"]


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"model": "chubei"}, "messages", "缺少必填字段"),
        ({"model": "chubei", "messages": []}, "messages", "至少需要一条用户消息"),
        ({"messages": [{"role": "user", "content": FIRST}]}, "model", "缺少必填字段"),
        ({"model": "chubei", "messages": [{"role": "tool", "content": "x"}]}, "messages.0.role", "不支持 tool"),
        ({"model": "chubei", "messages": [{"role": "user", "content": FIRST}, {"role": "assistant", "content": "好"}]},
         "messages", "最后一条消息须为用户的问题"),
        ({"model": "chubei", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
         "messages.0.content", "不支持 image_url"),
        ({"model": "chubei", "messages": [{"role": "user", "content": "  "}]}, "messages.0.content", "不能为空"),
        ({"model": "chubei", "messages": [{"role": "user", "content": "好" * 2001}]}, "messages.0.content", "过长"),
        ({"model": "chubei", "n": 2, "messages": [{"role": "user", "content": FIRST}]}, "n", "只支持 n=1"),
        ({"model": "chubei", "stream": "maybe", "messages": [{"role": "user", "content": FIRST}]}, "stream",
         "true 或 false"),
    ],
)  # fmt: skip
def test_bad_bodies_are_a_400_naming_the_field(server: RunningServer, body: dict, param: str, words: str) -> None:
    response = httpx.post(f"{server.url}/v1/chat/completions", json=body, headers=server.headers, timeout=30)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert words in error["message"] and error["message"].startswith("请求参数有误")


def test_malformed_json_unknown_models_and_paths_keep_the_openai_shape(server: RunningServer) -> None:
    url = f"{server.url}/v1/chat/completions"
    headers = {**server.headers, "Content-Type": "application/json"}
    malformed = httpx.post(url, content=b'{"model": "chubei",', headers=headers)
    assert malformed.status_code == 400 and "不是合法的 JSON" in malformed.json()["error"]["message"]
    surrogate = httpx.post(
        url, headers=headers, content=b'{"model":"chubei","messages":[{"role":"user","content":"\\ud800KTV"}]}'
    )
    assert surrogate.status_code == 400 and surrogate.json()["error"]["param"] == "messages.0.content"
    with pytest.raises(openai.NotFoundError) as raised:
        client(server).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": FIRST}])
    assert raised.value.body["param"] == "model" and "不存在" in raised.value.body["message"]
    missing = httpx.post(f"{server.url}/v1/embeddings", json={"input": "x"}, headers=server.headers)
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "未找到请求的地址"
    assert httpx.get(url, headers=server.headers).status_code == 405
    assert httpx.get(f"{server.url}/v1/models", headers=server.headers).headers["cache-control"] == "no-store"


def test_the_openai_endpoints_are_documented(server: RunningServer) -> None:
    schema = httpx.get(f"{server.url}/openapi.json").json()
    operation = schema["paths"]["/v1/chat/completions"]["post"]
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert "422" not in operation["responses"]  # a bad body is OpenAI's 400
    assert "/v1/models" in schema["paths"]
