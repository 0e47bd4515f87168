"""The ask suite: right content, right sources, valid quotes, and refusal of what is out of scope."""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel

from assistant.models import AskResponse
from evals.metrics import mean, percentile
from evals.sets import AskCase
from kb.corpus import Corpus

Asker = Callable[[str], AskResponse]


class AskRow(BaseModel):
    id: str
    question: str
    expected_out_of_scope: bool
    out_of_scope: bool
    contains_ok: bool | None
    missing: list[str]
    source_ok: bool | None
    expected_sources: list[str]
    cited: list[str]
    invalid_citations: list[str]
    answer: str
    ms: float
    tags: list[str]
    split: str


class AskScores(BaseModel):
    n: int
    in_scope: int
    out_of_scope: int
    must_contain_accuracy: float
    source_accuracy: float
    refusal_rate: float
    false_refusal_rate: float
    citation_validity: float
    p50_ms: float
    p95_ms: float


def contains(answer: str, alternatives: str) -> bool:
    normalized = answer.replace(" ", "")
    return any(alt.replace(" ", "") in normalized for alt in alternatives.split("|"))


def run_ask(cases: list[AskCase], asker: Asker, corpus: Corpus) -> tuple[AskScores, list[AskRow]]:
    rows: list[AskRow] = []
    valid = total = 0
    for case in cases:
        started = time.perf_counter()
        response = asker(case.question)
        ms = (time.perf_counter() - started) * 1000
        cited = [f"{c.doc_id} {c.article}" for c in response.citations]
        invalid = [
            f"{c.doc_id} {c.article}" for c in response.citations if not corpus.quote_found(c.doc_id, c.article, c.text)
        ]
        valid += len(response.citations) - len(invalid)
        total += len(response.citations)
        expected = [f"{ref.doc_id} {ref.article}" for ref in case.sources]
        in_scope_case = not case.out_of_scope
        missing = [m for m in case.must_contain if not contains(response.answer, m)] if in_scope_case else []
        rows.append(
            AskRow(
                id=case.id,
                question=case.question,
                expected_out_of_scope=case.out_of_scope,
                out_of_scope=response.out_of_scope,
                contains_ok=(not missing and not response.out_of_scope) if in_scope_case else None,
                missing=missing,
                source_ok=bool(set(expected) & set(cited)) if in_scope_case and expected else None,
                expected_sources=expected,
                cited=cited,
                invalid_citations=invalid,
                answer=response.answer,
                ms=ms,
                tags=case.tags,
                split=case.split,
            )
        )
    inside = [row for row in rows if not row.expected_out_of_scope]
    outside = [row for row in rows if row.expected_out_of_scope]
    scores = AskScores(
        n=len(rows),
        in_scope=len(inside),
        out_of_scope=len(outside),
        must_contain_accuracy=mean([float(bool(row.contains_ok)) for row in inside if row.contains_ok is not None]),
        source_accuracy=mean([float(bool(row.source_ok)) for row in inside if row.source_ok is not None]),
        refusal_rate=mean([float(row.out_of_scope) for row in outside]),
        false_refusal_rate=mean([float(row.out_of_scope) for row in inside]),
        citation_validity=valid / total if total else 1.0,
        p50_ms=percentile([row.ms for row in rows], 0.5),
        p95_ms=percentile([row.ms for row in rows], 0.95),
    )
    return scores, rows
