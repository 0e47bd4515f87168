"""Numerals and quantities (kb/quantities.py): statute numerals through cn2an, operators' colloquial forms on top."""

from __future__ import annotations

import pytest

from kb.grounding import quantities
from kb.legal_text import split_articles
from kb.quantities import chinese_integer, int_to_cn, parse_number, quantity_pattern


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一百零三", 103),
        ("一千零五十", 1050),
        ("两千", 2000),
        ("一千五", 1500),  # 一千五 is 1500, not 1005
        ("一万二", 12000),
        ("三万五千", 35000),
        ("十五", 15),
        ("三四百", 400),  # a range: its upper bound
        ("一两百", 200),
        ("五六十", 60),
        ("千", 1000),  # 千万元: one thousand 万元
        ("百", 100),
    ],
)
def test_chinese_numerals_statutes_and_operators_write(text: str, value: int) -> None:
    assert chinese_integer(text) == value


@pytest.mark.parametrize("text", ["十百", "百千", "万", "三十米", "", "12"])
def test_what_is_no_chinese_numeral_is_none(text: str) -> None:
    assert chinese_integer(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("400", 400.0), ("1.5万", 15000.0), ("两千", 2000.0), ("一百来", 100.0), ("十几", 15.0), ("二十几", 25.0),
     ("三百多", 300.0), ("200余", 200.0), ("上千", 1000.0), ("几十", 30.0), ("上万", None)],
)  # fmt: skip
def test_numbers_operators_write(text: str, value: float | None) -> None:
    assert parse_number(text) == value


def test_article_numbers_round_trip_through_the_statutes_form() -> None:
    assert [int_to_cn(n) for n in (10, 15, 20, 103, 110)] == ["十", "十五", "二十", "一百零三", "一百一十"]
    assert all(chinese_integer(int_to_cn(n)) == n for n in range(1, 10000))
    with pytest.raises(ValueError):
        int_to_cn(0)


def test_a_quantity_is_the_same_however_it_is_written() -> None:
    assert set(quantities("应当在三十日内办结")) == set(quantities("30天内办结")) == {(30.0, "日")}
    assert set(quantities("面积五十平方米以上，一人一证")) == {(50.0, "平方米")}  # 一人: wording, not a number
    assert quantities("2023年修订") == {}  # a year is a date


def test_a_quantity_pattern_takes_the_units_it_is_given() -> None:
    pattern = quantity_pattern("工作日 个月 平方米")
    assert pattern.search("3个月内") and pattern.search("二十个工作日") and pattern.search("500 平方米")
    assert not pattern.search("三十日") and not pattern.search("许多工作日")


def test_an_unreadable_article_number_is_text_of_the_article_before() -> None:
    articles = split_articles("第一条 总则。\n第十百条 不是条号。\n第二条 其他。")
    assert [(a.label, a.number) for a in articles] == [("第一条", 1), ("第二条", 2)]
    assert articles[0].text == "总则。\n第十百条 不是条号。"
