"""Numerals and quantities, as statutes and operators write them: the one place that reads and matches them.

Chinese numerals (一百零三, 两千, 一万二, 一千零五十) are read by ``cn2an``; this module adds what it does not read
and operators write: fuzzy amounts (上千, 十几, 三百多, 一百来), ranges of digits (三四百 is read as its upper
bound, 400) and a bare leading unit (千 as in 千万元 is 一千). Arabic numbers with 万/千 (1.5万) are read here too.
"""

from __future__ import annotations

import re

import cn2an

CN_NUMBER = "[零〇一二三四五六七八九十百千万两]+"
# A number with its fuzzy suffix: "1.5万", "三百多", "十几", "一百来", "200余", "上千".
NUMBER = rf"(?:上千|上百|近千|几十|几百|\d+(?:\.\d+)?\s*[万千]?|{CN_NUMBER})(?:多|余|来|几)?"
_FUZZY = {"上千": 1000, "近千": 1000, "上百": 100, "几十": 30, "几百": 300}
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)\s*([万千]?)")
_CN_NUMERAL = re.compile(CN_NUMBER)
# Consecutive digits are a range (三四百, 一两百, 五六十): the last one counts. 零 before one digit is a placeholder
# (一千零五) and stays for cn2an.
_DIGIT_RUN = re.compile("[零〇一二两三四五六七八九]{2,}")
_PLACEHOLDER = re.compile("[零〇][一二两三四五六七八九]")

# A quantity with its unit as the knowledge states it (30日, 五十平方米, 200米, 120万元…), for grounding checks;
# four-digit years are dates, not rules.
QUANTITY = re.compile(
    r"(?<![0-9])(?!(?:19|20)\d\d年)(\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)\s*"
    r"(个工作日|工作日|日|天|年|个月|月|小时|米|平方米|㎡|周岁|岁|人|名|万元|元|倍|次|张|台)"
)


def quantity_pattern(units: str) -> re.Pattern[str]:
    """A number (Arabic or Chinese digits) followed by one of ``units`` (space-separated; ``个`` may come between)."""
    return re.compile(rf"[0-9一二三四五六七八九十百千两]+\s*(?:个)?(?:{'|'.join(units.split())})")


def parse_number(text: str) -> float | None:
    """Parse one number as matched by ``NUMBER``; ``十几`` → 15, ``二十几`` → 25, ``三百多`` → 300."""
    text = text.strip()
    if text in _FUZZY:
        return float(_FUZZY[text])
    few = text.endswith("几")
    text = text.rstrip("多余来几")
    match = _ARABIC.fullmatch(text)
    if match:
        value = float(match.group(1))
        return value * {"万": 10000, "千": 1000, "": 1}[match.group(2)]
    whole = chinese_integer(text)
    if whole is None:
        return None
    if few:  # 十几 → 15, 二十几 → 25
        whole += 5
    return float(whole)


def chinese_integer(text: str) -> int | None:
    """A Chinese numeral (一百零三, 两千, 一万二, 三四百, 千) as an int, or None when it is none."""
    if not _CN_NUMERAL.fullmatch(text):
        return None
    text = _DIGIT_RUN.sub(lambda run: run[0] if _PLACEHOLDER.fullmatch(run[0]) else run[0][-1], text)
    if text[0] in "百千":
        text = "一" + text
    try:
        return int(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError):  # not a numeral cn2an reads (十百, 千万)
        return None


def int_to_cn(number: int) -> str:
    """1..9999 in the form the statutes number their articles (十五, 一百零三)."""
    if number <= 0:
        raise ValueError("article numbers start at 1")
    return str(cn2an.an2cn(number))
