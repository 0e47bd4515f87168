"""要件预审 documents of a project: stored, read (OCR on a bounded queue), checked against the plan, decided by staff.

Files live under ``<data dir>/documents/<project id>/`` (outside any served path). A document and its findings are
saved in one transaction together with the status changes they cause; the file is removed again if that fails, so a
failed upload leaves nothing behind. Folders of projects that no longer exist are removed at start-up.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.db.models import Document, DocumentFinding, HistoryEntry, Project, ProjectItem, aware
from api.dossiers import NotFound, Refused
from api.plan_store import load_plan
from api.schemas import DocumentFieldOut, DocumentOut, FindingDecision, FindingOut
from assistant.config import PrereviewConfig
from assistant.models import GuidanceResponse
from assistant.prereview import (
    FIELD_LABELS,
    KIND_NAMES,
    PASSED,
    Plan,
    ReadSummary,
    Understood,
    review,
    understand,
)
from ingest.ocr import OcrQueue
from ingest.uploads import DocumentReader, ReadDocument

BEIJING = timezone(timedelta(hours=8))
SUBMITTED = "已提交预审"
PRE_REVIEW_STATUSES = ("待准备", SUBMITTED, "预审通过")
# What a specialist's decision on a finding does to its checklist item: (finding passed?, decision) → status.
AFTER_DECISION = {
    (True, "确认"): "预审通过",
    (True, "改判"): "待准备",
    (False, "确认"): "待准备",
    (False, "改判"): "预审通过",
}


def _use_fact(value: str) -> str:
    """商住 counts as 住宅 for the plan: every rule about residential use applies to it."""
    return "住宅" if "住" in value else value if value in ("商业", "办公", "工业") else "其他"


# Fields a specialist may adopt as project facts, and how a read value becomes the fact's value.
ADOPTABLE: dict[str, Callable[[str], object]] = {
    "area_m2": float,
    "floor": int,
    "building_use": _use_fact,
}


def beijing_today() -> date:
    return datetime.now(BEIJING).date()


class Documents:
    def __init__(self, db: Database, reader: DocumentReader, queue: OcrQueue, directory: Path,
                 config: PrereviewConfig, today: Callable[[], date] = beijing_today) -> None:  # fmt: skip
        self.db = db
        self.reader = reader
        self.queue = queue
        self.directory = directory
        self.config = config
        self.today = today

    async def upload(self, project_id: str, filename: str, data: bytes, requested: str | None, channel: str,
                     actor: str) -> DocumentOut:  # fmt: skip
        """Read, check and keep one document; every refusal is Chinese and saves nothing."""
        self._require_project(project_id)
        self.reader.check_size(len(data))
        read, understood = await asyncio.wrap_future(self.queue.submit(lambda: self._read(data, filename)))
        return await asyncio.to_thread(self._save, project_id, filename, data, requested, channel, actor, read,
                                       understood)  # fmt: skip

    def list(self, project_id: str) -> list[DocumentOut]:
        with self.db.session() as session:
            project = self._project(session, project_id)
            titles = {item.item_id: item.title for item in project.items}
            documents = session.scalars(
                select(Document).where(Document.project_id == project_id).order_by(Document.id.desc())
            )
            return [_out(document, titles) for document in documents]

    def decide(self, project_id: str, document_id: int, n: int, data: FindingDecision, actor: str) -> DocumentOut:
        """The specialist confirms or overrides finding ``n``; the item's status follows and the history records it."""
        with self.db.session() as session:
            project = self._project(session, project_id)
            document = self._document(session, project_id, document_id)
            finding = next((f for f in document.findings if f.position == n), None)
            if finding is None:
                raise NotFound(f"该材料没有第 {n} 条预审结论")
            finding.decision, finding.decision_note = data.decision, data.note
            finding.decided_by, finding.decided_at = actor, datetime.now(UTC)
            detail = {"document": document.id, "filename": document.filename, "finding": n, "item": finding.item_id,
                      "status": finding.status, "decision": data.decision, "note": data.note}  # fmt: skip
            item = _item(project, finding.item_id)
            if item is not None and item.status in PRE_REVIEW_STATUSES:  # 容缺受理 and 已完成 are not undone here
                status = AFTER_DECISION[(finding.status == PASSED, data.decision)]
                if status != item.status:
                    detail["item_status"] = [item.status, status]
                    item.status, item.updated_by, item.updated_at = status, actor, datetime.now(UTC)
            project.updated_at = datetime.now(UTC)
            session.add(
                HistoryEntry(project_id=project_id, actor=actor, action=f"{data.decision}预审结论", detail=detail)
            )
            session.flush()
            return _out(document, {i.item_id: i.title for i in project.items})

    def facts_of(self, project_id: str, document_id: int, names: Sequence[str]) -> tuple[dict[str, object], dict]:
        """Project facts read from a document (area, floor, 用途) for the specialist to adopt, with their evidence."""
        with self.db.session() as session:
            self._project(session, project_id)
            document = self._document(session, project_id, document_id)
            read = {field["name"]: field for field in document.fields}
            facts: dict[str, object] = {}
            for name in names:
                if name not in read:
                    raise Refused(f"该材料没有读出“{FIELD_LABELS.get(name, name)}”，不能采纳")
                facts[name] = ADOPTABLE[name](read[name]["value"])
            evidence = {name: read[name]["evidence"] for name in names}
            return facts, {"document": document.id, "filename": document.filename, "facts": facts, "evidence": evidence}

    def record(self, project_id: str, actor: str, action: str, detail: dict) -> None:
        with self.db.session() as session:
            session.add(HistoryEntry(project_id=project_id, actor=actor, action=action, detail=detail))

    def purge_orphans(self) -> int:
        """Remove the folders of projects that are gone (their rows went with the project)."""
        if not self.directory.is_dir():
            return 0
        with self.db.session() as session:
            existing = set(session.scalars(select(Project.id)))
        removed = 0
        for folder in self.directory.iterdir():
            if folder.is_dir() and folder.name not in existing:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    def path(self, project_id: str, stored_name: str) -> Path:
        return self.directory / project_id / stored_name

    # -- internals -------------------------------------------------------------

    def _read(self, data: bytes, filename: str) -> tuple[ReadDocument, Understood]:
        read = self.reader.read(data, filename)
        lines = [(page.number, line) for page in read.pages for line in page.lines]
        return read, understand(lines, self.config)

    def _save(self, project_id: str, filename: str, data: bytes, requested: str | None, channel: str, actor: str,
              read: ReadDocument, understood: Understood) -> DocumentOut:  # fmt: skip
        stored_name = f"{uuid.uuid4().hex}.{read.media_type}"
        path = self.path(project_id, stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        try:
            with self.db.session() as session:
                return self._record(session, project_id, filename, data, requested, channel, actor, read, understood,
                                    stored_name)  # fmt: skip
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def _record(self, session: Session, project_id: str, filename: str, data: bytes, requested: str | None,
                channel: str, actor: str, read: ReadDocument, understood: Understood,
                stored_name: str) -> DocumentOut:  # fmt: skip
        project = self._project(session, project_id, uploading=True)
        guidance = GuidanceResponse.model_validate(load_plan(session, project_id))
        active = {item.item_id for item in project.items if item.active}
        plan = Plan(guidance=guidance, active=active, facts=dict(guidance.facts))
        earlier = session.scalars(select(Document).where(Document.project_id == project_id).order_by(Document.id))
        others = [ReadSummary(kind=d.kind, fields={f["name"]: f["value"] for f in d.fields}, chars=len(d.text))
                  for d in earlier]  # fmt: skip
        findings = review(understood, requested, plan, others, self.today(), self.config)
        document = Document(
            project_id=project_id, filename=(filename or "材料")[:200], media_type=read.media_type,
            stored_name=stored_name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), kind=understood.kind,
            requested_kind=requested, pages=len(read.pages), ocr=read.ocr, text="\n".join(read.lines),
            fields=[field.model_dump() for field in understood.fields], channel=channel, uploaded_by=actor[:50],
        )  # fmt: skip
        for position, finding in enumerate(findings, start=1):
            document.findings.append(DocumentFinding(
                position=position, item_id=finding.item_id, status=finding.status, message=finding.message,
                red_line=finding.red_line, basis=[c.model_dump(mode="json") for c in finding.basis],
            ))  # fmt: skip
        session.add(document)
        submitted = []
        for finding in findings:
            item = _item(project, finding.item_id)
            if (
                item is not None
                and item.active
                and item.status == "待准备"
                and finding.status in (PASSED, "预审发现问题")
            ):
                item.status, item.updated_by, item.updated_at = SUBMITTED, actor[:50], datetime.now(UTC)
                submitted.append(item.item_id)
        project.updated_at = datetime.now(UTC)
        session.flush()
        detail = {"document": document.id, "filename": document.filename, "kind": understood.kind,
                  "kind_name": KIND_NAMES[understood.kind], "findings": [f"{f.status}：{f.message}" for f in findings],
                  "submitted": submitted}  # fmt: skip
        session.add(HistoryEntry(project_id=project_id, actor=actor[:50], action="上传预审材料", detail=detail))
        return _out(document, {i.item_id: i.title for i in project.items})

    def _require_project(self, project_id: str) -> None:
        with self.db.session() as session:
            self._project(session, project_id, uploading=True)

    @staticmethod
    def _document(session: Session, project_id: str, document_id: int) -> Document:
        document = session.get(Document, document_id)
        if document is None or document.project_id != project_id:
            raise NotFound(f"项目中没有编号为 {document_id} 的材料")
        return document

    @staticmethod
    def _project(session: Session, project_id: str, uploading: bool = False) -> Project:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(f"项目 {project_id} 不存在")
        if uploading and project.status == "已终止":
            raise Refused("项目已终止，不能再上传材料")
        return project


def _item(project: Project, item_id: str | None) -> ProjectItem | None:
    return next((item for item in project.items if item.item_id == item_id), None) if item_id else None


def _out(document: Document, titles: dict[str, str]) -> DocumentOut:
    return DocumentOut(
        id=document.id, filename=document.filename, kind=document.kind, kind_name=KIND_NAMES[document.kind],
        media_type=document.media_type, size=document.size, pages=document.pages, ocr=document.ocr,
        fields=[DocumentFieldOut(**field) for field in document.fields],
        findings=[
            FindingOut(n=f.position, item_id=f.item_id, item_title=titles.get(f.item_id or ""), status=f.status,
                       message=f.message, red_line=f.red_line, basis=f.basis, decision=f.decision,
                       decision_note=f.decision_note, decided_by=f.decided_by,
                       decided_at=aware(f.decided_at) if f.decided_at else None)
            for f in document.findings
        ],
        channel=document.channel, uploaded_by=document.uploaded_by, created_at=aware(document.created_at),
    )  # fmt: skip
