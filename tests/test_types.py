"""The type check is part of CI: ``make test`` (what ``.ci/run`` runs) runs ``mypy`` before pytest, so a type error
fails the build before any test starts. It is not run inside pytest: a cold run reads some ten thousand third-party
modules (torch, transformers, SQLAlchemy…) and takes about two minutes of the two cores. ``make lint`` runs it too,
and the local ``.mypy_cache`` keeps repeated runs to seconds. These tests keep that arrangement from eroding."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recipe(makefile: str, target: str) -> list[str]:
    """The command lines of ``target`` (the tab-indented lines after ``target:``)."""
    found = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n?)*)", makefile, re.MULTILINE)
    assert found, f"no {target} target"
    return [line.strip() for line in found.group(1).splitlines()]


def test_mypy_is_configured_for_every_shipped_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = {pattern.rstrip("*") for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    mypy = pyproject["tool"]["mypy"]
    assert set(mypy["packages"]) == shipped
    assert not {"files", "modules", "exclude"} & mypy.keys()  # nothing narrows the check to a subset


def test_make_test_stops_on_a_type_error_before_the_tests() -> None:
    lines = recipe((ROOT / "Makefile").read_text(encoding="utf-8"), "test")
    # A recipe line of its own, not ignored (no leading "-"): make stops at the first line that fails.
    assert "$(BIN)/mypy" in lines and "$(BIN)/pytest -q" in lines, lines
    assert lines.index("$(BIN)/mypy") < lines.index("$(BIN)/pytest -q"), lines


def test_no_package_is_excused_from_the_type_check() -> None:
    """Overrides may only say where third-party stubs are missing, never switch errors off for our own code."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    excused = [override["module"] for override in config.get("overrides", []) if override.get("ignore_errors")]
    assert excused == []
    assert not config.get("ignore_errors")
