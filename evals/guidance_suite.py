"""The guidance suite: the right types and facts, every required item, no item of an unrelated type."""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel

from assistant.models import GuidanceResponse
from evals.metrics import mean, percentile
from evals.sets import GuidanceCase
from kb.corpus import Corpus
from kb.knowledge import KnowledgeBase

Planner = Callable[[str, dict], GuidanceResponse]


class GuidanceRow(BaseModel):
    id: str
    description: str
    expected_types: list[str]
    got_types: list[str]
    out_of_scope_ok: bool
    missing_items: list[str]
    missing_problems: list[str]
    unrelated_items: list[str]
    wrong_facts: dict[str, list]
    required: int
    found: int
    listed: int
    off_type: int
    ms: float
    tags: list[str]
    split: str


class GuidanceScores(BaseModel):
    n: int
    type_accuracy: float
    required_item_recall: float
    item_precision: float
    problem_recall: float
    unrelated_type_violations: int
    out_of_scope_accuracy: float
    fact_accuracy: float
    citation_validity: float
    p50_ms: float
    p95_ms: float


def allowed_owners(kb: KnowledgeBase, type_ids: list[str]) -> set[str]:
    return {t.id for t in kb.expand(type_ids)}


def run_guidance(
    cases: list[GuidanceCase], planner: Planner, kb: KnowledgeBase, corpus: Corpus
) -> tuple[GuidanceScores, list[GuidanceRow]]:
    rows: list[GuidanceRow] = []
    facts_right = facts_total = 0
    quotes_valid = quotes_total = 0
    for case in cases:
        started = time.perf_counter()
        plan = planner(case.description, case.facts)
        ms = (time.perf_counter() - started) * 1000
        listed = [r.id for r in plan.requirements]
        problems = {p.id for p in plan.common_problems}
        items = listed + sorted(problems)
        owners = {item: kb.owner_of(item) for item in items}
        allowed = allowed_owners(kb, case.expected_types)
        forbidden = allowed_owners(kb, case.forbidden_types) - allowed
        wrong_facts = {
            name: [expected, plan.facts.get(name)]
            for name, expected in case.expected_facts.items()
            if plan.facts.get(name) != expected
        }
        citations = [*plan.citations, *(c for r in plan.requirements for c in r.basis)]
        quotes_total += len(citations)
        quotes_valid += sum(corpus.quote_found(c.doc_id, c.article, c.text) for c in citations)
        facts_total += len(case.expected_facts)
        facts_right += len(case.expected_facts) - len(wrong_facts)
        rows.append(
            GuidanceRow(
                id=case.id,
                description=case.description,
                expected_types=case.expected_types,
                got_types=[t.id for t in plan.project_types],
                out_of_scope_ok=plan.out_of_scope == case.out_of_scope,
                missing_items=[item for item in case.required_items if item not in listed],
                missing_problems=[item for item in case.expected_problems if item not in problems],
                unrelated_items=[item for item in items if owners[item] in forbidden],
                wrong_facts=wrong_facts,
                required=len(case.required_items),
                found=sum(item in listed for item in case.required_items),
                listed=len(listed),
                off_type=sum(owners[item] not in allowed for item in listed) if case.expected_types else 0,
                ms=ms,
                tags=case.tags,
                split=case.split,
            )
        )
    in_scope = [row for row in rows if not next(c for c in cases if c.id == row.id).out_of_scope]
    scores = GuidanceScores(
        n=len(rows),
        type_accuracy=mean([float(set(r.got_types) == set(r.expected_types)) for r in in_scope]),
        required_item_recall=_ratio(sum(r.found for r in rows), sum(r.required for r in rows)),
        item_precision=1.0 - _ratio(sum(r.off_type for r in in_scope), sum(r.listed for r in in_scope)),
        problem_recall=_ratio(
            sum(len(c.expected_problems) for c in cases) - sum(len(r.missing_problems) for r in rows),
            sum(len(c.expected_problems) for c in cases),
        ),
        unrelated_type_violations=sum(bool(r.unrelated_items) for r in rows),
        out_of_scope_accuracy=mean([float(r.out_of_scope_ok) for r in rows]),
        fact_accuracy=_ratio(facts_right, facts_total),
        citation_validity=_ratio(quotes_valid, quotes_total),
        p50_ms=percentile([r.ms for r in rows], 0.5),
        p95_ms=percentile([r.ms for r in rows], 0.95),
    )
    return scores, rows


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 1.0
