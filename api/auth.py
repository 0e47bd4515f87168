"""Who is calling: staff (bearer key, or the session cookie set by the staff login page)."""

from __future__ import annotations

import hmac
from urllib.parse import unquote

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

UNAUTHORIZED = "需要工作人员密钥：请在请求头中提供 Authorization: Bearer <密钥>，或先登录工作人员页面"
FORBIDDEN_KEY = "工作人员密钥无效"
SESSION_COOKIE = "chubei_staff"
SESSION_MAX_AGE = 12 * 3600
DEFAULT_ACTOR = "工作人员"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_staff_key(token: str | None, keys: list[str]) -> bool:
    return bool(token) and any(hmac.compare_digest(token, key) for key in keys)


def session_serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="chubei-staff-session")


def staff_from_cookie(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        data = request.app.state.sessions.loads(cookie, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    return str(data.get("name") or DEFAULT_ACTOR)


def require_staff(request: Request) -> str:
    """The acting staff member's name (for the history); 401 in Chinese otherwise."""
    token = bearer_token(request)
    if token is None:
        name = staff_from_cookie(request)
        if name is None:
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        return name
    if not is_staff_key(token, request.app.state.staff_keys):
        raise HTTPException(401, FORBIDDEN_KEY, headers={"WWW-Authenticate": "Bearer"})
    return unquote(request.headers.get("x-staff-name", "")).strip()[:50] or DEFAULT_ACTOR
