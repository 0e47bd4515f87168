"""The vector store: Chroma, embedded on disk by default or a Chroma server when configured.

Chroma never embeds anything itself here: vectors come from our embedder (and its cache),
so collections are created without an embedding function and no model is ever downloaded.

Chunks live in one collection per retrieval pool (sources; curated knowledge). A query for a
pool is then a plain nearest-neighbour search: a metadata filter (``where kind in …``) over one
shared collection costs 585 ms at 100k chunks where the unfiltered search costs 3 ms.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import numpy as np

from kb.chunks import KNOWLEDGE_KINDS, SOURCE_KINDS, Chunk

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb
from chromadb.api.collection_configuration import CreateCollectionConfiguration
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import Embedding, LiteralValue, Where
from chromadb.base_types import InclusionExclusionOperator
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, InternalError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Pool name → the chunk kinds stored in its collection.
POOLS: dict[str, tuple[str, ...]] = {"sources": SOURCE_KINDS, "knowledge": KNOWLEDGE_KINDS}


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached; the message is Chinese and names the setting."""


@dataclass
class DenseHit:
    chunk: Chunk
    similarity: float


def make_client(chroma_url: str | None, chroma_dir: Path) -> chromadb.ClientAPI:
    """A Chroma server client when ``chroma_url`` is set, else the embedded store in ``chroma_dir``."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if not url.hostname:
            raise StoreUnavailable(f"CHUBEI_CHROMA_URL 格式不正确：{chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as error:  # chromadb raises plain exceptions on connection failure
            raise StoreUnavailable(f"无法连接 Chroma 服务 {chroma_url}：{error}") from error
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings)


def forget_embedded_system(chroma_dir: Path) -> None:
    """Drop this process's cached Chroma system for ``chroma_dir`` so the next client reads the disk afresh.

    An embedded Chroma keeps its index in memory; after another process (``chubei ingest`` beside a
    running server) has written to the same directory, queries fail with "Error finding id" until the
    store is opened again. chromadb shares one system per path and process and offers no per-path
    reset, hence this reach into its cache; tests/test_ingest.py covers it across chromadb upgrades.
    """
    SharedSystemClient._identifier_to_system.pop(str(chroma_dir), None)
    SharedSystemClient._identifier_to_refcount.pop(str(chroma_dir), None)


class VectorStore:
    """Chunks with their vectors in one Chroma collection per pool and embedding model."""

    def __init__(
        self, connect: Callable[[], chromadb.ClientAPI], name: str, reset: Callable[[], None], ef_search: int
    ) -> None:
        self._connect = connect
        self._reset = reset
        self.name = name
        self.ef_search = ef_search
        self._open()

    @classmethod
    def open(cls, chroma_url: str | None, chroma_dir: Path, prefix: str, model_id: str, ef_search: int) -> VectorStore:
        reset = (lambda: None) if chroma_url else (lambda: forget_embedded_system(chroma_dir))
        return cls(lambda: make_client(chroma_url, chroma_dir), collection_name(prefix, model_id), reset, ef_search)

    def _open(self) -> None:
        self.client = self._connect()
        self.collections = {pool: self._collection(f"{self.name}-{pool}") for pool in POOLS}
        self._drop_single_collection()

    def _collection(self, name: str) -> Collection:
        """A cosine collection searched with ``ef_search`` candidates (set again on a collection made before)."""
        configuration: CreateCollectionConfiguration = {"hnsw": {"space": "cosine", "ef_search": self.ef_search}}
        collection = self.client.get_or_create_collection(name, embedding_function=None, configuration=configuration)
        if (collection.configuration.get("hnsw") or {}).get("ef_search") != self.ef_search:
            collection.modify(configuration={"hnsw": {"ef_search": self.ef_search}})
        return collection

    def _drop_single_collection(self) -> None:
        """Before pools, everything lived in one collection named ``self.name``; its chunks are re-indexed."""
        if any(collection.name == self.name for collection in self.client.list_collections()):
            self.client.delete_collection(self.name)

    def reopen(self) -> None:
        """Read the store afresh after another process has written to it."""
        self._reset()
        self._open()

    @property
    def identity(self) -> str:
        """Changes when a collection is recreated (e.g. a new, empty Chroma server)."""
        return "+".join(str(collection.id) for collection in self.collections.values())

    def count(self) -> int:
        return sum(collection.count() for collection in self.collections.values())

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray, batch: int = 256) -> None:
        for pool, indices in _by_pool(chunks).items():
            collection = self.collections[pool]
            for start in range(0, len(indices), batch):
                part = indices[start : start + batch]
                collection.upsert(
                    ids=[chunks[i].id for i in part],
                    embeddings=vectors[part],
                    documents=[chunks[i].text for i in part],
                    metadatas=[chunks[i].metadata() for i in part],
                )

    def ids_for_source(self, source: str) -> set[str]:
        ids: set[str] = set()
        for collection in self.collections.values():
            ids.update(collection.get(where={"source": source}, include=[])["ids"])
        return ids

    def delete_ids(self, ids: set[str]) -> None:
        if ids:
            for collection in self.collections.values():
                collection.delete(ids=sorted(ids))

    def query(
        self,
        vector: np.ndarray,
        k: int,
        kinds: tuple[str, ...] | None = None,
        known: Mapping[str, Chunk] | None = None,
    ) -> list[DenseHit]:
        """Nearest chunks of the given kinds (all kinds when None), best first.

        ``known``: chunks the caller already holds, by id (the live BM25 index keeps every chunk). Only the
        hits not found there are read back from Chroma: reading the texts and metadata of the hits costs
        several times the search itself (about 5 of 7 ms per pool at 7.6k chunks). A hit deleted by a
        concurrent writer between the search and that read is left out.
        A query that fails because another process changed an embedded store is retried once on a
        freshly opened store.
        """
        try:
            return self._query(vector, k, kinds, known)
        except ChromaError as error:
            log.warning("向量库查询失败，重新打开后重试：%s", error)
            self.reopen()
            return self._query(vector, k, kinds, known)

    def _query(
        self, vector: np.ndarray, k: int, kinds: tuple[str, ...] | None, known: Mapping[str, Chunk] | None
    ) -> list[DenseHit]:
        hits: list[DenseHit] = []
        for pool, pool_kinds in POOLS.items():
            wanted = pool_kinds if kinds is None else tuple(kind for kind in pool_kinds if kind in kinds)
            if not wanted:
                continue
            where = None if wanted == pool_kinds else _kind_in(wanted)
            embedding: Embedding = np.asarray(vector, dtype=np.float32)
            collection = self.collections[pool]
            result = collection.query(query_embeddings=[embedding], n_results=k, where=where, include=["distances"])
            ids = result["ids"][0]
            held = known or {}
            chunks = {chunk_id: held[chunk_id] for chunk_id in ids if chunk_id in held}
            chunks.update(_read(collection, [chunk_id for chunk_id in ids if chunk_id not in chunks]))
            hits += [
                DenseHit(chunks[chunk_id], 1.0 - float(distance))
                for chunk_id, distance in zip(ids, _included(result["distances"])[0], strict=True)
                if chunk_id in chunks
            ]
        hits.sort(key=lambda hit: -hit.similarity)
        return hits[:k]

    def iter_chunks(self, page: int = 1000) -> Iterator[Chunk]:
        for collection in self.collections.values():
            offset = 0
            while True:
                result = collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
                if not result["ids"]:
                    break
                for chunk_id, text, metadata in zip(
                    result["ids"], _included(result["documents"]), _included(result["metadatas"]), strict=True
                ):
                    yield Chunk.from_stored(chunk_id, text, metadata)
                offset += len(result["ids"])


def _read(collection: Collection, ids: list[str]) -> dict[str, Chunk]:
    """The stored chunks with these ids, by id."""
    if not ids:
        return {}
    result = collection.get(ids=ids, include=["documents", "metadatas"])
    rows = zip(result["ids"], _included(result["documents"]), _included(result["metadatas"]), strict=True)
    return {chunk_id: Chunk.from_stored(chunk_id, text, metadata) for chunk_id, text, metadata in rows}


def _kind_in(kinds: tuple[str, ...]) -> Where:
    """Chroma's filter for chunks of these kinds."""
    operator: dict[InclusionExclusionOperator, list[LiteralValue]] = {"$in": list(kinds)}
    return {"kind": operator}


def _included(field: T | None) -> T:
    """A field the call named in ``include``: Chroma returns it, though its result types make every field optional."""
    if field is None:
        raise InternalError("向量库未返回查询所要求的字段")
    return field


def _by_pool(chunks: list[Chunk]) -> dict[str, list[int]]:
    indices: dict[str, list[int]] = {pool: [] for pool in POOLS}
    for i, chunk in enumerate(chunks):
        indices[pool_of(chunk.kind)].append(i)
    return {pool: part for pool, part in indices.items() if part}


def pool_of(kind: str) -> str:
    return next(pool for pool, kinds in POOLS.items() if kind in kinds)


def collection_name(prefix: str, model_id: str) -> str:
    """Chroma names: 3–512 chars of [a-zA-Z0-9._-], starting and ending alphanumeric (a pool suffix follows)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in f"{prefix}-{model_id}")
    return safe.strip("-_")[:100]
