"""Normalising OCR and PDF text for rule matching, and reading dates and numbers written the Chinese way."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import cn2an

_SPACE_RE = re.compile(r"\s+")
# OCR reads 〇 as O/o and 年 dates with stray dots; Y年M月D日, Y-M-D, Y.M.D, Y/M/D
DATE_RE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
CN_NUMBER = r"[零〇一二两三四五六七八九十百\d]+"


def normalise(line: str) -> str:
    """NFKC (full-width letters, digits and punctuation to ASCII; ㎡ to m2) without any whitespace."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", line))


def parse_date(text: str) -> date | None:
    match = DATE_RE.search(text)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def number(text: str) -> float | None:
    """3, 3.5 or 三 / 十二 as a number."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def years_between(start: date, end: date) -> float:
    """The length of a term such as 2026-01-01 – 2030-12-31 in years (that one is 5.0)."""
    return round(((end - start).days + 1) / 365.25, 1)
