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
    if limit is None:
        limit = settings.projects_page_size
    elif limit > settings.projects_page_max:
        error = {"type": "value_error", "loc": ("query", "limit"), "input": limit,
                 "msg": f"每页最多 {settings.projects_page_max} 条"}  # fmt: skip
        raise RequestValidationError([error])
    return Page(limit=limit, offset=offset)
