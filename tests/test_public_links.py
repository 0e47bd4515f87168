"""Public assistant links on a real server: 管理员 create, change, disable and rotate them; a visitor asks the general
assistant through one (follow-ups, refusals, feedback) within the link's own limits and reaches nothing else; the
page may be framed only by the sites allowed for the link; the QR code decodes to the page; the table and the
conversations' link column migrate on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import itertools

import httpx
import pytest
import sqlalchemy as sa
import zxingcpp
from alembic import command
from PIL import Image

from api.conversations import Conversations
from api.db.engine import Database
from api.db.models import Conversation
from api.dossiers import LinkRejected, Refused
from api.links import LinkSigner
from api.public_link_schemas import PublicLinkCreate, PublicLinkUpdate
from api.public_links import LinkDefaults, PublicLinks
from tests.conftest import RunningServer
from tests.test_project_store import alembic

PORTAL = "https://zwfw.example.gov.cn"
_names = (f"大厅自助机 {n}" for n in itertools.count(1))


def create(server: RunningServer, headers: dict[str, str] | None = None, **fields) -> httpx.Response:
    body = {"name": next(_names), **fields}
    return httpx.post(f"{server.url}/api/v1/public-links", json=body, headers=headers or server.headers, timeout=30)


def created(server: RunningServer, **fields) -> dict:
    response = create(server, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def visit(server: RunningServer, link: dict, path: str, method: str = "GET", **kwargs) -> httpx.Response:
    return httpx.request(method, f"{server.url}/api/v1/p/{link['token']}{path}", timeout=60, **kwargs)


def ask(server: RunningServer, link: dict, question: str, session_id: str | None = None) -> httpx.Response:
    body = {"question": question, **({"session_id": session_id} if session_id else {})}
    return visit(server, link, "/ask", "POST", json=body)


def test_an_admin_creates_a_link_with_its_snippet_and_default_limits(server: RunningServer) -> None:
    link = created(server, allowed_origins=["HTTPS://ZWFW.example.gov.cn:443/", PORTAL, "http://127.0.0.1:8080"])
    assert link["allowed_origins"] == [PORTAL, "http://127.0.0.1:8080"]  # normalized as browsers send Origin
    assert (link["rate"], link["visitor_rate"]) == ("600/hour;5000/day", "10/minute;100/day")
    assert link["active"] and link["created_by"] == "工作人员"
    assert link["url"] == f"{server.url}/p/{link['token']}"
    assert link["embed_snippet"] == f'<script src="{server.url}/embed.js" data-link="{link["token"]}" defer></script>'
    assert link["warning"] and "127.0.0.1" in link["warning"]
    listed = httpx.get(f"{server.url}/api/v1/public-links", headers=server.headers).json()
    assert link["id"] in [row["id"] for row in listed]
    assert httpx.get(f"{server.url}/api/v1/public-links/{link['id']}", headers=server.headers).json() == link

    page = httpx.get(link["url"])
    assert page.status_code == 200 and "开业筹备智能咨询" in page.text
    assert page.headers["content-security-policy"].endswith(f"frame-ancestors {PORTAL} http://127.0.0.1:8080")
    assert page.headers["cache-control"] == "no-store"
    closed = created(server)
    assert httpx.get(closed["url"]).headers["content-security-policy"].endswith("frame-ancestors 'none'")


def test_a_visitor_asks_follows_up_and_rates_an_answer(server: RunningServer) -> None:
    link = created(server)
    first = ask(server, link, "KTV能开在写字楼的地下一层吗？")
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["role"] == "assistant" and answer["citations"] and not answer["out_of_scope"]
    assert len(answer["session_id"]) == 32
    follow_up = ask(server, link, "那如果是地下二层呢？", answer["session_id"]).json()
    assert follow_up["session_id"] == answer["session_id"] and "地下二层" in follow_up["understood_as"]
    fresh = ask(server, link, "那如果是地下二层呢？").json()
    assert fresh["session_id"] != answer["session_id"] and fresh["understood_as"] is None

    refused = ask(server, link, "明天青岛天气怎么样").json()
    assert refused["out_of_scope"] is True and refused["citations"] == [] and "专员" in refused["text"]

    citation = answer["citations"][0]
    article = visit(server, link, f"/articles/{citation['doc_id']}/{citation['article']}")
    assert article.status_code == 200 and citation["text"][:10] in article.json()["text"]

    rating = {"message_id": answer["id"], "rating": "down", "reason": "没说清楚", "session_id": answer["session_id"]}
    assert visit(server, link, "/feedback", "POST", json=rating).status_code == 201
    other_session = {**rating, "session_id": fresh["session_id"]}
    assert visit(server, link, "/feedback", "POST", json=other_session).status_code == 404
    feedback = httpx.get(f"{server.url}/api/v1/feedback", headers=server.headers).json()
    assert [(row["channel"], row["project_id"]) for row in feedback if row["message_id"] == answer["id"]] == [
        ("public", None)
    ]


def test_a_public_link_reaches_no_project_and_no_staff_data(server: RunningServer) -> None:
    link = created(server)
    project = httpx.post(f"{server.url}/api/v1/projects", headers=server.headers, timeout=120,
                         json={"name": "公开测试网咖", "description": "商场二楼开网咖，80台电脑",
                               "specialist_name": "王专员"}).json()  # fmt: skip
    operator_token = project["links"][0]["token"]
    # A public token is no operator link and no staff key; an operator token opens no public link.
    assert httpx.get(f"{server.url}/api/v1/c/{link['token']}/project").status_code == 401
    assert httpx.get(f"{server.url}/c/{link['token']}").status_code == 401
    bearer = {"Authorization": f"Bearer {link['token']}"}
    assert httpx.get(f"{server.url}/api/v1/projects", headers=bearer).status_code == 401
    assert httpx.get(f"{server.url}/api/v1/public-links", headers=bearer).status_code == 401
    assert httpx.get(f"{server.url}/p/{operator_token}").status_code == 401
    assert (
        visit(server, {"token": operator_token}, "/ask", "POST", json={"question": "KTV要办什么证"}).status_code == 401
    )

    # A project id in the body is not read: the answer knows nothing of the project.
    answer = visit(
        server, link, "/ask", "POST", json={"question": "我这个项目离学校多远？", "project_id": project["id"]}
    )
    assert answer.status_code == 200 and "公开测试网咖" not in answer.text
    # Staff and operator conversations cannot be continued, nor their answers rated, through a public link.
    staff = httpx.post(f"{server.url}/api/v1/ask", json={"question": "KTV能开在地下一层吗"}, headers=server.headers,
                       timeout=60).json()  # fmt: skip
    continued = ask(server, link, "那地下二层呢？", staff["session_id"])
    assert continued.status_code == 422 and "session_id" in continued.json()["message"]
    operator = httpx.post(f"{server.url}/api/v1/c/{operator_token}/ask", json={"question": "要办哪些证？"}, timeout=60)
    rating = {"message_id": operator.json()["id"], "rating": "up", "session_id": answer.json()["session_id"]}
    assert visit(server, link, "/feedback", "POST", json=rating).status_code == 404
    # Another public link's conversation is not this one's either.
    other = created(server)
    assert ask(server, other, "那地下二层呢？", answer.json()["session_id"]).status_code == 422


def test_each_link_has_its_own_question_budgets(server: RunningServer) -> None:
    per_visitor = created(server, visitor_rate="2/minute")
    for _ in range(2):
        assert ask(server, per_visitor, "KTV要办哪些证？").status_code == 200
    throttled = ask(server, per_visitor, "KTV要办哪些证？")
    assert throttled.status_code == 429 and "您的提问过于频繁" in throttled.json()["message"]
    assert int(throttled.headers["retry-after"]) >= 1
    # The budget is this link's: another link still answers, and cheap requests on this one still work.
    assert ask(server, created(server), "KTV要办哪些证？").status_code == 200
    assert httpx.get(per_visitor["url"]).status_code == 200

    whole_link = created(server, rate="1/minute", visitor_rate="100/minute")
    assert ask(server, whole_link, "游泳池要配几个救生员？").status_code == 200
    spent = ask(server, whole_link, "游泳池要配几个救生员？")
    assert spent.status_code == 429 and "该咨询入口的提问已达上限" in spent.json()["message"]


def test_disabling_rotating_and_changing_a_link(server: RunningServer) -> None:
    link = created(server, allowed_origins=[PORTAL])
    url = f"{server.url}/api/v1/public-links/{link['id']}"
    disabled = httpx.patch(url, json={"active": False}, headers=server.headers).json()
    assert disabled["active"] is False
    page = httpx.get(link["url"])
    assert page.status_code == 403 and "已停用" in page.text
    assert ask(server, link, "KTV要办哪些证？").status_code == 403
    assert httpx.get(f"{url}/qr", headers=server.headers).status_code == 422
    assert httpx.patch(url, json={"active": True}, headers=server.headers).json()["active"] is True
    assert httpx.get(link["url"]).status_code == 200

    rotated = httpx.post(f"{url}/rotate", headers=server.headers).json()
    assert rotated["id"] == link["id"] and rotated["token"] != link["token"] and rotated["rotated_at"]
    assert link["token"] not in rotated["embed_snippet"]
    assert httpx.get(link["url"]).status_code == 401
    assert httpx.get(rotated["url"]).status_code == 200

    # A change with one bad field saves nothing.
    bad = httpx.patch(url, json={"name": "新名称", "rate": "很多"}, headers=server.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "rate"
    assert httpx.get(url, headers=server.headers).json()["name"] == link["name"]
    changed = httpx.patch(url, json={"name": "区政务网", "allowed_origins": []}, headers=server.headers).json()
    assert (changed["name"], changed["allowed_origins"]) == ("区政务网", [])
    assert httpx.get(rotated["url"]).headers["content-security-policy"].endswith("frame-ancestors 'none'")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": " "}, "name", "链接名称不能为空"),
        ({"allowed_origins": ["https://a.gov.cn; script-src *"]}, "allowed_origins.0", "域名不正确"),
        ({"allowed_origins": ["https://*.gov.cn"]}, "allowed_origins.0", "域名不正确"),
        ({"allowed_origins": ["https://a.gov.cn/portal"]}, "allowed_origins.0", "不是网站来源"),
        ({"allowed_origins": ["javascript:alert(1)"]}, "allowed_origins.0", "不是网站来源"),
        ({"allowed_origins": ["https://a.gov.cn:99999"]}, "allowed_origins.0", "端口不正确"),
        ({"allowed_origins": "https://a.gov.cn"}, "allowed_origins", "应为列表"),
        ({"rate": "很多"}, "rate", "限流写法不正确"),
        ({"visitor_rate": "10/fortnight"}, "visitor_rate", "限流写法不正确"),
        ({"active": True}, "active", "不是可识别的字段"),
    ],
)
def test_bad_link_input_is_a_chinese_422_naming_the_field(server: RunningServer, fields, field, message) -> None:
    response = create(server, **fields)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"][0]["field"] == field and message in body["detail"][0]["message"]
    assert message in body["message"]


def test_too_many_sites_and_unknown_links_are_refused_in_chinese(server: RunningServer) -> None:
    many = create(server, allowed_origins=[f"https://s{n}.example.gov.cn" for n in range(21)])
    assert many.status_code == 422 and "最多 20 个" in many.json()["message"]
    missing = httpx.patch(f"{server.url}/api/v1/public-links/nope", json={"name": "x"}, headers=server.headers)
    assert missing.status_code == 404 and missing.json()["message"] == "公开咨询链接不存在"
    for token in ("nope", "abc.def", "a" * 200):
        assert httpx.get(f"{server.url}/p/{token}").status_code == 401
        response = httpx.post(f"{server.url}/api/v1/p/{token}/ask", json={"question": "KTV要办哪些证"})
        assert response.status_code == 401 and "咨询链接无效" in response.json()["message"]


def test_the_embed_check_answers_allowed_sites_only(server: RunningServer) -> None:
    link = created(server, allowed_origins=[PORTAL])
    allowed = visit(server, link, "/embed", headers={"Origin": PORTAL})
    assert allowed.status_code == 200 and allowed.json() == {"name": link["name"]}
    assert allowed.headers["access-control-allow-origin"] == PORTAL and allowed.headers["vary"] == "Origin"
    for origin in ("https://evil.example.com", "null", None):
        refused = visit(server, link, "/embed", headers={"Origin": origin} if origin else {})
        assert refused.status_code == 403 and "未获准嵌入" in refused.json()["message"]
        assert "access-control-allow-origin" not in refused.headers
    script = httpx.get(f"{server.url}/embed.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "public, max-age=3600" and "/api/v1/p/" in script.text


def test_the_qr_code_decodes_to_the_public_page(server: RunningServer) -> None:
    link = created(server)
    png = httpx.get(f"{server.url}/api/v1/public-links/{link['id']}/qr", headers=server.headers)
    assert png.headers["content-type"] == "image/png"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [link["url"]]
    svg = httpx.get(f"{server.url}/api/v1/public-links/{link['id']}/qr?format=svg", headers=server.headers)
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text


def test_the_endpoints_are_documented(server: RunningServer) -> None:
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    for path in ("/api/v1/public-links", "/api/v1/public-links/{link_id}", "/api/v1/public-links/{link_id}/rotate",
                 "/api/v1/public-links/{link_id}/qr", "/api/v1/p/{token}/ask", "/api/v1/p/{token}/feedback",
                 "/api/v1/p/{token}/embed"):  # fmt: skip
        assert path in paths, path
    assert "403" in paths["/api/v1/public-links"]["post"]["responses"]
    assert "429" in paths["/api/v1/p/{token}/ask"]["post"]["responses"]


def test_links_and_visitor_conversations_on_each_database_and_the_migration_back(database_url: str) -> None:
    """On SQLite and PostgreSQL: a link is created, resolved, rotated and disabled; a visitor's conversation records
    the link; migration 0008 goes back to 0007 and forward again."""
    database = Database(database_url)
    links = PublicLinks(database, LinkSigner(b"secret", "public-link"), LinkDefaults("5/minute", "1/minute", 3))
    link = links.create(PublicLinkCreate(name="大厅", allowed_origins=[PORTAL]), "王局", "https://chubei.example")
    assert link.url == f"https://chubei.example/p/{link.token}" and link.rate == "5/minute"
    assert links.resolve(link.token).allowed_origins == (PORTAL,)
    with pytest.raises(Refused, match="最多 3 个"):
        links.update(link.id, PublicLinkUpdate(name="改名", allowed_origins=[f"https://{n}.cn" for n in "abcd"]),
                     "王局", "")  # fmt: skip
    assert links.get(link.id, "").name == "大厅"  # nothing half-saved
    rotated = links.rotate(link.id, "王局", "")
    with pytest.raises(LinkRejected) as unknown:
        links.resolve(link.token)
    assert unknown.value.status == 401
    links.update(link.id, PublicLinkUpdate(active=False), "王局", "")
    with pytest.raises(LinkRejected) as disabled:
        links.resolve(rotated.token)
    assert disabled.value.status == 403

    with database.session() as session:
        session.add(Conversation(id="v" * 32, project_id=None, channel="public", public_link_id=link.id))
    conversations = Conversations(database)
    assert conversations.history("v" * 32, None, "public", 3, public_link_id=link.id) == []
    with pytest.raises(Refused, match="session_id"):
        conversations.history("v" * 32, None, "public", 3, public_link_id="another")

    alembic(database.engine, command.downgrade, "0007")
    with database.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT channel FROM conversations")).scalars().all() == ["public"]
    alembic(database.engine, command.upgrade, "head")
    assert links.list("") == []
    with database.session() as session:
        assert session.get(Conversation, "v" * 32).public_link_id is None
    database.engine.dispose()
