"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

Both legs keep their raw scores on each hit: the out-of-scope gate reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ingest.embedders.base import Embedder
from kb.chunks import KNOWLEDGE_KINDS, SOURCE_KINDS, Chunk
from kb.lexical import LexicalIndex, Tokenizer
from kb.vectorstore import VectorStore


@dataclass
class Hit:
    chunk: Chunk
    score: float = 0.0
    dense: float | None = None
    lexical: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None
    knowledge_rank: int | None = None

    @property
    def ranks(self) -> list[int]:
        return [rank for rank in (self.dense_rank, self.lexical_rank, self.knowledge_rank) if rank is not None]


@dataclass
class Retrieval:
    query: str
    hits: list[Hit]
    tokens: list[str] = field(default_factory=list)
    top_dense: float = 0.0
    top_lexical: float = 0.0
    idf: Callable[[str], float] = field(default=lambda token: 1.0, repr=False)


class Reranker(Protocol):
    """Optional second stage (e.g. a cross-encoder in a deployment); reorders fused hits."""

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]: ...


ArticleKeys = Callable[[str], list[tuple[str, str]]]
KNOWLEDGE_ITEMS = ("requirement", "problem", "faq")
KNOWLEDGE_DEPTH = 5


class HybridRetriever:
    """Dense + BM25, plus a third ranking: the articles cited by the best-matching curated items.

    Curated requirements, problems and FAQ are written in operators' words and carry
    verified article references, so they bridge colloquial questions to the right 条.
    """

    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder,
        lexical: Callable[[], LexicalIndex],
        tokenizer: Tokenizer,
        candidates: int = 30,
        rrf_k: int = 60,
        reranker: Reranker | None = None,
        cited_articles: ArticleKeys | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.tokenizer = tokenizer
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.reranker = reranker
        self.cited_articles = cited_articles

    def dense(self, query: str, kinds: tuple[str, ...] | None = None, index: LexicalIndex | None = None) -> list[Hit]:
        """``index``: the live BM25 index, whose chunks the store need not read back."""
        vector = self.embedder.embed_question(query)
        known = (index or self.lexical()).by_id
        return [
            Hit(hit.chunk, dense=hit.similarity, dense_rank=rank)
            for rank, hit in enumerate(self.store.query(vector, self.candidates, kinds, known), start=1)
        ]

    def lexical_hits(
        self, tokens: list[str], kinds: tuple[str, ...] | None = None, index: LexicalIndex | None = None
    ) -> list[Hit]:
        index = index or self.lexical()
        return [
            Hit(chunk, lexical=score, lexical_rank=rank)
            for rank, (chunk, score) in enumerate(index.search(tokens, self.candidates, kinds), start=1)
        ]

    def search(self, query: str, k: int = 5, kinds: tuple[str, ...] | None = None) -> Retrieval:
        tokens = self.tokenizer.query_tokens(query)
        lexical = self.lexical()  # one staleness check per search
        fused: dict[str, Hit] = {}
        # Sources and curated items are ranked in separate pools, so that many similar items
        # never crowd the articles out of the candidates (and the other way round).
        for pool in (SOURCE_KINDS, KNOWLEDGE_KINDS):
            for hit in self.dense(query, pool, lexical):
                fused[hit.chunk.id] = hit
            for hit in self.lexical_hits(tokens, pool, lexical):
                known = fused.setdefault(hit.chunk.id, Hit(hit.chunk))
                known.lexical, known.lexical_rank = hit.lexical, hit.lexical_rank
        self._score(fused)
        for rank, chunk in enumerate(self._cited_chunks(fused, lexical.by_id), start=1):
            fused.setdefault(chunk.id, Hit(chunk)).knowledge_rank = rank
        self._score(fused)
        ranked = sorted(fused.values(), key=lambda hit: (-hit.score, hit.chunk.id))
        everything = ranked
        if kinds:
            ranked = [hit for hit in ranked if hit.chunk.kind in kinds]
        if self.reranker is not None:
            ranked = self.reranker.rerank(query, ranked)
        return Retrieval(
            query,
            ranked[:k] if k else ranked,
            tokens,
            top_dense=max((hit.dense for hit in everything if hit.dense is not None), default=0.0),
            top_lexical=max((hit.lexical for hit in everything if hit.lexical is not None), default=0.0),
            idf=lexical.idf,
        )

    def _score(self, fused: dict[str, Hit]) -> None:
        for hit in fused.values():
            hit.score = sum(1.0 / (self.rrf_k + rank) for rank in hit.ranks)

    def _cited_chunks(self, fused: dict[str, Hit], by_id: dict[str, Chunk]) -> list[Chunk]:
        """Chunks of the articles that the top curated items cite, in item order."""
        if self.cited_articles is None:
            return []
        items = sorted(
            (hit for hit in fused.values() if hit.chunk.kind in KNOWLEDGE_ITEMS),
            key=lambda hit: (-hit.score, hit.chunk.id),
        )[:KNOWLEDGE_DEPTH]
        chunks: list[Chunk] = []
        for hit in items:
            for doc_id, article in self.cited_articles(hit.chunk.item_id):
                chunk = by_id.get(f"{doc_id}:{article}") or by_id.get(f"{doc_id}:{article}#1")
                if chunk is not None and chunk not in chunks:
                    chunks.append(chunk)
        return chunks
