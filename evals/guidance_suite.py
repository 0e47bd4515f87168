"""The guidance suite: the right types and facts, every required item and 事项 with its materials, red lines
first — and, against bloat, no item the description rules out and a plan of a size a specialist can hand over."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable

from pydantic import BaseModel

from assistant.models import GuidanceResponse
from evals.matching import found, keyword_entry
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
    out_of_scope_expected: bool
    out_of_scope_ok: bool
    missing_items: list[str]
    must_not_listed: list[str]
    must_not_total: int
    missing_problems: list[str]
    problems_expected: int
    unrelated_items: list[str]
    wrong_facts: dict[str, list]
    required: int
    found: int
    listed: int
    problems_listed: int
    steps_listed: int
    permits_listed: int
    off_type: int
    red_lines_expected: int
    red_lines_found: int
    red_lines_shown: int
    permits_required: int
    permits_missing: list[str]
    materials_required: int
    materials_missing: list[str]
    stages_checked: int
    stages_wrong: list[str]
    quotes: int
    quotes_valid: int
    facts_expected: int
    ms: float
    tags: list[str]
    split: str


class GuidanceScores(BaseModel):
    n: int
    type_accuracy: float
    required_item_recall: float
    must_not_precision: float
    item_precision: float
    problem_recall: float
    unrelated_type_violations: int
    out_of_scope_accuracy: float
    fact_accuracy: float
    red_line_recall: float | None
    false_red_lines: int
    permit_recall: float | None
    material_recall: float | None
    stage_accuracy: float | None
    median_requirements: float
    p90_requirements: float
    median_problems: float
    citation_validity: float
    p50_ms: float
    p95_ms: float


def allowed_owners(kb: KnowledgeBase, type_ids: list[str]) -> set[str]:
    return {t.id for t in kb.expand(type_ids)}


def _requirement_text(plan: GuidanceResponse) -> list[tuple[str, str]]:
    """(id, title + detail + materials) of every listed requirement."""
    return [(r.id, f"{r.title} {r.detail} {' '.join(r.materials)}") for r in plan.requirements]


def _has(entry: str, ids: set[str], texts: Iterable[str]) -> bool:
    words = keyword_entry(entry)
    if words is None:
        return entry in ids
    return any(found("|".join(words), text) for text in texts)


def score_plan(case: GuidanceCase, plan: GuidanceResponse, ms: float, kb: KnowledgeBase, corpus: Corpus) -> GuidanceRow:
    # An item merged into another (``replaces``) counts as listed when the one it was merged into is.
    listed_ids = [i for r in plan.requirements for i in (r.id, *r.replaces)]
    requirement_texts = [text for _, text in _requirement_text(plan)]
    titles = [r.title for r in plan.requirements]
    problems = {p.id for p in plan.common_problems}
    problem_texts = [f"{p.title} {p.detail}" for p in plan.common_problems]
    items = listed_ids + sorted(problems)
    merged_into = {old: r.id for r in plan.requirements for old in r.replaces}
    owners = {item: kb.owner_of(merged_into.get(item, item)) for item in items}
    allowed = allowed_owners(kb, case.expected_types)
    forbidden = allowed_owners(kb, case.forbidden_types) - allowed
    red_lines = getattr(plan, "red_lines", []) or []
    red_texts = [f"{r.title} {r.detail}" for r in red_lines]
    permit_names = [f"{p.name} {' '.join(p.aliases)}" for p in plan.permits]
    material_texts = [f"{m.name} {m.note or ''}" for p in plan.permits for m in p.materials]
    material_texts += [m for r in plan.requirements for m in r.materials]
    stage_of = {i: getattr(r, "stage", None) for r in plan.requirements for i in (r.id, *r.replaces)}
    stage_of |= {p.id: getattr(p, "stage", None) for p in plan.common_problems}
    stage_of |= {s.id: getattr(s, "stage", None) for s in plan.steps if s.id}
    stage_texts = [(f"{r.title} {r.detail}", getattr(r, "stage", None)) for r in plan.requirements]
    stages_wrong = []
    for key, stage in case.stages.items():
        words = keyword_entry(key)
        got = stage_of.get(key) if words is None else next(
            (s for text, s in stage_texts if found("|".join(words), text)), None)  # fmt: skip
        if got != stage:
            stages_wrong.append(f"{key}: {got} ≠ {stage}")
    wrong_facts = {
        name: [expected, plan.facts.get(name)]
        for name, expected in case.expected_facts.items()
        if plan.facts.get(name) != expected
    }
    citations = [*plan.citations, *(c for r in plan.requirements for c in r.basis)]
    return GuidanceRow(
        id=case.id,
        description=case.description,
        expected_types=case.expected_types,
        got_types=[t.id for t in plan.project_types],
        out_of_scope_expected=case.out_of_scope,
        out_of_scope_ok=plan.out_of_scope == case.out_of_scope,
        missing_items=[e for e in case.required_items if not _has(e, set(listed_ids), requirement_texts)],
        must_not_listed=[e for e in case.must_not_items if _has(e, set(listed_ids), titles)],
        must_not_total=len(case.must_not_items),
        missing_problems=[e for e in case.expected_problems if not _has(e, problems, problem_texts)],
        problems_expected=len(case.expected_problems),
        unrelated_items=[item for item in items if owners[item] in forbidden],
        wrong_facts=wrong_facts,
        required=len(case.required_items),
        found=sum(_has(e, set(listed_ids), requirement_texts) for e in case.required_items),
        listed=len(plan.requirements),
        problems_listed=len(plan.common_problems),
        steps_listed=len(plan.steps),
        permits_listed=len(plan.permits),
        off_type=sum(owners[item] not in allowed for item in listed_ids) if case.expected_types else 0,
        red_lines_expected=len(case.red_lines),
        red_lines_found=sum(_has(e, set(), red_texts) for e in case.red_lines),
        red_lines_shown=len(red_lines),
        permits_required=len(case.required_permits),
        permits_missing=[e for e in case.required_permits if not _has(e, set(), permit_names)],
        materials_required=len(case.required_materials),
        materials_missing=[e for e in case.required_materials if not _has(e, set(), material_texts)],
        stages_checked=len(case.stages),
        stages_wrong=stages_wrong,
        quotes=len(citations),
        quotes_valid=sum(corpus.quote_found(c.doc_id, c.article, c.text) for c in citations),
        facts_expected=len(case.expected_facts),
        ms=ms,
        tags=case.tags,
        split=case.split,
    )


def run_guidance(
    cases: Iterable[GuidanceCase], planner: Planner, kb: KnowledgeBase, corpus: Corpus
) -> list[GuidanceRow]:
    rows = []
    for case in cases:
        started = time.perf_counter()
        plan = planner(case.description, case.facts)
        rows.append(score_plan(case, plan, (time.perf_counter() - started) * 1000, kb, corpus))
    return rows


def score_guidance(rows: list[GuidanceRow]) -> GuidanceScores:
    in_scope = [row for row in rows if not row.out_of_scope_expected]
    sizes = [row.listed for row in in_scope if row.expected_types]
    red_expected = sum(row.red_lines_expected for row in in_scope)
    permits_required = sum(row.permits_required for row in in_scope)
    materials_required = sum(row.materials_required for row in in_scope)
    stages_checked = sum(row.stages_checked for row in in_scope)
    must_not = sum(row.must_not_total for row in in_scope)
    return GuidanceScores(
        n=len(rows),
        type_accuracy=mean([float(set(r.got_types) == set(r.expected_types)) for r in in_scope]),
        required_item_recall=_ratio(sum(r.found for r in rows), sum(r.required for r in rows)),
        must_not_precision=1.0 - _ratio(sum(len(r.must_not_listed) for r in in_scope), must_not, empty=0.0),
        item_precision=1.0 - _ratio(sum(r.off_type for r in in_scope), sum(r.listed for r in in_scope), empty=0.0),
        problem_recall=_ratio(
            sum(r.problems_expected - len(r.missing_problems) for r in rows), sum(r.problems_expected for r in rows)
        ),
        unrelated_type_violations=sum(bool(r.unrelated_items) for r in rows),
        out_of_scope_accuracy=mean([float(r.out_of_scope_ok) for r in rows]),
        fact_accuracy=_ratio(
            sum(r.facts_expected - len(r.wrong_facts) for r in rows), sum(r.facts_expected for r in rows)
        ),
        red_line_recall=_ratio(sum(r.red_lines_found for r in in_scope), red_expected) if red_expected else None,
        false_red_lines=sum(1 for r in in_scope if not r.red_lines_expected and r.red_lines_shown),
        permit_recall=(
            1.0 - _ratio(sum(len(r.permits_missing) for r in in_scope), permits_required) if permits_required else None
        ),
        material_recall=(
            1.0 - _ratio(sum(len(r.materials_missing) for r in in_scope), materials_required)
            if materials_required
            else None
        ),
        stage_accuracy=(
            1.0 - _ratio(sum(len(r.stages_wrong) for r in in_scope), stages_checked) if stages_checked else None
        ),
        median_requirements=statistics.median(sizes) if sizes else 0.0,
        p90_requirements=percentile([float(s) for s in sizes], 0.9),
        median_problems=statistics.median([r.problems_listed for r in in_scope]) if in_scope else 0.0,
        citation_validity=_ratio(sum(r.quotes_valid for r in rows), sum(r.quotes for r in rows)),
        p50_ms=percentile([r.ms for r in rows], 0.5),
        p95_ms=percentile([r.ms for r in rows], 0.95),
    )


def _ratio(numerator: float, denominator: float, empty: float = 1.0) -> float:
    """numerator / denominator, or ``empty`` when there is nothing to count."""
    return numerator / denominator if denominator else empty
