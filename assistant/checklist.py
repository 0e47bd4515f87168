"""Matching: the requirements, problems and steps of the matched types plus the 通用 block, on the facts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kb.facts import BEFORE_LEASE, DERIVED_FROM, FACT_QUESTIONS, LOCATION, ProjectFacts, is_moot
from kb.knowledge import GENERAL_TYPE_ID, KnowledgeBase
from kb.schema import DIMENSIONS, Problem, Requirement, Step

MAX_QUESTIONS = 6
Item = TypeVar("Item", Requirement, Problem, Step)


@dataclass
class Listed(Generic[Item]):
    """An item in the plan, with why it is there."""

    item: Item
    owner: str
    conditional: bool = False
    triggered_by: list[str] = field(default_factory=list)


@dataclass
class Checklist:
    requirements: list[Listed[Requirement]]
    problems: list[Listed[Problem]]
    steps: list[Listed[Step]]
    open_facts: list[str]
    notes: list[Listed[Requirement]] = field(default_factory=list)  # 办事须知: not checklist items (in_plan: false)
    red_line_facts: set[str] = field(default_factory=set)  # unknown facts that decide a red line

    @property
    def questions(self) -> list[str]:
        return [FACT_QUESTIONS[fact] for fact in self.open_facts[:MAX_QUESTIONS]]


def build_checklist(kb: KnowledgeBase, type_ids: list[str], facts: ProjectFacts) -> Checklist:
    expanded = kb.expand(type_ids)
    rank = {project_type.id: index for index, project_type in enumerate(expanded)}
    unknown: Counter[str] = Counter()
    red_line_facts: set[str] = set()
    requirements: list[Listed[Requirement]] = []
    problems: list[Listed[Problem]] = []
    steps: list[Listed[Step]] = []
    # An item a matched type declares inapplicable (e.g. 先照后证 for a 民办学校) is left out.
    seen: set[str] = kb.suppressed_by(type_ids)
    for project_type in expanded:
        requirements += _list_new(project_type.requirements, project_type.id, facts, seen, unknown, red_line_facts)
        problems += _list_new(project_type.problems, project_type.id, facts, seen, unknown, red_line_facts)
        steps += _list_new(project_type.steps, project_type.id, facts, seen, unknown, red_line_facts)
    notes = [x for x in requirements if not x.item.in_plan]
    requirements = [x for x in requirements if x.item.in_plan]
    requirements.sort(key=lambda x: (DIMENSIONS.index(x.item.dimension), rank[x.owner]))
    problems.sort(key=lambda x: (not x.triggered_by, x.conditional, rank[x.owner]))
    steps.sort(key=lambda x: (x.item.order, x.owner == GENERAL_TYPE_ID, rank[x.owner]))
    open_facts = _open_facts(kb, type_ids, facts, unknown, red_line_facts)
    return Checklist(requirements, problems, steps, open_facts, notes, red_line_facts & set(open_facts))


def _list_new(
    items: list[Item],
    owner: str,
    facts: ProjectFacts,
    seen: set[str],
    unknown: Counter[str],
    red_line_facts: set[str],
) -> list[Listed[Item]]:
    """The items not seen before (marking them seen) that apply or may apply on the facts."""
    listed: list[Listed[Item]] = []
    for item in items:
        if item.id in seen:
            continue
        seen.add(item.id)
        entry = _listed(item, owner, facts, unknown, red_line_facts)
        if entry is not None:
            listed.append(entry)
    return listed


def _listed(
    item: Item, owner: str, facts: ProjectFacts, unknown: Counter[str], red_line_facts: set[str]
) -> Listed[Item] | None:
    applies = item.applies(facts)
    if applies is False:
        return None
    if applies is None:
        missing = item.unknown_facts(facts)
        if getattr(item, "red_line", False):
            red_line_facts.update(missing)
        # Facts that decide whether a risk is real weigh more than those that add an item.
        weight = 3 if item.when_unknown == "exclude" else 1
        for fact in missing:
            unknown[fact] += weight
        if item.when_unknown == "exclude":
            return None
        return Listed(item, owner, conditional=True)
    triggered = [condition.fact for condition in item.when]
    return Listed(item, owner, triggered_by=triggered)


def _open_facts(
    kb: KnowledgeBase, type_ids: list[str], facts: ProjectFacts, unknown: Counter[str], red_line_facts: set[str]
) -> list[str]:
    """Unknown facts that would change the plan, most consequential first: those that decide a red line, then
    where the premises are, then what to settle before the lease; none the known facts already answer."""
    for type_id in type_ids:
        for composed in kb.types[type_id].composes_with:
            candidate = kb.types.get(composed)
            if candidate is None or composed in type_ids or set(type_ids) & set(candidate.implied_unless):
                continue
            for condition in candidate.implied_by:
                if condition.holds(facts) is None:
                    unknown[condition.fact] += 5
    for derived, source in DERIVED_FROM.items():  # ask for what the derived fact follows from
        if derived in unknown:
            weight = unknown.pop(derived)
            if getattr(facts, source) is None:
                unknown[source] += weight
                if derived in red_line_facts:
                    red_line_facts.add(source)
    if "distance_to_school_m" in unknown:
        unknown.pop("near_school", None)  # the distance answers both
    open_facts = [fact for fact in unknown if not is_moot(fact, facts)]
    order = list(FACT_QUESTIONS)
    tier = {fact: 0 if fact in red_line_facts else 1 if fact in LOCATION else 2 if fact in BEFORE_LEASE else 3
            for fact in open_facts}  # fmt: skip
    return sorted(open_facts, key=lambda fact: (tier[fact], -unknown[fact], order.index(fact)))
