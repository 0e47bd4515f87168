"""What the assistant knows about the project a chat belongs to: its types, facts, plan, statuses and notes."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.models import GuidanceResponse
from kb.facts import ProjectFacts

_DEICTIC = re.compile(r"这个(?!证|许可|备案)|这种情况|这情况|这样|他|她|我这|我们这|咱这|我家|这家|这里|这儿|铺子|店面")


def points_at_project(question: str) -> bool:
    """Whether a question in a project chat points at the project ("他这种情况", "我这个面积", "这个铺子"):
    then the project's description is part of what it asks."""
    return bool(_DEICTIC.search(question))


class PlanEntry(BaseModel):
    """One requirement of the project's plan as the specialist follows it."""

    id: str
    title: str
    status: str = "待准备"
    note: str = ""
    permit_id: str | None = None


class ProjectContext(BaseModel):
    name: str = ""
    description: str = Field("", description="经营者创建项目时的原话")
    type_ids: list[str] = Field(default_factory=list)
    facts: ProjectFacts = Field(default_factory=ProjectFacts)
    evidence: dict[str, str] = Field(default_factory=dict, description="fact → the operator's words")
    entries: list[PlanEntry] = Field(default_factory=list)
    problem_ids: list[str] = Field(default_factory=list)
    permit_ids: list[str] = Field(default_factory=list)

    @classmethod
    def from_plan(
        cls, plan: GuidanceResponse, statuses: dict[str, tuple[str, str]] | None = None, name: str = "",
        description: str = "",
    ) -> ProjectContext:  # fmt: skip
        """``statuses``: item id → (status, note) as the specialist recorded them; inactive items left out."""
        statuses = statuses or {}
        entries = []
        for requirement in plan.requirements:
            if statuses and requirement.id not in statuses:
                continue
            status, note = statuses.get(requirement.id, ("待准备", ""))
            entries.append(PlanEntry(id=requirement.id, title=requirement.title, status=status, note=note,
                                     permit_id=requirement.permit_id))  # fmt: skip
        return cls(
            name=name,
            description=description,
            type_ids=[t.id for t in plan.project_types],
            facts=ProjectFacts.model_validate(plan.facts),
            evidence={u.fact: str(u.evidence) for u in plan.understood},
            entries=entries,
            problem_ids=[p.id for p in plan.common_problems],
            permit_ids=[p.id for p in plan.permits],
        )

    @property
    def item_ids(self) -> set[str]:
        return {entry.id for entry in self.entries} | set(self.problem_ids)

    def entry(self, item_id: str) -> PlanEntry | None:
        return next((entry for entry in self.entries if entry.id == item_id), None)
