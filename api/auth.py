"""Who is calling: staff (bearer key, or the login session cookie) or an operator (the project's access link).

Credentials are checked, and counted against the rate limits, by the route classes in ``api/guard.py`` before a
request body is read; the dependencies here hand the result to the endpoint.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, HTTPException, Request

from api.dossiers import LinkRejected
from api.rate_limit import client_ip
from api.sessions import ActiveSession

UNAUTHORIZED = "需要工作人员密钥：请在请求头中提供 Authorization: Bearer <密钥>，或先登录工作人员页面"
FORBIDDEN_KEY = "工作人员密钥无效"
SESSION_COOKIE = "chubei_staff"
DEFAULT_ACTOR = "工作人员"


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


def authenticate_staff(request: Request) -> str:
    """The acting staff member's name (for the history); 401 or 429 in Chinese otherwise."""
    state = request.app.state
    ip = client_ip(request)
    state.rate_limits.before_credentials(ip)
    token = bearer_token(request)
    if token is None:
        session = staff_session(request)
        if session is None:
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        state.rate_limits.staff(ip, f"session:{session.session_id}")
        return session.name
    fingerprint = state.staff_keys.match(token)
    if fingerprint is None:
        state.rate_limits.failed(ip)
        raise HTTPException(401, FORBIDDEN_KEY, headers={"WWW-Authenticate": "Bearer"})
    state.rate_limits.staff(ip, f"key:{fingerprint}")
    return unquote(request.headers.get("x-staff-name", "")).strip()[:50] or DEFAULT_ACTOR


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


def require_staff(request: Request) -> str:
    """The acting staff member, as already checked by ``StaffRoute`` (or checked now on any other route)."""
    actor = getattr(request.state, "staff", None)
    return actor if actor is not None else authenticate_staff(request)


def operator_project(token: str, request: Request) -> str:
    """The project of the access link in the path, as already checked by ``OperatorRoute`` (or checked now)."""
    project_id = getattr(request.state, "project_id", None)
    return project_id if project_id is not None else authenticate_operator(request, token)


Staff = Annotated[str, Depends(require_staff)]
OperatorProject = Annotated[str, Depends(operator_project)]
