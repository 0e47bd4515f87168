"""Models at the assistant's boundary: the JSON contracts of /api/v1/ask and /api/v1/guidance."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb.corpus import Corpus
from kb.facts import FactForm, ProjectFacts
from kb.schema import Basis, Grounded, Permit, Statement

MAX_QUESTION = 2000
MAX_DESCRIPTION = 4000


class Citation(BaseModel):
    doc_id: str
    title: str
    article: str
    text: str = Field(description="verbatim quote of the cited article")
    level: str | None = None
    version_date: str | None = None
    caveat: str | None = Field(None, description="版本可能已修订时的提示")

    @classmethod
    def from_basis(cls, basis: Basis, corpus: Corpus) -> Citation:
        regulation = corpus.get(basis.doc_id)
        if regulation is None:  # kb validate forbids this; never show an unresolvable source
            raise ValueError(f"unknown doc_id {basis.doc_id}")
        return cls(
            doc_id=basis.doc_id,
            title=regulation.title,
            article=basis.article,
            text=basis.quote,
            level=regulation.level,
            version_date=regulation.version_date,
            caveat=regulation.caveat or None,
        )

    @property
    def key(self) -> tuple[str, str]:
        return self.doc_id, self.article


# A lone UTF-16 surrogate ("\ud800" in JSON) is valid JSON but no text: it cannot be stored or tokenized.
_UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str, field: str, limit: int, collapse: bool = False) -> str:
    """Trimmed text (whitespace runs collapsed when ``collapse``), or a Chinese error naming the field."""
    value = " ".join(value.split()) if collapse else value.strip()
    if not value:
        raise ValueError(f"{field}不能为空")
    if _UNPAIRED_SURROGATE.search(value) or "\x00" in value:
        raise ValueError(f"{field}含有无效字符（不成对的 Unicode 代理项或空字符），请检查输入")
    if len(value) > limit:
        raise ValueError(f"{field}过长（{len(value)} 字），请控制在 {limit} 字以内")
    return value


def check_facts(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Fact overrides must name known facts with values of the right type."""
    if value:
        ProjectFacts.model_validate(value)
    return value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(description="问题，1–2000 字")
    session_id: str | None = Field(None, max_length=64)
    project_id: str | None = Field(None, max_length=64)

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        return clean_text(value, "问题", MAX_QUESTION, collapse=True)


class AskResponse(BaseModel):
    answer: str = Field(description="答案本身：先直接回答，需要时再列清单；引用的条文见 citations")
    citations: list[Citation]
    out_of_scope: bool
    session_id: str
    understood_as: str | None = Field(None, description="结合上文理解后的完整问题（追问时与原问题不同）")
    intent: str | None = Field(None, description="问题类型：feasibility、deadline、materials、list、comparison…")
    points: list[str] = Field(default_factory=list, description="答案中的清单条目（如材料、条件、事项）")
    items: list[str] = Field(default_factory=list, description="答案所依据的知识条目 id")
    permits: list[str] = Field(default_factory=list, description="答案涉及的事项 id")
    notice: str | None = Field(None, description="提示：仅供参考、版本可能已修订等")
    answered_from: str | None = Field(
        None,
        description="答案的来源：permit（事项目录）、list（清单）、red_line（红线）、item（知识条目）、article（条文）",
    )


class GuidanceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str = Field(description="项目描述，1–4000 字")
    facts: dict[str, Any] | None = Field(None, description="覆盖自动识别的事实")

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return clean_text(value, "项目描述", MAX_DESCRIPTION, collapse=True)

    @field_validator("facts")
    @classmethod
    def _facts(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_facts(value)


class MatchedType(BaseModel):
    id: str
    name: str
    confidence: float


class RequirementOut(BaseModel):
    id: str
    dimension: str
    title: str
    detail: str
    department: str | None = None
    deferrable: bool | None = None
    deferrable_note: str | None = None
    materials: list[str] = Field(default_factory=list)
    basis: list[Citation]
    basis_pending: bool | None = None
    pending_note: str | None = None
    conditional: bool = Field(False, description="取决于尚未确认的事实")
    project_types: list[str] = Field(default_factory=list)
    permit_id: str | None = Field(None, description="该要求对应的事项（见 permits）")
    stage: str | None = Field(None, description="before_lease、before_fitout、before_opening 或 after_opening")
    replaces: list[str] = Field(default_factory=list, description="合并进本条目的旧条目 id")


class ProblemOut(BaseModel):
    id: str
    title: str
    detail: str
    advice: str
    basis: list[Citation]
    basis_pending: bool | None = None
    pending_note: str | None = None
    dimension: str | None = None
    triggered_by: list[str] = Field(default_factory=list, description="触发该问题的事实")
    stage: str | None = Field(None, description="before_lease、before_fitout、before_opening 或 after_opening")


class StepOut(BaseModel):
    order: int
    title: str
    department: str | None = None
    detail: str | None = None
    duration: str | None = None
    id: str | None = None
    stage: str | None = None


class CaseOut(BaseModel):
    id: str
    title: str
    summary: str
    illustrative: bool


class UnderstoodFact(BaseModel):
    """A fact the profiler read, with the words it came from (shown to staff for confirmation)."""

    fact: str
    label: str
    value: Any
    evidence: str
    source: str = Field(description="description | override | derived（由其他事实推定）")


class FactQuestion(FactForm):
    """A clarifying question as a form control: answering it sets the fact and regenerates the plan."""

    red_line: bool = Field(False, description="答案决定是否触及红线（最先问）")


class StatementOut(BaseModel):
    text: str
    basis: list[Citation] = Field(default_factory=list)
    basis_pending: bool | None = None
    pending_note: str | None = None


class MaterialOut(BaseModel):
    name: str
    note: str | None = None
    basis: list[Citation] = Field(default_factory=list)
    basis_pending: bool | None = None
    pending_note: str | None = None
    deferrable: bool = Field(False, description="通常可容缺受理")
    commitment_ok: bool = Field(False, description="可用告知承诺代替")


class TimeLimitOut(BaseModel):
    value: int
    unit: str
    text: str
    basis: Citation


class FollowUpOut(BaseModel):
    title: str
    permit_id: str | None = None
    within: str | None = None
    basis: list[Citation] = Field(default_factory=list)
    basis_pending: bool | None = None
    pending_note: str | None = None


class PermitOut(BaseModel):
    """One 事项 of the catalogue, whole: what the 办事指南 would say, with the law behind each part."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: str
    department: str
    summary: str
    stage: str
    applies_to: list[str] = Field(default_factory=list)
    basis: list[Citation] = Field(default_factory=list)
    basis_pending: bool | None = None
    pending_note: str | None = None
    conditions: list[StatementOut] = Field(default_factory=list)
    materials: list[MaterialOut] = Field(default_factory=list)
    materials_note: str | None = None
    time_limit: TimeLimitOut | None = None
    time_limit_note: str | None = None
    validity: StatementOut | None = None
    prerequisites: list[str] = Field(default_factory=list)
    follow_ups: list[FollowUpOut] = Field(default_factory=list)

    @classmethod
    def from_permit(cls, permit: Permit, corpus: Corpus) -> PermitOut:
        def cite(item: Grounded) -> list[Citation]:
            return [Citation.from_basis(b, corpus) for b in item.basis]

        def statement(item: Statement) -> StatementOut:
            return StatementOut(text=item.text, basis=cite(item), basis_pending=item.basis_pending or None,
                                pending_note=item.pending_note)  # fmt: skip

        limit = permit.time_limit
        return cls(
            id=permit.id,
            name=permit.name,
            aliases=permit.aliases,
            kind=permit.kind,
            department=permit.department,
            summary=permit.summary,
            stage=permit.stage,
            applies_to=permit.applies_to,
            basis=cite(permit),
            basis_pending=permit.basis_pending or None,
            pending_note=permit.pending_note,
            conditions=[statement(c) for c in permit.conditions],
            materials=[
                MaterialOut(
                    name=m.name,
                    note=m.note,
                    basis=cite(m),
                    basis_pending=m.basis_pending or None,
                    pending_note=m.pending_note,
                    deferrable=m.deferrable,
                    commitment_ok=m.commitment_ok,
                )
                for m in permit.materials
            ],
            materials_note=permit.materials_note,
            time_limit=TimeLimitOut(
                value=limit.value, unit=limit.unit, text=limit.text, basis=Citation.from_basis(limit.basis, corpus)
            )
            if limit
            else None,
            time_limit_note=permit.time_limit_note,
            validity=statement(permit.validity) if permit.validity else None,
            prerequisites=permit.prerequisites,
            follow_ups=[
                FollowUpOut(
                    title=f.title,
                    permit_id=f.permit_id,
                    within=f.within,
                    basis=cite(f),
                    basis_pending=f.basis_pending or None,
                    pending_note=f.pending_note,
                )
                for f in permit.follow_ups
            ],
        )


class PlanPermit(PermitOut):
    """A 事项 in a project's plan, placed on the path: ``order`` 1 first; same ``parallel_group`` can run together."""

    order: int
    parallel_group: int


class RedLine(BaseModel):
    """A deal breaker: as described, the project cannot be licensed (选址禁区 and the like)."""

    title: str
    detail: str
    facts: dict[str, Any] = Field(default_factory=dict, description="触发红线的事实")
    change: str | None = Field(None, description="怎样才能改变这个结论")
    basis: list[Citation] = Field(default_factory=list)
    item_id: str | None = None


class GuidanceResponse(BaseModel):
    project_types: list[MatchedType]
    facts: dict[str, Any]
    clarifying_questions: list[str]
    questions: list[FactQuestion] = Field(
        default_factory=list,
        description="澄清问题的表单：事实名、标签、控件类型、单位、可选值；与 clarifying_questions 对应",
    )
    requirements: list[RequirementOut]
    common_problems: list[ProblemOut]
    steps: list[StepOut]
    similar_cases: list[CaseOut]
    citations: list[Citation]
    out_of_scope: bool
    notice: str
    understood: list[UnderstoodFact] = Field(default_factory=list, description="识别出的事实及其出处")
    permits: list[PlanPermit] = Field(default_factory=list, description="本项目要办的事项，按办理顺序")
    red_lines: list[RedLine] = Field(default_factory=list, description="按描述不能办的红线，须最先告知")
    applicant_notes: list[str] = Field(default_factory=list, description="办事须知（一次性告知、法定时限、告知承诺等）")
    statutory_days_max: int | None = Field(
        None, description="按法定时限估算的最长办理天数（沿前置关系的最长路径；是法定上限，不是承诺时限）"
    )
    statutory_note: str | None = None
