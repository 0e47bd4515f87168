"""Is a question (or a project description) something Chubei can answer?

Two gates, in order:
1. Words: a question that names an industry the service does not coach (核电站, 加油站…)
   and no covered project type, or an everyday topic (天气, 诗…) or a task we do not do
   (写广告语, 起店名…) without asking about any rule (许可, 规定, 条件…), is out of scope;
   one asking about an approval matter (营业执照, 消防, 许可…) is in scope.
2. Scores: a question that only names a covered project type must still be close to the
   knowledge (a lower dense threshold); any other question needs the best dense similarity
   or the best BM25 score over thresholds calibrated on the golden sets
   (``chubei eval --calibrate``; values in settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.retrieval import Retrieval
from kb.knowledge import KnowledgeBase
from kb.lexical import LEXICON_DIR

# Words that place a question inside the service whatever else it mentions.
DOMAIN_TERMS = (
    "营业执照", "许可证", "许可", "备案", "审批", "消防", "卫生", "房产", "产权", "租赁", "规划用途", "容缺",
    "告知承诺", "特种设备", "电梯", "锅炉", "环评", "环境影响", "执业", "从业人员", "健康证", "食品经营",
    "营业场所", "经营场所", "开业", "开店", "选址", "装修", "验收", "筹备", "专员",
)  # fmt: skip


# Words that show a question asks about rules, so an everyday topic word beside them does not make it off-topic.
REGULATORY_INTENT = (
    "许可", "审批", "备案", "登记", "执照", "证照", "手续", "资质", "规定", "要求", "条件", "标准", "处罚", "罚款",
    "违法", "消防", "卫生", "检查", "验收", "办理", "申请",
)  # fmt: skip


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    reason: str


@lru_cache(maxsize=1)
def _lists(path: Path = LEXICON_DIR / "out_of_scope.yaml") -> tuple[tuple[str, ...], ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(data["industries"]), tuple(data["topics"]), tuple(data["tasks"])


class ScopeGate:
    def __init__(self, kb: KnowledgeBase, min_dense: float, min_lexical: float, min_dense_named: float) -> None:
        self.min_dense = min_dense
        self.min_lexical = min_lexical
        self.min_dense_named = min_dense_named
        self.industries, self.topics, self.tasks = _lists()
        self.covered = tuple(
            sorted(
                {word.lower() for t in kb.matchable_types for word in (t.name, *t.aliases) if len(word) >= 2},
                key=len,
                reverse=True,
            )
        )

    def covered_terms(self, text: str) -> list[str]:
        lowered = text.lower()
        return [word for word in self.covered if word in lowered]

    def uncovered_industry(self, text: str) -> str | None:
        """An industry the service does not coach, named in the text without any covered type."""
        if self.covered_terms(text):
            return None
        return next((word for word in self.industries if word.lower() in text.lower()), None)

    def decide(self, question: str, retrieval: Retrieval) -> ScopeDecision:
        decision = self.by_words(question)
        if decision is not None:
            return decision
        if self.covered_terms(question):
            # It names a covered project but no approval matter: it must also be close to what we know
            # (台东夜市的小吃 names 小吃 but asks where to eat).
            if retrieval.top_dense >= self.min_dense_named or retrieval.top_lexical >= self.min_lexical:
                return ScopeDecision(True, "问题涉及已覆盖的项目")
            return ScopeDecision(False, "问题与项目的审批要求无关")
        return self.by_scores(retrieval.top_dense, retrieval.top_lexical)

    def by_words(self, question: str) -> ScopeDecision | None:
        """The decision the wording alone settles, or None."""
        industry = self.uncovered_industry(question)
        if industry:
            return ScopeDecision(False, f"“{industry}”不在筹备期辅导的项目范围内")
        asks_rules = any(word in question for word in REGULATORY_INTENT)
        lowered = question.lower()
        for term in self.covered_terms(question):  # 编程 inside 少儿编程 (a training course) is no topic
            lowered = lowered.replace(term, "　")
        topic = next((word for word in self.topics if word.lower() in lowered), None)
        if topic and not asks_rules:
            return ScopeDecision(False, f"“{topic}”与开办审批无关")
        task = next((word for word in self.tasks if word.lower() in lowered), None)
        if task and not asks_rules:
            return ScopeDecision(False, f"“{task}”这类事务不在审批辅导的服务范围内")
        if any(term in question for term in DOMAIN_TERMS):
            return ScopeDecision(True, "问题涉及审批事项")
        return None

    def by_scores(self, top_dense: float, top_lexical: float) -> ScopeDecision:
        if top_dense >= self.min_dense or top_lexical >= self.min_lexical:
            return ScopeDecision(True, "知识库中有相关内容")
        return ScopeDecision(False, "知识库中没有足够相关的内容")
