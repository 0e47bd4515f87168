"""GET (and HEAD) /healthz — liveness and what the index holds; no authentication."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas import HealthOut

router = APIRouter()


@router.api_route("/healthz", methods=["GET", "HEAD"], response_model=HealthOut)
def healthz(services: ServicesDep) -> HealthOut:
    return HealthOut(status="ok", embedder=services.embedder.model_id, chunks=services.store.count())
