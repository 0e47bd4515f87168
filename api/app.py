"""The FastAPI application: staff API, operator API and pages, wired to the services and the app database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from api import errors
from api.auth import session_serializer
from api.conversations import Conversations
from api.db.engine import Database
from api.documents import Documents
from api.dossiers import Dossiers
from api.keys import app_secret, ensure_staff_key
from api.knowledge_admin import KnowledgeWriter
from api.links import LinkSigner
from api.routes import ask, documents, guidance, health, knowledge, operator, pages, permits, projects
from chubei.services import Services
from chubei.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()
    services = services or Services(settings)
    secret = app_secret(settings)
    app = FastAPI(title="Chubei 筹备期审批辅导", version="0.1.0", docs_url="/api/docs", redoc_url=None)
    state = app.state
    state.settings = settings
    state.services = services
    state.staff_keys, _ = ensure_staff_key(settings)
    state.sessions = session_serializer(secret)
    state.db = Database(settings.sqlalchemy_url)
    state.dossiers = Dossiers(
        state.db,
        lambda description, facts: services.guide.plan(description, facts),
        LinkSigner(secret),
        settings.public_base_url or "",
        settings.token_ttl_days,
    )
    state.conversations = Conversations(state.db)
    state.documents = Documents(state.db, services.document_reader, services.ocr_queue, settings.documents_dir,
                                settings.prereview)  # fmt: skip
    state.documents.purge_orphans()
    state.knowledge = KnowledgeWriter(settings.kb_overlay_dir, services.corpus, lambda: services.kb)
    errors.install(app)
    app.middleware("http")(no_store_for_private)
    for module in (health, ask, guidance, projects, operator, knowledge, permits, pages):
        app.include_router(module.router)
    app.include_router(documents.staff)
    app.include_router(documents.operator)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


async def no_store_for_private(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Staff pages and every API answer (plans, chats, keys) must not be kept by browsers or proxies."""
    response = await call_next(request)
    path = request.url.path
    if path.startswith(("/api/", "/staff", "/c/")):
        response.headers["Cache-Control"] = "no-store"
    return response
