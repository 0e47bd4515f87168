"""Is a question (or a project description) something Chubei can answer?

Two gates, in order:
1. Words: a question that names an industry the service does not coach (核电站, 加油站…) or
   an everyday topic (天气, 诗…) and no covered project type or domain term is out of scope.
2. Scores: otherwise, when neither retrieval leg finds anything close — the best dense
   similarity and the best BM25 score both under thresholds calibrated on the golden sets
   (``chubei eval --calibrate``; values in settings) — it is out of scope.
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


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    reason: str


@lru_cache(maxsize=1)
def _lists(path: Path = LEXICON_DIR / "out_of_scope.yaml") -> tuple[tuple[str, ...], tuple[str, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(data["industries"]), tuple(data["topics"])


class ScopeGate:
    def __init__(self, kb: KnowledgeBase, min_dense: float, min_lexical: float) -> None:
        self.min_dense = min_dense
        self.min_lexical = min_lexical
        self.industries, self.topics = _lists()
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
        industry = self.uncovered_industry(question)
        if industry:
            return ScopeDecision(False, f"“{industry}”不在筹备期辅导的项目范围内")
        anchored = bool(self.covered_terms(question)) or any(term in question for term in DOMAIN_TERMS)
        topic = next((word for word in self.topics if word.lower() in question.lower()), None)
        if topic and not anchored:
            return ScopeDecision(False, f"“{topic}”与开办审批无关")
        if anchored:
            return ScopeDecision(True, "问题涉及已覆盖的项目或审批事项")
        if retrieval.top_dense >= self.min_dense or retrieval.top_lexical >= self.min_lexical:
            return ScopeDecision(True, "知识库中有相关内容")
        return ScopeDecision(False, "知识库中没有足够相关的内容")
