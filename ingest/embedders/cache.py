"""Embedding cache keyed by model and text hash.

Two layers: a read-only file shipped in the repo for the bundled corpus and knowledge
(``kb/embeddings/<model_id>.npz``), so a fresh install never re-embeds them, and a SQLite
file in the data dir for everything embedded since. ``chubei cache build`` rewrites the
shipped file; a test checks it covers every bundled chunk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from ingest.embedders.base import Embedder
from kb.chunks import text_hash

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "kb" / "embeddings"
Progress = Callable[[int], object]  # called with each batch's size; what it returns is ignored (tqdm.update)


def shipped_cache_path(model_id: str, directory: Path = SHIPPED_DIR) -> Path:
    return directory / f"{model_id}.npz"


def read_shipped(model_id: str, directory: Path = SHIPPED_DIR) -> dict[str, np.ndarray]:
    path = shipped_cache_path(model_id, directory)
    if not path.exists():
        return {}
    with np.load(path) as data:
        return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))


def write_shipped(model_id: str, vectors: dict[str, np.ndarray], directory: Path = SHIPPED_DIR) -> Path:
    path = shipped_cache_path(model_id, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(vectors)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, keys=np.array(keys), vectors=np.stack([vectors[key] for key in keys]).astype(np.float32))
    tmp.replace(path)
    return path


class EmbeddingCache:
    """Vectors by (model, sha256(text)); shipped layer first, then the local SQLite layer."""

    def __init__(self, path: Path, model_id: str, shipped_dir: Path = SHIPPED_DIR) -> None:
        self.model_id = model_id
        self._shipped = read_shipped(model_id, shipped_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key))"
        )

    def get(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        missing: list[str] = []
        for key in keys:
            if key in self._shipped:
                found[key] = self._shipped[key]
            else:
                missing.append(key)
        for start in range(0, len(missing), 500):
            batch = missing[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [self.model_id, *batch]
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vector) VALUES (?, ?, ?)",
                [(self.model_id, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in vectors.items()],
            )

    def close(self) -> None:
        self._db.close()


class CachedEmbedder(Embedder):
    """Wraps an embedder: passages come from the cache when known, queries from a small memory cache."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache, batch_size: int = 16) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.batch_size = batch_size
        self._queries: dict[str, np.ndarray] = {}

    def embed_passages(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        """Vectors for ``texts``; ``progress`` is called with the size of each newly embedded batch."""
        keys = [text_hash(text) for text in texts]
        known = self.cache.get(set(keys))
        todo = {key: text for key, text in zip(keys, texts, strict=True) if key not in known}
        pending = list(todo.items())
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            vectors = self.inner.embed_passages([text for _, text in batch])
            fresh = {key: vector for (key, _), vector in zip(batch, vectors, strict=True)}
            self.cache.put(fresh)
            known.update(fresh)
            if progress:
                progress(len(batch))
        if not texts:
            return self.inner.embed_passages([])
        return np.stack([known[key] for key in keys]).astype(np.float32)

    def embed_question(self, text: str) -> np.ndarray:
        vector = self._queries.get(text)
        if vector is None:
            vector = self.inner.embed_question(text)
            if len(self._queries) > 2048:
                self._queries.clear()
            self._queries[text] = vector
        return vector

    def missing(self, texts: list[str]) -> list[str]:
        keys = [text_hash(text) for text in texts]
        known = self.cache.get(set(keys))
        return [text for key, text in zip(keys, texts, strict=True) if key not in known]
