"""GET (and HEAD) /healthz — liveness and what the index holds; no authentication."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.schemas import HealthOut

router = APIRouter()


@router.api_route("/healthz", methods=["GET", "HEAD"], response_model=HealthOut)
def healthz(request: Request) -> HealthOut:
    services = request.app.state.services
    return HealthOut(status="ok", embedder=services.embedder.model_id, chunks=services.store.count())
