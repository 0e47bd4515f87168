"""Who is calling: staff (bearer key, or the login session cookie) or an operator (the project's access link).

A visitor of a public assistant link (``/p/<token>``) is no one in particular: the link opens the general assistant
and nothing else, with the link's own question budgets.

Staff credentials: a shared staff key (CHUBEI_API_KEYS or the key file; acts as 管理员, the name for the history
from the X-Staff-Name header), an account's API key (``cbk_…``; acts as that account), or the login session cookie
(a key login or an account login). For accounts, the name and role always come from the account itself.

Credentials are checked, and counted against the rate limits, by the route classes in ``api/guard.py`` before a
request body is read; the dependencies here hand the result to the endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, HTTPException, Request

from api.dossiers import LinkRejected
from api.public_links import ActiveLink
from api.rate_limit import client_ip
from api.sessions import KEY_ROLE, ActiveSession

ADMIN = "管理员"
ADMIN_ONLY = "需要管理员权限：账号和密钥由管理员管理，知识库的修改由管理员审核、恢复"
UNAUTHORIZED = "需要工作人员密钥：请在请求头中提供 Authorization: Bearer <密钥>，或先登录工作人员页面"
FORBIDDEN_KEY = "工作人员密钥无效"
SESSION_COOKIE = "chubei_staff"
DEFAULT_ACTOR = "工作人员"


@dataclass(frozen=True)
class StaffIdentity:
    """The acting staff member: the name written to the history, the role, and the account (None for a key)."""

    name: str
    role: str
    account_id: int | None = None
    username: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def staff_session(request: Request) -> ActiveSession | None:
    """The live login session of the cookie, if any (ended at logout and when its key is no longer in force)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    state = request.app.state
    return state.sessions.resolve(cookie, state.staff_keys.fingerprints())


def authenticate_staff(request: Request) -> StaffIdentity:
    """The acting staff member; 401 or 429 in Chinese otherwise."""
    state = request.app.state
    ip = client_ip(request)
    state.rate_limits.before_credentials(ip)
    token = bearer_token(request)
    if token is None:
        session = staff_session(request)
        if session is None:
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        state.rate_limits.staff(ip, f"session:{session.session_id}")
        return StaffIdentity(session.name, session.role, session.account_id, session.username)
    fingerprint = state.staff_keys.match(token)
    if fingerprint is not None:
        state.rate_limits.staff(ip, f"key:{fingerprint}")
        name = unquote(request.headers.get("x-staff-name", "")).strip()[:50] or DEFAULT_ACTOR
        return StaffIdentity(name, KEY_ROLE)
    matched = state.accounts.match_key(token)
    if matched is None:
        state.rate_limits.failed(ip)
        raise HTTPException(401, FORBIDDEN_KEY, headers={"WWW-Authenticate": "Bearer"})
    key_id, account = matched
    state.rate_limits.staff(ip, f"account-key:{key_id}")
    return StaffIdentity(account.display_name, account.role, account.id, account.username)


def check_admin(identity: StaffIdentity) -> StaffIdentity:
    if not identity.is_admin:
        raise HTTPException(403, ADMIN_ONLY)
    return identity


def authenticate_operator(request: Request, token: str) -> str:
    """The project an access link opens; 401/403 (unknown, revoked, expired) or 429 in Chinese otherwise."""
    state = request.app.state
    ip = client_ip(request)
    state.rate_limits.before_credentials(ip)
    try:
        project_id = state.dossiers.resolve(token)
    except LinkRejected as error:
        if error.status == 401:
            state.rate_limits.failed(ip)
        raise
    state.rate_limits.operator(ip, token)
    return project_id


def authenticate_public(request: Request, token: str) -> ActiveLink:
    """The live public link of a token; 401/403 or 429 in Chinese otherwise. Counted like operator links."""
    state = request.app.state
    ip = client_ip(request)
    state.rate_limits.before_credentials(ip)
    try:
        link = state.public_links.resolve(token)
    except LinkRejected as error:
        if error.status == 401:
            state.rate_limits.failed(ip)
        raise
    state.rate_limits.client(ip)
    return link


def require_member(request: Request) -> StaffIdentity:
    """The acting staff member, as already checked by ``StaffRoute`` (or checked now on any other route)."""
    identity = getattr(request.state, "staff", None)
    return identity if identity is not None else authenticate_staff(request)


def require_staff(request: Request) -> str:
    """The acting staff member's name, for the history."""
    return require_member(request).name


def require_admin(request: Request) -> StaffIdentity:
    """A 管理员 (an admin account or a shared staff key); 403 in Chinese for a 专员."""
    return check_admin(require_member(request))


def operator_project(token: str, request: Request) -> str:
    """The project of the access link in the path, as already checked by ``OperatorRoute`` (or checked now)."""
    project_id = getattr(request.state, "project_id", None)
    return project_id if project_id is not None else authenticate_operator(request, token)


def public_link(token: str, request: Request) -> ActiveLink:
    """The public link in the path, as already checked by ``PublicRoute`` (or checked now)."""
    link = getattr(request.state, "public_link", None)
    return link if link is not None else authenticate_public(request, token)


Staff = Annotated[str, Depends(require_staff)]
Member = Annotated[StaffIdentity, Depends(require_member)]
Admin = Annotated[StaffIdentity, Depends(require_admin)]
OperatorProject = Annotated[str, Depends(operator_project)]
PublicVisit = Annotated[ActiveLink, Depends(public_link)]
