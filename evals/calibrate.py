"""Calibrating the out-of-scope score gate on the golden sets.

Only questions whose wording does not settle the matter reach the score gate, so only
those are used. The rule is "in scope when the best dense similarity ≥ T_dense or the best
BM25 score ≥ T_lexical"; thresholds are chosen on the dev split for balanced accuracy
(ties: fewer false refusals, then the lowest thresholds) and reported on the test split.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from pydantic import BaseModel

from assistant.retrieval import HybridRetriever
from assistant.scope import ScopeGate
from evals.sets import AskCase, RetrievalCase


class ScopePoint(BaseModel):
    question: str
    in_scope: bool
    dense: float
    lexical: float
    split: str


class Calibration(BaseModel):
    min_dense: float
    min_lexical: float
    points: int
    dev_balanced_accuracy: float
    test_balanced_accuracy: float
    test_false_refusal: float
    test_refusal: float


def score_points(
    ask_cases: list[AskCase], retrieval_cases: list[RetrievalCase], retriever: HybridRetriever, gate: ScopeGate
) -> list[ScopePoint]:
    labelled = [(c.question, not c.out_of_scope, c.split) for c in ask_cases]
    labelled += [(c.question, True, c.split) for c in retrieval_cases]
    points = []
    for question, in_scope, split in labelled:
        if gate.by_words(question) is not None or gate.covered_terms(question):
            continue  # settled by wording, or judged against the threshold for named project types
        retrieval = retriever.search(question, k=1)
        points.append(
            ScopePoint(
                question=question,
                in_scope=in_scope,
                dense=retrieval.top_dense,
                lexical=retrieval.top_lexical,
                split=split,
            )
        )
    return points


def _rates(points: list[ScopePoint], min_dense: float, min_lexical: float) -> tuple[float, float, float]:
    """(balanced accuracy, false refusal rate, refusal rate)."""
    inside = [p for p in points if p.in_scope]
    outside = [p for p in points if not p.in_scope]
    accepted = lambda p: p.dense >= min_dense or p.lexical >= min_lexical  # noqa: E731
    false_refusal = sum(not accepted(p) for p in inside) / len(inside) if inside else 0.0
    refusal = sum(not accepted(p) for p in outside) / len(outside) if outside else 1.0
    return (1 - false_refusal + refusal) / 2, false_refusal, refusal


def _midpoints(values: Iterable[float]) -> list[float]:
    """Candidate thresholds halfway between neighbouring observed scores (a margin on both sides)."""
    ordered = sorted(set(values))
    return [round((a + b) / 2, 4) for a, b in itertools.pairwise(ordered)]


def calibrate(points: list[ScopePoint]) -> Calibration:
    dev = [p for p in points if p.split == "dev"]
    test = [p for p in points if p.split == "test"]
    dense_grid = [*_midpoints(p.dense for p in dev), 1.01]
    lexical_grid = [*_midpoints(p.lexical for p in dev), 1000000000.0]
    best: tuple | None = None
    for min_dense in dense_grid:
        for min_lexical in lexical_grid:
            balanced, false_refusal, _ = _rates(dev, min_dense, min_lexical)
            key = (balanced, -false_refusal, -min_dense, -min_lexical)
            if best is None or key > best[0]:
                best = (key, min_dense, min_lexical, balanced)
    assert best is not None
    _, min_dense, min_lexical, dev_balanced = best
    test_balanced, test_false_refusal, test_refusal = _rates(test, min_dense, min_lexical)
    return Calibration(
        min_dense=min_dense,
        min_lexical=min_lexical,
        points=len(points),
        dev_balanced_accuracy=dev_balanced,
        test_balanced_accuracy=test_balanced,
        test_false_refusal=test_false_refusal,
        test_refusal=test_refusal,
    )
