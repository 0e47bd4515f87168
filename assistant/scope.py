"""Is a question (or a project description) something Chubei can answer?

Two gates, in order:
1. Words: a question that names an industry the service does not coach (核电站, 加油站…)
   and no covered project type, or an everyday topic (天气, 诗…) or a task we do not do
   (写广告语, 起店名…) without asking about any rule (许可, 规定, 条件…), is out of scope; so is,
   whatever rule it names, a way around an inspection (验完再还回去), a private matter of another
   field of law (闯红灯, 拖欠工资, 版权) or a money matter (贷款, 保险); one asking about an approval
   matter (营业执照, 消防, 许可…) is in scope.
2. Scores: a question that only names a covered project type must still be close to the
   knowledge (a lower dense threshold); any other question needs the best dense similarity
   or the best BM25 score over thresholds calibrated on the golden sets
   (``chubei eval --calibrate``; values in settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.names import longest_first
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
    "违法", "消防", "卫生", "检查", "验收", "办理", "申请", "标价",
)  # fmt: skip


# 要求 as a verb aimed at a person (能要求他赔多少, 要求房东退押金) is a demand, not a requirement.
_DEMAND_OF_SOMEONE = re.compile(r"要求(?=他|她|对方|房东|老板|商家|店家|员工|游客|顾客)")


# Words that aim an act asked of Chubei (帮我分析一下…, 帮我排一下…) at a rule: then it is guidance.
_RULE_MATTER = re.compile(
    "|".join(REGULATORY_INTENT)
    + r"|能不能|可不可以|能否|是否|要不要|需不需要|行不行|合规|违规|顺序|流程|材料|法规|证照|办证|筹备|选址"
)


# A question that asks which licence to get or where to apply.
_ASKS_PERMIT = re.compile(r"办(?:什么|啥|哪些|哪个)?(?:证|手续|许可)|许可证?(?:怎么|如何|去哪|找谁|要什么|需要什么)|去哪(?:批|办|申请)|"
                          r"要(?:去)?(?:哪|谁)批|审批(?:手续|流程)|怎么申请|如何申请")  # fmt: skip
_QUESTION = re.compile(r"吗|呢|么|什么|啥|怎么|怎样|如何|哪|多久|多少|多长|几|能否|能不能|可不可以|可以不|是否|要不要|"
                       r"需不需要|行不行|有没有|算不算|[？?]")  # fmt: skip


# "要拿到哪些证？", "办几个证": a licence asked about in the fewest words.
_PERMIT_ASK = re.compile(r"(?:哪些|哪几个|什么|啥|几个|几样|几种|要办|办|拿|领)(?:的)?证")


EVASION_REASON = "规避检查、弄虚作假或帮助违规的做法，不在审批辅导的服务范围内；可以问我怎样才能合规"
PRIVATE_REASON = (
    "个人纠纷、其他领域的法律问题（交通违章、劳动争议、婚姻家庭、版权等）和贷款、保险等事务，不在审批辅导的服务范围内"
)
TASK_REASON = "代写文书、起名、写文案、推荐或比较商家和产品、报价、个人看病用药、代办具体事务，不在审批辅导的服务范围内"


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    reason: str


# Asking Chubei itself to act: 帮我, 替我, 给我 (not 给我们的员工…), 请你, 麻烦你, 你能(帮我)…
# "借给我", "转给我": someone else hands it over, nobody asks Chubei.
_ASKS_OF_CHUBEI = r"(?:帮帮?我|替我|(?<![借租送卖转还发寄递让])给我(?!们)|帮忙|请你|麻烦你?|你(?:们)?(?:能|可以|帮|替|给|去)(?:不能|否)?(?:帮|替|给)?(?:我|我们)?)"


def _lists(path: Path = LEXICON_DIR / "out_of_scope.yaml") -> tuple[tuple[str, ...], ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return (tuple(data["industries"]), tuple(data["topics"]), tuple(data["tasks"]), tuple(data["requests"]),
            tuple(data["vendor_requests"]), tuple(data["evasions"]), tuple(data["acts"]),
            tuple(data["judgements"]), tuple(data["trade_words"]), tuple(data["private_matters"]))  # fmt: skip


def _asked_to(verbs: tuple[str, ...]) -> re.Pattern[str]:
    """Chubei asked to do one of these (帮我在KTV预订…: a few words may come between)."""
    return re.compile(rf"{_ASKS_OF_CHUBEI}[^，。？！?!]{{0,8}}?(?:{'|'.join(verbs)})")


class ScopeGate:
    def __init__(self, kb: KnowledgeBase, min_dense: float, min_lexical: float, min_dense_named: float) -> None:
        self.min_dense = min_dense
        self.min_lexical = min_lexical
        self.min_dense_named = min_dense_named
        (self.industries, self.topics, self.tasks, requests, vendor_requests, evasions, acts, judgements,
         trade_words, private_matters) = _lists()  # fmt: skip
        self.private_matters = [re.compile(pattern) for pattern in private_matters]
        self.acts = _asked_to(acts)
        self.judgements = _asked_to(judgements)
        self.requests = [re.compile(pattern) for pattern in requests]
        self.vendor_requests = [re.compile(pattern) for pattern in vendor_requests]
        self.evasions = [re.compile(pattern) for pattern in evasions]
        # Businesses and 事项 the knowledge covers, by every name operators use, and what only they have.
        words = {word.lower() for t in kb.matchable_types for word in (t.name, *t.aliases) if len(word) >= 2}
        words |= {word.lower() for p in kb.permits.values() for word in (p.name, *p.aliases) if len(word) >= 2}
        words |= {word.lower() for word in trade_words}
        self.covered = longest_first(words)

    def covered_terms(self, text: str) -> list[str]:
        lowered = text.lower()
        return [word for word in self.covered if word in lowered]

    def uncovered_industry(self, text: str, known: list[str] | None = None) -> str | None:
        """An industry the service does not coach, named in the text without any covered type (nor ``known``,
        the business the chat is about), or named with one but as the thing a permit is asked for
        (酒店里开个加油点要办什么证)."""
        industry = next((word for word in self.industries if word.lower() in text.lower()), None)
        if industry is None:
            return None
        # 烟酒店 is no 酒店: a covered name inside an uncovered one does not count.
        rest = text.lower()
        for word in self.industries:
            rest = rest.replace(word.lower(), "　")
        covered = self.covered_terms(rest) or known
        if covered and not _ASKS_PERMIT.search(text) and not self.opens_uncovered(text, industry):
            return None
        return industry

    def opens_uncovered(self, text: str, industry: str) -> bool:
        """ "打算开家宠物医院，是不是也按诊所那套备案": the business being opened is the uncovered one, named
        before any covered type (a covered one named first is the project: 酒店里开个药店…)."""
        lowered = text.lower()
        opened = re.search(rf"(?:开|办|做|搞|干)(?:个|一个|家|一家|间|一间|所|一所)?(?:小|新)?{re.escape(industry.lower())}",
                           lowered)  # fmt: skip
        if opened is None:
            return False
        first_covered = min((lowered.find(word) for word in self.covered_terms(text)), default=len(lowered))
        return opened.start() < first_covered

    def decide(self, question: str, retrieval: Retrieval, in_context: bool = False) -> ScopeDecision:
        """``in_context``: asked in a project's chat or as a follow-up, so already about a known business."""
        decision = self.by_words(question)
        if decision is not None:
            return decision
        if self.covered_terms(question) or in_context:
            # It names a covered project but no approval matter: it must also be close to what we know
            # (台东夜市的小吃 names 小吃 but asks where to eat).
            if retrieval.top_dense >= self.min_dense_named or retrieval.top_lexical >= self.min_lexical:
                return ScopeDecision(True, "问题涉及已覆盖的项目")
            return ScopeDecision(False, "问题与项目的审批要求无关")
        return self.by_scores(retrieval.top_dense, retrieval.top_lexical)

    def by_words(self, question: str, known: list[str] | None = None) -> ScopeDecision | None:
        """The decision the wording alone settles, or None. ``known``: the business the chat is about."""
        industry = self.uncovered_industry(question, known)
        if industry:
            return ScopeDecision(False, f"“{industry}”不在筹备期辅导的项目范围内")
        if any(pattern.search(question) for pattern in self.evasions):  # even when it names a rule
            return ScopeDecision(False, EVASION_REASON)
        if any(pattern.search(question) for pattern in self.vendor_requests):
            return ScopeDecision(False, TASK_REASON)
        if any(pattern.search(question) for pattern in self.private_matters):
            return ScopeDecision(False, PRIVATE_REASON)
        asks_rules = _asks_about_rules(question)
        if self.acts.search(question) or (self.judgements.search(question) and not _RULE_MATTER.search(question)):
            return ScopeDecision(False, TASK_REASON)  # asked to do it, not how the rules apply to doing it
        lowered = question.lower()
        # 编程 inside 少儿编程 (a training course), 做法 inside 做法人登记: no topic
        for term in [*self.covered_terms(question), "法人"]:
            lowered = lowered.replace(term, "　")
        topic = next((word for word in self.topics if word.lower() in lowered), None)
        if topic and not asks_rules:
            return ScopeDecision(False, f"“{topic}”与开办审批无关")
        task = any(word.lower() in lowered for word in self.tasks) or any(p.search(lowered) for p in self.requests)
        if task and not asks_rules:
            return ScopeDecision(False, TASK_REASON)
        if any(term in question for term in DOMAIN_TERMS):
            return ScopeDecision(True, "问题涉及审批事项")
        return None

    def by_scores(self, top_dense: float, top_lexical: float) -> ScopeDecision:
        if top_dense >= self.min_dense or top_lexical >= self.min_lexical:
            return ScopeDecision(True, "知识库中有相关内容")
        return ScopeDecision(False, "知识库中没有足够相关的内容")


def _asks_about_rules(question: str) -> bool:
    """It names a rule matter and asks something (not 今天审批跑断腿了): "普通小店装修完的消防备案，能不能写个承诺书
    就先拿凭证？" asks in one clause about the matter the other names."""
    text = _DEMAND_OF_SOMEONE.sub("", question)
    return bool(
        (any(word in text for word in REGULATORY_INTENT) or _PERMIT_ASK.search(text)) and _QUESTION.search(text)
    )
