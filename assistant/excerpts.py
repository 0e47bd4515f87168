"""Choosing what to quote from an article: a contiguous, verbatim span that best answers the question."""

from __future__ import annotations

import re

from assistant.intent import Intent
from kb.lexical import Tokenizer
from kb.quantities import quantity_pattern

WHOLE_ARTICLE = 300
WINDOW = 300
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
# A question about an amount (多久, 几年, 多少钱, 多远…) is answered by a sentence with a quantity.
_ASKS_QUANTITY = re.compile(r"多久|多长|多少|几[天年月日个人台张名岁次]|多大|多远|多高|期限|时限|有效期|什么时候|提前")
_QUANTITY = quantity_pattern("工作日 日 天 年 个月 月 小时 时 米 平方米 周岁 岁 人 名 万元 元 倍 次")


# What a sentence must contain to answer each kind of question, and how much that counts.
_INTENT_CUES: dict[Intent, tuple[re.Pattern[str], float]] = {
    Intent.DEPARTMENT: (re.compile(r"部门|机关|机构|局|委员会|人民政府|窗口"), 1.5),
    Intent.FEASIBILITY: (
        re.compile(r"不得|禁止|不能|不可以|不予|可以|应当|须|必须|无需|不需要|免于|免办|不属于|属于"),
        1.0,
    ),
    Intent.DEFINITION: (re.compile(r"是指|所称|属于|包括|即|指的是"), 1.5),
    Intent.PROCEDURE: (re.compile(r"申请|办理|提交|向|先|后|之前|之后"), 0.5),
    Intent.PREREQUISITES: (re.compile(r"先|后|之前|之后|取得.{0,12}后|前置"), 1.0),
    Intent.CONDITIONS: (re.compile(r"条件|具备|符合|应当有|具有"), 1.0),
    Intent.MATERIALS: (re.compile(r"材料|提交|证明|申请书"), 1.0),
}
# A list's lead-in that says what it takes (条件, 材料, 不得…), unlike one that says what a law covers
# ("本条例适用于下列公共场所："), which answers no list question.
LISTS_WHAT_IT_TAKES = re.compile(r"条件|材料|文件|资料|设施|设备|人员|制度|内容|不得|不予|禁止|应当|必须|须")
_TIME = re.compile(r"[0-9一二三四五六七八九十百两]+\s*(?:个)?(?:工作日|日|天|年|个月|月|小时|时)")


def sentence_score(
    sentence: str,
    wanted: set[str],
    tokenizer: Tokenizer,
    intent: Intent,
    wants_quantity: bool,
    unit: re.Pattern[str] | None = None,
) -> float:
    """Question-word overlap, plus what the kind of question needs (a quantity — in the unit asked, when it
    says one: 多少钱 → 元 — a department, a verdict…)."""
    score = float(len(wanted & set(tokenizer.tokens(sentence))))
    if wants_quantity and _QUANTITY.search(sentence):
        score += 2.5
        if intent == Intent.DEADLINE and _TIME.search(sentence):
            score += 1.0
        if unit is not None and unit.search(sentence):
            score += 1.0
    cue = _INTENT_CUES.get(intent)
    if cue is not None and cue[0].search(sentence):
        score += cue[1]
    return score


def sentence_scores(
    text: str, spans: list[tuple[int, int]], tokens: list[str], tokenizer: Tokenizer, question: str
) -> list[float]:
    """Query-token overlap per sentence, plus a bonus for quantities when the question asks for one."""
    wanted = set(tokens)
    wants_quantity = bool(_ASKS_QUANTITY.search(question))
    return [sentence_score(text[start:end], wanted, tokenizer, Intent.OTHER, wants_quantity) for start, end in spans]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences and list items, in order."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def best_excerpt(text: str, tokens: list[str], tokenizer: Tokenizer, question: str = "") -> str:
    """The whole text if short; else the contiguous span (≤ WINDOW chars) that covers the best sentences.

    Sentences are taken best-first while they fit in one span, so a question with two parts
    (有效期几年？提前多久延续？) gets both answering sentences; a list's lead-in is kept for context.
    """
    text = text.strip()
    if len(text) <= WHOLE_ARTICLE:
        return text
    spans = sentences(text)
    if not spans:
        return text[:WINDOW]
    scores = sentence_scores(text, spans, tokens, tokenizer, question)
    order = sorted(range(len(spans)), key=lambda i: (-scores[i], i))
    low = high = order[0]
    for index in order[1:]:
        if scores[index] <= 0:
            break
        new_low, new_high = min(low, index), max(high, index)
        if spans[new_high][1] - spans[new_low][0] <= WINDOW:
            low, high = new_low, new_high
    while low > 0 and spans[high][1] - spans[low - 1][0] <= WINDOW // 2:
        low -= 1  # short answers read better with what comes before them
    return text[spans[low][0] : spans[high][1]].strip()


def best_sentence(text: str, tokens: list[str], tokenizer: Tokenizer, question: str = "") -> str:
    spans = sentences(text)
    if not spans:
        return text.strip()
    scores = sentence_scores(text, spans, tokens, tokenizer, question)
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    start, end = spans[best]
    # A list item alone reads badly: keep the lead-in sentence that introduces the list.
    if best > 0 and re.match(r"\s*[（(][一二三四五六七八九十]+[)）]", text[start:end]):
        lead_start = spans[_lead_in(text, spans, best)][0]
        if end - lead_start <= WINDOW:
            start = lead_start
    return text[start:end].strip()


def _lead_in(text: str, spans: list[tuple[int, int]], index: int) -> int:
    for i in range(index - 1, -1, -1):
        if not re.match(r"\s*[（(][一二三四五六七八九十]+[)）]", text[spans[i][0] : spans[i][1]]):
            return i
    return 0
