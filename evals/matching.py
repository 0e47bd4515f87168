"""How an expected fact is found in an answer: alternatives joined by |, whitespace and case ignored,
Chinese numerals read as numbers (三十日 = 30日, 二百米 = 200米) on both sides."""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import cn2an

KEY_FACT_WINDOW = 200
# Verdict words show that an answer takes a position; they do not show that a citation supports it.
VERDICT_WORDS = frozenset(
    {"能", "不能", "可以", "不可以", "不得", "禁止", "需要", "不需要", "无需", "必须", "应当", "不行", "行"}
)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    text = re.sub(r"\s+", "", text).lower().replace("（", "(").replace("）", ")")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cn2an.transform(text, "cn2an")
        except (ValueError, KeyError, IndexError):
            return text


def alternatives(entry: str) -> list[str]:
    return [part for part in entry.split("|") if part.strip()]


def found(entry: str, text: str) -> bool:
    """Whether any alternative of the entry appears in the text."""
    haystack = normalize(text)
    return any(normalize(alt) in haystack for alt in alternatives(entry))


def found_early(entry: str, answer: str, window: int = KEY_FACT_WINDOW) -> bool:
    """Whether the entry appears within the first ``window`` characters of the answer."""
    return found(entry, answer[:window])


def keyword_entry(entry: str) -> list[str] | None:
    """``kw:a|b`` → [a, b]; an item id → None."""
    return alternatives(entry[3:]) if entry.startswith("kw:") else None


def states_fact(quote: str, entries: list[str]) -> bool:
    """Whether a quoted text states one of the expected facts (verdict words do not count)."""
    for entry in entries:
        for alt in alternatives(entry):
            if alt not in VERDICT_WORDS and len(alt) >= 2 and normalize(alt) in normalize(quote):
                return True
    return False
