"""Staff login sessions, kept server side so that they can end before they expire.

A signed cookie alone keeps working until it expires (12 h), after logout and after its key is changed. Here the
cookie carries only a random session secret (signed, so a forged cookie is turned away without a database read);
the app database keeps the secret's SHA-256, the staff name, the fingerprint of the key used to log in and the
expiry. Every request looks the session up and checks that its key is still in force: logout deletes the row, and
changing or removing a staff key ends every session made with it (the row is deleted on its next use).
One table does both jobs; a key fingerprint in the cookie would still have needed a revocation list for logout.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete

from api.db.engine import Database
from api.db.models import StaffSession, aware, now


@dataclass(frozen=True)
class ActiveSession:
    name: str
    key_fingerprint: str
    session_id: str


def _row_id(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class StaffSessions:
    def __init__(self, db: Database, secret: bytes, max_age_s: int) -> None:
        self._db = db
        self._cookies = URLSafeTimedSerializer(secret, salt="chubei-staff-session")
        self.max_age_s = max_age_s

    def start(self, name: str, key_fingerprint: str) -> str:
        """A new session; returns the cookie value. Expired sessions are cleared on the way."""
        secret = secrets.token_urlsafe(32)
        moment = now()
        with self._db.session() as session:
            session.execute(delete(StaffSession).where(StaffSession.expires_at < moment))
            session.add(StaffSession(id=_row_id(secret), name=name, key_fingerprint=key_fingerprint, created_at=moment,
                                     expires_at=moment + timedelta(seconds=self.max_age_s)))  # fmt: skip
        return self._cookies.dumps(secret)

    def resolve(self, cookie: str, fingerprints: set[str]) -> ActiveSession | None:
        """The session the cookie stands for, if it is live and its key still in force."""
        secret = self._secret(cookie)
        if secret is None:
            return None
        with self._db.session() as session:
            row = session.get(StaffSession, _row_id(secret))
            if row is None:
                return None
            if aware(row.expires_at) <= now() or row.key_fingerprint not in fingerprints:
                session.delete(row)
                return None
            return ActiveSession(row.name, row.key_fingerprint, row.id)

    def end(self, cookie: str) -> None:
        secret = self._secret(cookie)
        if secret is not None:
            with self._db.session() as session:
                session.execute(delete(StaffSession).where(StaffSession.id == _row_id(secret)))

    def _secret(self, cookie: str) -> str | None:
        try:
            value = self._cookies.loads(cookie, max_age=self.max_age_s)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None
