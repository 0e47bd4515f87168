"""The HTTP API on a real server: contracts, authentication and Chinese errors (never a 500)."""

from __future__ import annotations

import httpx
import pytest

from kb.corpus import shipped_corpus
from tests.conftest import RunningServer


def test_server_generated_and_printed_a_staff_key(server: RunningServer) -> None:
    assert server.key.startswith("cb_") and len(server.key) > 20
    log = (server.data_dir.parent / "server.log").read_text(encoding="utf-8")
    assert server.key in log and "已生成工作人员密钥" in log


def test_healthz_needs_no_key(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["chunks"] > 3500


def test_ask_contract(server: RunningServer) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/ask", json={"question": "网吧离学校要多远？"}, headers=server.headers, timeout=30
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "citations", "out_of_scope", "session_id"}
    assert body["out_of_scope"] is False and body["session_id"]
    assert "200米" in body["answer"]
    corpus = shipped_corpus()
    assert body["citations"]
    for citation in body["citations"]:
        assert {"doc_id", "title", "article", "text"} <= set(citation)
        assert corpus.get(citation["doc_id"]).title == citation["title"]
        assert corpus.quote_found(citation["doc_id"], citation["article"], citation["text"])
    first = body["citations"][0]
    assert (first["doc_id"], first["article"]) == ("hulianwang-shangwang-fuwu-yingye-changsuo-guanli-tiaoli", "第九条")


def test_session_id_is_kept(server: RunningServer) -> None:
    body = {"question": "KTV能开在地下二层吗", "session_id": "s-123"}
    response = httpx.post(f"{server.url}/api/v1/ask", json=body, headers=server.headers, timeout=30)
    assert response.json()["session_id"] == "s-123"


@pytest.mark.parametrize(
    "question", ["帮我写一首关于大海的诗", "明天青岛天气怎么样", "我想在崂山建一座核电站，怎么审批"]
)
def test_out_of_scope_questions_are_refused_without_citations(server: RunningServer, question: str) -> None:
    response = httpx.post(f"{server.url}/api/v1/ask", json={"question": question}, headers=server.headers, timeout=30)
    body = response.json()
    assert response.status_code == 200
    assert body["out_of_scope"] is True and body["citations"] == []
    assert "专员" in body["answer"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "需要工作人员密钥"), ({"Authorization": "Bearer wrong"}, "密钥无效"), ({"Authorization": "Basic x"}, "需要")],
)
def test_staff_endpoints_need_a_valid_key(server: RunningServer, headers: dict, message: str) -> None:
    response = httpx.post(f"{server.url}/api/v1/ask", json={"question": "网吧"}, headers=headers)
    assert response.status_code == 401
    assert message in response.json()["message"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"question": ""}, "question", "不能为空"),
        ({"question": "   "}, "question", "不能为空"),
        ({"question": "网" * 2001}, "question", "过长"),
        ({"question": 123}, "question", "应为文本"),
        ({}, "question", "缺少必填字段"),
        ({"question": "网吧", "session_id": "x" * 65}, "session_id", "过长"),
    ],
)
def test_bad_questions_get_a_422_naming_the_field(
    server: RunningServer, payload: dict, field: str, message: str
) -> None:
    response = httpx.post(f"{server.url}/api/v1/ask", json=payload, headers=server.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"][0]["field"] == field
    assert message in body["detail"][0]["message"]
    assert message in body["message"]


def test_malformed_json_is_a_422_in_chinese(server: RunningServer) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/ask",
        content=b'{"question": "abc"',
        headers={**server.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "不是合法的 JSON" in response.json()["message"]


def test_unknown_path_is_a_chinese_404(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["message"] == "未找到请求的地址"
