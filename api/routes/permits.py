"""The 事项目录: every permit, filing, registration and inspection as one grounded entry."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query

from api.auth import require_staff
from api.deps import ServicesDep
from api.dossiers import NotFound
from api.guard import StaffRoute
from assistant.models import PermitOut

router = APIRouter(prefix="/api/v1/permits", route_class=StaffRoute)


@router.get("", response_model=list[PermitOut])
def permits(services: ServicesDep, type: str | None = Query(None, max_length=64, description="项目类型 id，如 swimming"),
            _: str = Depends(require_staff)) -> list[PermitOut]:  # fmt: skip
    """All 事项, or those a project type needs (named by its requirements or listing it)."""
    kb = services.kb
    if type is None:
        chosen = list(kb.permits.values())
    elif type not in kb.types:
        raise HTTPException(
            422, f"参数 type：未知的项目类型 {type}（可用：{', '.join(t.id for t in kb.matchable_types)}）"
        )
    else:
        named = {p.id for p in kb.permits_for([type])}
        chosen = [p for p in kb.permits.values() if p.id in named or type in p.applies_to]
    return [PermitOut.from_permit(p, services.corpus) for p in chosen]


@router.get("/{permit_id}", response_model=PermitOut)
def permit(permit_id: str, services: ServicesDep, _: str = Depends(require_staff)) -> PermitOut:
    found = services.kb.permits.get(permit_id)
    if found is None:
        raise NotFound(f"事项 {permit_id} 不存在")
    return PermitOut.from_permit(found, services.corpus)
