"""Shared fixtures: real components (Chroma on disk, SQLite, the packaged embedder) in temp dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from chubei.services import Services
from chubei.settings import Settings

STAFF_KEY = "test-staff-key"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, api_keys=STAFF_KEY, **overrides)


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The shipped corpus and knowledge indexed once per session (vectors come from the shipped cache)."""
    services = Services(make_settings(tmp_path_factory.mktemp("indexed")))
    report = services.ensure_index()
    assert not report.failed, report.failed
    return services


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class RunningServer:
    def __init__(self, url: str, data_dir: Path, key: str) -> None:
        self.url = url
        self.data_dir = data_dir
        self.key = key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    """``chubei serve`` as a user starts it: no keys configured, so it generates and prints one."""
    from tests.servers import chubei_server

    home = tmp_path_factory.mktemp("server")
    env = {"CHUBEI_DATA_DIR": str(home / "data"), "CHUBEI_API_KEYS": "", "CHUBEI_PUBLIC_BASE_URL": ""}
    with chubei_server(env, cwd=home) as url:
        key = (home / "data" / "staff-api-key.txt").read_text(encoding="utf-8").strip()
        yield RunningServer(url, home / "data", key)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server on loopback, started once per test session."""
    from tests.servers import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind: a SQLite file, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.sqlite3'}"
        return
    url = request.getfixturevalue("postgres_url")
    database = f"t_{tmp_path.name.lower().replace('-', '_')[-40:]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    engine.dispose()
    yield url.rsplit("/", 1)[0] + f"/{database}"
