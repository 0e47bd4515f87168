"""Light pages on a real ``chubei serve``: compressed responses, fingerprinted static files cached for a year, and
an operator plan that carries only what the page lists (an item's detail comes when it is opened)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import httpx
import pytest

from api.static_files import ASSETS, StaticAssets
from tests.conftest import RunningServer

pytestmark = pytest.mark.slow

KTV = "KTV，12个包间，在商业综合体三楼，房子是租的"
GYM = "健身会所带25米恒温泳池，水面400平，租的商场四楼，房本还没下来"
PLAN_BUDGET = 40 * 1024  # the operator plan, before compression (issue 18)


def create(server: RunningServer, name: str, description: str) -> dict:
    body = {"name": name, "description": description, "specialist_name": "王专员", "specialist_phone": "0532-8888 6666"}
    response = httpx.post(f"{server.url}/api/v1/projects", json=body, headers=server.headers, timeout=120)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def ktv(server: RunningServer) -> dict:
    return create(server, "轻量KTV", KTV)


@pytest.fixture(scope="module")
def gym(server: RunningServer) -> dict:
    return create(server, "轻量泳馆", GYM)


def operator_url(server: RunningServer, project: dict, path: str) -> str:
    return f"{server.url}/api/v1/c/{project['links'][0]['token']}{path}"


def raw_get(url: str, encoding: str, **headers: str) -> tuple[httpx.Headers, bytes]:
    """The response as it travelled: headers and the undecoded body."""
    with httpx.stream("GET", url, headers={"Accept-Encoding": encoding, **headers}, timeout=60) as response:
        assert response.status_code == 200, url
        return response.headers, b"".join(response.iter_raw())


def test_pages_styles_scripts_and_json_are_compressed(server: RunningServer, ktv: dict) -> None:
    page = httpx.get(f"{server.url}/c/{ktv['links'][0]['token']}").text
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=\w+)"', page)
    assert len(assets) >= 4, page
    urls = [f"{server.url}/c/{ktv['links'][0]['token']}", operator_url(server, ktv, "/project")]
    urls += [f"{server.url}{path}" for path in assets]
    for url in urls:
        plain_headers, plain = raw_get(url, "identity")
        assert "content-encoding" not in plain_headers
        for encoding in ("gzip", "br"):
            headers, body = raw_get(url, encoding)
            assert headers["content-encoding"] == encoding, url
            assert "accept-encoding" in headers["vary"].lower()
            assert len(body) < len(plain) * 0.6, (url, encoding, len(body), len(plain))
        headers, body = raw_get(url, "gzip")
        assert gzip.decompress(body) == plain, url
    # Browsers send both; br wins.
    assert raw_get(urls[1], "gzip, deflate, br")[0]["content-encoding"] == "br"


def test_server_sent_events_are_not_compressed(server: RunningServer) -> None:
    body = {"model": "chubei", "messages": [{"role": "user", "content": "KTV能开在地下一层吗？"}], "stream": True}
    headers = {**server.headers, "Accept-Encoding": "gzip, br"}
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, headers=headers, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        text = b"".join(response.iter_raw()).decode()
    assert text.startswith("data: {") and text.rstrip().endswith("data: [DONE]")


def test_an_oversized_body_is_still_413_in_chinese(server: RunningServer) -> None:
    headers = {**server.headers, "Accept-Encoding": "gzip, br"}
    response = httpx.post(f"{server.url}/api/v1/ask", content=b"x" * 1_100_000, headers=headers, timeout=60)
    assert response.status_code == 413 and "请求体过大" in response.json()["message"]


def test_fingerprinted_static_files_are_immutable_for_a_year(server: RunningServer) -> None:
    page = httpx.get(f"{server.url}/staff/login").text
    assert ASSETS.url("css/base.css") in page and ASSETS.url("css/staff.css") in page
    for path in ("css/base.css", "js/chat.js", "favicon.svg"):
        response = httpx.get(f"{server.url}{ASSETS.url(path)}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Without the current fingerprint (an old page, a hand-typed URL) the browser must check again.
    for url in ("/static/css/base.css", "/static/css/base.css?v=000000000000"):
        assert httpx.get(f"{server.url}{url}").headers["cache-control"] == "no-cache", url
    assert httpx.get(f"{server.url}/static/css/none.css?v=1").status_code == 404


def test_the_fingerprint_follows_the_content(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    style = tmp_path / "css" / "a.css"
    style.write_text("body { color: #111; }", encoding="utf-8")
    first = StaticAssets(tmp_path).url("css/a.css")
    assert StaticAssets(tmp_path).url("css/a.css") == first  # same content, same URL
    style.write_text("body { color: #222; }", encoding="utf-8")
    second = StaticAssets(tmp_path).url("css/a.css")
    assert second != first and second.startswith("/static/css/a.css?v=")
    with pytest.raises(KeyError):
        StaticAssets(tmp_path).url("css/missing.css")


def test_the_operator_plan_fits_the_budget_and_leaves_the_legal_text_out(
    server: RunningServer, ktv: dict, gym: dict
) -> None:
    for project in (ktv, gym):
        response = httpx.get(operator_url(server, project, "/project"), headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert len(response.content) <= PLAN_BUDGET, (project["name"], len(response.content))
        view = response.json()
        assert len(view["items"]) > 10 and view["permits"] and view["steps"] and view["problems"]
        item = view["items"][0]
        assert {"item_id", "title", "status", "dimension", "note", "stage", "basis_pending"} <= item.keys()
        assert not {"basis", "detail", "materials"} & item.keys()


def test_an_opened_item_brings_its_detail_materials_department_and_basis(server: RunningServer, gym: dict) -> None:
    view = httpx.get(operator_url(server, gym, "/project")).json()
    plan = {r["id"]: r for r in gym["plan"]["requirements"]}
    with_basis = [i for i in view["items"] if plan[i["item_id"]]["basis"]]
    assert with_basis
    for item in with_basis[:3]:
        response = httpx.get(operator_url(server, gym, f"/items/{item['item_id']}"))
        assert response.status_code == 200
        full = response.json()
        requirement = plan[item["item_id"]]
        assert full["item_id"] == item["item_id"] and full["status"] == item["status"]
        assert full["detail"] == requirement["detail"] and full["materials"] == requirement["materials"]
        assert full["department"] == requirement["department"]
        assert [c["text"] for c in full["basis"]] == [c["text"] for c in requirement["basis"]]
        assert all(c["title"] and c["article"] for c in full["basis"])


def test_an_item_opens_only_in_its_own_project(server: RunningServer, ktv: dict, gym: dict) -> None:
    ktv_items = {i["item_id"] for i in ktv["items"] if i["active"]}
    pool_only = next(i["item_id"] for i in gym["items"] if i["active"] and i["item_id"] not in ktv_items)
    assert httpx.get(operator_url(server, gym, f"/items/{pool_only}")).status_code == 200
    response = httpx.get(operator_url(server, ktv, f"/items/{pool_only}"))
    assert response.status_code == 404 and response.json()["message"] == "您的方案中没有这一项"
    stranger = httpx.get(f"{server.url}/api/v1/c/not-a-token/items/{pool_only}")
    assert stranger.status_code == 401
    # The staff key is no operator link either.
    assert httpx.get(f"{server.url}/api/v1/c/{server.key}/items/{pool_only}").status_code == 401
