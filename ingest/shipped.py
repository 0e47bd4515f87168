"""The texts shipped with the product (corpus articles, knowledge items) and their embedding cache file."""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from ingest.chunking import chunk_document
from ingest.embedders.cache import CachedEmbedder, shipped_cache_path, write_shipped
from ingest.indexer import source_key
from ingest.knowledge_chunks import knowledge_chunks
from ingest.loaders import load_document
from kb.chunks import text_hash
from kb.corpus import CORPUS_DIR
from kb.knowledge import KnowledgeBase


def shipped_texts() -> list[str]:
    """Embedding texts of every chunk built from the shipped corpus and the shipped knowledge."""
    texts: list[str] = []
    for path in sorted(CORPUS_DIR.glob("*.md")):
        _, doc_id = source_key(path)
        texts += [chunk.embedding_text for chunk in chunk_document(load_document(path), doc_id, "")]
    texts += [chunk.embedding_text for chunk in knowledge_chunks(KnowledgeBase.load())]
    return texts


def build_shipped_cache(embedder: CachedEmbedder, extra: list[str] | None = None) -> tuple[Path, int, int]:
    """Embed what is missing and write exactly these texts' vectors. Returns (path, total, newly embedded).

    ``extra`` adds texts of tools that ship with the product (the evaluation baseline's chunks).
    """
    texts = list(dict.fromkeys([*shipped_texts(), *(extra or [])]))
    fresh = len(embedder.missing(texts))
    with tqdm(total=fresh, desc="嵌入", unit="段", disable=not fresh) as bar:
        vectors = embedder.embed_passages(texts, progress=bar.update)
    path = write_shipped(
        embedder.model_id, {text_hash(text): vector for text, vector in zip(texts, vectors, strict=True)}
    )
    assert path == shipped_cache_path(embedder.model_id)
    return path, len(texts), fresh
