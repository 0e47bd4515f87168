"""A sentence-transformers model from a local directory (e.g. a deployment's bge-small-zh).

Loading never touches a model hub: the path must be a directory holding the model files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ingest.embedders.base import Embedder, normalise


class EmbedderConfigError(ValueError):
    """The configured embedder cannot be used; the message is Chinese and names the setting."""


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model_path: Path | None, query_prefix: str = "", passage_prefix: str = "") -> None:
        if model_path is None or not Path(model_path).is_dir():
            raise EmbedderConfigError(
                f"CHUBEI_ST_MODEL_PATH 必须指向本地 sentence-transformers 模型目录（当前：{model_path}）"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        weights = hashlib.sha256(_weights_fingerprint(Path(model_path)).encode()).hexdigest()[:12]
        self.model_id = f"st-{Path(model_path).name}-{weights}"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            dim = self._model.get_sentence_embedding_dimension() or 0
            return np.zeros((0, dim), dtype=np.float32)
        texts = [self._passage_prefix + text for text in texts]
        return normalise(self._model.encode(texts, convert_to_numpy=True, show_progress_bar=False))

    def embed_question(self, text: str) -> np.ndarray:
        return normalise(self._model.encode(self._query_prefix + text, convert_to_numpy=True))


def _weights_fingerprint(directory: Path) -> str:
    """Names and sizes of the weight files: cheap, and changes when the model does."""
    files = sorted(p for p in directory.rglob("*") if p.suffix in {".safetensors", ".bin", ".onnx"})
    return ";".join(f"{p.relative_to(directory)}:{p.stat().st_size}" for p in files)
