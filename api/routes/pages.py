"""HTML pages: the operator's mobile chat page (/c/<token>) and the staff pages (/staff…)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth import ADMIN, SESSION_COOKIE, authenticate_operator, authenticate_public, staff_session
from api.deps import (
    AccountsDep,
    DossiersDep,
    PublicBase,
    PublicLinksDep,
    RateLimitsDep,
    SessionsDep,
    SettingsDep,
    StaffKeysDep,
)
from api.dossiers import LinkRejected, NotFound
from api.links import absolute, loopback_warning
from api.qr import qr_svg
from api.rate_limit import RateLimited, client_ip
from api.static_files import ASSETS

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
router = APIRouter(include_in_schema=False)


def content_security_policy(frame_ancestors: Sequence[str] = ()) -> str:
    """Pages load only their own /static files: no inline scripts or styles, no third-party hosts. No page may be
    framed, except a public assistant page by the sites staff allowed for its link (normalized origins only)."""
    ancestors = " ".join(frame_ancestors) or "'none'"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")  # fmt: skip


SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": content_security_policy(),
}
BEIJING = timezone(timedelta(hours=8))


def _cn_date(moment: datetime) -> str:
    """2027年5月27日, in Beijing time (stored times are UTC)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = moment.astimezone(BEIJING)
    return f"{local.year}年{local.month}月{local.day}日"


TEMPLATES.env.filters["cn_date"] = _cn_date
TEMPLATES.env.globals["static_url"] = ASSETS.url


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page; ``context`` is whatever its template renders."""
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def _too_many(request: Request, template: str, refusal: RateLimited, **context: Any) -> HTMLResponse:
    response = _page(request, template, status=429, **context)
    response.headers["Retry-After"] = str(refusal.retry_after_s)
    return response


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/staff", status_code=303)


@router.get("/c/{token}", response_class=HTMLResponse)
def operator_page(token: str, request: Request) -> HTMLResponse:
    """Checked and counted like the operator API, so the page cannot be used to guess links either."""
    try:
        authenticate_operator(request, token)
    except LinkRejected as error:
        return _page(request, "link_error.html", status=error.status, message=str(error))
    except RateLimited as error:
        return _too_many(request, "link_error.html", error, message=str(error))
    return _page(request, "chat.html", token=token)


@router.get("/p/{token}", response_class=HTMLResponse)
def public_page(token: str, request: Request, embed: str = "") -> HTMLResponse:
    """The general assistant for anyone with the link; framed only by the sites allowed for the link (CSP).
    ``?embed=1`` (how ``/embed.js`` opens it) adds a 关闭 button that asks the embedding page to close its panel."""
    try:
        link = authenticate_public(request, token)
    except LinkRejected as error:
        return _page(request, "link_error.html", status=error.status, message=str(error), public=True)
    except RateLimited as error:
        return _too_many(request, "link_error.html", error, message=str(error), public=True)
    response = _page(request, "public_chat.html", token=token, embedded=embed == "1")
    response.headers["Content-Security-Policy"] = content_security_policy(link.allowed_origins)
    return response


@router.get("/embed.js")
def embed_script(settings: SettingsDep) -> FileResponse:
    """The embed snippet's script: its address is fixed (it is pasted into other sites), so it is kept briefly."""
    return FileResponse(ASSETS.directory / "js" / "embed.js", media_type="text/javascript",
                        headers={"Cache-Control": f"public, max-age={settings.embed_script_max_age_s}"})  # fmt: skip


@router.get("/staff/login", response_class=HTMLResponse)
def login_page(request: Request, accounts: AccountsDep, error: str | None = None) -> HTMLResponse:
    return _page(request, "staff_login.html", error=error, accounts=accounts.exist())


@router.post("/staff/login")
def login(request: Request, limits: RateLimitsDep, keys: StaffKeysDep, sessions: SessionsDep, accounts: AccountsDep,
          username: str = Form(""), password: str = Form(""), key: str = Form(""),
          name: str = Form("")) -> Response:  # fmt: skip
    """An account logs in with username and password; a shared staff key (first start) with the key and a name.

    Both are throttled per client IP, and a failure counts against the IP's budget of failed credentials.
    """
    ip = client_ip(request)
    with_account = bool(username.strip())
    page = {"accounts": accounts.exist() or with_account, "username": username.strip()[:50]}
    try:
        limits.login(ip)
        limits.before_credentials(ip)
    except RateLimited as error:
        return _too_many(request, "staff_login.html", error, error=str(error), **page)
    if with_account:
        account = accounts.verify_password(username.strip(), password)
        if account is None:
            limits.failed(ip)
            return _page(request, "staff_login.html", status=401, error="用户名或密码不正确，或账号已停用", **page)
        cookie = sessions.start(account.display_name, account_id=account.id)
    else:
        fingerprint = keys.match(key.strip())
        if fingerprint is None:
            limits.failed(ip)
            return _page(request, "staff_login.html", status=401, error="密钥不正确，请重新输入", **page)
        if not name.strip():
            return _page(request, "staff_login.html", status=422, error="请填写您的姓名（用于记录操作人）", **page)
        cookie = sessions.start(name.strip()[:50], fingerprint)
    response = RedirectResponse("/staff", status_code=303)
    # Secure behind HTTPS (directly, or a proxy that says so), so the cookie never travels in clear text.
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(SESSION_COOKIE, cookie, max_age=sessions.max_age_s, httponly=True, samesite="strict",
                        secure=secure)  # fmt: skip
    return response


@router.post("/staff/logout")
def logout(request: Request, sessions: SessionsDep) -> RedirectResponse:
    """Ends the session on the server too: the cookie is worthless from here on, even if it was copied."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        sessions.end(cookie)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _staff_page(request: Request, template: str, admin_only: bool = False, **context: Any) -> Response:
    session = staff_session(request)
    if session is None:
        return RedirectResponse("/staff/login", status_code=303)
    if admin_only and session.role != ADMIN:
        return _page(request, "staff_forbidden.html", status=403, staff_name=session.name, staff_role=session.role)
    return _page(request, template, staff_name=session.name, staff_role=session.role, **context)


@router.get("/staff", response_class=HTMLResponse)
def projects_page(request: Request) -> Response:
    return _staff_page(request, "staff_projects.html")


@router.get("/staff/projects/{project_id}", response_class=HTMLResponse)
def project_page(project_id: str, request: Request) -> Response:
    return _staff_page(request, "staff_project.html", project_id=project_id)


@router.get("/staff/projects/{project_id}/card", response_class=HTMLResponse)
def project_card(project_id: str, request: Request, dossiers: DossiersDep) -> Response:
    """A one-page printable card: project, 专员, QR code and how to use it."""
    if staff_session(request) is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        project = dossiers.get(project_id)
        link = dossiers.current_link(project_id)
    except NotFound as error:
        return _page(request, "link_error.html", status=404, message=str(error), staff=True)
    url = absolute(link.url, str(request.base_url))
    return _page(request, "staff_card.html", project=project, qr=qr_svg(url), url=url, expires=link.expires_at,
                 warning=loopback_warning(url))  # fmt: skip


@router.get("/staff/feedback", response_class=HTMLResponse)
def feedback_page(request: Request) -> Response:
    return _staff_page(request, "staff_feedback.html")


@router.get("/staff/ask", response_class=HTMLResponse)
def ask_page(request: Request) -> Response:
    return _staff_page(request, "staff_ask.html")


@router.get("/staff/knowledge", response_class=HTMLResponse)
def knowledge_page(request: Request) -> Response:
    """Knowledge edited in place: the review queue, item search, the editor and versions (审核、恢复: 管理员)."""
    return _staff_page(request, "staff_knowledge.html")


@router.get("/staff/accounts", response_class=HTMLResponse)
def accounts_page(request: Request) -> Response:
    """Accounts and their API keys: 管理员 only (a 专员 gets a 403 page in Chinese)."""
    return _staff_page(request, "staff_accounts.html", admin_only=True)


LINKS_BACK = {"staff": True, "back": "/staff/public-links", "back_label": "返回公开咨询链接"}


@router.get("/staff/public-links", response_class=HTMLResponse)
def public_links_page(request: Request) -> Response:
    """Public assistant links, their allowed sites, limits, embed snippets and QR cards: 管理员 only."""
    return _staff_page(request, "staff_public_links.html", admin_only=True)


@router.get("/staff/public-links/{link_id}/card", response_class=HTMLResponse)
def public_link_card(link_id: str, request: Request, links: PublicLinksDep, base: PublicBase) -> Response:
    """A one-page printable card for the service hall: the QR code of the public page and how to use it."""
    session = staff_session(request)
    if session is None:
        return RedirectResponse("/staff/login", status_code=303)
    if session.role != ADMIN:
        return _page(request, "staff_forbidden.html", status=403, staff_name=session.name, staff_role=session.role)
    try:
        link = links.get(link_id[:16], base)
    except NotFound as error:
        return _page(request, "link_error.html", status=404, message=str(error), **LINKS_BACK)
    if not link.active:
        return _page(request, "link_error.html", status=422, message="该公开咨询链接已停用，启用后才能打印二维码",
                     **LINKS_BACK)  # fmt: skip
    return _page(request, "public_card.html", link=link, qr=qr_svg(link.url), warning=link.warning)
