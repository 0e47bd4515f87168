"""要件预审 API: staff and operators upload documents to a project; staff confirm or override each finding."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.auth import OperatorProject, Staff
from api.deps import DocumentsDep as Service
from api.deps import DossiersDep
from api.documents import Documents
from api.guard import OperatorRoute, StaffRoute
from api.routes.projects import with_absolute_links
from api.schemas import AdoptFacts, DocumentOut, FindingDecision, ProjectOut, Regenerate, UploadKind
from api.work_limit import Work

# Credentials are checked by the route classes before an upload's body is read (and counted by the rate limits).
staff = APIRouter(prefix="/api/v1/projects/{project_id}/documents", route_class=StaffRoute)
operator = APIRouter(prefix="/api/v1/c/{token}/documents", route_class=OperatorRoute)
OPERATOR = "经营者"

DocumentId = Annotated[int, Path(ge=1, le=2**63 - 1, description="材料编号")]
Upload = Annotated[UploadFile, File(description="材料：PDF（文字版或扫描件）、DOCX、JPG/PNG 照片")]
Kind = Annotated[UploadKind | None, Form(description="所需材料的类型（可选）；与识别结果不符时会提示")]


async def _content(file: UploadFile, service: Documents) -> bytes:
    """The upload, read only up to one byte past the limit so that a huge file is refused without reading it all."""
    data = await file.read(service.reader.limits.max_bytes + 1)
    service.reader.check_size(len(data))
    return data


@staff.post("", response_model=DocumentOut, status_code=201)
async def staff_upload(project_id: str, file: Upload, service: Service, actor: Staff, kind: Kind = None) -> DocumentOut:
    data = await _content(file, service)
    return await service.upload(project_id, file.filename or "", data, kind, "staff", actor)


@staff.get("", response_model=list[DocumentOut])
def staff_list(project_id: str, service: Service, _: Staff) -> list[DocumentOut]:
    return service.list(project_id)


@staff.patch("/{document_id}/findings/{n}", response_model=DocumentOut)
def decide(project_id: str, document_id: DocumentId, n: Annotated[int, Path(ge=1, le=1000)],
           body: FindingDecision, service: Service, actor: Staff) -> DocumentOut:  # fmt: skip
    return service.decide(project_id, document_id, n, body, actor)


@staff.post("/{document_id}/facts", response_model=ProjectOut)
async def adopt_facts(project_id: str, document_id: DocumentId, body: AdoptFacts, request: Request, service: Service,
                      dossiers: DossiersDep, work: Work, actor: Staff) -> ProjectOut:  # fmt: skip
    """Facts read from the document (area, floor, 用途) become project facts: the plan is regenerated with them, and
    the history keeps the document and the lines they were read from as their evidence."""
    facts, evidence = service.facts_of(project_id, document_id, body.fields)
    async with work.slot():
        project = await run_in_threadpool(dossiers.regenerate, project_id, Regenerate(facts=facts), actor)
    service.record(project_id, actor, "采纳材料事实", evidence)
    return with_absolute_links(project, request)


@operator.post("", response_model=DocumentOut, status_code=201)
async def operator_upload(
    project_id: OperatorProject, file: Upload, service: Service, kind: Kind = None
) -> DocumentOut:
    data = await _content(file, service)
    return await service.upload(project_id, file.filename or "", data, kind, "operator", OPERATOR)


@operator.get("", response_model=list[DocumentOut])
def operator_list(project_id: OperatorProject, service: Service) -> list[DocumentOut]:
    return service.list(project_id)
