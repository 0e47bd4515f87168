"""Schema of the curated knowledge: project types, requirements, 高发问题, steps, cases, FAQ.

The data lives in YAML under ``kb/data`` (one file per project type, plus cases and FAQ).
Every statement carries a ``basis`` quoting the shipped corpus verbatim, or says
``basis_pending: true`` with the missing source in ``pending_note``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kb.facts import FACT_NAMES, ProjectFacts

Dimension = Literal["房产", "主体", "人员", "设备", "消防", "卫生", "环保", "其他"]
DIMENSIONS: tuple[str, ...] = ("房产", "主体", "人员", "设备", "消防", "卫生", "环保", "其他")
Category = Literal["文旅", "医疗", "高危体育", "住宿餐饮", "社会事务", "通用"]
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
TYPE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
PERMIT_ID = TYPE_ID
PermitKind = Literal["许可", "备案", "登记", "检查", "审查", "验收"]
Stage = Literal["before_lease", "before_fitout", "before_opening", "after_opening"]
STAGES: tuple[str, ...] = ("before_lease", "before_fitout", "before_opening", "after_opening")
STAGE_NAMES: dict[str, str] = {
    "before_lease": "签约前必查",
    "before_fitout": "装修施工前",
    "before_opening": "开业前",
    "after_opening": "开业后",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Basis(Strict):
    doc_id: str = Field(description="corpus file slug, e.g. yule-changsuo-guanli-tiaoli")
    article: str = Field(pattern=r"^第[零〇一二三四五六七八九十百千两]+条(之[一二三四五六七八九十]+)?$")
    quote: str = Field(min_length=4, description="verbatim text of that article")


class Condition(Strict):
    """One test on a project fact; a list of conditions means all must hold.

    ``is`` compares equality (bool or text), ``in`` membership, ``gt/gte/lt/lte`` numbers.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    fact: str
    is_: bool | str | None = Field(None, alias="is")
    in_: list[str] | None = Field(None, alias="in")
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.fact not in FACT_NAMES:
            raise ValueError(f"未知的事实字段 {self.fact!r}（可用：{', '.join(sorted(FACT_NAMES))}）")
        tests = [self.is_, self.in_, self.gt, self.gte, self.lt, self.lte]
        if sum(test is not None for test in tests) != 1:
            raise ValueError(f"条件 {self.fact} 必须且只能有一个比较（is/in/gt/gte/lt/lte）")
        return self

    def holds(self, facts: ProjectFacts) -> bool | None:
        """True/False on a known fact, None when the fact is unknown."""
        value = getattr(facts, self.fact)
        if value is None:
            return None
        if self.is_ is not None:
            return value == self.is_
        if self.in_ is not None:
            return str(value) in self.in_
        number = float(value)
        for bound, passes in (
            (self.gt, lambda b: number > b),
            (self.gte, lambda b: number >= b),
            (self.lt, lambda b: number < b),
            (self.lte, lambda b: number <= b),
        ):
            if bound is not None:
                return passes(bound)
        return None


class Grounded(Strict):
    """Something the assistant states: it must quote the law or say the basis is pending."""

    basis: list[Basis] = Field(default_factory=list)
    basis_pending: bool = False
    pending_note: str | None = Field(None, description="缺失的依据来源，如“GB 19079.1 游泳场所”")

    @model_validator(mode="after")
    def _grounded(self) -> Grounded:
        if not self.basis and not self.basis_pending:
            raise ValueError("没有 basis 时必须标注 basis_pending: true")
        if self.basis_pending and not self.pending_note:
            raise ValueError("basis_pending 为 true 时 pending_note 必须写明缺失的依据来源")
        return self


class Conditional(Strict):
    """An item that applies only when its conditions hold on the project facts."""

    stage: Stage | None = Field(None, description="所处阶段；不写时按条目性质推定（见 assistant/stages.py）")

    when: list[Condition] = Field(default_factory=list)
    when_unknown: Literal["include", "exclude"] = Field(
        "include", description="事实未知时是否仍列出（同时提出澄清问题）"
    )

    def applies(self, facts: ProjectFacts) -> bool | None:
        """True/False, or None when some deciding fact is unknown (and none is False)."""
        results = [condition.holds(facts) for condition in self.when]
        if any(result is False for result in results):
            return False
        if any(result is None for result in results):
            return None
        return True

    def unknown_facts(self, facts: ProjectFacts) -> list[str]:
        return [c.fact for c in self.when if c.holds(facts) is None]


class Requirement(Grounded, Conditional):
    id: str = Field(pattern=ITEM_ID.pattern)
    dimension: Dimension
    title: str
    detail: str
    materials: list[str] = Field(default_factory=list)
    department: str | None = None
    permit_id: str | None = Field(None, description="取得或办理的事项（事项目录 kb/data/permits 中的 id）")
    deferrable: bool = Field(False, description="通常可容缺受理（材料可后补）")
    deferrable_note: str | None = None
    keywords: list[str] = Field(default_factory=list, description="经营者常用说法，帮助检索")
    red_line: bool = Field(False, description="条件成立时按规定不能办（选址禁区等），须最先告知")
    in_plan: bool = Field(True, description="列入方案清单；false 为办事须知（答问时仍使用，方案中只列标题）")
    replaces: list[str] = Field(
        default_factory=list, description="合并进本条目的旧条目 id：已有项目的状态和备注随之转入，评测按同一条目计"
    )


class Problem(Grounded, Conditional):
    id: str = Field(pattern=ITEM_ID.pattern)
    dimension: Dimension = "其他"
    title: str
    detail: str = Field(description="问题是怎么发生的")
    advice: str = Field(description="如何避免")
    cases: list[str] = Field(default_factory=list, description="来源案例 id")
    keywords: list[str] = Field(default_factory=list)
    red_line: bool = Field(False, description="条件成立时按规定不能办（选址禁区等），须最先告知")


class Step(Grounded, Conditional):
    id: str = Field(pattern=ITEM_ID.pattern)
    order: int = Field(ge=1)
    title: str
    department: str | None = None
    permit_id: str | None = Field(None, description="本步骤办理的事项 id")
    detail: str | None = None
    duration: str | None = Field(None, description="法定时限，仅在法规明确规定时填写")


class FireReview(Grounded):
    """Where 《建设工程消防设计审查验收管理暂行规定》第十四条 lists this kind of place: above ``area_gt`` square
    metres of total floor area it is a 特殊建设工程 (design review before works, acceptance before use)."""

    area_gt: float = Field(gt=0, description="总建筑面积大于此数（平方米）即属于特殊建设工程")
    listed_as: str = Field(description="第十四条列举的场所名称，如“歌舞厅、卡拉OK厅”")


class ProjectType(Strict):
    id: str = Field(pattern=TYPE_ID.pattern)
    name: str
    category: Category
    aliases: list[str] = Field(default_factory=list, description="经营者口头说法")
    description: str
    block: bool = Field(False, description="共用模块：不单独匹配，只被 includes 引用")
    includes: list[str] = Field(default_factory=list, description="合并其条目的共用模块 id")
    composes_with: list[str] = Field(default_factory=list, description="常一起出现的其他类型 id")
    implied_by: list[Condition] = Field(
        default_factory=list, description="任一条件成立时自动加入本类型（如“设置游泳池”之于游泳场所）"
    )
    implied_unless: list[str] = Field(
        default_factory=list, description="已匹配这些类型时不再由事实推出本类型（如民宿、养老机构本身就提供住宿）"
    )
    suppresses: list[str] = Field(
        default_factory=list,
        description="不适用于本类型的共用条目 id（如民办学校先取得办学许可再登记，通用的“先办执照”步骤不适用）",
    )
    excludes_keywords: list[str] = Field(
        default_factory=list, description="出现这些词时不应判为本类型（如“宠物医院”之于诊所）"
    )
    fire_review: FireReview | None = Field(
        None, description="第十四条列举本类场所时的面积门槛；不列举的类型不因面积成为特殊建设工程"
    )
    requirements: list[Requirement] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)

    @property
    def items(self) -> list[Requirement | Problem | Step]:
        """Its requirements, 高发问题 and steps, in that order."""
        return [*self.requirements, *self.problems, *self.steps]

    @property
    def permit_items(self) -> list[Requirement | Step]:
        """Its requirements and steps, in that order: the items that may name a 事项 (``permit_id``)."""
        return [*self.requirements, *self.steps]


class Case(Strict):
    id: str = Field(pattern=r"^case\.[a-z0-9_]+$")
    title: str
    project_types: list[str]
    situation: str
    problems_met: list[str] = Field(default_factory=list)
    problem_ids: list[str] = Field(default_factory=list)
    resolution: str
    outcome: str
    illustrative: bool = Field(True, description="示例案例（非真实公开案例）")
    source: str | None = Field(None, description="真实案例的公开出处")

    @model_validator(mode="after")
    def _real_cases_have_source(self) -> Case:
        if not self.illustrative and not self.source:
            raise ValueError("真实案例（illustrative: false）必须写明 source")
        return self


class FaqEntry(Grounded):
    id: str = Field(pattern=r"^faq\.[a-z0-9_]+$")
    question: str
    answer: str
    project_types: list[str] = Field(default_factory=list)
    created_by: str | None = None


# -- 事项目录: one entry per permit, filing, registration or inspection ---------------------------


class Statement(Grounded):
    """One condition, rule or note of a 事项, with its basis."""

    text: str


class Material(Grounded):
    """One application material, as the 办事指南 lists it."""

    name: str
    note: str | None = Field(None, description="材料须载明或证明什么")
    deferrable: bool = Field(False, description="通常可容缺受理（先受理、后补交）")
    commitment_ok: bool = Field(False, description="可以用告知承诺代替")


class TimeLimit(Strict):
    """The statutory time limit for a decision, only as the law states it."""

    value: int = Field(ge=1)
    unit: Literal["日", "工作日", "个月"]
    text: str = Field(description="条文的说法，如“自受理申请之日起20日内作出决定”")
    basis: Basis


class FollowUp(Grounded):
    """Something due after the 事项 is granted (e.g. 公安备案 within 15 days)."""

    title: str
    permit_id: str | None = None
    within: str | None = Field(None, description="期限，如“15日内”，仅在条文载明时填写")


class Permit(Grounded):
    """A 事项 as its 办事指南 presents it: who decides, on what conditions, with which materials, how fast.

    ``basis`` grounds the duty to obtain it (and the department); each condition, material,
    time limit and follow-up carries its own basis or says which instrument is missing.
    """

    id: str = Field(pattern=PERMIT_ID.pattern)
    name: str
    aliases: list[str] = Field(default_factory=list, description="经营者和窗口的叫法：高危许可、卫生证、娱乐证…")
    kind: PermitKind
    department: str = Field(description="审批部门（按职能写；市北区具体机构只在来源载明时写）")
    summary: str = Field(description="一两句话：什么情况要办、办了才能做什么")
    stage: Stage = "before_opening"
    applies_to: list[str] = Field(default_factory=list, description="通常需要办理的项目类型 id（说明用）")
    conditions: list[Statement] = Field(default_factory=list, description="受理/批准条件")
    materials: list[Material] = Field(default_factory=list)
    materials_note: str | None = Field(None, description="材料清单的来源说明或缺口，如“完整清单以当地办事指南为准”")
    time_limit: TimeLimit | None = None
    time_limit_note: str | None = Field(None, description="没有法定时限或时限另有说明时写明")
    validity: Statement | None = Field(None, description="有效期与延续")
    prerequisites: list[str] = Field(default_factory=list, description="须先取得的事项 id（前置事项）")
    follow_ups: list[FollowUp] = Field(default_factory=list, description="取得后须在期限内办理的后续事项")

    @property
    def known_as(self) -> str:
        """The name people know it by in a list: the certificate (娱乐经营许可证; 网络文化经营许可证（互联网上网服务
        营业场所）) when the catalogue records it."""
        if f"{self.name}证" in self.aliases:
            return f"{self.name}证"
        base, _, note = self.name.partition("（")
        return f"{base}证（{note}" if note and f"{base}证" in self.aliases else self.name
