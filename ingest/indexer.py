"""Ingest: files → chunks → vectors in Chroma, then the BM25 index rebuilt from the store.

Idempotent and crash-safe: an unchanged file (by content hash) is skipped; a changed file's
new chunks are upserted before its stale ones are deleted, so the index keeps answering
throughout; a file whose run was interrupted is redone on the next run.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ingest.chunking import chunk_document
from ingest.chunks import Chunk, text_hash
from ingest.embedders.cache import CachedEmbedder
from ingest.knowledge_chunks import KNOWLEDGE_SOURCE, knowledge_chunks
from ingest.loaders import SUPPORTED_SUFFIXES, load_document
from ingest.loaders.base import LoaderError
from ingest.state import IngestState
from kb.corpus import CORPUS_DIR, caveat_for
from kb.knowledge import KnowledgeBase
from kb.lexical import LexicalIndex, Tokenizer
from kb.vectorstore import VectorStore

# Bump when chunking changes, so every source is re-chunked on the next run.
CHUNKER_VERSION = "1"


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"文件 {self.files} 个，片段 {self.chunks} 个，跳过（未变化）{self.skipped} 个，"
            f"失败 {len(self.failed)} 个，用时 {self.seconds:.1f} 秒"
        )


class Indexer:
    def __init__(
        self,
        store: VectorStore,
        embedder: CachedEmbedder,
        state: IngestState,
        tokenizer: Tokenizer,
        lexical_dir: Path,
        show_progress: bool = True,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.state = state
        self.tokenizer = tokenizer
        self.lexical_dir = lexical_dir
        self.show_progress = show_progress
        state.bind(store.identity, f"{embedder.model_id}/{CHUNKER_VERSION}")

    # -- files ---------------------------------------------------------------

    def ingest_paths(self, paths: Iterable[Path]) -> IngestReport:
        started = time.monotonic()
        report = IngestReport()
        files = expand_paths(paths, report)
        for path in tqdm(
            files, desc="索引文件", unit="个", disable=not self.show_progress or len(files) < 2, leave=False
        ):
            report.files += 1
            try:
                self._ingest_file(path, report)
            except LoaderError as error:
                report.failed.append(str(error))
        self.refresh_lexical()
        report.seconds = time.monotonic() - started
        return report

    def _ingest_file(self, path: Path, report: IngestReport) -> None:
        content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        source, doc_id = source_key(path)
        if self.state.is_current(source, content_hash):
            report.skipped += 1
            return
        document = load_document(path)
        report.warnings += [f"{path.name}：{warning}" for warning in document.warnings]
        caveat = caveat_for(document.metadata.get("notes", ""), document.metadata.get("version_date", ""))
        chunks = chunk_document(document, doc_id, source, caveat)
        if not chunks:
            raise LoaderError(f"《{path.name}》没有可索引的文字")
        self._replace_source(source, content_hash, doc_id, document.title, chunks, label=path.name)
        report.chunks += len(chunks)

    # -- curated knowledge ---------------------------------------------------

    def ingest_knowledge(self, kb: KnowledgeBase) -> int:
        """Index requirements, problems, cases and FAQ as one source; returns chunks written (0 if unchanged)."""
        chunks = knowledge_chunks(kb)
        content_hash = text_hash("\n".join(f"{c.id}\t{c.embedding_text}\t{c.project_types}" for c in chunks))
        if self.state.is_current(KNOWLEDGE_SOURCE, content_hash):
            return 0
        self._replace_source(KNOWLEDGE_SOURCE, content_hash, KNOWLEDGE_SOURCE, "知识库", chunks, label="知识库")
        self.refresh_lexical()
        return len(chunks)

    # -- shared --------------------------------------------------------------

    def _replace_source(
        self, source: str, content_hash: str, doc_id: str, title: str, chunks: list[Chunk], label: str
    ) -> None:
        texts = [chunk.embedding_text for chunk in chunks]
        to_embed = len(self.embedder.missing(texts))
        with tqdm(
            total=to_embed, desc=f"嵌入 {label}", unit="段", disable=not (self.show_progress and to_embed), leave=False
        ) as bar:
            vectors = self.embedder.embed_passages(texts, progress=bar.update)
        self.state.start(source, content_hash, doc_id, title)
        stale = self.store.ids_for_source(source) - {chunk.id for chunk in chunks}
        self.store.upsert(chunks, vectors)
        self.store.delete_ids(stale)
        self.state.finish(source, len(chunks))

    def refresh_lexical(self) -> LexicalIndex:
        """Rebuild BM25 from the store when it was built from an older generation of the store."""
        fingerprint = f"{self.store.identity}/{self.state.generation}"
        current = LexicalIndex.load(self.lexical_dir)
        if current is not None and current.fingerprint == fingerprint:
            return current
        chunks = list(self.store.iter_chunks())
        index = LexicalIndex.build(chunks, self.tokenizer, fingerprint)
        index.save(self.lexical_dir)
        return index


def expand_paths(paths: Iterable[Path], report: IngestReport) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            report.failed.append(f"找不到文件或目录：{path}")
    return files


def source_key(path: Path) -> tuple[str, str]:
    """(source, doc_id). The shipped corpus keeps its slugs; other files get a stable id from their path."""
    resolved = path.resolve()
    if resolved.parent == CORPUS_DIR.resolve():
        return f"corpus:{resolved.stem}", resolved.stem
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:8]
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", resolved.stem).strip("-")[:40] or "doc"
    return f"file:{resolved}", f"{stem}-{digest}"
