"""Paging of list endpoints: ``limit`` and ``offset`` from the query, bounded by the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from api.deps import SettingsDep

TOTAL_HEADER = "X-Total-Count"
TOTAL_HEADER_DOC = {TOTAL_HEADER: {"description": "符合条件的总条数（不受分页影响）", "schema": {"type": "integer"}}}
BIGINT_MAX = 2**63 - 1


class Page(BaseModel):
    limit: int
    offset: int


def project_page(
    settings: SettingsDep,
    limit: Annotated[
        int | None,
        Query(ge=1, description="每页条数：默认 CHUBEI_PROJECTS_PAGE_SIZE（50），最多 CHUBEI_PROJECTS_PAGE_MAX（200）"),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=BIGINT_MAX, description="跳过前多少条（从 0 开始）")] = 0,
) -> Page:
    """The page asked for; a ``limit`` above the configured maximum is a 422 naming the field, like any other."""
    return _page(limit, offset, settings.projects_page_size, settings.projects_page_max)


def session_page(
    settings: SettingsDep,
    limit: Annotated[
        int | None,
        Query(ge=1, description="每页条数：默认 CHUBEI_SESSIONS_PAGE_SIZE（50），最多 CHUBEI_SESSIONS_PAGE_MAX（200）"),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=BIGINT_MAX, description="跳过前多少条（从 0 开始）")] = 0,
) -> Page:
    """A page of the staff sessions list (``GET /api/v1/sessions``)."""
    return _page(limit, offset, settings.sessions_page_size, settings.sessions_page_max)


def _page(limit: int | None, offset: int, default: int, maximum: int) -> Page:
    if limit is None:
        limit = default
    elif limit > maximum:
        error = {"type": "value_error", "loc": ("query", "limit"), "input": limit, "msg": f"每页最多 {maximum} 条"}
        raise RequestValidationError([error])
    return Page(limit=limit, offset=offset)
