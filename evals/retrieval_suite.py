"""The retrieval suite: does the right article come back, for dense, BM25 and hybrid ranking?"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel

from assistant.retrieval import Hit, HybridRetriever
from evals.metrics import mean, ndcg_at, percentile, recall_at, reciprocal_rank
from evals.sets import RetrievalCase

REGULATIONS = ("regulation",)
Ranker = Callable[[str], list[tuple[str, str]]]


class RetrievalRow(BaseModel):
    id: str
    question: str
    expected: list[str]
    got: list[str]
    rank: int | None
    ms: float
    tags: list[str]
    split: str


class RetrievalScores(BaseModel):
    mode: str
    n: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    ndcg_at_10: float
    p50_ms: float
    p95_ms: float


def rankers(retriever: HybridRetriever) -> dict[str, Ranker]:
    """Chubei's hybrid ranking and each of its legs alone, as article rankings."""

    def hybrid(question: str) -> list[tuple[str, str]]:
        return article_keys(retriever.search(question, k=0, kinds=REGULATIONS).hits)

    def dense(question: str) -> list[tuple[str, str]]:
        return article_keys([hit for hit in retriever.dense(question) if hit.chunk.kind in REGULATIONS])

    def lexical(question: str) -> list[tuple[str, str]]:
        hits = retriever.lexical_hits(retriever.tokenizer.query_tokens(question))
        return article_keys([hit for hit in hits if hit.chunk.kind in REGULATIONS])

    return {"hybrid": hybrid, "dense": dense, "bm25": lexical}


def article_keys(hits: list[Hit]) -> list[tuple[str, str]]:
    """Ranked (doc_id, article), parts of one article counted once."""
    return list(dict.fromkeys((hit.chunk.doc_id, hit.chunk.article) for hit in hits))


def run_retrieval(cases: list[RetrievalCase], ranker: Ranker, mode: str) -> tuple[RetrievalScores, list[RetrievalRow]]:
    rows: list[RetrievalRow] = []
    r1, r5, r10, rr, nd = [], [], [], [], []
    for case in cases:
        relevant = {(ref.doc_id, ref.article) for ref in case.relevant}
        started = time.perf_counter()
        ranked = ranker(case.question)
        ms = (time.perf_counter() - started) * 1000
        r1.append(recall_at(ranked, relevant, 1))
        r5.append(recall_at(ranked, relevant, 5))
        r10.append(recall_at(ranked, relevant, 10))
        rr.append(reciprocal_rank(ranked, relevant))
        nd.append(ndcg_at(ranked, relevant, 10))
        rank = next((i for i, key in enumerate(ranked, start=1) if key in relevant), None)
        rows.append(
            RetrievalRow(
                id=case.id,
                question=case.question,
                expected=[f"{d} {a}" for d, a in sorted(relevant)],
                got=[f"{d} {a}" for d, a in ranked[:5]],
                rank=rank,
                ms=ms,
                tags=case.tags,
                split=case.split,
            )
        )
    latencies = [row.ms for row in rows]
    scores = RetrievalScores(
        mode=mode,
        n=len(cases),
        recall_at_1=mean(r1),
        recall_at_5=mean(r5),
        recall_at_10=mean(r10),
        mrr=mean(rr),
        ndcg_at_10=mean(nd),
        p50_ms=percentile(latencies, 0.5),
        p95_ms=percentile(latencies, 0.95),
    )
    return scores, rows
