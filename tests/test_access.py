"""Access boundaries on the real server: an operator link opens its own project and nothing else."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from tests.conftest import RunningServer

STAFF_ENDPOINTS = [
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/ask"),
    ("POST", "/api/v1/guidance"),
    ("GET", "/api/v1/feedback"),
    ("POST", "/api/v1/kb/faq"),
    ("GET", "/api/v1/articles/xiaofang-fa/第十五条"),
]


def create_project(server: RunningServer, name: str, description: str) -> dict:
    response = httpx.post(
        f"{server.url}/api/v1/projects",
        json={"name": name, "description": description, "specialist_name": "王专员", "specialist_phone": "0532-8888"},
        headers={**server.headers, "X-Staff-Name": "%E6%9D%8E%E7%A7%91%E9%95%BF"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def two_projects(server: RunningServer) -> tuple[dict, dict]:
    pool = create_project(server, "海岸泳馆", "健身会所带恒温泳池，水面400平，租的商场四楼")
    cafe = create_project(server, "星河网咖", "商场二楼开网咖，80台电脑")
    return pool, cafe


def operator(server: RunningServer, project: dict, path: str, method: str = "GET", **kwargs) -> httpx.Response:
    token = project["links"][0]["token"]
    return httpx.request(method, f"{server.url}/api/v1/c/{token}{path}", timeout=60, **kwargs)


def test_staff_creates_projects_and_the_history_names_the_actor(server: RunningServer, two_projects) -> None:
    pool, _ = two_projects
    history = httpx.get(f"{server.url}/api/v1/projects/{pool['id']}/history", headers=server.headers).json()
    assert any(h["action"] == "创建项目" and h["actor"] == "李科长" for h in history)


def test_operator_reads_and_chats_on_its_own_project(server: RunningServer, two_projects) -> None:
    pool, _ = two_projects
    view = operator(server, pool, "/project").json()
    assert view["project_name"] == "海岸泳馆" and view["specialist_name"] == "王专员"
    assert view["items"] and all(item["status"] == "待准备" for item in view["items"])
    reply = operator(server, pool, "/ask", "POST", json={"question": "游泳池要配几个救生员？"})
    assert reply.status_code == 200
    message = reply.json()
    assert message["role"] == "assistant" and message["citations"]
    history = operator(server, pool, "/messages").json()
    assert [m["role"] for m in history["messages"][-2:]] == ["user", "assistant"]
    feedback = operator(
        server, pool, "/feedback", "POST", json={"message_id": message["id"], "rating": "down", "reason": "没说人数"}
    )
    assert feedback.status_code == 201
    staff_view = httpx.get(f"{server.url}/api/v1/projects/{pool['id']}/conversations", headers=server.headers).json()
    assert staff_view[0]["messages"][-1]["feedback"][0]["reason"] == "没说人数"


def test_the_operator_chat_answers_about_the_projects_own_facts_and_remembers(server: RunningServer) -> None:
    project = create_project(server, "学府网咖", "在小学对面开一家网咖，离校门大概150米，准备放80台电脑")
    view = operator(server, project, "/project").json()
    assert view["red_lines"] and "200米" in view["red_lines"][0]["title"]
    assert any("网络文化经营许可" in p["name"] for p in view["permits"])
    reply = operator(server, project, "/ask", "POST", json={"question": "离学校这么近有问题吗？"}).json()
    assert reply["text"].startswith("不能") and "150" in reply["text"][:80]
    operator(server, project, "/ask", "POST", json={"question": "网吧许可证要交哪些材料？"})
    follow = operator(server, project, "/ask", "POST", json={"question": "这个证归哪个部门管？"}).json()
    assert follow["understood_as"] and "文化" in follow["text"][:120]


def test_a_staff_session_cannot_be_carried_into_another_project(server: RunningServer, two_projects) -> None:
    pool, cafe = two_projects
    first = httpx.post(f"{server.url}/api/v1/ask", json={"question": "水质多久检测一次？", "project_id": pool["id"]},
                       headers=server.headers, timeout=60).json()  # fmt: skip
    moved = httpx.post(f"{server.url}/api/v1/ask", headers=server.headers, timeout=60,
                       json={"question": "那要多久？", "project_id": cafe["id"], "session_id": first["session_id"]})  # fmt: skip
    assert moved.status_code == 422 and "session_id" in moved.json()["message"]


def test_operator_cannot_touch_another_projects_answers(server: RunningServer, two_projects) -> None:
    pool, cafe = two_projects
    message = operator(server, pool, "/ask", "POST", json={"question": "泳池水质要检测吗"}).json()
    response = operator(server, cafe, "/feedback", "POST", json={"message_id": message["id"], "rating": "up"})
    assert response.status_code == 404
    cafe_messages = operator(server, cafe, "/messages").json()
    assert cafe_messages is None or all("泳池" not in m["text"] for m in cafe_messages["messages"])


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS)
def test_operator_token_is_not_a_staff_key(server: RunningServer, two_projects, method: str, path: str) -> None:
    token = two_projects[0]["links"][0]["token"]
    response = httpx.request(method, f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"}, json={})
    assert response.status_code == 401
    assert "密钥" in response.json()["message"]


def test_operator_token_cannot_open_staff_pages(server: RunningServer, two_projects) -> None:
    token = two_projects[0]["links"][0]["token"]
    pool_id = two_projects[0]["id"]
    for path in ("/staff", f"/staff/projects/{pool_id}", f"/staff/projects/{pool_id}/card"):
        response = httpx.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    qr = httpx.get(f"{server.url}/api/v1/projects/{pool_id}/qr", headers={"Authorization": f"Bearer {token}"})
    assert qr.status_code == 401


@pytest.mark.parametrize(
    "token", ["nonsense", "abc.def", "0123456789abcdef.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]
)
def test_unknown_or_forged_tokens_get_401(server: RunningServer, token: str) -> None:
    response = httpx.get(f"{server.url}/api/v1/c/{token}/project")
    assert response.status_code == 401 and "无效" in response.json()["message"]
    page = httpx.get(f"{server.url}/c/{token}")
    assert page.status_code == 401 and "专员" in page.text


def test_revoked_and_expired_links_get_403(server: RunningServer) -> None:
    project = create_project(server, "蓝湾民宿", "在崂山村里开民宿，8间客房，提供早餐")
    old = project["links"][0]
    fresh = httpx.post(f"{server.url}/api/v1/projects/{project['id']}/links", headers=server.headers).json()
    response = httpx.get(f"{server.url}/api/v1/c/{old['token']}/project")
    assert response.status_code == 403 and "撤销" in response.json()["message"]
    assert httpx.get(f"{server.url}/api/v1/c/{fresh['token']}/project").status_code == 200

    with sqlite3.connect(server.data_dir / "chubei.sqlite3") as db:
        past = (datetime.now(UTC) - timedelta(days=1)).isoformat(sep=" ")
        db.execute("UPDATE access_links SET expires_at = ? WHERE id = ?", (past, fresh["id"]))
    response = httpx.get(f"{server.url}/api/v1/c/{fresh['token']}/project")
    assert response.status_code == 403 and "过期" in response.json()["message"]

    revoked = httpx.delete(f"{server.url}/api/v1/projects/{project['id']}/links/{fresh['id']}", headers=server.headers)
    assert revoked.json()["revoked"] is True


def test_qr_codes_encode_the_access_link(server: RunningServer, two_projects) -> None:
    project_id = two_projects[1]["id"]
    png = httpx.get(f"{server.url}/api/v1/projects/{project_id}/qr", headers=server.headers)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    decoded = [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]
    assert decoded == [two_projects[1]["links"][0]["url"]]
    svg = httpx.get(f"{server.url}/api/v1/projects/{project_id}/qr?format=svg", headers=server.headers)
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text


def test_exports_show_each_items_status_and_the_specialists_note(server: RunningServer) -> None:
    project = create_project(server, "某KTV导出", "KTV，12个包间，在商业综合体三楼，房子是租的")
    done, pending = project["items"][0], project["items"][1]
    for item, body in ((done, {"status": "已完成", "note": "消防检查意见书已取得"}), (pending, {"status": "容缺受理"})):
        response = httpx.patch(f"{server.url}/api/v1/projects/{project['id']}/items/{item['item_id']}", json=body,
                               headers=server.headers)  # fmt: skip
        assert response.status_code == 200, response.text
    base = f"{server.url}/api/v1/projects/{project['id']}/plan"
    markdown = httpx.get(f"{base}?format=md", headers=server.headers).text
    assert f"- [x] 【已完成】**{done['title']}**" in markdown
    assert "  - 专员备注：消防检查意见书已取得" in markdown
    assert f"- [ ] 【容缺受理】**{pending['title']}**" in markdown
    assert f"已完成 1/{len(project['items'])} 项" in markdown
    pdf = httpx.get(f"{base}?format=pdf", headers=server.headers, timeout=60)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    assert "专员备注：消防检查意见书已取得" in text and "【容缺受理】" in text


def test_every_fact_has_a_form_control(server: RunningServer) -> None:
    forms = {f["name"]: f for f in httpx.get(f"{server.url}/api/v1/facts", headers=server.headers).json()}
    assert forms["has_elevator"]["kind"] == "boolean" and forms["has_elevator"]["question"]
    assert forms["entity_type"]["kind"] == "choice" and "个体工商户" in forms["entity_type"]["options"]
    assert (forms["area_m2"]["kind"], forms["area_m2"]["unit"]) == ("number", "平方米")
    assert forms["floor"]["kind"] == "integer" and forms["floor"]["hint"]


def test_bad_project_input_is_a_chinese_422(server: RunningServer) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/projects",
        json={"name": "", "description": "网吧", "specialist_name": "王"},
        headers=server.headers,
    )
    assert response.status_code == 422 and "项目名称不能为空" in response.json()["message"]
    bad_status = httpx.patch(
        f"{server.url}/api/v1/projects/nope/items/x", json={"status": "差不多了"}, headers=server.headers
    )
    assert bad_status.status_code == 422 and bad_status.json()["detail"][0]["field"] == "status"
    missing = httpx.get(f"{server.url}/api/v1/projects/nope", headers=server.headers)
    assert missing.status_code == 404 and "不存在" in missing.json()["message"]
    refused = httpx.post(
        f"{server.url}/api/v1/projects",
        json={"name": "核电", "description": "在崂山建一座核电站", "specialist_name": "王"},
        headers=server.headers,
        timeout=60,
    )
    assert refused.status_code == 422 and "覆盖范围" in refused.json()["message"]


def test_regenerating_with_new_facts_adds_items_and_null_removes_an_override(server: RunningServer) -> None:
    project = create_project(server, "星光KTV", "商场三楼开KTV，八个包间")
    before = {item["item_id"] for item in project["items"]}
    url = f"{server.url}/api/v1/projects/{project['id']}/regenerate"
    added = httpx.post(url, json={"description": "商场三楼开KTV，八个包间，还卖炸串小吃", "facts": {"floor": 3}},
                       headers=server.headers, timeout=60)  # fmt: skip
    assert added.status_code == 200, added.text
    body = added.json()
    new = {item["item_id"] for item in body["items"] if item["active"]} - before
    assert any(item.startswith("catering.") for item in new)
    assert body["fact_overrides"] == {"floor": 3}
    assert all(link["url"].startswith("http://127.0.0.1:") for link in body["links"])
    cleared = httpx.post(url, json={"facts": {"floor": None}}, headers=server.headers, timeout=60).json()
    assert cleared["fact_overrides"] == {}


def test_a_corrected_answer_becomes_a_faq_entry_that_the_next_question_uses(server: RunningServer) -> None:
    question = "剧本杀店的剧本需要送审吗？"
    before = httpx.post(
        f"{server.url}/api/v1/ask", json={"question": question}, headers=server.headers, timeout=60
    ).json()
    corrected = "剧本杀店的剧本实行内容自审，专员提示：上架前建立剧本内容自审台账（示例答复，用于测试）。"
    bad = httpx.post(
        f"{server.url}/api/v1/kb/faq",
        json={"question": question, "answer": corrected, "project_types": ["script_escape"],
              "basis": [{"doc_id": "xiaofang-fa", "article": "第十五条", "quote": "剧本杀必须送审"}]},
        headers=server.headers,
    )  # fmt: skip
    assert bad.status_code == 422 and "不是《中华人民共和国消防法》第十五条的原文" in bad.json()["message"]
    created = httpx.post(
        f"{server.url}/api/v1/kb/faq",
        json={"question": question, "answer": corrected, "project_types": ["script_escape"]},
        headers=server.headers,
        timeout=120,
    )
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["id"].startswith("faq.staff_") and entry["basis_pending"] is True
    overlay = (server.data_dir / "kb" / "faq-staff.yaml").read_text(encoding="utf-8")
    assert corrected in overlay
    after = httpx.post(
        f"{server.url}/api/v1/ask", json={"question": question}, headers=server.headers, timeout=60
    ).json()
    assert corrected not in before["answer"]
    assert corrected in after["answer"] and "依据待补充" in after["answer"]


def test_private_responses_are_not_cached_and_static_files_may_be(server: RunningServer, two_projects) -> None:
    token = two_projects[0]["links"][0]["token"]
    for path, headers in (("/api/v1/projects", server.headers), (f"/api/v1/c/{token}/project", {}),
                          ("/staff/login", {}), (f"/c/{token}", {})):  # fmt: skip
        response = httpx.get(f"{server.url}{path}", headers=headers)
        assert response.headers.get("cache-control") == "no-store", path
    assert httpx.get(f"{server.url}/static/css/base.css").headers.get("cache-control") != "no-store"


def test_the_staff_cookie_is_secure_behind_https(server: RunningServer) -> None:
    form = {"key": server.key, "name": "钱审批"}
    plain = httpx.post(f"{server.url}/staff/login", data=form, follow_redirects=False)
    proxied = httpx.post(f"{server.url}/staff/login", data=form, headers={"X-Forwarded-Proto": "https"},
                         follow_redirects=False)  # fmt: skip
    assert "secure" not in plain.headers["set-cookie"].lower()
    assert "secure" in proxied.headers["set-cookie"].lower()
