"""流程定制: a project's 事项 in the order their prerequisites impose, with what can run in parallel
and the longest statutory time along the way (a legal maximum, not a promise)."""

from __future__ import annotations

from dataclasses import dataclass

from kb.schema import Permit


@dataclass(frozen=True)
class PlacedPermit:
    permit: Permit
    order: int
    parallel_group: int


@dataclass(frozen=True)
class PermitPath:
    placed: list[PlacedPermit]
    statutory_days_max: int | None
    note: str | None


def prerequisite_closure(permit_id: str, permits: dict[str, Permit]) -> set[str]:
    """Every 事项 that must come before this one, directly or through another."""
    seen: set[str] = set()
    stack = list(permits[permit_id].prerequisites) if permit_id in permits else []
    while stack:
        current = stack.pop()
        if current in seen or current not in permits:
            continue
        seen.add(current)
        stack.extend(permits[current].prerequisites)
    return seen


def place(selected: list[Permit], catalogue: dict[str, Permit]) -> PermitPath:
    """Order the selected 事项: a group number is the length of the longest prerequisite chain before it
    (within the selection), so 事项 of one group can be handled in parallel."""
    chosen = {permit.id: permit for permit in selected}
    depth: dict[str, int] = {}

    def level(permit_id: str, visiting: frozenset[str] = frozenset()) -> int:
        if permit_id in depth:
            return depth[permit_id]
        before = [p for p in prerequisite_closure(permit_id, catalogue) if p in chosen and p not in visiting]
        depth[permit_id] = 1 + max((level(p, visiting | {permit_id}) for p in before), default=0)
        return depth[permit_id]

    stages = ("before_lease", "before_fitout", "before_opening", "after_opening")
    ordered = sorted(selected, key=lambda p: (level(p.id), stages.index(p.stage), list(catalogue).index(p.id)))
    placed = [PlacedPermit(p, order, depth[p.id]) for order, p in enumerate(ordered, start=1)]
    days, note = _longest_statutory(selected, catalogue)
    return PermitPath(placed, days, note)


def _longest_statutory(selected: list[Permit], catalogue: dict[str, Permit]) -> tuple[int | None, str | None]:
    """The largest sum of statutory time limits along one prerequisite chain, counted in days as the law states
    them (工作日 and 日 are added as numbers of days: the note says so)."""
    chosen = {permit.id for permit in selected}
    best: dict[str, tuple[int, list[str]]] = {}

    def longest(permit_id: str) -> tuple[int, list[str]]:
        if permit_id in best:
            return best[permit_id]
        permit = catalogue[permit_id]
        own = _days(permit)
        before = [p for p in permit.prerequisites if p in chosen]
        prior = max((longest(p) for p in before), key=lambda pair: pair[0], default=(0, []))
        best[permit_id] = (prior[0] + own, [*prior[1], permit_id] if own else prior[1])
        return best[permit_id]

    if not selected:
        return None, None
    total, chain = max((longest(p.id) for p in selected), key=lambda pair: pair[0])
    if not total:
        return None, None
    parts = "、".join(
        f"{catalogue[p].name}{catalogue[p].time_limit.value}{catalogue[p].time_limit.unit}"  # type: ignore[union-attr]
        for p in chain
    )
    note = (
        f"按法定时限最长约{total}日（{parts}；工作日与日均按天数相加）。这是法律规定的审批期限上限，"
        "不含补正材料、检测、施工等时间，也不是承诺时限；当地承诺时限以办事指南为准。"
    )
    return total, note


def _days(permit: Permit) -> int:
    limit = permit.time_limit
    if limit is None:
        return 0
    return limit.value * 30 if limit.unit == "个月" else limit.value
