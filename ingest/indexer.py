"""Ingest: files → chunks → vectors in Chroma, then the BM25 index updated with the same chunks.

Idempotent and crash-safe: an unchanged file (by content hash) is skipped; a changed file's
new chunks are upserted before its stale ones are deleted, so the index keeps answering
throughout; a file whose run was interrupted is redone on the next run.

Safe beside a running server: writers (this process's threads and other processes, e.g.
``chubei ingest`` while ``chubei serve`` runs) take one lock file in the index directory; readers
never wait for a writer and never build an index themselves: they keep answering from the live
BM25 version until a writer publishes the next one, then switch to it (and re-open the vector
store when the change came from another process).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from tqdm import tqdm

from ingest.chunking import chunk_document
from ingest.embedders.cache import CachedEmbedder
from ingest.knowledge_chunks import KNOWLEDGE_SOURCE, knowledge_chunks
from ingest.loaders import SUPPORTED_SUFFIXES, load_document
from ingest.loaders.base import LoaderError
from ingest.ocr import OcrEngine
from ingest.state import IngestState
from kb.chunks import Chunk, text_hash
from kb.corpus import CORPUS_DIR, caveat_for
from kb.knowledge import KnowledgeBase
from kb.lexical import LexicalIndex, Tokenizer, current_version
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
        ocr: OcrEngine | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.state = state
        self.tokenizer = tokenizer
        self.lexical_dir = lexical_dir
        self.show_progress = show_progress
        self.ocr = ocr
        self._write_lock = FileLock(lexical_dir.parent / "write.lock")
        self._swap_lock = threading.Lock()
        self._lexical: LexicalIndex | None = None
        self._published: set[str] = set()
        with self._write_lock:
            state.bind(store.identity, f"{embedder.model_id}/{CHUNKER_VERSION}")

    # -- reading -------------------------------------------------------------

    def lexical(self) -> LexicalIndex:
        """The live BM25 index: a file read per call; loads a version another writer published."""
        live = current_version(self.lexical_dir)
        index = self._lexical
        if index is not None and (index.version == live or live in self._published):
            # A version this process is publishing: its writer swaps it in as soon as it is saved. Loading it
            # back from disk meanwhile would stall this question for as long as a load takes (5 s at 100k).
            return index
        with self._swap_lock:
            if self._lexical is not None and self._lexical.version == current_version(self.lexical_dir):
                return self._lexical
            loaded = LexicalIndex.load(self.lexical_dir)
            if loaded is None:
                with self._write_lock:
                    loaded = self._rebuild_lexical()
            elif self._lexical is not None and loaded.version not in self._published:
                self.store.reopen()  # another process wrote the store: read it afresh
            self._lexical = loaded
            return loaded

    # -- files ---------------------------------------------------------------

    def ingest_paths(self, paths: Iterable[Path]) -> IngestReport:
        started = time.monotonic()
        report = IngestReport()
        files = expand_paths(paths, report)
        with self._write_lock:
            base = self._current_for_writing()
            written: dict[str, list[Chunk]] = {}
            for path in tqdm(
                files, desc="索引文件", unit="个", disable=not self.show_progress or len(files) < 2, leave=False
            ):
                report.files += 1
                try:
                    self._ingest_file(path, report, base, written)
                except LoaderError as error:
                    report.failed.append(str(error))
            self._publish(base, written)
        report.seconds = time.monotonic() - started
        return report

    def _ingest_file(
        self, path: Path, report: IngestReport, base: LexicalIndex | None, written: dict[str, list[Chunk]]
    ) -> None:
        content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        source, doc_id = source_key(path)
        if self.state.is_current(source, content_hash):
            report.skipped += 1
            return
        document = load_document(path, self.ocr, self.show_progress)
        report.warnings += [f"{path.name}：{warning}" for warning in document.warnings]
        caveat = caveat_for(document.metadata.get("notes", ""), document.metadata.get("version_date", ""))
        chunks = chunk_document(document, doc_id, source, caveat)
        if not chunks:
            raise LoaderError(f"《{path.name}》没有可索引的文字")
        self._replace_source(source, content_hash, doc_id, document.title, chunks, base, label=path.name)
        written[source] = chunks
        report.chunks += len(chunks)

    # -- curated knowledge ---------------------------------------------------

    def ingest_knowledge(self, kb: KnowledgeBase) -> int:
        """Index requirements, problems, cases and FAQ as one source; returns chunks written (0 if unchanged)."""
        chunks = knowledge_chunks(kb)
        content_hash = text_hash("\n".join(f"{c.id}\t{c.embedding_text}\t{c.project_types}" for c in chunks))
        with self._write_lock:
            if self.state.is_current(KNOWLEDGE_SOURCE, content_hash):
                return 0
            base = self._current_for_writing()
            changed = self._replace_source(
                KNOWLEDGE_SOURCE, content_hash, KNOWLEDGE_SOURCE, "知识库", chunks, base, label="知识库"
            )
            self._publish(base, {KNOWLEDGE_SOURCE: chunks})
        return changed

    # -- shared --------------------------------------------------------------

    def _replace_source(
        self,
        source: str,
        content_hash: str,
        doc_id: str,
        title: str,
        chunks: list[Chunk],
        base: LexicalIndex | None,
        label: str,
    ) -> int:
        """Write a source's chunks; only chunks new or changed since ``base`` are embedded and upserted.

        Returns the number of chunks written to the store.
        """
        before = {chunk.id: chunk for chunk in base.chunks_of(source)} if base is not None else None
        changed = [chunk for chunk in chunks if before is None or before.get(chunk.id) != chunk]
        texts = [chunk.embedding_text for chunk in changed]
        to_embed = len(self.embedder.missing(texts))
        with tqdm(
            total=to_embed, desc=f"嵌入 {label}", unit="段", disable=not (self.show_progress and to_embed), leave=False
        ) as bar:
            vectors = self.embedder.embed_passages(texts, progress=bar.update)
        self.state.start(source, content_hash, doc_id, title)
        kept = {chunk.id for chunk in chunks}
        stale = (set(before) if before is not None else self.store.ids_for_source(source)) - kept
        if changed:
            self.store.upsert(changed, vectors)
        self.store.delete_ids(stale)
        self.state.finish(source, len(chunks))
        return len(changed)

    def _current_for_writing(self) -> LexicalIndex | None:
        """Under the write lock: the newest published index if it matches the store, else None (rebuild)."""
        held = self._lexical
        live = current_version(self.lexical_dir)
        index = held if held is not None and held.version == live else LexicalIndex.load(self.lexical_dir)
        if index is None or index.fingerprint != self._fingerprint():
            return None
        if held is None:  # at start: the readers of this process use it too, rather than loading it again
            with self._swap_lock:
                self._lexical = self._lexical or index
        return index

    def _publish(self, base: LexicalIndex | None, written: dict[str, list[Chunk]]) -> None:
        """Save the BM25 index for the store as it now is, and switch this process's readers to it."""
        if base is not None and not written:
            return
        if base is None:
            index = self._rebuild_lexical()
        else:
            index = base.replace_sources(written, self.tokenizer, self._fingerprint())
            self._published.add(index.version)  # before it is live on disk: see lexical()
            index.save(self.lexical_dir)
        with self._swap_lock:
            self._lexical = index

    def _rebuild_lexical(self) -> LexicalIndex:
        """Under the write lock: BM25 built from every chunk in the store."""
        index = LexicalIndex.build(list(self.store.iter_chunks()), self.tokenizer, self._fingerprint())
        self._published.add(index.version)
        index.save(self.lexical_dir)
        return index

    def _fingerprint(self) -> str:
        return f"{self.store.identity}/{self.state.generation}/{self.tokenizer.version}"


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
