"""Who is calling: staff (bearer key) for the staff API."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

UNAUTHORIZED = "需要工作人员密钥：请在请求头中提供 Authorization: Bearer <密钥>"
FORBIDDEN_KEY = "工作人员密钥无效"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_staff_key(token: str | None, keys: list[str]) -> bool:
    return bool(token) and any(hmac.compare_digest(token, key) for key in keys)


def require_staff(request: Request) -> str:
    token = bearer_token(request)
    if token is None:
        raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    if not is_staff_key(token, request.app.state.staff_keys):
        raise HTTPException(401, FORBIDDEN_KEY, headers={"WWW-Authenticate": "Bearer"})
    return "staff"
