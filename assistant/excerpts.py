"""Choosing what to quote from an article: a contiguous, verbatim span that best answers the question."""

from __future__ import annotations

import re

from kb.lexical import Tokenizer

WHOLE_ARTICLE = 300
WINDOW = 300
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
# A question about an amount (多久, 几年, 多少钱, 多远…) is answered by a sentence with a quantity.
_ASKS_QUANTITY = re.compile(r"多久|多长|多少|几[天年月日个人台张名岁次]|多大|多远|多高|期限|时限|有效期|什么时候|提前")
_QUANTITY = re.compile(
    r"[0-9一二三四五六七八九十百千两]+\s*(?:个)?(?:工作日|日|天|年|个月|月|小时|时|米|平方米|周岁|岁|人|名|万元|元|倍|次)"
)


def sentence_scores(
    text: str, spans: list[tuple[int, int]], tokens: list[str], tokenizer: Tokenizer, question: str
) -> list[float]:
    """Query-token overlap per sentence, plus a bonus for quantities when the question asks for one."""
    wanted = set(tokens)
    wants_quantity = bool(_ASKS_QUANTITY.search(question))
    scores = []
    for start, end in spans:
        sentence = text[start:end]
        score = float(len(wanted & set(tokenizer.tokens(sentence))))
        if wants_quantity and _QUANTITY.search(sentence):
            score += 1.5
        scores.append(score)
    return scores


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
