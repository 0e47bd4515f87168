"""The ask suite: the deciding fact early, complete lists, the right sources and no padding, refusal of what
is out of scope — for single questions, follow-ups and project chats.

Metrics that reward recall (key facts, must-contain, source accuracy) sit beside metrics that punish
padding and bloat (answer length, citations per answer, citation precision).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable

from pydantic import BaseModel

from assistant.models import AskResponse
from evals.matching import found, found_early, states_fact
from evals.metrics import mean, percentile
from evals.sets import AskCase
from kb.corpus import Corpus

Asker = Callable[[AskCase], tuple[AskResponse, float]]


class AskRow(BaseModel):
    id: str
    kind: str
    intent: str
    question: str
    history: list[str]
    expected_out_of_scope: bool
    out_of_scope: bool
    key_facts_early: bool | None
    missing_key_facts: list[str]
    contains_ok: bool | None
    missing: list[str]
    forbidden_found: list[str]
    source_ok: bool | None
    expected_sources: list[str]
    cited: list[str]
    precise_citations: int
    invalid_citations: list[str]
    correct: bool
    answer: str
    understood_as: str | None = None
    answered_from: str | None = None
    length: int
    ms: float
    tags: list[str]
    split: str


class AskScores(BaseModel):
    n: int
    in_scope: int
    out_of_scope: int
    answer_accuracy: float
    key_facts_in_200: float
    must_contain_accuracy: float
    source_accuracy: float
    citation_precision: float
    citation_validity: float
    refusal_rate: float
    false_refusal_rate: float
    followup_accuracy: float | None
    project_accuracy: float | None
    median_length: float
    p90_length: float
    median_citations: float
    mean_citations: float
    p50_ms: float
    p95_ms: float


def run_ask(cases: Iterable[AskCase], asker: Asker, corpus: Corpus) -> list[AskRow]:
    rows: list[AskRow] = []
    for case in cases:
        response, ms = asker(case)
        rows.append(score_case(case, response, ms, corpus))
    return rows


def score_case(case: AskCase, response: AskResponse, ms: float, corpus: Corpus) -> AskRow:
    answer = response.answer
    in_scope = not case.out_of_scope
    cited = [f"{c.doc_id} {c.article}" for c in response.citations]
    expected = {f"{ref.doc_id} {ref.article}" for ref in case.sources}
    invalid = [
        f"{c.doc_id} {c.article}" for c in response.citations if not corpus.quote_found(c.doc_id, c.article, c.text)
    ]
    facts = case.key_facts + case.must_contain
    precise = sum(f"{c.doc_id} {c.article}" in expected or states_fact(c.text, facts) for c in response.citations)
    missing_early = [f for f in case.key_facts if not found_early(f, answer)] if in_scope else []
    missing = [m for m in case.must_contain if not found(m, answer)] if in_scope else []
    forbidden = [m for m in case.must_not_contain if found(m, answer)] if in_scope else []
    refused = response.out_of_scope
    correct = not refused and not missing_early and not missing and not forbidden if in_scope else refused
    return AskRow(
        id=case.id,
        kind=case.kind,
        intent=case.intent,
        question=case.question,
        history=case.history,
        expected_out_of_scope=case.out_of_scope,
        out_of_scope=refused,
        key_facts_early=(not missing_early and not refused) if in_scope and case.key_facts else None,
        missing_key_facts=missing_early,
        contains_ok=(not missing and not refused) if in_scope and case.must_contain else None,
        missing=missing,
        forbidden_found=forbidden,
        source_ok=bool(expected & set(cited)) if in_scope and expected else None,
        expected_sources=sorted(expected),
        cited=cited,
        precise_citations=precise,
        invalid_citations=invalid,
        correct=correct,
        answer=answer,
        understood_as=response.understood_as,
        answered_from=response.answered_from,
        length=len(answer),
        ms=ms,
        tags=case.tags,
        split=case.split,
    )


def score_ask(rows: list[AskRow]) -> AskScores:
    inside = [row for row in rows if not row.expected_out_of_scope]
    outside = [row for row in rows if row.expected_out_of_scope]
    answered = [row for row in inside if not row.out_of_scope]
    citations = [len(row.cited) for row in answered]
    total_cited = sum(citations)
    follow = [row for row in rows if row.kind == "followup"]
    project = [row for row in rows if row.kind == "project"]
    return AskScores(
        n=len(rows),
        in_scope=len(inside),
        out_of_scope=len(outside),
        answer_accuracy=mean([float(row.correct) for row in inside]),
        key_facts_in_200=mean([float(bool(row.key_facts_early)) for row in inside if row.key_facts_early is not None]),
        must_contain_accuracy=mean([float(bool(row.contains_ok)) for row in inside if row.contains_ok is not None]),
        source_accuracy=mean([float(bool(row.source_ok)) for row in inside if row.source_ok is not None]),
        citation_precision=sum(row.precise_citations for row in answered) / total_cited if total_cited else 1.0,
        citation_validity=1.0 - sum(len(r.invalid_citations) for r in rows) / max(1, sum(len(r.cited) for r in rows)),
        refusal_rate=mean([float(row.out_of_scope) for row in outside]),
        false_refusal_rate=mean([float(row.out_of_scope) for row in inside]),
        followup_accuracy=mean([float(row.correct) for row in follow]) if follow else None,
        project_accuracy=mean([float(row.correct) for row in project]) if project else None,
        median_length=statistics.median([row.length for row in answered]) if answered else 0.0,
        p90_length=percentile([row.length for row in answered], 0.9),
        median_citations=statistics.median(citations) if citations else 0.0,
        mean_citations=mean([float(n) for n in citations]),
        p50_ms=percentile([row.ms for row in rows], 0.5),
        p95_ms=percentile([row.ms for row in rows], 0.95),
    )


def timed(call: Callable[[], AskResponse]) -> tuple[AskResponse, float]:
    started = time.perf_counter()
    response = call()
    return response, (time.perf_counter() - started) * 1000
