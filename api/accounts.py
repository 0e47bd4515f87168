"""Named staff accounts: who logs in, with which role, and their API keys for integrations.

Passwords are hashed with argon2id (``argon2-cffi``; cost parameters in the settings, by default the library's
RFC 9106 low-memory profile); a hash made with other parameters is redone at the next successful login. An API key is ``cbk_<id>_<secret>``: the id finds the row, the SHA-256 of the secret is compared in
constant time (a 32-byte random secret needs no slow hash), and the key itself is shown once, never stored.
Changing a password or a role and disabling an account end the account's login sessions in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.db.models import StaffAccount, StaffApiKey, aware, now
from api.dossiers import NotFound, Refused
from api.schemas import AccountCreate, AccountOut, AccountUpdate, ApiKeyCreated, ApiKeyOut
from api.sessions import end_account_sessions
from chubei.settings import Settings

ADMIN, SPECIALIST = "管理员", "专员"
KEY_PREFIX = "cbk_"


@dataclass(frozen=True)
class Verified:
    """An account whose password or API key has just been checked."""

    id: int
    username: str
    display_name: str
    role: str


class StaffAccounts:
    def __init__(self, db: Database, min_password_length: int, hasher: PasswordHasher) -> None:
        self._db = db
        self._min_password = min_password_length
        self._hasher = hasher
        # Verified against when the username is unknown, so that a wrong name costs as long as a wrong password.
        self._decoy = self._hasher.hash(secrets.token_bytes(16))

    @classmethod
    def configured(cls, db: Database, settings: Settings) -> StaffAccounts:
        hasher = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib,
                                parallelism=settings.argon2_parallelism)  # fmt: skip
        return cls(db, settings.password_min_length, hasher)

    # ---- accounts ----
    def create(self, data: AccountCreate) -> AccountOut:
        """A new account; the same username created twice at once is refused by the unique index, in Chinese."""
        self._check_length(data.password)
        taken = Refused(f"用户名（username）“{data.username}”已被使用")
        try:
            with self._db.session() as session:
                if self._find(session, data.username) is not None:
                    raise taken
                account = StaffAccount(username=data.username, display_name=data.display_name, role=data.role,
                                       password_hash=self._hasher.hash(_bytes(data.password)), active=True)  # fmt: skip
                session.add(account)
                session.flush()
                return _account_out(account)
        except IntegrityError as error:
            raise taken from error

    def list(self) -> list[AccountOut]:
        with self._db.session() as session:
            return [_account_out(a) for a in session.scalars(select(StaffAccount).order_by(StaffAccount.id))]

    def get(self, username: str) -> AccountOut:
        with self._db.session() as session:
            return _account_out(self._account(session, username))

    def exist(self) -> bool:
        with self._db.session() as session:
            return session.execute(select(func.count()).select_from(StaffAccount)).scalar_one() > 0

    def active_admins(self) -> int:
        with self._db.session() as session:
            return self._admins(session)

    def update(self, username: str, change: AccountUpdate) -> AccountOut:
        """Apply every change or none; a new password, a new role or disabling ends the account's sessions."""
        if change.password is not None:
            self._check_length(change.password)
        with self._db.session() as session:
            account = self._account(session, username)
            was_active_admin = account.role == ADMIN and account.active
            ends_sessions = False
            if change.display_name is not None:
                account.display_name = change.display_name
            if change.role is not None and change.role != account.role:
                account.role = change.role
                ends_sessions = True
            if change.active is not None and change.active != account.active:
                account.active = change.active
                ends_sessions = ends_sessions or not change.active
            if change.password is not None:
                account.password_hash = self._hasher.hash(_bytes(change.password))
                ends_sessions = True
            session.flush()
            if was_active_admin and self._admins(session) == 0:
                raise Refused("至少要保留一个启用的管理员账号：不能停用最后一个管理员或取消其管理员角色")
            if ends_sessions:
                end_account_sessions(session, account.id)
            return _account_out(account)

    def verify_password(self, username: str, password: str) -> Verified | None:
        """The active account with this username and password; None otherwise (in about the same time)."""
        with self._db.session() as session:
            account = self._find(session, username)
            if account is None or not account.active:
                _check(self._hasher, self._decoy, password)
                return None
            if not _check(self._hasher, account.password_hash, password):
                return None
            if self._hasher.check_needs_rehash(account.password_hash):
                account.password_hash = self._hasher.hash(_bytes(password))
            return _verified(account)

    # ---- API keys ----
    def create_key(self, username: str, label: str) -> ApiKeyCreated:
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        with self._db.session() as session:
            account = self._account(session, username)
            row = StaffApiKey(id=key_id, account_id=account.id, label=label, secret_hash=_digest(secret),
                              created_at=now())  # fmt: skip
            session.add(row)
            session.flush()
            return ApiKeyCreated(**_key_out(row).model_dump(), key=f"{KEY_PREFIX}{key_id}_{secret}")

    def revoke_key(self, username: str, key_id: str) -> ApiKeyOut:
        with self._db.session() as session:
            account = self._account(session, username)
            row = session.get(StaffApiKey, key_id)
            if row is None or row.account_id != account.id:
                raise NotFound(f"账号“{username}”没有编号为 {key_id} 的密钥")
            if row.revoked_at is None:
                row.revoked_at = now()
            return _key_out(row)

    def match_key(self, token: str) -> tuple[str, Verified] | None:
        """(key id, its active account) for a live account API key; None for anything else."""
        if not token.startswith(KEY_PREFIX):
            return None
        key_id, _, secret = token.removeprefix(KEY_PREFIX).partition("_")
        if not key_id or not secret:
            return None
        with self._db.session() as session:
            row = session.get(StaffApiKey, key_id[:16])
            if row is None or row.revoked_at is not None or not row.account.active:
                return None
            if not hmac.compare_digest(row.secret_hash, _digest(secret)):
                return None
            return row.id, _verified(row.account)

    # ---- helpers ----
    def _check_length(self, password: str) -> None:
        if len(password) < self._min_password:
            raise Refused(f"密码（password）至少要 {self._min_password} 个字符")

    @staticmethod
    def _find(session: Session, username: str) -> StaffAccount | None:
        return session.scalar(select(StaffAccount).where(StaffAccount.username == username))

    def _account(self, session: Session, username: str) -> StaffAccount:
        account = self._find(session, username)
        if account is None:
            raise NotFound(f"账号“{username}”不存在")
        return account

    @staticmethod
    def _admins(session: Session) -> int:
        query = select(func.count()).where(StaffAccount.role == ADMIN, StaffAccount.active.is_(True))
        return session.execute(query).scalar_one()


def _bytes(password: str) -> bytes:
    """Any text a form or JSON can carry hashes the same way, lone surrogates included (never a 500)."""
    return password.encode("utf-8", "surrogatepass")


def _check(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, _bytes(password))
    except (VerificationError, InvalidHashError):
        return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _verified(account: StaffAccount) -> Verified:
    return Verified(account.id, account.username, account.display_name, account.role)


def _key_out(row: StaffApiKey) -> ApiKeyOut:
    return ApiKeyOut(id=row.id, label=row.label, created_at=aware(row.created_at),
                     revoked_at=aware(row.revoked_at) if row.revoked_at else None)  # fmt: skip


def _account_out(account: StaffAccount) -> AccountOut:
    return AccountOut(
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        active=account.active,
        created_at=aware(account.created_at),
        updated_at=aware(account.updated_at),
        api_keys=[_key_out(k) for k in account.api_keys],
    )
