"""Staff login sessions, kept server side so that they can end before they expire.

A signed cookie alone keeps working until it expires (12 h), after logout and after its key is changed. Here the
cookie carries only a random session secret (signed, so a forged cookie is turned away without a database read);
the app database keeps the secret's SHA-256, the staff name, what the login was made with (the fingerprint of a
shared staff key, or a named account) and the expiry. Every request looks the session up and checks that its key
is still in force, or that its account is still active: logout deletes the row, changing or removing a staff key
ends every session made with it (the row is deleted on its next use), and a new password, a new role or disabling
an account deletes the account's rows (``end_account_sessions``, in the transaction that makes the change).
The name and role of an account session are read from the account on every request, never from the login.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.db.models import StaffAccount, StaffSession, aware, now

KEY_ROLE = "管理员"  # a shared staff key is the server's own secret: whoever holds it may do everything


@dataclass(frozen=True)
class ActiveSession:
    name: str
    role: str
    session_id: str
    account_id: int | None = None
    username: str | None = None


def end_account_sessions(session: Session, account_id: int) -> None:
    """End every login of an account (within the caller's transaction)."""
    session.execute(delete(StaffSession).where(StaffSession.account_id == account_id))


def _row_id(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class StaffSessions:
    def __init__(self, db: Database, secret: bytes, max_age_s: int) -> None:
        self._db = db
        self._cookies = URLSafeTimedSerializer(secret, salt="chubei-staff-session")
        self.max_age_s = max_age_s

    def start(self, name: str, key_fingerprint: str | None = None, account_id: int | None = None) -> str:
        """A new session made with a staff key or an account; returns the cookie value.

        Expired sessions are cleared on the way.
        """
        if (key_fingerprint is None) == (account_id is None):
            raise ValueError("a session is made with either a staff key or an account")
        secret = secrets.token_urlsafe(32)
        moment = now()
        with self._db.session() as session:
            session.execute(delete(StaffSession).where(StaffSession.expires_at < moment))
            session.add(StaffSession(id=_row_id(secret), name=name, key_fingerprint=key_fingerprint,
                                     account_id=account_id, created_at=moment,
                                     expires_at=moment + timedelta(seconds=self.max_age_s)))  # fmt: skip
        return self._cookies.dumps(secret)

    def resolve(self, cookie: str, fingerprints: set[str]) -> ActiveSession | None:
        """The session the cookie stands for, if it is live and its key still in force (or its account active)."""
        secret = self._secret(cookie)
        if secret is None:
            return None
        with self._db.session() as session:
            row = session.get(StaffSession, _row_id(secret))
            if row is None:
                return None
            account = session.get(StaffAccount, row.account_id) if row.account_id is not None else None
            if row.account_id is not None:
                live = account is not None and account.active
            else:
                live = row.key_fingerprint in fingerprints
            if aware(row.expires_at) <= now() or not live:
                session.delete(row)
                return None
            if account is not None:
                return ActiveSession(account.display_name, account.role, row.id, account.id, account.username)
            return ActiveSession(row.name, KEY_ROLE, row.id)

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
