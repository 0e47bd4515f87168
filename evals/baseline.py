"""The baseline a bureau would build with a generic tool: plain LangChain RAG over the same corpus.

Recursive character splitter over the raw regulation files, the same embedder, a
langchain-chroma vector store, top-k chunks as the answer — no legal-aware chunking, no
lexical leg, no curated checklist knowledge, no scope gate. Article labels for its sources
are recovered from chunk offsets, so its citations can be scored like Chubei's.
"""

from __future__ import annotations

import re

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.models import AskResponse, Citation, GuidanceResponse, MatchedType, RequirementOut
from ingest.embedders.cache import CachedEmbedder
from kb.corpus import CORPUS_DIR, Corpus, parse_front_matter
from kb.knowledge import KnowledgeBase
from kb.legal_text import ARTICLE_RE
from kb.vectorstore import make_client

TOP_K = 4
GUIDANCE_K = 12


class LangchainBaseline:
    def __init__(self, embedder: CachedEmbedder, corpus: Corpus, kb: KnowledgeBase, settings) -> None:
        self.corpus = corpus
        self.kb = kb
        self.store = Chroma(
            collection_name=f"baseline-{embedder.model_id}"[:60].replace(".", "-"),
            embedding_function=embedder,
            client=make_client(settings),
            collection_metadata={"hnsw:space": "cosine"},
        )
        if self.store._collection.count() == 0:
            self.store.add_documents(self._documents())

    def _documents(self) -> list[Document]:
        return baseline_documents()

    def retrieve(self, question: str, k: int = TOP_K) -> list[Document]:
        return self.store.similarity_search(question, k=k)

    def ask(self, question: str) -> AskResponse:
        chunks = self.retrieve(question)
        citations = [
            Citation(
                doc_id=c.metadata["doc_id"],
                title=c.metadata["title"],
                article=c.metadata["article"],
                text=c.page_content,
            )
            for c in chunks
        ]
        answer = "\n\n".join(c.page_content for c in chunks)
        return AskResponse(answer=answer, citations=citations, out_of_scope=False, session_id="baseline")

    def plan(self, description: str, facts: dict | None = None) -> GuidanceResponse:
        """Without checklist knowledge, a requirement counts as found when the article it rests on is retrieved."""
        chunks = self.retrieve(description, k=GUIDANCE_K)
        found = {(c.metadata["doc_id"], c.metadata["article"]) for c in chunks}
        requirements = [
            RequirementOut(id=r.id, dimension=r.dimension, title=r.title, detail=r.detail, basis=[])
            for r in self.kb.all_requirements()
            if any((b.doc_id, b.article) in found for b in r.basis)
        ]
        owners = {self.kb.owner_of(r.id) for r in requirements}
        return GuidanceResponse(
            project_types=[MatchedType(id=t, name=t, confidence=0.0) for t in sorted(owners - {"general"} - _blocks(self.kb))],
            facts={}, clarifying_questions=[], requirements=requirements, common_problems=[], steps=[],
            similar_cases=[], citations=[], out_of_scope=False, notice="",
        )  # fmt: skip


def baseline_documents() -> list[Document]:
    """The corpus cut the generic way: 500-character recursive chunks of the raw files."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50, add_start_index=True)
    documents = []
    for path in sorted(CORPUS_DIR.glob("*.md")):
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        for chunk in splitter.create_documents([body], metadatas=[{"doc_id": path.stem, "title": meta["title"]}]):
            chunk.metadata["article"] = _article_at(body, chunk.metadata["start_index"] + len(chunk.page_content) // 3)
            documents.append(chunk)
    return documents


def _blocks(kb: KnowledgeBase) -> set[str]:
    return {t.id for t in kb.types.values() if t.block}


def _article_at(body: str, offset: int) -> str:
    """The label of the article a position of the text falls in ("" before the first article)."""
    label = ""
    for match in re.finditer(ARTICLE_RE.pattern, body, re.M):
        if match.start() > offset:
            break
        label = match.group(0).strip()
    return label
