"""The FastAPI application: staff API, operator API and pages, wired to the services and the app database."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_compress import CompressMiddleware, remove_compress_type
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors
from api.accounts import StaffAccounts
from api.body_limit import BodySizeLimit
from api.conversations import Conversations
from api.db.engine import Database
from api.documents import Documents
from api.dossiers import Dossiers
from api.keys import StaffKeys, app_secret, ensure_staff_key
from api.knowledge_admin import KnowledgeWriter
from api.knowledge_changes import KnowledgeChanges
from api.links import LinkSigner
from api.openai_compat.turns import TurnReplayer
from api.openapi import ADMIN, HEALTH, OPERATOR, PUBLIC, REVIEW, STAFF
from api.public_links import LinkDefaults, PublicLinks
from api.rate_limit import RateLimits
from api.routes import (
    accounts,
    ask,
    documents,
    guidance,
    health,
    kb_items,
    knowledge,
    openai_api,
    operator,
    pages,
    permits,
    projects,
    public,
    public_links,
    sessions,
)
from api.sessions import StaffSessions
from api.static_files import ASSETS, PREFIX, FingerprintedStatic
from api.work_limit import WorkLimiter
from chubei.services import Services
from chubei.settings import Settings, get_settings

# Server-sent events (/v1/chat/completions with stream: true) go out as they are: a compressor would hold back
# the small chunks that make streaming useful, and some proxies and SDKs mishandle encoded event streams.
remove_compress_type("text/event-stream")


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()
    services = services or Services(settings)
    secret = app_secret(settings)
    ensure_staff_key(settings)
    app = FastAPI(title="Chubei 筹备期审批辅导", version="0.1.0", docs_url="/api/docs", redoc_url=None)
    state = app.state
    state.settings = settings
    state.services = services
    state.staff_keys = StaffKeys(settings, secret)
    state.db = Database(settings.sqlalchemy_url)
    state.sessions = StaffSessions(state.db, secret, int(settings.session_hours * 3600))
    state.accounts = StaffAccounts.configured(state.db, settings)
    state.rate_limits = RateLimits(settings)
    state.work = WorkLimiter(settings.work_concurrency, settings.work_queue, settings.work_wait_s,
                             settings.work_retry_after_s)  # fmt: skip
    state.dossiers = Dossiers(
        state.db,
        lambda description, facts: services.guide.plan(description, facts),
        LinkSigner(secret),
        settings.public_base_url or "",
        settings.token_ttl_days,
    )
    state.conversations = Conversations(state.db)
    state.public_links = PublicLinks(state.db, LinkSigner(secret, "public-link"),
                                     LinkDefaults(settings.public_link_rate, settings.public_visitor_rate,
                                                  settings.public_link_max_origins))  # fmt: skip
    state.openai_turns = TurnReplayer(
        lambda: services.extractive_assistant,
        state.dossiers.context,
        settings.answer.history_turns,
        settings.openai.replay_turns,
        settings.openai.turn_cache,
    )
    state.documents = Documents(state.db, services.document_reader, services.ocr_queue, settings.documents_dir,
                                settings.prereview)  # fmt: skip
    state.documents.purge_orphans()
    state.knowledge = KnowledgeWriter(settings.kb_overlay_dir, services.corpus, lambda: services.kb)
    state.knowledge_changes = KnowledgeChanges(state.db, services, settings.kb_overlay_dir)
    if state.knowledge_changes.sync():  # the overlay did not match the database's changes in force
        services.reload_knowledge()
    errors.install(app)
    app.add_middleware(NoStoreForPrivate)
    app.include_router(health.router, responses=HEALTH)
    for router in (ask.router, guidance.router, projects.router, knowledge.router, permits.router,
                   sessions.router, accounts.me_router, kb_items.router):  # fmt: skip
        app.include_router(router, responses=STAFF)
    for router in (knowledge.writes, accounts.router, public_links.router):
        app.include_router(router, responses=ADMIN)
    app.include_router(kb_items.admin, responses=REVIEW)
    app.include_router(operator.router, responses=OPERATOR)
    app.include_router(documents.staff, responses=STAFF)
    app.include_router(documents.operator, responses=OPERATOR)
    app.include_router(public.router, responses=PUBLIC)
    app.include_router(openai_api.router)
    app.include_router(pages.router)
    app.mount(PREFIX, FingerprintedStatic(ASSETS, settings.static_max_age_s), name="static")
    # Inside the body limit, so an oversized request is refused (413) before anything else runs.
    app.add_middleware(CompressMiddleware, minimum_size=settings.compress_min_bytes, zstd=False,
                       gzip_level=settings.compress_gzip_level, brotli_quality=settings.compress_brotli_quality)  # fmt: skip
    # Outermost first: the client address is settled, then an oversized body is refused before anything else.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, upload_max_bytes=settings.max_upload_bytes)
    if settings.proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxies)
    return app


class NoStoreForPrivate:
    """Staff pages and every API answer (plans, chats, keys) must not be kept by browsers or proxies.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` reads the body in a task group, which would wrap a
    413 raised while streaming an oversized body into an ``ExceptionGroup`` and turn it into a 400.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(("/api/", "/v1/", "/staff", "/c/", "/p/")):
            await self.app(scope, receive, send)
            return

        async def no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, no_store)
