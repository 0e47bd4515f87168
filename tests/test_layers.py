"""The layering contract in pyproject.toml ([tool.importlinter]) holds: no import runs back up a layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_import_runs_back_up_a_layer() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 kept, 0 broken" in done.stdout


def test_routes_take_their_components_as_dependencies() -> None:
    """Routes declare what they use (api/deps.py) rather than reaching into the application's state."""
    reaching = [path.name for path in (ROOT / "api" / "routes").glob("*.py") if "app.state" in path.read_text("utf-8")]
    assert reaching == []
