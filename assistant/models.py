"""Models at the assistant's boundary: the JSON contracts of /api/v1/ask and /api/v1/guidance."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb.corpus import Corpus
from kb.facts import ProjectFacts
from kb.schema import Basis

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


def clean_text(value: str, field: str, limit: int, collapse: bool = False) -> str:
    """Trimmed text (whitespace runs collapsed when ``collapse``), or a Chinese error naming the field."""
    value = " ".join(value.split()) if collapse else value.strip()
    if not value:
        raise ValueError(f"{field}不能为空")
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
    answer: str
    citations: list[Citation]
    out_of_scope: bool
    session_id: str


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


class StepOut(BaseModel):
    order: int
    title: str
    department: str | None = None
    detail: str | None = None
    duration: str | None = None
    id: str | None = None


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
    source: str = Field(description="description | override")


class GuidanceResponse(BaseModel):
    project_types: list[MatchedType]
    facts: dict[str, Any]
    clarifying_questions: list[str]
    requirements: list[RequirementOut]
    common_problems: list[ProblemOut]
    steps: list[StepOut]
    similar_cases: list[CaseOut]
    citations: list[Citation]
    out_of_scope: bool
    notice: str
    understood: list[UnderstoodFact] = Field(default_factory=list, description="识别出的事实及其出处")
