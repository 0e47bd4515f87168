"""Request and response models of the project (dossier), operator and knowledge endpoints."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from api.db.models import ITEM_STATUSES, PROJECT_STATUSES
from assistant.models import Citation, GuidanceResponse, check_facts, clean_text
from kb.facts import FactForm
from kb.schema import Basis

ItemStatus = Literal["待准备", "已提交预审", "预审通过", "容缺受理", "已完成"]
ProjectStatus = Literal["筹备中", "已开业", "已终止"]
assert set(get_args(ItemStatus)) == set(ITEM_STATUSES) and set(get_args(ProjectStatus)) == set(PROJECT_STATUSES)


def _clean_optional(value: str, field: str, limit: int) -> str:
    """Free text that may be empty (a note, a reason, a phone number): trimmed, bounded, no NUL or lone surrogate."""
    return clean_text(value, field, limit) if value.strip() else ""


# A trimmed, non-empty text field whose errors name the field in Chinese (``clean_text``), or optional text.
Phone = Annotated[str, AfterValidator(partial(_clean_optional, field="专员电话", limit=30))]
Note = Annotated[str, AfterValidator(partial(_clean_optional, field="备注", limit=2000))]
Reason = Annotated[str, AfterValidator(partial(_clean_optional, field="原因", limit=1000))]
PendingNote = Annotated[str, AfterValidator(partial(_clean_optional, field="依据待补充说明", limit=500))]
Problem = Annotated[str, AfterValidator(partial(_clean_optional, field="遇到的问题", limit=500))]

# Row ids are SQLite/PostgreSQL BIGINTs: a larger number is no id, and must not reach the database.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1, description="记录编号")]

TypeId = Annotated[str, Field(max_length=64, description="项目类型 id")]
ProjectName = Annotated[str, AfterValidator(partial(clean_text, field="项目名称", limit=200))]
Description = Annotated[str, AfterValidator(partial(clean_text, field="项目描述", limit=4000))]
SpecialistName = Annotated[str, AfterValidator(partial(clean_text, field="专员姓名", limit=50))]
Facts = Annotated[dict[str, Any] | None, AfterValidator(check_facts)]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ProjectName = Field(description="项目名称")
    description: Description = Field(description="项目描述（经营者原话即可）")
    specialist_name: SpecialistName = Field(description="专员姓名")
    specialist_phone: Phone | None = None
    facts: Facts = None


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ProjectName | None = None
    specialist_name: SpecialistName | None = None
    specialist_phone: Phone | None = None
    status: ProjectStatus | None = None


class Regenerate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    facts: Facts = None


class ItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ItemStatus | None = None
    note: Note | None = None


class ItemOut(BaseModel):
    item_id: str
    dimension: str
    title: str
    status: str
    note: str
    deferrable: bool
    active: bool
    updated_at: datetime
    updated_by: str | None


class FactFormOut(FactForm):
    type: str = Field(description="Python 类型注解（兼容旧客户端）")


class LinkOut(BaseModel):
    id: str
    url: str
    token: str
    expires_at: datetime
    revoked: bool
    warning: str | None = Field(None, description="手机无法打开该链接的原因（如地址是本机 127.0.0.1）")


class ProjectSummary(BaseModel):
    id: str
    name: str
    specialist_name: str
    status: str
    type_names: list[str]
    progress: str = Field(description="已完成/总数")
    updated_at: datetime


class ProjectPage(BaseModel):
    """One page of the project list, and how many projects match in all."""

    total: int
    projects: list[ProjectSummary]


class ProjectOut(ProjectSummary):
    description: str
    specialist_phone: str | None
    fact_overrides: dict[str, Any]
    plan: GuidanceResponse
    items: list[ItemOut]
    links: list[LinkOut]
    created_at: datetime
    created_by: str


class HistoryOut(BaseModel):
    actor: str
    action: str
    detail: dict[str, Any]
    created_at: datetime


class MessageOut(BaseModel):
    id: int
    role: str
    text: str
    citations: list[Citation]
    out_of_scope: bool
    created_at: datetime
    feedback: list[FeedbackOut] = Field(default_factory=list)
    understood_as: str | None = Field(None, description="结合上文理解后的完整问题（追问时）")
    items: list[str] = Field(default_factory=list, description="答复所依据的知识条目 id（纠正时可直接修改）")


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: RowId
    rating: Literal["up", "down"]
    reason: Reason = ""


class FeedbackOut(BaseModel):
    id: int
    rating: str
    reason: str
    resolved: bool
    created_at: datetime
    change_id: int | None = Field(None, description="这条反馈促成的知识库修改")


class ConversationOut(BaseModel):
    id: str
    channel: str
    created_at: datetime
    messages: list[MessageOut]


class SessionOut(ConversationOut):
    """A staff question session with its turns, reopened on the ask page."""

    project_id: str | None
    started_by: str | None


class OperatorAsk(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        return clean_text(value, "问题", 2000, collapse=True)


class OperatorItem(ItemOut):
    """A checklist item in the operator's plan: what the list shows. Its detail comes with ``OperatorItemDetail``."""

    basis_pending: bool = False
    stage: str | None = None


class OperatorItemDetail(OperatorItem):
    """One item opened on the operator's page: what to prepare, where, and on what basis (the legal text)."""

    detail: str = ""
    materials: list[str] = Field(default_factory=list)
    department: str | None = None
    basis: list[Citation] = Field(default_factory=list)
    pending_note: str | None = None


class OperatorView(BaseModel):
    """What the operator's page shows: the plan with statuses, and their 专员."""

    project_name: str
    specialist_name: str
    specialist_phone: str | None
    status: str
    types: list[str]
    link_expires_at: datetime | None = None
    items: list[OperatorItem] = Field(description="事项清单；每项的说明、材料、部门和依据见 GET …/items/{item_id}")
    problems: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    notice: str
    red_lines: list[dict[str, Any]] = Field(default_factory=list, description="按描述不能办的红线")
    permits: list[dict[str, Any]] = Field(default_factory=list, description="要办的事项：名称、部门、时限、材料")
    statutory_note: str | None = None


class FaqCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str
    project_types: list[TypeId] = Field(default_factory=list, max_length=30)
    basis: list[Basis] = Field(default_factory=list, max_length=20, description="[{doc_id, article, quote}]")
    pending_note: PendingNote | None = None
    from_message_id: RowId | None = None

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        return clean_text(value, "问题", 300)

    @field_validator("answer")
    @classmethod
    def _answer(cls, value: str) -> str:
        return clean_text(value, "答案", 3000)


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    project_types: list[TypeId] = Field(min_length=1, max_length=30)
    situation: str
    resolution: str
    outcome: str
    problems_met: list[Problem] = Field(default_factory=list, max_length=30)
    from_message_id: RowId | None = None

    @field_validator("title", "situation", "resolution", "outcome")
    @classmethod
    def _filled(cls, value: str) -> str:
        return clean_text(value, "内容", 3000)


class FieldErrorOut(BaseModel):
    field: str = Field(description="出错的字段（如 question、facts.floor；请求体本身为 body）")
    message: str = Field(description="中文说明")


class ErrorOut(BaseModel):
    """Every error the API returns: a Chinese ``message``; for input errors, ``detail`` names each field."""

    message: str = Field(description="中文错误说明，可直接展示给用户")
    detail: list[FieldErrorOut] = Field(default_factory=list, description="参数错误时逐个字段的说明")


class HealthOut(BaseModel):
    status: Literal["ok"]
    embedder: str
    chunks: int
    knowledge_problems: list[str] = Field(
        default_factory=list, description="工作人员补充或修改的知识中有误之处（文件、条目、字段和原因）；为空表示无误"
    )


MessageOut.model_rebuild()


# -- 要件预审 ------------------------------------------------------------------

UploadKind = Literal[
    "lease", "property_certificate", "business_license", "floor_plan", "qualification", "fire", "health_permit"
]


class DocumentFieldOut(BaseModel):
    name: str
    label: str
    value: str
    evidence: str = Field(description="读出该值的原文行")
    page: int


class FindingOut(BaseModel):
    n: int = Field(description="该材料中第几条结论（从 1 起），用于 PATCH …/findings/{n}")
    item_id: str | None
    item_title: str | None = None
    status: str = Field(description="预审通过（待专员确认）/ 预审发现问题 / 无法识别 / 材料不符")
    message: str
    red_line: bool = False
    basis: list[Citation]
    decision: str | None = Field(None, description="专员的处理：确认 / 改判；未处理为空")
    decision_note: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None


class DocumentOut(BaseModel):
    id: int
    filename: str
    kind: str
    kind_name: str
    media_type: str
    size: int
    pages: int
    ocr: bool = Field(description="是否经过文字识别（扫描件、照片）")
    fields: list[DocumentFieldOut]
    findings: list[FindingOut]
    channel: str = Field(description="staff（专员上传）或 operator（经营者上传）")
    uploaded_by: str
    created_at: datetime


class FindingDecision(BaseModel):
    """The specialist's word on a finding: 确认 (it stands) or 改判 (the opposite holds)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["确认", "改判"]
    note: str = Field("", max_length=2000)


class AdoptFacts(BaseModel):
    """Fields of a document the specialist accepts as project facts; the plan is regenerated with them."""

    model_config = ConfigDict(extra="forbid")

    fields: list[Literal["area_m2", "floor", "building_use"]] = Field(min_length=1, max_length=3)


# ---- staff accounts (api/accounts.py) ----
StaffRole = Literal["专员", "管理员"]
DisplayName = Annotated[str, AfterValidator(partial(clean_text, field="姓名", limit=50))]
KeyLabel = Annotated[str, AfterValidator(partial(clean_text, field="密钥用途", limit=100))]
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,49}")


def _username(value: str) -> str:
    value = value.strip()
    if not _USERNAME.fullmatch(value):
        raise ValueError("用户名须为 2–50 个字母、数字、点、下划线或连字符，并以字母或数字开头")
    return value


def _password(value: str) -> str:
    """Bounds only; the minimum length is a setting, checked by ``StaffAccounts``."""
    if "\x00" in value or len(value) > 128:
        raise ValueError("密码不能超过 128 个字符，也不能含空字符")
    return value


Username = Annotated[str, AfterValidator(_username)]
Password = Annotated[str, AfterValidator(_password)]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username = Field(description="登录用户名（字母、数字、点、下划线、连字符）")
    display_name: DisplayName = Field(description="姓名：记录在操作历史中")
    role: StaffRole = Field(description="专员：项目和问答；管理员：另可管理账号、密钥和知识库")
    password: Password = Field(description="初始密码")


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    role: StaffRole | None = None
    active: bool | None = Field(None, description="false 停用账号（立即退出其所有登录）")
    password: Password | None = Field(None, description="新密码（立即退出其所有登录）")


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: KeyLabel = Field(description="密钥用途，如“Dify 接入”")


class ApiKeyOut(BaseModel):
    id: str = Field(description="密钥编号（密钥中 cbk_ 之后的部分，可公开）")
    label: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="完整密钥：只显示这一次，请立即保存")


class AccountOut(BaseModel):
    username: str
    display_name: str
    role: str
    active: bool
    created_at: datetime
    updated_at: datetime
    api_keys: list[ApiKeyOut]


class StaffMe(BaseModel):
    """Who is calling: an account, or a holder of a shared staff key (管理员, no username)."""

    name: str
    role: str
    username: str | None


class SessionSummary(BaseModel):
    """One staff question session, as the ask page lists it."""

    id: str
    title: str = Field(description="第一个问题")
    project_id: str | None
    started_by: str | None
    turns: int = Field(description="问答轮数")
    created_at: datetime
    last_at: datetime = Field(description="最近一次提问的时间")


# -- knowledge edited in place, reviewed and versioned ---------------------------------------

ChangeReason = Annotated[str, AfterValidator(partial(clean_text, field="修改原因", limit=500))]
ReviewNote = Annotated[str, AfterValidator(partial(_clean_optional, field="审核意见", limit=500))]
ItemKindIn = Literal["requirement", "problem", "step", "faq", "case"]


class ItemChangeIn(BaseModel):
    """An edit of an item (the fields to change; the rest stay as they are), or its retirement (no ``item``)."""

    model_config = ConfigDict(extra="forbid")

    item: dict[str, Any] = Field(default_factory=dict, description='要修改的字段，如 {"detail": …, "basis": […]}')
    reason: ChangeReason = Field(description="修改原因（审核和版本记录中显示）")
    feedback_id: RowId | None = Field(None, description="促成这次修改的反馈编号：修改生效时该反馈标记为已处理")


class ItemCreateIn(ItemChangeIn):
    """A new item: its kind and all its fields (the id is in the path, or made from the title)."""

    kind: ItemKindIn


class RetireIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ChangeReason
    feedback_id: RowId | None = None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: ReviewNote = ""


class RestoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: RowId | None = Field(None, description="要恢复的版本（修改记录编号）；不填为最初的版本（随产品发布）")
    reason: ChangeReason


class FieldDiff(BaseModel):
    field: str
    label: str
    before: Any = None
    after: Any = None


class ChangeOut(BaseModel):
    id: int
    item_id: str
    kind: str
    kind_name: str
    title: str
    action: str
    status: str
    reason: str
    proposed_by: str
    proposed_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str
    base_id: int | None
    diff: list[FieldDiff]
    after: dict[str, Any] | None
    feedback_ids: list[int]


class VersionOut(BaseModel):
    version: int | None = Field(description="修改记录编号；null 为最初的版本")
    label: str
    item: dict[str, Any] | None = Field(description="该版本的条目；null 表示该版本中条目不存在（新增前或已停用）")
    by: str | None
    at: datetime | None
    reason: str
    current: bool


class KnowledgeItemRow(BaseModel):
    id: str
    kind: str
    kind_name: str
    type_id: str | None
    type_name: str | None
    title: str
    pending: int


class KnowledgeItemOut(KnowledgeItemRow):
    item: dict[str, Any]
    basis_titles: dict[str, str] = Field(default_factory=dict, description="依据所引法规文件的标题（按 doc_id）")
    source: str | None
    version: int | None = Field(description="现行版本（修改记录编号）；null 为随产品发布的版本")


class ArticleHit(BaseModel):
    doc_id: str
    title: str
    article: str
    text: str


class FeedbackResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    change_id: RowId | None = Field(None, description="这条反馈促成的知识库修改")
