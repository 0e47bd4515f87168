"""Counts of the curated knowledge, for ``chubei kb stats`` and closing notes."""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel

from kb.knowledge import KnowledgeBase
from kb.schema import DIMENSIONS, FaqEntry, Problem, Requirement, Step


class TypeStats(BaseModel):
    id: str
    name: str
    category: str
    block: bool
    requirements_by_dimension: dict[str, int]
    problems: int
    steps: int


class KnowledgeStats(BaseModel):
    types: list[TypeStats]
    items: int
    grounded: int
    pending: int
    cases: int
    real_cases: int
    faq: int
    pending_items: list[tuple[str, str]]

    @property
    def grounded_share(self) -> float:
        return self.grounded / self.items if self.items else 0.0

    def as_text(self) -> str:
        columns = [*DIMENSIONS, "问题", "流程"]
        lines = [_pad("类型", 30) + "".join(_pad(c, 6, right=True) for c in columns)]
        for t in self.types:
            name = t.name.split("（")[0] + ("（共用）" if t.block else "")
            counts = [t.requirements_by_dimension.get(d, 0) for d in DIMENSIONS] + [t.problems, t.steps]
            lines.append(_pad(name, 30) + "".join(_pad(str(n), 6, right=True) for n in counts))
        lines.append(
            f"条目 {self.items} 个：有依据 {self.grounded}（{self.grounded_share:.0%}），依据待补充 {self.pending}；"
            f"案例 {self.cases} 个（真实公开案例 {self.real_cases}），常见问答 {self.faq} 条"
        )
        return "\n".join(lines)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width where a Chinese character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(0, width - used)
    return space + text if right else text + space


def knowledge_stats(kb: KnowledgeBase) -> KnowledgeStats:
    types = []
    for project_type in kb.types.values():
        by_dimension: dict[str, int] = {}
        for requirement in project_type.requirements:
            by_dimension[requirement.dimension] = by_dimension.get(requirement.dimension, 0) + 1
        types.append(
            TypeStats(
                id=project_type.id,
                name=project_type.name,
                category=project_type.category,
                block=project_type.block,
                requirements_by_dimension=by_dimension,
                problems=len(project_type.problems),
                steps=len(project_type.steps),
            )
        )
    items: list[Requirement | Problem | Step | FaqEntry] = [
        *kb.all_requirements(),
        *kb.all_problems(),
        *kb.all_steps(),
        *kb.faq.values(),
    ]
    pending = [item for item in items if item.basis_pending]
    return KnowledgeStats(
        types=types,
        items=len(items),
        grounded=len(items) - len(pending),
        pending=len(pending),
        cases=len(kb.cases),
        real_cases=sum(not case.illustrative for case in kb.cases.values()),
        faq=len(kb.faq),
        pending_items=[(item.id, item.pending_note or "") for item in pending],
    )
