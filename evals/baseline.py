"""The baseline a competent LangChain user would build over the same corpus, so that Chubei's lead means something.

- Chinese sentence-aware splitting (。；！？ and line breaks as separators, separator kept at the end)
  inside each article, so no chunk crosses an article and every chunk carries its true article label;
- an ``EnsembleRetriever`` of BM25 (jieba tokens) and Chroma (the same embedder as Chubei);
- the same number of quoted passages as Chubei's citation limit;
- a score-threshold refusal: out of scope when the best vector similarity is below a threshold
  calibrated on the dev split for balanced accuracy;
- follow-ups and project chats condensed the plain way: earlier turns (or the project's description)
  prepended to the question;
- plans the way a plain RAG would make them: the requirements and problems whose articles are among
  the top passages retrieved for the description.
"""

from __future__ import annotations

import logging

import jieba
from langchain_chroma import Chroma
from langchain_classic.retrievers import EnsembleRetriever
from langchain_community.retrievers import BM25Retriever
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.models import AskResponse, Citation, GuidanceResponse, MatchedType, ProblemOut, RequirementOut
from chubei.settings import Settings
from evals.sets import AskCase, GuidanceCase
from ingest.embedders.cache import CachedEmbedder
from kb.corpus import Corpus
from kb.knowledge import KnowledgeBase
from kb.schema import Grounded
from kb.vectorstore import make_client

CHUNK_SIZE = 300
GUIDANCE_K = 12
SEPARATORS = ["\n\n", "\n", "。", "；", "！", "？"]
jieba.setLogLevel(logging.WARNING)


def baseline_documents(corpus: Corpus) -> list[Document]:
    """Each article split on sentence boundaries; every chunk labelled with the article it lies in."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=0, separators=SEPARATORS, keep_separator="end"
    )
    documents = []
    for regulation in corpus:
        for article in regulation.articles:
            meta = {"doc_id": regulation.doc_id, "title": regulation.title, "article": article.label}
            for chunk in splitter.split_text(article.text):
                documents.append(Document(page_content=chunk.strip(), metadata=meta))
    return [d for d in documents if d.page_content]


def _jieba(text: str) -> list[str]:
    return [word for word in jieba.lcut_for_search(text) if word.strip()]


class LangchainBaseline:
    def __init__(
        self, embedder: CachedEmbedder, corpus: Corpus, kb: KnowledgeBase, settings: Settings, passages: int
    ) -> None:
        self.corpus = corpus
        self.kb = kb
        self.passages = passages
        documents = baseline_documents(corpus)
        self.store = Chroma(
            collection_name=f"baseline2-{embedder.model_id}"[:60].replace(".", "-"),
            embedding_function=embedder,
            client=make_client(settings.chroma_url, settings.chroma_dir),
            collection_metadata={"hnsw:space": "cosine"},
        )
        if self.store._collection.count() != len(documents):
            self.store.reset_collection()
            self.store.add_documents(documents)
        self.bm25 = BM25Retriever.from_documents(documents, preprocess_func=_jieba, k=passages)
        self.threshold = 0.0
        self.plan_threshold = 0.0

    def retriever(self, k: int) -> EnsembleRetriever:
        self.bm25.k = k
        dense = self.store.as_retriever(search_kwargs={"k": k})
        return EnsembleRetriever(retrievers=[self.bm25, dense], weights=[0.5, 0.5])

    def retrieve(self, query: str, k: int) -> list[Document]:
        return self.retriever(k).invoke(query)[:k]

    def top_similarity(self, query: str) -> float:
        hits = self.store.similarity_search_with_relevance_scores(query, k=1)
        return hits[0][1] if hits else 0.0

    def calibrate(self, cases: list[AskCase]) -> float:
        """The question refusal threshold with the best balanced accuracy on these (dev) cases."""
        scored = [(self.top_similarity(_query(c.question, c.history, c.project.description if c.project else "")),
                   c.out_of_scope) for c in cases]  # fmt: skip
        self.threshold = _best_threshold(scored)
        return self.threshold

    def calibrate_plans(self, cases: list[GuidanceCase]) -> float:
        """The same for project descriptions (dev guidance cases): plans are refused on their own threshold."""
        self.plan_threshold = _best_threshold([(self.top_similarity(c.description), c.out_of_scope) for c in cases])
        return self.plan_threshold

    def ask(self, question: str, history: list[str] | None = None, project: str = "") -> AskResponse:
        query = _query(question, history or [], project)
        if self.top_similarity(query) < self.threshold:
            return AskResponse(answer="抱歉，这个问题不在知识库范围内。", citations=[], out_of_scope=True,
                               session_id="baseline")  # fmt: skip
        chunks = self.retrieve(query, self.passages)
        citations = [
            Citation(doc_id=c.metadata["doc_id"], title=c.metadata["title"], article=c.metadata["article"],
                     text=c.page_content)
            for c in chunks
        ]  # fmt: skip
        answer = "\n\n".join(f"《{c.metadata['title']}》{c.metadata['article']}：{c.page_content}" for c in chunks)
        return AskResponse(answer=answer, citations=citations, out_of_scope=False, session_id="baseline")

    def plan(self, description: str, facts: dict | None = None) -> GuidanceResponse:
        """Requirements and problems whose cited articles are among the passages retrieved for the description."""
        if self.top_similarity(description) < self.plan_threshold:
            return GuidanceResponse(project_types=[], facts={}, clarifying_questions=[], requirements=[],
                                    common_problems=[], steps=[], similar_cases=[], citations=[], out_of_scope=True,
                                    notice="")  # fmt: skip
        found = {(c.metadata["doc_id"], c.metadata["article"]) for c in self.retrieve(description, GUIDANCE_K)}

        def hit(item: Grounded) -> bool:
            return any((b.doc_id, b.article) in found for b in item.basis)

        requirements = [RequirementOut(id=r.id, dimension=r.dimension, title=r.title, detail=r.detail, basis=[])
                        for r in self.kb.all_requirements() if hit(r)]  # fmt: skip
        problems = [ProblemOut(id=p.id, title=p.title, detail=p.detail, advice=p.advice, basis=[])
                    for p in self.kb.all_problems() if hit(p)]  # fmt: skip
        found_items: list[RequirementOut | ProblemOut] = [*requirements, *problems]
        owners = {owner for item in found_items if (owner := self.kb.owner_of(item.id))}
        blocks = {t.id for t in self.kb.types.values() if t.block} | {"general"}
        return GuidanceResponse(
            project_types=[MatchedType(id=t, name=t, confidence=0.0) for t in sorted(owners - blocks)],
            facts={}, clarifying_questions=[], requirements=requirements, common_problems=problems, steps=[],
            similar_cases=[], citations=[], out_of_scope=False, notice="",
        )  # fmt: skip


def _best_threshold(scored: list[tuple[float, bool]]) -> float:
    """The similarity threshold that best separates in-scope from out-of-scope (balanced accuracy)."""
    inside = [s for s, out in scored if not out]
    outside = [s for s, out in scored if out]
    best = (0.0, 0.0)
    for threshold in sorted({s for s, _ in scored}):
        accepted = sum(s >= threshold for s in inside) / max(1, len(inside))
        refused = sum(s < threshold for s in outside) / max(1, len(outside))
        if (accepted + refused) / 2 > best[0]:
            best = ((accepted + refused) / 2, threshold)
    return best[1]


def _query(question: str, history: list[str], project: str) -> str:
    return " ".join([project, *history, question]).strip()
