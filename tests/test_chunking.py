"""Legal-aware chunking: one chunk per 条, long ones cut on 款/项 with their label; others fall back."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import MAX_CHARS, chunk_document
from ingest.indexer import source_key
from ingest.loaders import load_document
from ingest.loaders.base import LoadedDocument
from kb.corpus import CORPUS_DIR, shipped_corpus
from kb.legal_text import normalize_space

CORPUS_FILES = sorted(CORPUS_DIR.glob("*.md"))


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_chunks_rebuild_every_article_verbatim(path: Path) -> None:
    _, doc_id = source_key(path)
    chunks = chunk_document(load_document(path), doc_id, "test")
    regulation = shipped_corpus().get(doc_id)
    by_article: dict[str, list] = {}
    for chunk in chunks:
        assert chunk.kind == "regulation"
        assert chunk.title == regulation.title
        by_article.setdefault(chunk.article, []).append(chunk)
    assert list(by_article) == [article.label for article in regulation.articles]
    for article in regulation.articles:
        parts = by_article[article.label]
        assert all(part.text in article.text for part in parts)
        assert normalize_space("".join(part.text for part in parts)) == normalize_space(article.text)
        assert all(part.chapter == article.path for part in parts)


def test_long_article_is_split_on_paragraphs_and_keeps_its_label() -> None:
    items = "\n".join(
        f"（{n}）" + "经营者应当建立健全安全管理制度并落实到每一个岗位" * 3 + "；" for n in "一二三四五六七八九十"
    )
    text = (
        f"第一条 为了规范管理，制定本办法。\n第二条 经营者应当遵守下列规定：\n{items}\n第三条 本办法自公布之日起施行。"
    )
    document = LoadedDocument(path=Path("x.txt"), format="text", title="示例办法", text=text)
    chunks = chunk_document(document, "demo", "test")
    second = [chunk for chunk in chunks if chunk.article == "第二条"]
    assert len(second) > 1
    assert [chunk.part for chunk in second] == list(range(1, len(second) + 1))
    assert [chunk.id for chunk in second] == [f"demo:第二条#{n}" for n in range(1, len(second) + 1)]
    assert all(len(chunk.text) <= MAX_CHARS + 1 for chunk in second)
    assert second[1].context == "经营者应当遵守下列规定："
    assert all(line.startswith("（") for chunk in second[1:] for line in chunk.text.splitlines())


def test_non_legal_text_uses_the_chinese_recursive_splitter() -> None:
    sentence = "筹备期合伙人机制为高投资项目提供一对一服务，专员提前介入指导选址和装修。"
    document = LoadedDocument(path=Path("guide.txt"), format="text", title="服务指南", text=sentence * 30)
    chunks = chunk_document(document, "guide", "test")
    assert len(chunks) > 1
    assert all(chunk.kind == "document" and chunk.article == "" for chunk in chunks)
    assert all(len(chunk.text) <= 400 for chunk in chunks)
    assert all(chunk.text.endswith("。") for chunk in chunks)
