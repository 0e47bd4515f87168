"""Staff API keys: from CHUBEI_API_KEYS, else one generated on first start and kept in the data dir."""

from __future__ import annotations

import hashlib
import hmac
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


class StaffKeys:
    """The staff keys in force: CHUBEI_API_KEYS, else the key file, re-read whenever the file changes.

    Re-reading means a key removed from (or replaced in) the file stops working at once, with every login
    session made with it (api/sessions.py), without restarting the server.
    """

    def __init__(self, settings: Settings, secret: bytes) -> None:
        self._settings = settings
        self._secret = secret
        self._stamp: tuple[int, int] | None = None
        self._keys: list[str] = []

    def current(self) -> list[str]:
        if self._settings.staff_keys:
            return self._settings.staff_keys
        try:
            stat = key_file(self._settings).stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._keys, self._stamp = staff_keys(self._settings), stamp
        return self._keys

    def fingerprint(self, key: str) -> str:
        """Names a key without revealing it (stored with each session)."""
        return hmac.new(self._secret, key.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def match(self, token: str) -> str | None:
        """The fingerprint of the key ``token`` is, compared in constant time; None when it is no key."""
        found = None
        for key in self.current():
            if hmac.compare_digest(token.encode("utf-8", "surrogatepass"), key.encode("utf-8", "surrogatepass")):
                found = key
        return self.fingerprint(found) if found is not None else None

    def fingerprints(self) -> set[str]:
        return {self.fingerprint(key) for key in self.current()}
