"""Choosing the one sentence that answers, among the best few curated items and articles.

Documents are ranked by retrieval; the answer is a sentence. A sentence scores for the question's
rare words it contains (IDF-weighted), for holding the kind of fact asked for (a quantity for
多久, a department for 找谁, a verdict for 能不能), and for the rank of the document it comes from.
Curated items compete with articles sentence by sentence, so "录像资料留存30日" wins over an
article's opening sentence about installing cameras.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.config import AnswerConfig
from assistant.excerpts import LISTS_WHAT_IT_TAKES, sentences
from assistant.intent import Intent
from kb.chunks import Chunk
from kb.lexical import Tokenizer
from kb.quantities import quantity_pattern

_QUANTITY = quantity_pattern("工作日 日 天 年 个月 月 小时 时 米 平方米 周岁 岁 人 名 万元 元 张 台 倍 %")
_TIME = re.compile(
    r"[0-9一二三四五六七八九十百千两]+\s*(?:个)?(?:工作日|日|天|年|个月|月|小时|时)|每(?:年|半年|季度|月|周|日|天)|有效期|到期"
)
_DEPARTMENT = re.compile(r"部门|机关|机构|委员会|人民政府|窗口|[^\s]{1,6}局")
_VERDICT = re.compile(r"不得|禁止|不能|不可以|不予|不允许|严禁|可以|应当|须|必须|无需|不需要|免于|不属于|属于")
_LIST_INTENTS = frozenset({Intent.CONDITIONS, Intent.MATERIALS, Intent.PREREQUISITES, Intent.LIST})
_LEAD_IN = re.compile(r"[：:]\s*$")
_FACT_INTENTS = frozenset({Intent.NUMBER, Intent.DEADLINE, Intent.DEPARTMENT, Intent.DEFINITION})
_DEFINITION = re.compile(r"是指|所称|属于|包括|即")
# A rule against acting before the approval ("未依法经审批部门审查…的，不得开工建设", "批准后方可售票").
_BEFORE_APPROVAL_RULE = re.compile(
    r"未(?:经|依法|取得|办理|获得)[^。；]{0,40}(?:不得|禁止|严禁)|"
    r"(?:批准|许可|核准|审查|审核|取得|登记)[^，。；]{0,12}(?:后|之后)[^，。；]{0,4}方可"
)
# A question whether something may be done while the approval is still pending ("批文还没下来，能不能先售票").
BEFORE_APPROVAL_ASKED = re.compile(
    r"(?:还没|没有?|未|尚未|还在|正在)[^，。？?]{0,4}(?:批|下来|办|拿到|取得|审|发)|(?:下来|批)(?:之前|以前|前)"
)


@dataclass
class Candidate:
    kind: str  # "item" or "article"
    key: str  # item id, or chunk id
    sentences: list[str]
    prior: float
    question: str = ""  # a FAQ's own question: matching it vouches for its first sentence
    # A 高发问题's title and detail describe what goes wrong ("新招学徒没有健康证明就上岗"): they share the words
    # of a question about the rule without stating the rule asked for (how often, how long, who), so they yield
    # to a sentence that does. Its advice is not a scenario. The first ``scenario`` sentences are.
    scenario: int = 0
    # An item whose conditions hold on the facts the question states (700平 → 特殊建设工程): it settles the
    # question for this case, so it goes before general advice that says "it depends".
    applies: bool = False
    # An item that does not cite the article retrieval ranked first: the answer is likely in that article.
    off_source: bool = False
    payload: Chunk | None = field(default=None, repr=False)  # an article's chunk; None for an item


@dataclass
class Choice:
    candidate: Candidate
    sentence: str
    score: float
    coverage: float


class SentenceChooser:
    def __init__(self, tokenizer: Tokenizer, config: AnswerConfig, how_asked: frozenset[str] = frozenset()) -> None:
        """``how_asked``: words that say how a question asks (多长时间, 期限, 哪个部门), not what it is about."""
        self.tokenizer = tokenizer
        self.config = config
        self.how_asked = how_asked
        self._tokens: dict[str, set[str]] = {}

    def choose(self, focus: list[str], intent: Intent, wants_quantity: bool, candidates: list[Candidate],
               idf: Callable[[str], float], before_approval: bool = False,
               unit: re.Pattern[str] | None = None) -> list[Choice]:  # fmt: skip
        """``before_approval``: the question asks whether it may act while an approval is pending; a sentence
        that forbids acting before it fits best. ``unit``: an amount in the unit asked (多少钱 → 元) fits best."""
        weights = _weights(focus, idf)
        total = sum(weights.values()) or 1.0
        # A FAQ's own question vouches for its answer only on what it is about: "上网登记记录要留多长时间" is not
        # the FAQ "办证要多长时间" because both ask 多长时间.
        topic = {t: w for t, w in weights.items() if t not in self.how_asked}
        choices = []
        for candidate in candidates:
            vouched = self._coverage(candidate.question, topic, total) if candidate.question else 0.0
            for index, text in enumerate(candidate.sentences):
                coverage = self._coverage(text, weights, total)
                if candidate.question and index == 0:
                    coverage = max(coverage, vouched)
                score = (self.config.sentence_coverage * coverage + self.config.sentence_prior * candidate.prior
                         + self._fits(text, intent, wants_quantity, before_approval, unit))  # fmt: skip
                if candidate.applies and index >= candidate.scenario:  # a rule that settles it, not a story
                    score += self.config.applied_bonus
                if candidate.off_source and vouched < self.config.own_question_coverage:
                    score -= self.config.off_source_penalty
                if index < candidate.scenario and intent in _FACT_INTENTS:
                    score -= self.config.scenario_penalty
                choices.append(Choice(candidate, text, score, coverage))
        return sorted(choices, key=lambda c: -c.score)

    def complement(self, best: Choice, choices: list[Choice], focus: list[str], idf: Callable[[str], float],
                   allowed: Callable[[Choice], bool]) -> Choice | None:  # fmt: skip
        """A second sentence only when it answers a part of the question the first does not: it must hold
        question words the best sentence lacks, worth at least ``complement_gain`` of the question's weight
        (so "质量保证金存多少？出境游呢？" gets both amounts, and nothing rides along for its rank alone)."""
        found = None
        for choice in choices:
            if choice.sentence in best.sentence or best.sentence in choice.sentence or not allowed(choice):
                continue
            gain = self.gain(best, choice, focus, idf)
            if gain > 0 and gain >= self.config.complement_gain and (found is None or (gain, choice.score) > found[0]):
                found = ((gain, choice.score), choice)
        return found[1] if found else None

    def gain(self, best: Choice, other: Choice, focus: list[str], idf: Callable[[str], float]) -> float:
        """The share of the question's weight that ``other`` covers and ``best`` does not."""
        weights = _weights(focus, idf)
        total = sum(weights.values()) or 1.0
        covered = self._words(best.sentence)
        words = self._words(other.sentence)
        return sum(w for t, w in weights.items() if t not in covered and t in words) / total

    def _words(self, text: str) -> set[str]:
        tokens = self._tokens.get(text)
        if tokens is None:
            tokens = self._tokens[text] = set(self.tokenizer.query_tokens(text))
        return tokens

    def _coverage(self, text: str, weights: dict[str, float], total: float) -> float:
        tokens = self._words(text)
        return sum(w for t, w in weights.items() if t in tokens) / total

    def _fits(self, text: str, intent: Intent, wants_quantity: bool, before_approval: bool = False,
              unit: re.Pattern[str] | None = None) -> float:  # fmt: skip
        """Whether the sentence holds the kind of fact asked for."""
        bonus = self.config.sentence_fit
        if before_approval and _BEFORE_APPROVAL_RULE.search(text):
            return bonus
        if wants_quantity and unit is not None and unit.search(text):
            return bonus
        if wants_quantity:
            if intent == Intent.DEADLINE and _TIME.search(text):
                return bonus
            return bonus * 0.7 if _QUANTITY.search(text) else -bonus
        if intent == Intent.DEPARTMENT:
            return bonus if _DEPARTMENT.search(text) else 0.0
        if intent in _LIST_INTENTS:
            return bonus if _LEAD_IN.search(text) and LISTS_WHAT_IT_TAKES.search(text) else 0.0
        if intent == Intent.FEASIBILITY:
            return bonus * 0.5 if _VERDICT.search(text) else 0.0
        if intent == Intent.DEFINITION:
            return bonus * 0.5 if _DEFINITION.search(text) else 0.0
        return 0.0


def _weights(focus: list[str], idf: Callable[[str], float]) -> dict[str, float]:
    """IDF weight of each question word, times how often the caller listed it (emphasis)."""
    return {t: w * n for t, n in Counter(focus).items() if (w := idf(t)) > 0}


def split_sentences(text: str) -> list[str]:
    return [text[start:end].strip() for start, end in sentences(text) if text[start:end].strip()]
