"""Changing the index while a server answers: another process's ingest, parallel knowledge writes."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ingest.indexer import source_key
from tests.conftest import with_shipped_index
from tests.servers import VENV_BIN, chubei_server

KEY = "live-index-key"
RULE = "# 市北区筹备辅导测试规定\n\n第一条 为规范筹备期辅导，制定本规定。\n\n第二条 攀岩馆筹备期应当核对岩壁检测报告与保护绳索台账。\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shipped_index: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """A server of its own: these tests change its index."""
    home = tmp_path_factory.mktemp("live")
    with_shipped_index(home / "data", shipped_index)
    env = {"CHUBEI_DATA_DIR": str(home / "data"), "CHUBEI_API_KEYS": KEY, "CHUBEI_PUBLIC_BASE_URL": ""}
    with chubei_server(env, cwd=home) as url:
        yield url, env, home


def ask(url: str, question: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/ask", json={"question": question}, headers={"Authorization": f"Bearer {KEY}"}, timeout=120
    )


def test_cli_ingest_beside_a_running_server_is_picked_up_without_errors(live) -> None:
    url, env, home = live
    assert ask(url, "KTV能开在地下一层吗？").status_code == 200
    docs = home / "docs"
    docs.mkdir()
    path = docs / "攀岩馆规定.md"
    path.write_text(RULE, encoding="utf-8")
    done = subprocess.run(
        [str(VENV_BIN / "chubei"), "ingest", str(docs)],
        env={**os.environ, **env},
        cwd=home,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for question in ("KTV能开在地下一层吗？", "攀岩馆筹备要核对什么？", "游泳馆要办哪些证？"):
        response = ask(url, question)
        assert response.status_code == 200, response.text
    _, doc_id = source_key(path)
    article = httpx.get(f"{url}/api/v1/articles/{doc_id}/第二条", headers={"Authorization": f"Bearer {KEY}"})
    assert article.status_code == 200 and "保护绳索台账" in article.text


def test_parallel_knowledge_writes_all_land_while_questions_are_answered(live) -> None:
    url, _, home = live
    questions = [f"测试场馆{n}号的筹备台账怎么建？" for n in range(3)]

    def add(question: str) -> httpx.Response:
        return httpx.post(
            f"{url}/api/v1/kb/faq",
            json={"question": question, "answer": f"{question[:6]}按示例建立台账（测试答复）。"},
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=300,
        )

    with ThreadPoolExecutor(6) as pool:
        writes = [pool.submit(add, question) for question in questions]
        reads = [pool.submit(ask, url, "开KTV需要办哪些证？") for _ in range(4)]
        assert [future.result().status_code for future in writes] == [201, 201, 201]
        assert [future.result().status_code for future in reads] == [200, 200, 200, 200]
    overlay = (home / "data" / "kb" / "faq-staff.yaml").read_text(encoding="utf-8")
    assert all(question in overlay for question in questions)
    answer = ask(url, questions[1]).json()["answer"]
    assert "测试场馆1号按示例建立台账" in answer
