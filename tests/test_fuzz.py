"""Schemathesis over every operation of a real server: no server errors, every response as the OpenAPI says.

A server of its own (the fuzzing adds FAQ entries and cases, which must not reach other tests' answers), with the
per-credential rate limits raised so that ~500 requests in a minute are all answered rather than throttled.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests import fuzz
from tests.conftest import with_shipped_index
from tests.servers import chubei_server

KEY = "fuzz-staff-key"
UNTHROTTLED = {name: "100000/minute" for name in ("CHUBEI_STAFF_RATE", "CHUBEI_OPERATOR_RATE", "CHUBEI_CLIENT_RATE")}


@pytest.mark.slow
def test_every_operation_answers_as_documented(tmp_path: Path, shipped_index: Path) -> None:
    with_shipped_index(tmp_path / "data", shipped_index)
    env = {"CHUBEI_DATA_DIR": str(tmp_path / "data"), "CHUBEI_API_KEYS": KEY, "CHUBEI_PUBLIC_BASE_URL": "",
           **UNTHROTTLED}  # fmt: skip
    with chubei_server(env, cwd=tmp_path) as url:
        project = httpx.post(f"{url}/api/v1/projects", headers={"Authorization": f"Bearer {KEY}"}, timeout=120,
                             json={"name": "模糊测试泳馆", "description": "健身会所带恒温泳池，水面400平",
                                   "specialist_name": "王专员"})  # fmt: skip
        assert project.status_code == 201, project.text
        report = fuzz.run(url, KEY, project.json()["links"][0]["token"], max_examples=8, seed=14)
    assert report.requests > 300, report.summary()
    assert report.server_errors == 0, report.summary() + "\n" + "\n".join(report.failures)
    assert report.violations == 0, report.summary() + "\n" + "\n".join(report.failures)
