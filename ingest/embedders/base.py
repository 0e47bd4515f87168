"""Embedders: one class per backend behind langchain-core's ``Embeddings`` interface."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
from langchain_core.embeddings import Embeddings


class Embedder(Embeddings):
    """A model that turns text into unit vectors.

    ``model_id`` names the exact weights (it keys the embedding cache, so it must change
    whenever the vectors would). Queries and passages may be embedded differently (e5 adds
    ``query:``/``passage:`` prefixes), hence the two methods.
    """

    model_id: str

    @abstractmethod
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed documents; returns a float32 array of shape (len(texts), dim), rows L2-normalised."""

    @abstractmethod
    def embed_question(self, text: str) -> np.ndarray:
        """Embed one query; returns a float32 unit vector."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_question(text).tolist()


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
