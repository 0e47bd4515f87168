"""Numbers as operators write them: 400, 1.5万, 两千, 一百来, 十几, 三百多, 上千."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUMBER = "[零〇一二三四五六七八九十百千万两]+"
# A number with its fuzzy suffix: "1.5万", "三百多", "十几", "一百来", "200余", "上千".
NUMBER = rf"(?:上千|上百|近千|几十|几百|\d+(?:\.\d+)?\s*[万千]?|{CN_NUMBER})(?:多|余|来|几)?"
_FUZZY = {"上千": 1000, "近千": 1000, "上百": 100, "几十": 30, "几百": 300}


def parse_number(text: str) -> float | None:
    """Parse one number as matched by ``NUMBER``; ``十几`` → 15, ``二十几`` → 25, ``三百多`` → 300."""
    text = text.strip()
    if text in _FUZZY:
        return float(_FUZZY[text])
    few = text.endswith("几")
    text = text.rstrip("多余来几")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([万千]?)", text)
    if match:
        value = float(match.group(1))
        return value * {"万": 10000, "千": 1000, "": 1}[match.group(2)]
    whole = _chinese(text)
    if whole is None:
        return None
    if few:  # 十几 → 15, 二十几 → 25
        whole += 5
    return float(whole)


def _chinese(text: str) -> int | None:
    if not text or any(char not in _DIGITS and char not in _UNITS for char in text):
        return None
    total, section, digit, last_unit = 0, 0, 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            total += (section + digit) * 10000
            section, digit, last_unit = 0, 0, 10000
        else:
            section += (digit or 1) * _UNITS[char]
            digit, last_unit = 0, _UNITS[char]
    if digit and last_unit >= 100 and text[-2] in "万千百":  # 一千五 = 1500, 一万二 = 12000
        digit *= last_unit // 10
    return total + section + digit
