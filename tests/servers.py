"""Real servers for tests, on loopback: a Chroma server, PostgreSQL, and Chubei itself."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(VENV_BIN / "chroma"), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/v2/heartbeat", process)
        yield url
    finally:
        stop(process)


@contextmanager
def chubei_server(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """``chubei serve`` in a subprocess, as a user would start it."""
    port = free_port()
    log = (cwd / "server.log").open("w")
    process = subprocess.Popen(
        [str(VENV_BIN / "chubei"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
        cwd=cwd,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/healthz", process, timeout=300)
        yield url
    finally:
        stop(process)
        log.close()


@contextmanager
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server from the ``pgserver`` wheel's binaries, listening on 127.0.0.1.

    PostgreSQL refuses to run as root, so as root the data directory belongs to an
    unprivileged system user (created by pgserver's helper) and the server runs as that user;
    the directory is made under /tmp so that user can reach it.
    """
    import pgserver
    from pgserver.utils import ensure_user_exists

    bin_dir = Path(pgserver.__file__).parent / "pginstall" / "bin"
    directory = Path(tempfile.mkdtemp(prefix="chubei-pg-"))
    data = directory / "pgdata"
    data.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = "pgserver"
        ensure_user_exists(user)
        for path in (directory, data):
            shutil.chown(path, user, user)
        os.chmod(directory, 0o755)
        for parent in [*Path(pgserver.__file__).parents][:6]:
            os.chmod(parent, os.stat(parent).st_mode | 0o055)
        run_as = ["runuser", "-u", user, "--"]
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = directory / "postgres.log"
    subprocess.run(
        [
            *run_as,
            str(bin_dir / "pg_ctl"),
            "-D", str(data),
            "-l", str(log),
            "-o", f"-h 127.0.0.1 -p {port} -k {directory}",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)
