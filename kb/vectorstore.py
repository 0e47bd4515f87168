"""The vector store: Chroma, embedded on disk by default or a Chroma server when configured.

Chroma never embeds anything itself here: vectors come from our embedder (and its cache),
so collections are created without an embedding function and no model is ever downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np

from chubei.settings import Settings
from ingest.chunks import Chunk

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb
from chromadb.config import Settings as ChromaSettings


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached; the message is Chinese and names the setting."""


@dataclass
class DenseHit:
    chunk: Chunk
    similarity: float


def make_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise StoreUnavailable(f"CHUBEI_CHROMA_URL 格式不正确：{settings.chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as error:  # chromadb raises plain exceptions on connection failure
            raise StoreUnavailable(f"无法连接 Chroma 服务 {settings.chroma_url}：{error}") from error
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class VectorStore:
    """Chunks with their vectors in one Chroma collection per embedding model."""

    def __init__(self, client: chromadb.ClientAPI, name: str) -> None:
        self.client = client
        self.collection = client.get_or_create_collection(
            name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    @classmethod
    def from_settings(cls, settings: Settings, model_id: str) -> VectorStore:
        return cls(make_client(settings), collection_name(settings.collection, model_id))

    @property
    def identity(self) -> str:
        """Changes when the collection is recreated (e.g. a new, empty Chroma server)."""
        return str(self.collection.id)

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray, batch: int = 256) -> None:
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self.collection.upsert(
                ids=[chunk.id for chunk in part],
                embeddings=vectors[start : start + batch],
                documents=[chunk.text for chunk in part],
                metadatas=[chunk.metadata() for chunk in part],
            )

    def ids_for_source(self, source: str) -> set[str]:
        return set(self.collection.get(where={"source": source}, include=[])["ids"])

    def delete_ids(self, ids: set[str]) -> None:
        if ids:
            self.collection.delete(ids=sorted(ids))

    def query(self, vector: np.ndarray, k: int, kinds: tuple[str, ...] | None = None) -> list[DenseHit]:
        if self.count() == 0:
            return []
        where = {"kind": {"$in": list(kinds)}} if kinds else None
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            DenseHit(Chunk.from_stored(chunk_id, text, metadata), 1.0 - float(distance))
            for chunk_id, text, metadata, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
            )
        ]

    def iter_chunks(self, page: int = 1000) -> Iterator[Chunk]:
        offset = 0
        while True:
            result = self.collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not result["ids"]:
                return
            for chunk_id, text, metadata in zip(result["ids"], result["documents"], result["metadatas"], strict=True):
                yield Chunk.from_stored(chunk_id, text, metadata)
            offset += len(result["ids"])


def collection_name(prefix: str, model_id: str) -> str:
    """Chroma names: 3–512 chars of [a-zA-Z0-9._-], starting and ending alphanumeric."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in f"{prefix}-{model_id}")
    return safe.strip("-_")[:120]
