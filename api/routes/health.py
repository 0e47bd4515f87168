"""GET (and HEAD) /healthz — liveness and what the index holds; no authentication."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas import HealthOut

router = APIRouter()


@router.api_route("/healthz", methods=["GET", "HEAD"], response_model=HealthOut)
def healthz(services: ServicesDep) -> HealthOut:
    """Alive; ``knowledge_problems`` lists what is wrong in the knowledge staff added or changed (each with its file,
    item and field), which is left out of answers until corrected."""
    return HealthOut(status="ok", embedder=services.embedder.model_id, chunks=services.store.count(),
                     knowledge_problems=services.knowledge_problems())  # fmt: skip
