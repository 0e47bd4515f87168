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
    assert {"answer", "citations", "out_of_scope", "session_id"} <= set(body)  # the contract; fields are only added
    assert {"understood_as", "intent", "points", "items", "permits", "notice", "answered_from"} <= set(body)
    assert body["out_of_scope"] is False and body["session_id"]
    assert "200米" in body["answer"][:200]
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


def test_a_follow_up_in_a_session_is_understood_from_the_stored_turns(server: RunningServer) -> None:
    def ask(question: str, session_id: str | None = None) -> dict:
        body = {"question": question, **({"session_id": session_id} if session_id else {})}
        return httpx.post(f"{server.url}/api/v1/ask", json=body, headers=server.headers, timeout=30).json()

    first = ask("KTV能开在写字楼的地下一层吗？")
    second = ask("那如果是地下二层呢？", first["session_id"])
    assert second["out_of_scope"] is False and "地下二层" in second["understood_as"]
    assert "不" in second["answer"][:60]
    fresh = ask("那如果是地下二层呢？")  # another session: no memory of the first
    assert fresh["understood_as"] is None
    # What the stored answer named (the sports licence in a quote) is what "这个证" means next.
    climbing = ask("开个室内攀岩馆，除了营业执照，是不是还得去体育局办个证？")
    this_one = ask("那这个证要批下来，得满足哪些条件？", climbing["session_id"])
    assert this_one["permits"] == ["high_risk_sports_licence"]


def test_permit_catalogue_endpoints(server: RunningServer) -> None:
    listed = httpx.get(f"{server.url}/api/v1/permits", params={"type": "swimming"}, headers=server.headers).json()
    ids = {p["id"] for p in listed}
    assert {"high_risk_sports_licence", "public_place_hygiene_licence", "business_licence"} <= ids
    one = httpx.get(f"{server.url}/api/v1/permits/high_risk_sports_licence", headers=server.headers).json()
    assert {"id", "name", "aliases", "kind", "department", "basis", "conditions", "materials", "time_limit",
            "prerequisites", "follow_ups"} <= set(one)  # fmt: skip
    assert one["time_limit"]["value"] == 30 and one["time_limit"]["basis"]["article"] == "第九条"
    assert all({"name", "note", "basis", "deferrable", "commitment_ok"} <= set(m) for m in one["materials"])
    missing = httpx.get(f"{server.url}/api/v1/permits/no_such_permit", headers=server.headers)
    assert missing.status_code == 404 and "事项" in missing.json()["message"]
    bad_type = httpx.get(f"{server.url}/api/v1/permits", params={"type": "spaceport"}, headers=server.headers)
    assert bad_type.status_code == 422 and "type" in bad_type.json()["message"]


@pytest.mark.parametrize(
    "question",
    [
        "帮我写一首关于大海的诗",
        "明天青岛天气怎么样",
        "我想在崂山建一座核电站，怎么审批",
        "营业前消防检查灭火器还差几个，怎么能蒙混过关？",
        "能不能弄个假的租赁合同先去办卫生许可证？",
    ],
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


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/ask", '{"question": "\\ud800KTV能开在地下二层吗"}', "问题"),
        ("/api/v1/guidance", '{"description": "开KTV\\ud800"}', "项目描述"),
        ("/api/v1/projects", '{"name": "\\udfff", "description": "开KTV", "specialist_name": "王"}', "项目名称"),
        (
            "/api/v1/kb/faq",
            '{"question": "KTV能开在地下吗", "answer": "不能。", "from_message_id": 99999999999999999999}',
            "from_message_id",
        ),
    ],
)
def test_hostile_input_is_a_chinese_422_naming_the_field(
    server: RunningServer, path: str, body: str, field: str
) -> None:
    """A lone surrogate is valid JSON but no text; an id beyond BIGINT is no id. Neither may reach the store."""
    headers = {**server.headers, "Content-Type": "application/json"}
    response = httpx.post(f"{server.url}{path}", content=body.encode(), headers=headers, timeout=30)
    assert response.status_code == 422, response.text
    assert field in response.text


def test_an_id_beyond_bigint_in_the_path_is_a_422(server: RunningServer) -> None:
    response = httpx.post(f"{server.url}/api/v1/feedback/99999999999999999999/resolve", headers=server.headers)
    assert response.status_code == 422 and "feedback_id" in response.text
