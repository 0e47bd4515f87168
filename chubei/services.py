"""The composition root: every long-lived component, built once from the settings, on first use."""

from __future__ import annotations

import threading
from functools import cached_property

from assistant.answering import Assistant
from assistant.composer import Composer
from assistant.guidance import Guide
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
from kb.knowledge import KnowledgeBase
from kb.lexical import LexicalIndex, Tokenizer, default_tokenizer
from kb.schema import Grounded
from kb.vectorstore import VectorStore


class Services:
    def __init__(self, settings: Settings, show_progress: bool = False) -> None:
        self.settings = settings
        self.show_progress = show_progress
        self._lexical: LexicalIndex | None = None
        self._lock = threading.Lock()

    @cached_property
    def corpus(self) -> Corpus:
        return shipped_corpus()

    @cached_property
    def tokenizer(self) -> Tokenizer:
        return default_tokenizer()

    @cached_property
    def embedder(self) -> CachedEmbedder:
        return make_embedder(self.settings)

    @cached_property
    def store(self) -> VectorStore:
        return VectorStore.from_settings(self.settings, self.embedder.model_id)

    @cached_property
    def state(self) -> IngestState:
        return IngestState(self.settings.ingest_state_path)

    @cached_property
    def indexer(self) -> Indexer:
        return Indexer(
            self.store, self.embedder, self.state, self.tokenizer, self.settings.lexical_dir, self.show_progress
        )

    @property
    def kb(self) -> KnowledgeBase:
        return self._kb

    @cached_property
    def _kb(self) -> KnowledgeBase:
        return KnowledgeBase.load(overlay_dir=self.settings.kb_overlay_dir)

    def lexical(self) -> LexicalIndex:
        """The BM25 index; rebuilt from the store when another process has changed the store since."""
        expected = f"{self.store.identity}/{self.state.generation}"
        if self._lexical is None or self._lexical.fingerprint != expected:
            with self._lock:
                self._lexical = self.indexer.refresh_lexical()
        return self._lexical

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
    def knowledge_items(self) -> dict[str, Grounded]:
        kb = self.kb
        return {item.id: item for item in (*kb.all_requirements(), *kb.all_problems(), *kb.faq.values())}

    @cached_property
    def scope(self) -> ScopeGate:
        settings = self.settings
        return ScopeGate(self.kb, settings.scope_min_dense, settings.scope_min_lexical, settings.scope_min_dense_named)

    @cached_property
    def permit_names(self) -> PermitNames:
        return PermitNames(self.kb)

    @cached_property
    def interpreter(self) -> Interpreter:
        return Interpreter(self.profiler.types_named, self.permit_names)

    @cached_property
    def composer(self) -> Composer:
        return Composer(self.kb, self.corpus, self.tokenizer, self.settings.answer)

    @cached_property
    def writer(self) -> AnswerWriter | None:
        settings = self.settings
        if not settings.llm_base_url:
            return None
        return AnswerWriter(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s,
                            settings.llm_retries)  # fmt: skip

    @cached_property
    def assistant(self) -> Assistant:
        return Assistant(self.retriever, self.scope, self.kb, self.corpus, self.interpreter, self.composer,
                         self.settings.answer, self.writer)  # fmt: skip

    @cached_property
    def profiler(self) -> Profiler:
        voter = SemanticTypeVoter(self.retriever, self.settings.scope_min_dense)
        return Profiler(self.kb, self.scope, voter)

    @cached_property
    def guide(self) -> Guide:
        return Guide(self.kb, self.corpus, self.profiler, self.retriever)

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

    def reload_knowledge(self) -> int:
        """After staff add a case or FAQ entry: reload the KB, re-index it, rebuild what depends on it."""
        for name in (
            "_kb",
            "scope",
            "assistant",
            "knowledge_items",
            "profiler",
            "guide",
            "permit_names",
            "interpreter",
            "composer",
        ):
            self.__dict__.pop(name, None)
        return self.indexer.ingest_knowledge(self.kb)
