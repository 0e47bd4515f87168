"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.keys import ensure_staff_key
from api.routes import ask, guidance, health
from chubei.services import Services
from chubei.settings import Settings, get_settings


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Chubei 筹备期审批辅导", version="0.1.0", docs_url="/api/docs", redoc_url=None)
    app.state.settings = settings
    app.state.services = services or Services(settings)
    app.state.staff_keys, _ = ensure_staff_key(settings)
    errors.install(app)
    for module in (health, ask, guidance):
        app.include_router(module.router)
    return app
