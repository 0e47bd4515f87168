"""The composition root: every long-lived component, built once from the settings, on first use."""

from __future__ import annotations

import threading
from functools import cached_property

from assistant.answering import Assistant
from assistant.composer import Composer
from assistant.guidance import Guide
from assistant.item_answers import Item
from assistant.llm import AnswerWriter
from assistant.names import PermitNames
from assistant.profiling import Profiler, SemanticTypeVoter
from assistant.retrieval import HybridRetriever
from assistant.scope import ScopeGate
from assistant.understanding import Interpreter
from chubei.settings import Settings
from ingest.embedders import make_embedder
from ingest.embedders.cache import CachedEmbedder
from ingest.indexer import Indexer, IngestReport
from ingest.ocr import OcrEngine, OcrQueue, RapidOcrEngine
from ingest.state import IngestState
from ingest.uploads import DocumentReader, ReadLimits
from kb.corpus import CORPUS_DIR, Corpus, shipped_corpus
from kb.grounding import Issue, located, validate
from kb.knowledge import KnowledgeBase
from kb.lexical import LexicalIndex, Tokenizer, default_tokenizer
from kb.vectorstore import VectorStore


class KnowledgeBound:
    """Everything built from one version of the knowledge base, replaced as a whole when staff change it.

    A question that started on the old version finishes on it; the next one uses the new version.
    """

    def __init__(self, kb: KnowledgeBase, services: Services) -> None:
        self.kb = kb
        self._services = services

    @cached_property
    def knowledge_items(self) -> dict[str, Item]:
        kb = self.kb
        items: list[Item] = [*kb.all_requirements(), *kb.all_problems(), *kb.faq.values()]
        return {item.id: item for item in items}

    @cached_property
    def issues(self) -> list[Issue]:
        """What ``chubei kb validate`` finds in this version (staff changes are checked against it)."""
        return validate(self.kb, self._services.corpus)

    @cached_property
    def scope(self) -> ScopeGate:
        settings = self._services.settings
        return ScopeGate(self.kb, settings.scope_min_dense, settings.scope_min_lexical, settings.scope_min_dense_named)

    @cached_property
    def permit_names(self) -> PermitNames:
        return PermitNames(self.kb)

    @cached_property
    def interpreter(self) -> Interpreter:
        return Interpreter(self.profiler.types_named, self.permit_names)

    @cached_property
    def composer(self) -> Composer:
        services = self._services
        return Composer(self.kb, services.corpus, services.tokenizer, services.settings.answer)

    @cached_property
    def assistant(self) -> Assistant:
        services = self._services
        return Assistant(services.retriever, self.scope, self.kb, services.corpus, self.interpreter, self.composer,
                         services.settings.answer, services.writer)  # fmt: skip

    @cached_property
    def extractive_assistant(self) -> Assistant:
        """The assistant without the optional LLM: re-reading earlier turns of a conversation needs only how
        each was understood, which never depends on the wording, so it should not call the model again."""
        services = self._services
        if services.writer is None:
            return self.assistant
        return Assistant(services.retriever, self.scope, self.kb, services.corpus, self.interpreter, self.composer,
                         services.settings.answer)  # fmt: skip

    @cached_property
    def profiler(self) -> Profiler:
        voter = SemanticTypeVoter(self._services.retriever, self._services.settings.scope_min_dense)
        return Profiler(self.kb, self.scope, voter)

    @cached_property
    def guide(self) -> Guide:
        return Guide(self.kb, self._services.corpus, self.profiler, self._services.retriever)


class Services:
    def __init__(self, settings: Settings, show_progress: bool = False) -> None:
        self.settings = settings
        self.show_progress = show_progress
        self._knowledge_lock = threading.Lock()

    @cached_property
    def corpus(self) -> Corpus:
        return shipped_corpus()

    @cached_property
    def tokenizer(self) -> Tokenizer:
        return default_tokenizer()

    @cached_property
    def embedder(self) -> CachedEmbedder:
        settings = self.settings
        return make_embedder(settings.embedder, settings.embedding_cache_path, settings.embed_batch_size,
                             settings.st_model_path)  # fmt: skip

    @cached_property
    def store(self) -> VectorStore:
        settings = self.settings
        return VectorStore.open(settings.chroma_url, settings.chroma_dir, settings.collection, self.embedder.model_id,
                                 settings.vector_ef_search)  # fmt: skip

    @cached_property
    def state(self) -> IngestState:
        return IngestState(self.settings.ingest_state_path)

    @cached_property
    def indexer(self) -> Indexer:
        return Indexer(self.store, self.embedder, self.state, self.tokenizer, self.settings.lexical_dir,
                       self.show_progress, ocr=self.ocr_engine)  # fmt: skip

    def lexical(self) -> LexicalIndex:
        """The live BM25 index (switches to a newer version when a writer, here or elsewhere, published one)."""
        return self.indexer.lexical()

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(
            self.store,
            self.embedder,
            self.lexical,
            self.tokenizer,
            candidates=self.settings.candidates,
            rrf_k=self.settings.rrf_k,
            cited_articles=self.cited_articles,
        )

    def cited_articles(self, item_id: str) -> list[tuple[str, str]]:
        item = self.knowledge_items.get(item_id)
        return [(basis.doc_id, basis.article) for basis in item.basis] if item else []

    @cached_property
    def writer(self) -> AnswerWriter | None:
        settings = self.settings
        if not settings.llm_base_url:
            return None
        return AnswerWriter(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s,
                            settings.llm_retries)  # fmt: skip

    # -- the knowledge and what is built from it -------------------------------

    @cached_property
    def _bound(self) -> KnowledgeBound:
        return KnowledgeBound(KnowledgeBase.load(overlay_dir=self.settings.kb_overlay_dir), self)

    @property
    def kb(self) -> KnowledgeBase:
        return self._bound.kb

    @property
    def knowledge_items(self) -> dict[str, Item]:
        return self._bound.knowledge_items

    @property
    def knowledge_issues(self) -> list[Issue]:
        return self._bound.issues

    def knowledge_problems(self) -> list[str]:
        """The knowledge's problems with the file, item and field of each (for /healthz)."""
        return located(self._bound.issues, self._bound.kb)

    @property
    def scope(self) -> ScopeGate:
        return self._bound.scope

    @property
    def permit_names(self) -> PermitNames:
        return self._bound.permit_names

    @property
    def interpreter(self) -> Interpreter:
        return self._bound.interpreter

    @property
    def composer(self) -> Composer:
        return self._bound.composer

    @property
    def assistant(self) -> Assistant:
        return self._bound.assistant

    @property
    def extractive_assistant(self) -> Assistant:
        return self._bound.extractive_assistant

    @property
    def profiler(self) -> Profiler:
        return self._bound.profiler

    @property
    def guide(self) -> Guide:
        return self._bound.guide

    # -- 要件预审 ----------------------------------------------------------------

    @cached_property
    def ocr_engine(self) -> OcrEngine:
        config = self.settings.prereview
        return RapidOcrEngine(config.ocr_threads, config.ocr_det_side_len)

    @cached_property
    def document_reader(self) -> DocumentReader:
        config = self.settings.prereview
        limits = ReadLimits(**config.model_dump(include=set(ReadLimits.model_fields)))
        return DocumentReader(self.ocr_engine, limits)

    @cached_property
    def ocr_queue(self) -> OcrQueue:
        config = self.settings.prereview
        return OcrQueue(config.ocr_workers, config.ocr_waiting)

    # -- index lifecycle -------------------------------------------------------

    def ensure_index(self) -> IngestReport:
        """Index the shipped corpus and knowledge; unchanged sources are skipped, so this is cheap when done."""
        report = self.indexer.ingest_paths([CORPUS_DIR])
        report.chunks += self.indexer.ingest_knowledge(self.kb)
        return report

    def warm_up(self) -> None:
        """Load the knowledge, the lexical index and the embedder before the first question arrives."""
        self.assistant.ask("开KTV需要办哪些证？")

    def reload_knowledge(self) -> int:
        """After staff add a case or FAQ entry or change an item: build the new knowledge version beside the live one,
        index it, then switch to it. Questions asked meanwhile are answered from the live version, without waiting."""
        with self._knowledge_lock:
            bound = KnowledgeBound(KnowledgeBase.load(overlay_dir=self.settings.kb_overlay_dir), self)
            written = self.indexer.ingest_knowledge(bound.kb)
            # Built before the switch, so the next question does not wait.
            _ = (bound.assistant, bound.guide, bound.issues)
            self._bound = bound
        return written
