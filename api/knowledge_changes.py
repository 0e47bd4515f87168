"""Knowledge that staff correct in place: edit, add, retire or restore any requirement, 高发问题, step, FAQ entry or
case, validated exactly as ``chubei kb validate`` validates the shipped knowledge, reviewed, and kept as versions.

A 专员's change waits (待审核) for a 管理员; a 管理员's change, an approval and a restore go live at once: the
changes in force are written to ``<data>/kb/edits.yaml`` (``kb/edits.py``) and the knowledge is re-indexed through
the same reload as new FAQ entries (questions asked meanwhile are answered from the previous version). If the reload
fails, the file is put back and nothing is saved.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import StaffIdentity
from api.db.engine import Database
from api.db.models import Feedback, KnowledgeChange, aware
from api.dossiers import NotFound, Refused
from api.schemas import ChangeOut, FieldDiff, KnowledgeItemOut, KnowledgeItemRow, VersionOut
from kb.corpus import Corpus
from kb.edits import (
    EDITS_FILE,
    FIELD_LABELS,
    KIND_NAMES,
    TYPE_LISTS,
    ItemEdit,
    explain,
    field_label,
    item_dict,
    owner_type,
    parse_item,
)
from kb.grounding import STATED_FIELDS, Issue, check_basis, validate
from kb.knowledge import KnowledgeBase
from kb.schema import ITEM_ID

PENDING, LIVE, REJECTED = "待审核", "已生效", "已驳回"
EDIT, ADD, RETIRE, RESTORE = "修改", "新增", "停用", "恢复"
_UNPAIRED = re.compile(r"[\ud800-\udfff]")
ID_PATTERNS = {"faq": r"^faq\.[a-z0-9_]+$", "case": r"^case\.[a-z0-9_]+$"}


class ChangeRefused(Refused):
    """A change that does not validate: each problem names the field (in Chinese) and the reason."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("；".join(f"{field}：{reason}" for field, reason in problems))


class ChangeConflict(Refused):
    """The item changed since the change was made from it (409)."""


class Knowledge(Protocol):
    """What changes need from the live knowledge (``chubei.services.Services``)."""

    @property
    def corpus(self) -> Corpus: ...

    @property
    def kb(self) -> KnowledgeBase: ...

    @property
    def knowledge_issues(self) -> list[Issue]: ...

    def reload_knowledge(self) -> int: ...


class KnowledgeChanges:
    def __init__(self, db: Database, knowledge: Knowledge, overlay_dir: Path) -> None:
        self.db = db
        self.knowledge = knowledge
        self.path = overlay_dir / EDITS_FILE
        self._lock = threading.Lock()  # one publication at a time: the file, the reload and the row agree

    # -- reading -----------------------------------------------------------------------------

    def search(self, q: str, kind: str | None, limit: int) -> list[KnowledgeItemRow]:
        """Items whose id, title or text contain ``q`` (literally), those with it in the title first."""
        kb = self.knowledge.kb
        pending = self._pending_counts()
        needle = q.strip().lower()
        found = [
            (kind_of, item)
            for kind_of, item in _all_items(kb)
            if (not kind or kind_of == kind) and (not needle or needle in _searchable(item))
        ]
        found.sort(key=lambda pair: needle not in _title(pair[1]).lower())
        return [self._row(kb, kind_of, item, pending.get(item.id, 0)) for kind_of, item in found[:limit]]

    def item(self, item_id: str) -> KnowledgeItemOut:
        kb = self.knowledge.kb
        found = kb.find(item_id)
        if found is None:
            raise NotFound(f"知识库中没有条目 {item_id}（可能已停用）")
        kind, item = found
        with self.db.session() as session:
            live = self._live(session, item_id)
        row = self._row(kb, kind, item, self._pending_counts().get(item_id, 0))
        corpus = self.knowledge.corpus
        titles = {b.doc_id: r.title for b in getattr(item, "basis", []) if (r := corpus.get(b.doc_id)) is not None}
        return KnowledgeItemOut(**row.model_dump(), item=item_dict(item), basis_titles=titles,
                                source=kb.sources.get(item_id), version=live.id if live else None)  # fmt: skip

    def changes(self, status: str | None, item_id: str | None, limit: int) -> list[ChangeOut]:
        with self.db.session() as session:
            statement = select(KnowledgeChange).order_by(KnowledgeChange.id.desc()).limit(limit)
            if status:
                statement = statement.where(KnowledgeChange.status == status)
            if item_id:
                statement = statement.where(KnowledgeChange.item_id == item_id)
            return [self._out(session, change) for change in session.scalars(statement)]

    def change(self, change_id: int) -> ChangeOut:
        with self.db.session() as session:
            return self._out(session, self._get(session, change_id))

    def versions(self, item_id: str) -> list[VersionOut]:
        """Every version of an item, oldest first: the original (shipped, or none for an added item), then each
        change that went live."""
        with self.db.session() as session:
            live = self._live_changes(session, item_id)
        if not live:
            found = self.knowledge.kb.find(item_id)
            if found is None:
                raise NotFound(f"知识库中没有条目 {item_id}")
            return [VersionOut(version=None, label="最初的版本", item=item_dict(found[1]), by=None, at=None, reason="",
                               current=True)]  # fmt: skip
        versions = [VersionOut(version=None, label="最初的版本" if live[0].before else "新增之前（不存在）",
                               item=live[0].before, by=None, at=None, reason="", current=False)]  # fmt: skip
        for n, change in enumerate(live, start=1):
            versions.append(VersionOut(version=change.id, label=f"第 {n} 版（{change.action}）", item=change.after,
                                       by=change.proposed_by, at=aware(change.reviewed_at or change.proposed_at),
                                       reason=change.reason, current=change is live[-1]))  # fmt: skip
        return versions

    # -- proposing ---------------------------------------------------------------------------

    def edit(self, item_id: str, fields: dict[str, Any], reason: str, actor: StaffIdentity,
             feedback_id: int | None = None) -> ChangeOut:  # fmt: skip
        kind, current = self._current(item_id)
        if not fields:
            raise ChangeRefused([("条目（item）", "没有要修改的字段")])
        if "id" in fields and fields["id"] != item_id:
            raise ChangeRefused([(field_label(("id",)), "编号不能修改；请新增一条并停用这一条")])
        return self._propose(kind, item_id, EDIT, current, {**current, **fields}, reason, actor, feedback_id)

    def add(self, kind: str, item_id: str | None, fields: dict[str, Any], reason: str, actor: StaffIdentity,
            feedback_id: int | None = None) -> ChangeOut:  # fmt: skip
        kb = self.knowledge.kb
        item_id = item_id or self._new_id(kind, fields, kb)
        if kb.find(item_id) is not None:
            raise ChangeRefused([(field_label(("id",)), f"编号 {item_id} 已经存在；修改它请用 PATCH")])
        type_id = owner_type(kind, item_id)
        if type_id is not None and type_id not in kb.types:
            raise ChangeRefused([(field_label(("id",)), f"编号应以所属项目类型开头，{type_id} 不是项目类型")])
        if "id" in fields and fields["id"] != item_id:
            raise ChangeRefused([(field_label(("id",)), "与地址中的编号不一致")])
        return self._propose(kind, item_id, ADD, None, {**fields, "id": item_id}, reason, actor, feedback_id)

    def retire(self, item_id: str, reason: str, actor: StaffIdentity, feedback_id: int | None = None) -> ChangeOut:
        kind, current = self._current(item_id)
        return self._propose(kind, item_id, RETIRE, current, None, reason, actor, feedback_id)

    def restore(self, item_id: str, version: int | None, reason: str, admin: StaffIdentity) -> ChangeOut:
        """Make an earlier version current again, as a new version (管理员; live at once)."""
        target = next((v for v in self.versions(item_id) if v.version == version), None)
        if target is None:
            raise NotFound(f"条目 {item_id} 没有版本 {version}")
        if target.current:
            raise ChangeRefused([("版本（version）", "这就是现行版本，无需恢复")])
        found = self.knowledge.kb.find(item_id)
        with self.db.session() as session:
            kind = found[0] if found else self._live_changes(session, item_id)[-1].kind
        before = item_dict(found[1]) if found else None
        return self._propose(kind, item_id, RESTORE, before, target.item, reason, admin, None)

    # -- reviewing ---------------------------------------------------------------------------

    def approve(self, change_id: int, admin: StaffIdentity, note: str) -> ChangeOut:
        with self._lock:
            with self.db.session() as session:
                change = self._waiting(session, change_id)
                live = self._live(session, change.item_id)
                if (live.id if live else None) != change.base_id:
                    raise ChangeConflict(f"条目 {change.item_id} 在这项修改提交之后已被修改，不能按旧版本通过；"
                                         "请驳回，并按现行版本重新提交")  # fmt: skip
                kind, item_id, after = change.kind, change.item_id, change.after
            self._check(kind, item_id, after)  # the knowledge may have changed since it was proposed
            self._go_live(change_id, admin.name, note)
        return self.change(change_id)

    def reject(self, change_id: int, admin: StaffIdentity, note: str) -> ChangeOut:
        with self.db.session() as session:
            change = self._waiting(session, change_id)
            change.status, change.reviewed_by, change.review_note = REJECTED, admin.name, note
            change.reviewed_at = datetime.now(UTC)
            return self._out(session, change)

    # -- the changes in force ----------------------------------------------------------------

    def sync(self) -> bool:
        """Write the changes in force to the overlay if the file disagrees with the database (a restored backup,
        a fresh data directory); True when it was rewritten (the caller then reloads the knowledge)."""
        with self._lock, self.db.session() as session:
            text = _yaml(self._live_edits(session))
        if (self.path.read_text(encoding="utf-8") if self.path.exists() else _yaml([])) == text:
            return False
        _write(self.path, text)
        return True

    # -- internals ---------------------------------------------------------------------------

    def _propose(self, kind: str, item_id: str, action: str, before: dict | None, after: dict | None, reason: str,
                 actor: StaffIdentity, feedback_id: int | None) -> ChangeOut:  # fmt: skip
        after = self._check(kind, item_id, after)
        if before is not None and after == before:
            raise ChangeRefused([("条目（item）", "内容与现行版本相同，没有修改")])
        with self._lock:
            with self.db.session() as session:
                live = self._live(session, item_id)
                change = KnowledgeChange(item_id=item_id, kind=kind, action=action, status=PENDING, before=before,
                                         after=after, base_id=live.id if live else None, reason=reason,
                                         proposed_by=actor.name, account_id=actor.account_id, review_note="")  # fmt: skip
                session.add(change)
                session.flush()
                if feedback_id is not None:
                    feedback = session.get(Feedback, feedback_id)
                    if feedback is None:
                        raise NotFound("反馈不存在")
                    feedback.change_id = change.id
                change_id = change.id
            if actor.is_admin:
                try:
                    self._go_live(change_id, actor.name, "")
                except Exception:
                    with self.db.session() as session:  # nothing half-saved: the change goes with the failure
                        session.delete(self._get(session, change_id))
                    raise
        return self.change(change_id)

    def _check(self, kind: str, item_id: str, after: dict[str, Any] | None) -> dict[str, Any] | None:
        """The item as stored, or ChangeRefused naming each field at fault: its schema, then every check of
        ``chubei kb validate`` on the knowledge with this change (only problems the change brings count)."""
        problems: list[tuple[str, str]] = []
        item: BaseModel | None = None
        if after is not None and (invalid := _invalid_text(after)):
            raise ChangeRefused([(field_label(invalid), "含有无效字符（不成对的 Unicode 代理项或空字符），请检查输入")])
        if after is not None:
            if not re.fullmatch(ID_PATTERNS.get(kind, ITEM_ID.pattern), item_id):
                raise ChangeRefused([(field_label(("id",)), f"编号 {item_id} 格式不正确")])
            try:
                item = parse_item(kind, after)
            except ValidationError as error:
                raise ChangeRefused([(field_label(p["loc"]), explain(p)) for p in error.errors()]) from None
            for n, basis in enumerate(getattr(item, "basis", [])):
                if reason := check_basis(basis, self.knowledge.corpus):
                    problems.append((field_label(("basis", n)), reason))
        known = set(self.knowledge.knowledge_issues)
        edit = ItemEdit(kind=kind, item_id=item_id, item=item_dict(item) if item else None)  # type: ignore[arg-type]
        candidate = self.knowledge.kb.with_edits([edit])
        reported = {reason for _, reason in problems}
        for issue in validate(candidate, self.knowledge.corpus):
            if issue in known or issue.message in reported:
                continue
            problems.append((_issue_field(issue, item_id, item), issue.message))
        if problems:
            raise ChangeRefused(problems)
        return edit.item

    def _go_live(self, change_id: int, reviewer: str, note: str) -> None:
        """Make a change live (under ``self._lock``): the overlay file, the re-index, then the row. No database
        transaction stays open meanwhile, so questions (which record the conversation) never wait for the re-index.
        On failure the file is put back and the row is left as it was; a crash in between is mended by ``sync``."""
        with self.db.session() as session:
            change = self._get(session, change_id)
            edits = {edit.item_id: edit for edit in self._live_edits(session)}
            edits[change.item_id] = ItemEdit(kind=change.kind, item_id=change.item_id, item=change.after)  # type: ignore[arg-type]
        previous = self.path.read_text(encoding="utf-8") if self.path.exists() else None
        _write(self.path, _yaml(list(edits.values())))
        try:
            self.knowledge.reload_knowledge()
        except Exception:
            if previous is None:
                self.path.unlink(missing_ok=True)
            else:
                _write(self.path, previous)
            raise
        with self.db.session() as session:
            change = self._get(session, change_id)
            change.status, change.reviewed_by, change.review_note = LIVE, reviewer, note
            change.reviewed_at = datetime.now(UTC)
            for feedback in session.scalars(select(Feedback).where(Feedback.change_id == change_id)):
                feedback.resolved = True

    def _live_edits(self, session: Session) -> list[ItemEdit]:
        latest: dict[str, KnowledgeChange] = {}
        for change in session.scalars(_live_order(select(KnowledgeChange).where(KnowledgeChange.status == LIVE))):
            latest[change.item_id] = change
        return [ItemEdit(kind=c.kind, item_id=c.item_id, item=c.after) for c in latest.values()]  # type: ignore[arg-type]

    def _live_changes(self, session: Session, item_id: str) -> list[KnowledgeChange]:
        statement = select(KnowledgeChange).where(KnowledgeChange.item_id == item_id, KnowledgeChange.status == LIVE)
        return list(session.scalars(_live_order(statement)))

    def _live(self, session: Session, item_id: str) -> KnowledgeChange | None:
        changes = self._live_changes(session, item_id)
        return changes[-1] if changes else None

    def _current(self, item_id: str) -> tuple[str, dict[str, Any]]:
        found = self.knowledge.kb.find(item_id)
        if found is None:
            raise NotFound(f"知识库中没有条目 {item_id}（可能已停用）")
        return found[0], item_dict(found[1])

    def _pending_counts(self) -> dict[str, int]:
        with self.db.session() as session:
            counts: dict[str, int] = {}
            for item_id in session.scalars(select(KnowledgeChange.item_id).where(KnowledgeChange.status == PENDING)):
                counts[item_id] = counts.get(item_id, 0) + 1
            return counts

    @staticmethod
    def _get(session: Session, change_id: int) -> KnowledgeChange:
        change = session.get(KnowledgeChange, change_id)
        if change is None:
            raise NotFound(f"修改记录 {change_id} 不存在")
        return change

    def _waiting(self, session: Session, change_id: int) -> KnowledgeChange:
        change = self._get(session, change_id)
        if change.status != PENDING:
            raise ChangeConflict(f"修改记录 {change_id} 已处理（{change.status}），不能再审核")
        return change

    @staticmethod
    def _new_id(kind: str, fields: dict[str, Any], kb: KnowledgeBase) -> str:
        if kind in TYPE_LISTS:
            raise ChangeRefused(
                [(field_label(("id",)), "新增要求、高发问题或流程步骤须给出编号，如 ktv.fire.new_rule")]
            )
        text = str(fields.get("question") or fields.get("title") or "")
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        candidate, n = f"{kind}.staff_{digest}", 1
        while kb.find(candidate) is not None:
            n += 1
            candidate = f"{kind}.staff_{digest}_{n}"
        return candidate

    def _row(self, kb: KnowledgeBase, kind: str, item: Any, pending: int) -> KnowledgeItemRow:
        type_id = owner_type(kind, item.id)
        project_type = kb.types.get(type_id) if type_id else None
        return KnowledgeItemRow(id=item.id, kind=kind, kind_name=KIND_NAMES[kind], type_id=type_id,
                                type_name=project_type.name if project_type else None, title=_title(item),
                                pending=pending)  # fmt: skip

    @staticmethod
    def _out(session: Session, change: KnowledgeChange) -> ChangeOut:
        feedback = session.scalars(select(Feedback.id).where(Feedback.change_id == change.id))
        shown = change.after or change.before or {}
        return ChangeOut(id=change.id, item_id=change.item_id, kind=change.kind, kind_name=KIND_NAMES[change.kind],
                         title=_title_of(shown), action=change.action, status=change.status, reason=change.reason,
                         proposed_by=change.proposed_by, proposed_at=aware(change.proposed_at),
                         reviewed_by=change.reviewed_by,
                         reviewed_at=aware(change.reviewed_at) if change.reviewed_at else None,
                         review_note=change.review_note, base_id=change.base_id,
                         diff=diff(change.before, change.after), after=change.after,
                         feedback_ids=list(feedback))  # fmt: skip


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldDiff]:
    """The fields that differ, in the item's own order."""
    before, after = before or {}, after or {}
    names = list(dict.fromkeys([*before, *after]))
    return [FieldDiff(field=name, label=FIELD_LABELS.get(name, name), before=before.get(name), after=after.get(name))
            for name in names if before.get(name) != after.get(name)]  # fmt: skip


def _issue_field(issue: Issue, item_id: str, item: BaseModel | None) -> str:
    """The field a validation issue is about, in Chinese: a stated number names the field that states it."""
    if issue.where != item_id:
        return f"条目 {issue.where}"
    if "在所引条文中找不到" in issue.message and item is not None:
        written = issue.message.split("”", 1)[0].removeprefix("“")
        for name in STATED_FIELDS:
            if written in str(getattr(item, name, "") or ""):
                return field_label((name,))
    if "依据" in issue.message or "引文" in issue.message:
        return field_label(("basis",))
    return field_label(("id",)) if "id" in issue.message else "条目"


def _invalid_text(value: Any, path: tuple[int | str, ...] = ()) -> tuple[int | str, ...] | None:
    """Where a text holds a NUL or a lone surrogate (which PostgreSQL and YAML cannot store), or None."""
    if isinstance(value, str):
        return path if "\x00" in value or _UNPAIRED.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        if (found := _invalid_text(inner, (*path, key))) is not None:
            return found
    return None


def _all_items(kb: KnowledgeBase) -> list[tuple[str, Any]]:
    return [
        *(("requirement", item) for item in kb.all_requirements()),
        *(("problem", item) for item in kb.all_problems()),
        *(("step", item) for item in kb.all_steps()),
        *(("faq", entry) for entry in kb.faq.values()),
        *(("case", case) for case in kb.cases.values()),
    ]


def _searchable(item: Any) -> str:
    fields = ("id", "title", "question", "detail", "answer", "advice", "situation", "department")
    return " ".join(str(getattr(item, name, "") or "") for name in fields).lower()


def _title(item: Any) -> str:
    return str(getattr(item, "title", None) or getattr(item, "question", None) or item.id)


def _title_of(data: dict[str, Any]) -> str:
    return str(data.get("title") or data.get("question") or data.get("id") or "")


def _live_order(statement: Any) -> Any:
    return statement.order_by(KnowledgeChange.reviewed_at, KnowledgeChange.id)


def _yaml(edits: list[ItemEdit]) -> str:
    return yaml.safe_dump([edit.model_dump(mode="json") for edit in edits], allow_unicode=True, sort_keys=False)


def _write(path: Path, text: str) -> None:
    """Atomically: a crash or a full disk leaves the previous file whole and no temp file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
