"""The shipped regulation corpus is parsed into exactly the articles its MANIFEST lists."""

from __future__ import annotations

import pytest

from kb.corpus import CORPUS_DIR, load_regulation, manifest, shipped_corpus
from kb.legal_text import split_articles
from kb.quantities import chinese_integer, int_to_cn

MANIFEST = manifest()


@pytest.mark.parametrize("row", MANIFEST, ids=[row["slug"] for row in MANIFEST])
def test_article_count_matches_manifest(row: dict[str, str]) -> None:
    regulation = load_regulation(CORPUS_DIR / f"{row['slug']}.md")
    assert regulation.title == row["title"]
    assert len(regulation.articles) == int(row["articles"])
    labels = [article.label for article in regulation.articles]
    assert len(set(labels)) == len(labels)
    assert [a.number for a in regulation.articles] == sorted(a.number for a in regulation.articles)


def test_every_corpus_file_is_in_the_manifest() -> None:
    assert {path.stem for path in CORPUS_DIR.glob("*.md")} == {row["slug"] for row in MANIFEST}


@pytest.mark.parametrize("number", [1, 9, 10, 11, 20, 21, 99, 100, 101, 105, 110, 116, 122])
def test_chinese_numerals_round_trip(number: int) -> None:
    assert chinese_integer(int_to_cn(number)) == number


def test_known_article_and_chapter() -> None:
    article = shipped_corpus().find_article("yule-changsuo-guanli-tiaoli", "第七条")
    assert article is not None
    assert article.chapter == "第二章 设立"
    assert "建筑物地下一层以下" in article.text


def test_outdated_texts_carry_a_caveat() -> None:
    corpus = shipped_corpus()
    assert "可能已修订" in corpus.get("jingying-gaoweixianxing-tiyu-xiangmu-xuke-guanli-banfa").caveat
    assert corpus.get("xiaofang-fa").caveat == ""


def test_quote_matching_ignores_whitespace_only() -> None:
    corpus = shipped_corpus()
    doc = "hulianwang-shangwang-fuwu-yingye-changsuo-guanli-tiaoli"
    assert corpus.quote_found(doc, "第九条", "中学、小学校园周围200米范围内")
    assert corpus.quote_found(doc, "第九条", "中学、小学 校园周围\n200米范围内")
    assert not corpus.quote_found(doc, "第九条", "中学、小学校园周围300米范围内")
    assert not corpus.quote_found(doc, "第九百条", "中学")


def test_sections_and_plain_headings_are_recognised() -> None:
    text = "第一章 总则\n第一条 甲。\n第二节 申请\n第二条 乙；\n（一）丙；\n第三条之一 丁。"
    articles = split_articles(text)
    assert [a.label for a in articles] == ["第一条", "第二条", "第三条之一"]
    assert articles[1].path == "第一章 总则 / 第二节 申请"
    assert articles[1].text == "乙；\n（一）丙；"
