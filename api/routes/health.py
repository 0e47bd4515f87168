"""GET /healthz — liveness and what the index holds; no authentication."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


@router.get("/healthz")
def healthz(request: Request) -> dict:
    services = request.app.state.services
    return {"status": "ok", "embedder": services.embedder.model_id, "chunks": services.store.count()}
