"""Staff API keys: from CHUBEI_API_KEYS, else one generated on first start and kept in the data dir."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from chubei.settings import Settings

KEY_FILE = "staff-api-key.txt"


def key_file(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def staff_keys(settings: Settings) -> list[str]:
    if settings.staff_keys:
        return settings.staff_keys
    path = key_file(settings)
    if path.exists():
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return []


def ensure_staff_key(settings: Settings) -> tuple[list[str], str | None]:
    """The configured keys, generating and storing one when there are none; returns (keys, new key or None)."""
    keys = staff_keys(settings)
    if keys:
        return keys, None
    key = "cb_" + secrets.token_urlsafe(24)
    path = key_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return [key], key


SECRET_FILE = "app-secret.key"


def app_secret(settings: Settings) -> bytes:
    """Signs staff sessions and operator links: CHUBEI_SECRET_KEY, else a random key kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode("ascii"))
    return path.read_bytes().strip()
