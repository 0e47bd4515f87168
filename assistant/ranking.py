"""Which curated item (or article) answers the question: fusion ranks candidates, this decides the leader.

A candidate is scored on what a reader would check: how many of the question's words its title and
text contain, how close it is in meaning, whether the lexical leg found it, and whether it holds the
kind of fact asked for (a quantity for 多久/多少, a department for 找谁). Curated items win ties with
articles: they are written for operators and carry verified bases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from assistant.config import AnswerConfig
from assistant.intent import Intent
from assistant.retrieval import Hit
from kb.lexical import Tokenizer
from kb.quantities import quantity_pattern
from kb.schema import FaqEntry, Problem, Requirement

Item = Requirement | Problem | FaqEntry
_QUANTITY = quantity_pattern("工作日 日 天 年 个月 月 小时 时 米 平方米 岁 人 名 万元 元 张 台")
_DEPARTMENT = re.compile(r"部门|机关|机构|局|委员会|人民政府")
_VERDICT = re.compile(r"不得|禁止|不能|不可以|可以|应当|须|必须|无需|不需要|免")


@dataclass
class Scored:
    hit: Hit
    score: float
    coverage: float
    in_title: float = 0.0


class CandidateRanker:
    def __init__(self, items: dict[str, Item], tokenizer: Tokenizer, config: AnswerConfig) -> None:
        self.tokenizer = tokenizer
        self.config = config
        self._title: dict[str, set[str]] = {}
        self._body: dict[str, set[str]] = {}
        self._text: dict[str, str] = {}
        self._article_tokens: dict[str, set[str]] = {}
        for item_id, item in items.items():
            title = item.question if isinstance(item, FaqEntry) else item.title
            body = item.answer if isinstance(item, FaqEntry) else item.detail
            if isinstance(item, Problem):
                body = f"{body}\n{item.advice}"
            keywords = " ".join(getattr(item, "keywords", []) or [])
            self._title[item_id] = set(tokenizer.tokens(f"{title} {keywords}"))
            self._body[item_id] = set(tokenizer.tokens(body))
            self._text[item_id] = f"{title}\n{body}\n{getattr(item, 'department', '') or ''}"

    def rank(self, focus: list[str], intent: Intent, hits: list[Hit], idf: Callable[[str], float]) -> list[Scored]:
        """``focus``: the question's tokens without the business it names (see Composer.focus); ``idf``
        weighs them, so that 保安 counts and 这样 does not."""
        weights = {token: idf(token) * n for token, n in Counter(focus).items()}
        weights = {token: weight for token, weight in weights.items() if weight > 0}
        total = sum(weights.values())
        if not total:
            return []
        scored = []
        for hit in hits:
            chunk = hit.chunk
            if chunk.item_id in self._title:
                title, body, text = self._title[chunk.item_id], self._body[chunk.item_id], self._text[chunk.item_id]
            else:
                title, body, text = set(), self._tokens(chunk.id, chunk.text), chunk.text
            in_title = sum(w for t, w in weights.items() if t in title) / total
            coverage = sum(w for t, w in weights.items() if t in title or t in body) / total
            dense = min(1.0, max(0.0, ((hit.dense or 0.0) - self.config.dense_floor) / self.config.dense_span))
            lexical = 1.0 / hit.lexical_rank if hit.lexical_rank else 0.0
            score = (self.config.weight_coverage * coverage + self.config.weight_title * in_title
                     + self.config.weight_dense * dense + self.config.weight_lexical * lexical
                     + self._intent_fit(intent, text))  # fmt: skip
            scored.append(Scored(hit, score, coverage, in_title))
        return sorted(scored, key=lambda s: -s.score)

    def _tokens(self, key: str, text: str) -> set[str]:
        """Article tokens, cached: the corpus is fixed between index changes and jieba is the slow part."""
        if key not in self._article_tokens:
            self._article_tokens[key] = set(self.tokenizer.tokens(text))
        return self._article_tokens[key]

    def _intent_fit(self, intent: Intent, text: str) -> float:
        bonus = self.config.weight_intent
        if intent in (Intent.NUMBER, Intent.DEADLINE):
            return bonus if _QUANTITY.search(text) else -bonus
        if intent == Intent.DEPARTMENT:
            return bonus if _DEPARTMENT.search(text) else 0.0
        if intent == Intent.FEASIBILITY:
            return bonus / 2 if _VERDICT.search(text) else 0.0
        return 0.0
