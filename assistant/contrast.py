"""Two sides of one rule asked about together ("只做国内游和做出境游，保证金分别交多少", "门诊病历存多少年？跟住院
病历一样吗"): the sides are read from the question, and an article that states each side in its own clause answers
both, verbatim.

The words that tell the sides apart are what remains of each after their shared head or tail (国内游/出境游 →
国内/出境; 美容外科/美容牙科 → 外科/牙科); a side is stated by a clause that names it and not the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_CLAUSE = re.compile(r"[^。；;\n]+")
_COMMA_CLAUSE = re.compile(r"[^，,。；;\n]+")
_JOIN = re.compile(r"(?:和|与|跟|同|还是|以及|或者|或)")
# What ends a side's words in the question ("和做出境游，" "跟住院病历一样吗"…).
_SIDE_END = re.compile(
    r"[，,。？?！!；;\s]|的|在|上|有|分别|各|一样|不一样|相比|比|区别|不同|差别|要|得|是|能|可以|需要|审批|报批|都"
)
# What comes before a side's own words: when (以后, 再), how much (只, 光) and the doing (加上, 做, 开).
_LEADING_VERB = re.compile(
    r"^(?:以后|将来|后面|之后|往后|再|还|也|又|另外)*(?:只|光|就|单|仅)?(?:加上|增加|添上|做|开|搞|办|弄|经营|请|干)?"
)
_MIN_KEY = 2


@dataclass(frozen=True)
class Side:
    label: str  # as the question says it, without a leading verb (出境游)
    key: str  # what tells it from the other side (出境)


@dataclass(frozen=True)
class Contrast:
    first: Side
    second: Side

    def clauses(self, text: str, weight: Callable[[str], float] = len) -> tuple[str, str] | None:
        """One clause of the text for each side (naming it and not the other), first side first; None if
        the text does not state both. Of several, the one ``weight`` (what the question asks about) favours."""
        for pattern in (_CLAUSE, _COMMA_CLAUSE):
            parts = [m.group().strip() for m in pattern.finditer(text) if m.group().strip()]
            first = _naming(parts, self.first.key, self.second.key, weight)
            second = _naming(parts, self.second.key, self.first.key, weight)
            if first and second and first != second:
                return first, second
        return None


def contrast_in(question: str) -> Contrast | None:
    """The two sides a question sets against each other; None when it names no two."""
    for match in _JOIN.finditer(question):
        before = re.split(r"[，,。？?！!；;]", question[: match.start()])[-1]
        after = _LEADING_VERB.sub("", question[match.end() :])
        end = _SIDE_END.search(after)
        second = after[: end.start()] if end else after
        first = _LEADING_VERB.sub("", _tail_phrase(before))
        if not first and len(second) >= _MIN_KEY:  # "门诊病历存多少年？跟住院病历一样吗": shares the head
            first = _sharing_head(question[: match.start()], second)
        if len(first) < _MIN_KEY or len(second) < _MIN_KEY or first == second:
            continue
        keys = _distinct(first, second)
        if keys is not None:
            return Contrast(Side(first, keys[0]), Side(second, keys[1]))
    return None


# "要是还想做出境游呢": the other side, asked after one the conversation already named.
_THAT_ONE = re.compile(r"([^，,。？?！!；;]{2,16})呢")
_SUPPOSING = re.compile(r"^(?:那么?|要是|如果|假如|若是|换成|改成)?(?:还|再|又|也)?(?:想|打算|准备|要)?")


def contrast_across(earlier: str, question: str) -> Contrast | None:
    """The side a follow-up asks about ("要是还想做出境游呢？") set against the one the earlier turn named
    with the same head or tail (先只做国内游); None when the earlier turn names no such side."""
    match = _THAT_ONE.search(question)
    if match is None:
        return None
    side = _LEADING_VERB.sub("", _SUPPOSING.sub("", match.group(1)))
    if len(side) < _MIN_KEY:
        return None
    for shared in (_MIN_KEY, 1) if len(side) > _MIN_KEY else (_MIN_KEY,):  # 出境游 after 国内游 shares only 游
        first = _LEADING_VERB.sub("", _sharing_head(earlier, side, shared))
        keys = _distinct(first, side) if len(first) >= _MIN_KEY and first != side else None
        if keys is not None:
            return Contrast(Side(first, keys[0]), Side(side, keys[1]))
    return None


def _tail_phrase(text: str) -> str:
    """The words just before a join: the last phrase of the clause (营业额和 → 营业额)."""
    words = re.split(r"的|在|是|把|对|给|从|按|让|跟|和", text)
    return words[-1].strip() if words else ""


def _sharing_head(text: str, side: str, shared: int = _MIN_KEY) -> str:
    """Earlier words ending like the side (…门诊病历… for 住院病历): up to four characters before the shared head."""
    head = side[-shared:]
    at = text.rfind(head)
    if at <= 0:
        return ""
    start = max(0, at - 4)
    return re.split(r"[，,。？?！!；;的]", text[start:at])[-1] + head


def _distinct(first: str, second: str) -> tuple[str, str] | None:
    """Each side without the head and tail it shares with the other, kept at least two characters long."""
    prefix = 0
    while prefix < min(len(first), len(second)) and first[prefix] == second[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(first), len(second)) - prefix and first[-1 - suffix] == second[-1 - suffix]:
        suffix += 1
    a, b = first[prefix : len(first) - suffix], second[prefix : len(second) - suffix]
    if not a or not b:
        return None
    if len(a) < _MIN_KEY or len(b) < _MIN_KEY:  # 外/牙 → 外科/牙科: with the shared tail (or head) beside them
        if suffix:
            a, b = first[prefix : len(first) - suffix + 1], second[prefix : len(second) - suffix + 1]
        elif prefix:
            a, b = first[prefix - 1 : len(first) - suffix], second[prefix - 1 : len(second) - suffix]
    return (a[-4:], b[-4:]) if len(a) >= _MIN_KEY and len(b) >= _MIN_KEY else None


def _naming(parts: list[str], key: str, other: str, weight: Callable[[str], float]) -> str | None:
    """The clause that names the key (or its last two characters) and not the other side, heaviest first."""
    for candidate in (key, key[-_MIN_KEY:]):
        naming = [part for part in parts if candidate in part and other not in part and other[-_MIN_KEY:] not in part]
        if naming:
            return max(naming, key=lambda part: (weight(part), -naming.index(part)))
    return None
