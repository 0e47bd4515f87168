"""Who is calling the OpenAI-compatible API, and so what it may talk about: the bearer credential is the scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.auth import bearer_token
from api.deps import AccountsDep, DossiersDep, RateLimitsDep, StaffKeysDep
from api.dossiers import Dossiers, LinkRejected
from api.openai_compat.errors import OpenAIError
from api.rate_limit import client_ip

MISSING = "需要密钥：请在请求头中提供 Authorization: Bearer <密钥>（工作人员密钥，或经营者访问链接 /c/ 后面的令牌）"
INVALID = "密钥无效：请使用工作人员密钥，或经营者访问链接 /c/ 后面的令牌"


@dataclass(frozen=True)
class Caller:
    """``project_id`` None: staff, the general assistant; otherwise the operator of that project, its chat."""

    project_id: str | None


def caller(request: Request, dossiers: DossiersDep, limits: RateLimitsDep, keys: StaffKeysDep,
           accounts: AccountsDep) -> Caller:  # fmt: skip
    """A staff key or an account's API key opens the general assistant; an operator token, its project's chat.

    Counted by the same rate limits as the staff API and the operator chat (429 in OpenAI's error shape)."""
    ip = client_ip(request)
    limits.before_credentials(ip)
    token = bearer_token(request)
    if token is None:
        raise OpenAIError(401, MISSING, code="missing_api_key")
    fingerprint = keys.match(token)
    if fingerprint is not None:
        limits.staff(ip, f"key:{fingerprint}")
        return Caller(project_id=None)
    account_key = accounts.match_key(token)
    if account_key is not None:
        limits.staff(ip, f"account-key:{account_key[0]}")
        return Caller(project_id=None)
    project_id = _project_of(dossiers, token, lambda: limits.failed(ip))
    limits.operator(ip, token)
    return Caller(project_id=project_id)


def _project_of(dossiers: Dossiers, token: str, on_unknown: Callable[[], None]) -> str:
    try:
        return dossiers.resolve(token)
    except LinkRejected as rejected:  # revoked or expired: say so (403); unknown: an invalid key (401)
        if rejected.status == 401:
            on_unknown()
        raise OpenAIError(rejected.status, INVALID if rejected.status == 401 else str(rejected)) from rejected


CallerDep = Annotated[Caller, Depends(caller)]
