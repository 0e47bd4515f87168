"""Composing an answer from what the product knows, by what the question asks for.

In order: a comparison answers both sides; a question about a named 事项 is answered from the
catalogue; a list question about a business (or this project) lists its permits, conditions or
requirements; anything else leads with the curated item that fits best — one whose conditions
hold on the facts stated (or the project's facts) first, a red line before all — or, when no item
fits, with the sentence of the article that answers it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.change_answers import ChangeAnswers, offices_addressed
from assistant.config import AnswerConfig
from assistant.contrast import contrast_across, contrast_in
from assistant.fact_phrases import applied_to
from assistant.fact_reader import read_facts
from assistant.intent import PERMIT_INTENTS, Intent, asked_unit, asking_clauses, asks_quantity, detect_intent
from assistant.item_answers import Item, ItemAnswers, is_threshold_duty, prohibition_lead_in, question_parts
from assistant.list_answers import ListAnswers, handled_by, short_department
from assistant.models import Citation
from assistant.names import longest_first
from assistant.permit_answers import PermitAnswers, asks_fee
from assistant.project_context import ProjectContext, points_at_project
from assistant.ranking import CandidateRanker, Scored
from assistant.reply import Reply, sentence
from assistant.retrieval import Hit, Retrieval
from assistant.sentence_choice import BEFORE_APPROVAL_ASKED, Candidate, Choice, SentenceChooser, split_sentences
from assistant.support import Support
from assistant.understanding import Understanding
from assistant.verdict import asks_need, verdict
from kb.chunks import Chunk
from kb.corpus import Corpus
from kb.facts import DERIVED_FROM, EQUIPMENT, FACT_TOPICS, LOCATION, PROJECT_JUDGED, SITE_TOPIC, ProjectFacts
from kb.knowledge import GENERAL_TYPE_ID, KnowledgeBase
from kb.lexical import STOPWORDS, Tokenizer
from kb.schema import Basis, FaqEntry, Permit, Problem, Requirement

SOURCE = ("regulation", "document")
ITEM_KINDS = ("faq", "requirement", "problem")
_COMPARISON_WORDS = re.compile(r"区别|不同|差别|差异|不一样|一样吗|相比|比起|对比|哪个|跟它比|和它比")
_LASTS = re.compile(r"多久|几年|有效|管得久|期限|到期")
_ADD_ON = re.compile(r"内设|附设|配套|带(?:个|一个)?|兼营|兼做|里面(?:开|设|搞)|增设|增加|加个|顺便|另外|还想")
_PERMIT_LIST = re.compile(r"证|照|手续|许可|审批|备案|登记|批文")
# A comparison, a definition or the materials of a change are answered by the 事项's own answers.
_NOT_ABOUT_CHANGES = frozenset({Intent.COMPARISON, Intent.DEFINITION, Intent.MATERIALS})
# "几年一换", "多久校验一次", "到期前多久去续": how long a licence lasts and how it is renewed.
_VALIDITY_ASKED = re.compile(
    r"有效期|几年一换|多久(?:换|校验|续)|校验|续期|延续|到期(?:前|了|后)|管几年|用几年|能用多久"
)
# A validity note that says how long the 事项 lasts (not only what voids it, as 消防安全检查's does).
_LASTING = re.compile(r"有效期|校验|延续|续期")
# "消防要走哪个程序", "消防这块怎么办": the fire procedure of the premises.
# The project's own size, and work on the premises before fit-out (我这个面积装修前得先办啥？).
_THIS_SIZE = re.compile(r"(?:这个|这么大的?|这么小的?|我们的?|这)(?:面积|规模|体量)")
_BEFORE_FITOUT = re.compile(r"(?:装修|施工|动工|开工)(?:前|之前|以前)|先(?:动工|装修|施工|开工)")
# The catalogue's 公众聚集场所投入使用、营业前消防安全检查: the last step of a public place's fire procedure.
_PRE_OPENING_CHECK = "fire_safety_inspection"
_FIRE_PROCEDURE = re.compile(r"消防[^，。？?]{0,6}(?:程序|手续|流程|怎么走|走哪|走什么|先办|要办)")
# "证拿到手以后还要跑啥", "批下来以后头一件事要干啥": what a 事项 calls for once granted.
_AFTER_GRANT = re.compile(
    r"(?:拿到|取得|领到|下来|批下来|到手|办好|办完|批了)[^，。？?]{0,4}(?:以后|之后|后)[^。？?]{0,12}"
    r"(?:还|头一件|第一件|接着|要|得)[^。？?]{0,10}(?:啥|什么|哪些|手续|干|办)"
)
# "要办啥", "手续": the 事项 are asked for.
_PROCEDURES_ASKED = re.compile(r"证|照|手续|许可|审批|备案|登记|批文|办(?:啥|什么|哪些|哪几样)")
# "就为了这台机器": the project's one piece of equipment.
_BEYOND_ITS_OWN = re.compile(r"额外|除了[^，。？?]{0,12}(?:本身|自己|以外|之外)")
_THIS_MACHINE = re.compile(r"(?:这|那)(?:台|部|个|套|些)(?:机器|设备|机子|家伙)")
# Intents of "拍片的机器要办啥手续": the 事项 a feature brings in.
_FEATURE_INTENTS = frozenset({Intent.LIST, Intent.PROCEDURE, Intent.PREREQUISITES})
# Whether something must be done at all: 需要办…吗, 要不要, 用不用, 得办吗.
_ASKS_IF_NEEDED = re.compile(
    r"要不要|用不用|需不需要|得不得|用得着|(?:需要|要|得|必须|还要|还得|也要|也得)先?(?:办|申请|取得|拿|做|送|报).{0,16}(?:吗|么|不)[？?]?$|"
    r"是不是(?:也|还|都)?(?:一定|必须|非)?(?:得|要|需要)(?:办|申请|取得|拿|做|送|报)"
)
# A question that states a change to the project (要是加一台X光机, 打算再添个泳池), not only a topic.
_CHANGE = re.compile(
    r"要是|如果|假如|假设|万一|打算|准备|想(?:要|再|加|添|上|配|买|装|开|做)|再(?:加|添|配|买|装)|"
    r"加(?:一|个|台|上|装)|添(?:一|个|台|置)|增加|新增|另外|还想|改成|换成"
)
# People on the staff: a list question about one of them asks for their qualification, not the business's permits.
_STAFF = re.compile(
    r"救生员|教练|指导员|厨师|保安|医生|医师|大夫|护士|导游|领队|司炉|电工|技师|员工|服务员|从业人员|店员|师傅|"
    r"老师|教师|保育员|护理员|安全管理员|管理人员"
)
# "一共要办哪些证", "从头到尾要办哪些": the whole list for the business, whatever else the question mentions.
_WHOLE_LIST = re.compile(r"一共|总共|全部|所有|都要办|从头到尾|前前后后|哪几样|几样|统统")
# Words of a list question that do not name a topic ("开KTV一共要办哪些证" has none left).
_LIST_WORDS = frozenset(
    [
        "开",
        "除了",  # 除了人这块，还得具备啥条件: what else, not a topic
        "这块",
        "这一块",
        "这方面",
        "其他",
        "另外",
        "开个",
        "开家",
        "一个",
        "一家",
        "办",
        "要办",
        "需要",
        "都",
        "一共",
        "全部",
        "所有",
        "哪些",
        "什么",
        "啥",
        "几个",
        "证",
        "证照",
        "执照",
        "手续",
        "条件",
        "要求",
        "规定",
        "许可",
        "审批",
        "流程",
        "步骤",
        "程序",
        "注意",
        "问题",
        "准备",
        "开业",
        "开业前",
        "之前",
        "前",
        "店",
        "项目",
        "生意",
        "经营",
        "我",
        "我们",
        "想",
        "打算",
        "请问",
        "一般",
        "主要",
        "具体",
        "还有",
        "另外",
        "其他",
        "别的",
        "各种",
        "相关",
        "哪几个",
        "呢",
        "吗",
        "的",
        "了",
        "怎么",
        "如何",
        "申请",
        "办理",
        "资格",
        "门槛",
    ]
)

# Words any question about a 事项 may use (how long, who, where, after what) besides the 事项 itself.
_PERMIT_WORDS = frozenset(
    [
        # how a 事项 is handed in and handed out: 材料交齐了, 非得跑窗口, 当场能拿证
        "材料",
        "交齐",
        "备齐",
        "齐全",
        "窗口",
        "跑",
        "非得",
        "网上",
        "当场",
        "拿证",
        "能拿证",
        "受理",
        "结果",
        "答复",
        "批复",
        "递上去",
        "交上去",
        "到底",
        "市里",
        "区里",
        "县里",
        "省里",
        "那边",
        "这边",
        "多久",
        "多长",
        "时间",
        "几天",
        "几年",
        "几个",
        "工作日",
        "期限",
        "时限",
        "有效期",
        "有效",
        "结果",
        "批",
        "批下来",
        "下来",
        "审",
        "审批",
        "出",
        "交",
        "要交",
        "提交",
        "递交",
        "交上去",
        "上去",
        "之后",
        "以后",
        "拿到",
        "到手",
        "拿到手",
        "从递",
        "递",
        "从交",
        "前后",
        "前前后后",
        "大概",
        # how long one may wait, or be kept waiting: 最多能拖几天, 晚点办来得及吗
        "已经",
        "最多",
        "最多能",
        "最长",
        "最晚",
        "最迟",
        "拖",
        "能拖",
        "来得及",
        "不给",
        "当天",
        "当日",
        "马上",
        "立马",
        # where it is handed in: the bureau's own district and city
        "市北区",
        "青岛",
        "青岛市",
        "本地",
        "当地",
        "大约",
        "差不多",
        "证",
        "给",
        "留",
        "谁",
        "找",
        "哪",
        "哪个",
        "哪里",
        "哪儿",
        "部门",
        "局",
        "窗口",
        "一级",
        "级",
        "去",
        "现在",
        "首先",
        "先",
        "后",
        "还是",
        "顺序",
        "前置",
        "能",
        "吗",
        "当场",
        "材料",
        "资料",
        "哪些",
        "什么",
        "啥",
        "条件",
        "要求",
        "具备",
        "准备",
        "提交",
        "申请书",
        "办理",
        "流程",
        "步骤",
        "手续",
        "续期",
        "延续",
        "到期",
        "过期",
        "换证",
        "变更",
    ]
)

Search = Callable[[str, list[str]], Retrieval]


@dataclass(frozen=True)
class Asked:
    """A question as the composer answers it: how it was understood, what retrieval found, the facts at hand."""

    u: Understanding
    retrieval: Retrieval
    type_ids: list[str]
    question_facts: ProjectFacts  # stated in the question
    stated: ProjectFacts  # and the project's facts on what the question is about
    facts: ProjectFacts  # with what they imply (面积 → 特殊建设工程)
    project: ProjectContext | None
    search: Search


def _judged(text: str) -> str:
    """What a yes/no question asks to be judged: its asking clauses, or the whole question when they only say
    "够不够？", "这个距离够吗？" about the clauses before them."""
    asking = asking_clauses(text)
    return text if len(re.sub(r"[，,。？?！!\s]", "", asking)) <= _BARE_JUDGEMENT else asking


_BARE_JUDGEMENT = 8


def _asks_whole_list(u: Understanding) -> bool:
    """开业前一共要办哪些证: the whole list of 事项, not one topic's."""
    return u.intent == Intent.LIST and bool(_WHOLE_LIST.search(u.text)) and bool(_PERMIT_LIST.search(u.text))


class Composer:
    def __init__(self, kb: KnowledgeBase, corpus: Corpus, tokenizer: Tokenizer, config: AnswerConfig) -> None:
        self.kb = kb
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.config = config
        support = self.support = Support(tokenizer)
        self.items: dict[str, Item] = {
            **{item.id: item for item in kb.all_requirements()},
            **{item.id: item for item in kb.all_problems()},
            **kb.faq,
        }
        self.item_answers = ItemAnswers(self.items, corpus, tokenizer, support, config)
        self.ranker = CandidateRanker(self.items, tokenizer, config)
        self.chooser = SentenceChooser(tokenizer, config, how_asked=_PERMIT_WORDS)
        self.permit_answers = PermitAnswers(kb.permits, corpus, support, config)
        self.lists = ListAnswers(kb, corpus, support, config)
        self.changes = ChangeAnswers(kb, corpus, config)
        self._doc_types = _types_citing_each_doc(kb)
        self._topics = {fact: re.compile(pattern, re.I) for fact, pattern in FACT_TOPICS.items()}
        self._site = re.compile(SITE_TOPIC)
        self._whole_project = re.compile(PROJECT_JUDGED)
        self._type_words = longest_first(
            {w.lower() for t in kb.matchable_types for w in (t.name, *t.aliases) if len(w) >= 2}
        )

    def compose(
        self, u: Understanding, retrieval: Retrieval, type_ids: list[str], question_facts: ProjectFacts,
        project: ProjectContext | None, search: Search,
    ) -> Reply:  # fmt: skip
        """The first answerer that answers, most specific first; what the knowledge says best, last."""
        stated = self._facts_in_question(u.text, question_facts, project)
        asked = Asked(u, retrieval, type_ids, question_facts, stated, self._with_derived(stated, type_ids), project,
                      search)  # fmt: skip
        answerers: tuple[Callable[[Asked], Reply | None], ...] = (
            self._not_needed_here,
            self._after_a_change,
            self._how_long_it_lasts,
            self._after_the_grant,
            self._licence_enough,
            self._once_open,
            self._permits_compared,
            self._types_compared,
            self._at_an_office,
            self._fee,
            self._named_permits,
            self._main_permit,
            self._fire_category,
            self._features_asked,
            self._whole_list,
        )
        for answerer in answerers:
            reply = answerer(asked)
            if reply is not None:
                return reply
        return self._what_is_known(asked)

    # -- the answerers, in the order compose() tries them ----------------------------------

    def _not_needed_here(self, a: Asked) -> Reply | None:
        """ "我们需要办放射诊疗许可吗" where the facts rule the 事项 out."""
        u = a.u
        if not (
            (a.project is not None or a.question_facts.known()) and u.permit_ids and _ASKS_IF_NEEDED.search(u.text)
        ):
            return None
        not_needed = self._not_needed(u.permit_ids, a.type_ids, a.facts, a.project)
        return None if not_needed is None else self._with_plan_note(not_needed, a.project)

    def _after_a_change(self, a: Asked) -> Reply | None:
        """换法人, 搬家, 加个科: what the 事项 concerned say of that change."""
        changed = self.changes.changed(a.u.text) if a.u.intent not in _NOT_ABOUT_CHANGES else []
        change = self.changes.answer(a.u.text, changed, a.u.permit_ids, a.type_ids, a.stated) if changed else None
        return None if change is None else self._with_plan_note(change, a.project)

    def _how_long_it_lasts(self, a: Asked) -> Reply | None:
        u = a.u
        if len(u.permit_ids) == 1 and _VALIDITY_ASKED.search(u.asked or u.text) and self._lasts(u.permit_ids[0]):
            return self._with_plan_note(self.permit_answers.answer(u.permit_ids, Intent.DEADLINE, u.text), a.project)
        return None

    def _after_the_grant(self, a: Asked) -> Reply | None:
        u = a.u
        after = self.permit_answers.after_grant(u.permit_ids[0], u.question) if (
            len(u.permit_ids) == 1 and _AFTER_GRANT.search(u.question)) else None  # fmt: skip
        return None if after is None else self._with_plan_note(after, a.project)

    def _licence_enough(self, a: Asked) -> Reply | None:
        """ "营业执照下来了，是不是就能开门收钱了": what the business still needs before it may open (its own 事项,
        main licence first), or, when nothing it needs blocks opening, 可以 with what follows once it runs."""
        u = a.u
        type_ids = _the_business(a)
        if not type_ids or u.intent == Intent.COMPARISON or not _LICENCE_ENOUGH.search(u.text):
            return None
        before, after = self.lists.beyond_registration(type_ids, a.facts)
        before = [p for p in before if p.id not in u.permit_ids] or before
        if before:
            first = before[0]
            said = "不够。" if "够" in u.text else "还不能。"
            if set(u.type_ids) - set(type_ids):  # 按生活美容办 in a 医美 project's chat
                said += f"您的项目属于{self.kb.types[type_ids[0]].name.split('（')[0]}，"
            lead = f"{said}营业执照只是主体登记，还要取得{first.known_as}才能营业"
            more = len(before) > 1
            reply = Reply(lead=lead + ("；开业前要办的事项如下。" if more else f"，向{short_department(first.department)}申请。"),
                          permits=[p.id for p in before], source="permit")  # fmt: skip
            if more:
                reply.heading = "事项"
                listed = before[: self.config.max_points]
                reply.points = [f"{p.known_as}（{short_department(p.department)}）" for p in listed]
            cited = before[:2]
        elif after:
            first = after[0]
            reply = Reply(lead=f"可以。营业执照办下来就能开展经营，但还要办{first.known_as}：{sentence(first.summary)}",
                          permits=[p.id for p in after], source="permit")  # fmt: skip
            cited = after[:1]
        else:
            return None
        for permit in cited:
            # One done after opening is cited for the article that lets the business run meanwhile ("登记后即可开展
            # 服务活动"); one to obtain first, for its duty.
            reply.cite(self._permit_citation(permit, None if before else _clause(permit.summary, "即可")),
                       self.config.max_citations)  # fmt: skip
        return self._with_plan_note(reply, a.project)

    def _once_open(self, a: Asked) -> Reply | None:
        """ "收老人以后还有啥手续要跑": the business's own 事项 done once it runs (养老机构备案 within 10 working
        days of the first residents), each with what it takes and when."""
        u = a.u
        type_ids = _the_business(a)
        if not type_ids or u.intent == Intent.COMPARISON or not _ONCE_OPEN.search(u.text):
            return None
        after = self.lists.beyond_registration(type_ids, a.facts)[1]
        if not after or (u.permit_ids and not {p.id for p in after} & set(u.permit_ids)):
            return None  # nothing to do once open, or the question names a 事项 of another stage
        if len(after) == 1:
            reply = Reply(lead=f"开业后要办{after[0].known_as}：{sentence(after[0].summary)}", source="permit")
        else:
            reply = Reply(lead="开业后还要办这些。", heading="开业后",
                          points=[f"{p.known_as}：{sentence(p.summary)}" for p in after[: self.config.max_points]],
                          source="permit")  # fmt: skip
        reply.permits = [p.id for p in after]
        for permit in after[:2]:
            # The clause that says what is to be done (…10个工作日以内向民政部门备案), not who is covered.
            doing = _clause(permit.summary, permit.kind) or permit.summary
            reply.cite(self._permit_citation(permit, doing), self.config.max_citations)
        return self._with_plan_note(reply, a.project)

    def _permit_citation(self, permit: Permit, statement: str | None) -> list[Citation]:
        """The basis of a 事项 that supports the statement; else its first, which grounds the duty to obtain it.
        A definition article ("本办法所称…") says what a rule covers, so it is never the one cited."""
        duties = [b for b in permit.basis if not _DEFINITION.match(b.quote)] or permit.basis
        bases = (self.support.supporting(duties, statement, 1) if statement else []) or duties[:1]
        return [Citation.from_basis(basis, self.corpus) for basis in bases]

    def _permits_compared(self, a: Asked) -> Reply | None:
        """食品经营许可证和小餐饮登记证哪个管得久: each 事项 in turn, on what is compared."""
        u = a.u
        if u.intent != Intent.COMPARISON or len(u.permit_ids) < 2:
            return None
        asked = detect_intent(_COMPARISON_WORDS.sub("", u.text))
        asked = asked if asked in PERMIT_INTENTS else Intent.DEADLINE if _LASTS.search(u.text) else Intent.PROCEDURE
        return self.permit_answers.answer(u.permit_ids, asked, u.text, side_by_side=True)

    def _types_compared(self, a: Asked) -> Reply | None:
        u = a.u
        each = len(u.type_ids) >= 2 and len(u.permit_ids) < 2 and _EACH.search(u.text)
        if len(a.type_ids) >= 2 and (u.intent == Intent.COMPARISON or each):
            return self._compare(u, a.type_ids, a.question_facts, a.search)
        return None

    def _at_an_office(self, a: Asked) -> Reply | None:
        """ "环保那边还要办证不？找谁", "除了卫健这张，公安那边是不是还得备案": the business's 事项 that the office
        named handles — not the 事项 talked about before, when another office handles that one."""
        u = a.u
        text = _BESIDES.sub("", u.text)
        offices = offices_addressed(text)
        if not offices or not a.type_ids or u.intent not in _OFFICE_INTENTS or not _OTHER_PERMIT.search(text):
            return None
        permits = [self.kb.permits[p] for p in u.permit_ids if p in self.kb.permits]
        if any(handled_by(p, offices) and any(w in u.question for w in (p.name, *p.aliases)) for p in permits):
            return None  # the question names that office's own 事项: answered as named
        found = self.lists.at_offices(a.type_ids, a.facts, offices)[: self.config.max_points]
        if not found:
            return None
        reply = self.permit_answers.answer([permit.id for permit, _ in found], Intent.DEPARTMENT, u.text,
                                           side_by_side=True)  # fmt: skip
        depends = found[0][1].strip("（）").removeprefix("视情况：")
        if depends:
            reply.lead = f"看情况，{depends}的才要办：{reply.lead}"
        elif u.intent == Intent.FEASIBILITY or asks_need(u.text):
            reply.lead = "需要。" + reply.lead
        return self._with_plan_note(reply, a.project)

    def _fee(self, a: Asked) -> Reply | None:
        """ "办小餐饮登记证收费吗": whether the 事项 named (the last, when several) costs a fee."""
        u = a.u
        if not u.permit_ids or not asks_fee(asking_clauses(u.asked or u.text)):
            return None
        if len(question_parts(u.asked or u.text)) > 1:
            return None  # 几年有效？收不收费？: each part is answered with the 事项's other answers
        reply = self.permit_answers.fee(u.permit_ids[-1])
        return None if reply is None else self._with_plan_note(reply, a.project)

    def _named_permits(self, a: Asked) -> Reply | None:
        """A question about a named 事项 (its materials, conditions, time limit, department, procedure)."""
        u = a.u
        if not (u.permit_ids and u.intent in PERMIT_INTENTS):
            return None
        if u.intent in (Intent.MATERIALS, Intent.CONDITIONS) or self._about_permits(u.asked or u.text, u.permit_ids):
            return self.permit_answers.answer(u.permit_ids, u.intent, u.text, u.permits_alternative)
        return None

    def _main_permit(self, a: Asked) -> Reply | None:
        """开KTV要准备哪些材料: the materials or conditions of the business's main 事项."""
        u = a.u
        if u.permit_ids or u.intent not in (Intent.MATERIALS, Intent.CONDITIONS) or not a.type_ids or a.project:
            return None
        main = self.lists.main_permit(a.type_ids, a.stated)
        if main is not None and self._about_permits(u.text, [main.id]):
            return self.permit_answers.answer([main.id], u.intent, u.text)
        return None

    def _features_asked(self, a: Asked) -> Reply | None:
        u = a.u
        if u.intent not in _FEATURE_INTENTS or _asks_whole_list(u) or u.permit_ids:
            return None
        if not _PROCEDURES_ASKED.search(u.text):
            return None
        reply = self._feature_permits(u.text, a.type_ids, a.facts, a.project)
        return None if reply is None else self._with_plan_note(reply, a.project)

    def _whole_list(self, a: Asked) -> Reply | None:
        """开KTV要办哪些证: the business's list, unless the question is about one topic of it."""
        u = a.u
        if u.intent not in (Intent.LIST, Intent.CONDITIONS, Intent.PROCEDURE, Intent.MATERIALS):
            return None
        if not (_asks_whole_list(u) or not self._topic(u.text, a.retrieval.idf)):
            return None
        reply = self._business_list(u, u.intent, a.type_ids, a.facts, a.project)
        return reply if reply is not None and reply.lead else None

    def _what_is_known(self, a: Asked) -> Reply:
        """The curated item or article that answers best; both sides of a comparison; 能/不能 first."""
        u = a.u
        reply = self._from_knowledge(u, a.retrieval, a.type_ids, a.facts, a.project)
        if u.intent == Intent.COMPARISON or _EACH.search(u.text) or _DIFFERENCE.search(u.text):
            reply = self._both_sides(u, reply, a.retrieval) or reply
        if u.intent == Intent.FEASIBILITY and reply.source in ("item", "article"):
            first = self.items.get(reply.items[0]) if reply.items else None
            # A requirement whose conditions the stated facts meet ("按您说的情况（…属于特殊建设工程）：") is a duty.
            duty = isinstance(first, Requirement) and reply.lead.startswith(("按您说的情况（", "您的项目（"))
            said = verdict(asking_clauses(u.text), reply.lead, self.tokenizer, isinstance(first, Problem), duty)
            reply.lead = (said or "") + reply.lead
        if u.intent in (Intent.LIST, Intent.PROCEDURE, Intent.MATERIALS) and _PERMIT_LIST.search(u.text):
            self._add_permits_of_items(reply, a.retrieval, a.type_ids, a.project)
        return reply

    # -- lists about a whole business -------------------------------------------------

    def _business_list(self, u: Understanding, intent: Intent, type_ids: list[str], facts: ProjectFacts,
                       project: ProjectContext | None) -> Reply | None:  # fmt: skip
        if not type_ids:
            return self.lists.general() if _PERMIT_LIST.search(u.text) and intent == Intent.LIST else None
        if len(u.type_ids) >= 2 and _ADD_ON.search(u.text):  # 养老院内设食堂要办什么证: the 食堂 is asked about
            main = self.lists.main_permit(u.type_ids[1:])
            if main is not None:
                return self.permit_answers.answer([main.id], Intent.PROCEDURE, u.text)
        word = u.subject or self.kb.types[type_ids[0]].name.split("（")[0]
        return self._list_for(intent, type_ids, word, facts, u.text, project)

    def _lasts(self, permit_id: str) -> bool:
        """Whether the catalogue records how long the 事项 lasts (有效期, 校验), not only what voids it."""
        validity = self.kb.permits[permit_id].validity
        return validity is not None and bool(_LASTING.search(validity.text))

    def _fire_category(self, a: Asked) -> Reply | None:
        """In a project chat, "这么小的面积，消防设计还要送审吗", "我们这种情况消防要走哪个程序": once the project's
        area settles whether it is a 特殊建设工程, the item for that category answers, on those facts — not the FAQ
        that says it depends. (An area the question states goes the usual way, with what else it says: 驻唱.)"""
        text, type_ids, facts, project = a.u.text, a.type_ids, a.facts, a.project
        if project is None or project.facts.area_m2 is None or a.question_facts.area_m2 is not None or not type_ids:
            return None
        asked = self._topics["fire_special_project"].search(text) or _FIRE_PROCEDURE.search(text)
        if not (asked or (_THIS_SIZE.search(text) and _BEFORE_FITOUT.search(text))):
            return None  # 我这个面积装修前得先办啥: the fire category is what the area settles before fit-out
        known = self._with_derived(facts.model_copy(update={"area_m2": project.facts.area_m2}), type_ids)
        if known.fire_special_project is None:
            return None
        item = next((r for r in self.kb.requirements_for(type_ids)
                     if any(c.fact == "fire_special_project" for c in r.when) and r.applies(known) is True), None)  # fmt: skip
        if item is None:
            return None
        applied = self._applied(item, known, type_ids)
        reply = self.item_answers.from_item(item.id, text, detect_intent(text), self.focus(text), applied,
                                            in_project=True)  # fmt: skip
        if asks_need(text):  # 还要送审吗: 需要 for a 特殊建设工程, 不需要 the design review otherwise
            reply.lead = ("需要。" if known.fire_special_project else "不需要消防设计审查。") + reply.lead
        elif _FIRE_PROCEDURE.search(text) and _PRE_OPENING_CHECK in project.permit_ids:
            # The whole fire procedure of a 公众聚集场所: the works' review or filing, then the check before opening.
            check = self.kb.permits[_PRE_OPENING_CHECK]
            then = f"开业前还要向{short_department(check.department)}申请{check.known_as}。"
            head, dot, rest = reply.lead.partition("。")  # the procedure in order, before the detail
            reply.lead = f"{head}{dot}{then}{rest.rstrip('；;，,')}" + (
                "。" if rest and not rest.endswith("。") else ""
            )
            reply.cite(self._permit_citation(check, None), self.config.max_citations)
        return self._with_plan_note(reply, project)

    def _feature_permits(self, text: str, type_ids: list[str], facts: ProjectFacts,
                         project: ProjectContext | None) -> Reply | None:  # fmt: skip
        """ "店里那台拍片子的机器要办啥？", "那两部电梯要办啥手续？": a feature of the business, not the business,
        is what the 事项 are asked for. Only a yes/no fact the question is about and holds counts; the
        words naming the business do not count (游泳馆要办哪些证 asks for the whole list). In a project chat
        "这台机器" is the project's one piece of equipment that brings in 事项 (its X光机); "除了诊所本身的手续，还得额外
        办啥" asks for what all of its equipment brings in."""
        bare = self.strip_types(text)
        features = [fact for fact, value in facts.known().items()
                    if value is True and fact in self._topics and self._topics[fact].search(bare)]  # fmt: skip
        if not features and project is not None:
            equipment = [fact for fact in EQUIPMENT if getattr(project.facts, fact) is True]
            if (len(equipment) == 1 and _THIS_MACHINE.search(bare)) or (equipment and _BEYOND_ITS_OWN.search(bare)):
                features, facts = equipment, facts.model_copy(update=dict.fromkeys(equipment, True))
        if not features:
            return None
        reply = self.lists.feature_permits(type_ids, facts, features, in_project=project is not None)
        if reply is not None and len(reply.permits) == 1:
            return self.permit_answers.answer(reply.permits, Intent.PROCEDURE, text)
        return reply

    def _list_for(self, intent: Intent, type_ids: list[str], word: str, facts: ProjectFacts, text: str,
                  project: ProjectContext | None) -> Reply:  # fmt: skip
        u_text = text
        if intent == Intent.CONDITIONS:
            return self.lists.conditions(type_ids, word, facts, u_text, project)
        if _PERMIT_LIST.search(u_text) or intent == Intent.PROCEDURE:
            return self.lists.permits(type_ids, word, facts, project)
        return self.lists.requirements(type_ids, word, facts, u_text, project)

    def strip_types(self, text: str) -> str:
        """The text without the names of businesses (and the comparison words around them)."""
        lowered = text.lower()
        for word in self._type_words:
            lowered = lowered.replace(word, "")
        return re.sub(r"^[和与跟、，,\s]+|(?:有什么|有啥|有哪些)?(?:区别|不同|差别|差异)[？?]?$", "", lowered)

    def focus(self, text: str) -> list[str]:
        """The question's own words without the business it names (KTV, 网咖…), the amounts it states (三千平,
        150米: facts, applied as facts) and the way it asks (开个, 要不要): what it asks about. Each word once;
        a caller repeats words to weigh them more (a follow-up's own words, see Understanding.asked)."""
        bare = _AMOUNT.sub(" ", self.strip_types(text))
        tokens = [t for t in self.tokenizer.query_tokens(bare) if t not in _ASKING] or self.tokenizer.query_tokens(text)
        return list(dict.fromkeys(tokens))

    def _about_permits(self, text: str, permit_ids: list[str]) -> bool:
        """Whether the question is about the 事项 itself (its materials, time limit, department…), not about
        something else that merely mentions it (小餐饮登记证的店，进货单据要留多久)."""
        own: set[str] = set()
        for permit_id in permit_ids:
            permit = self.kb.permits[permit_id]
            for part in (permit.name, *permit.aliases, permit.department, permit.summary):
                own |= set(self.tokenizer.tokens(part))
        rest = [w for w in _maximal(self.tokenizer.tokens(self.strip_types(text))) if len(w) >= 2
                and w not in own and w not in _LIST_WORDS and w not in _PERMIT_WORDS and w not in STOPWORDS
                and not _AUTHORITY.search(w)]  # fmt: skip
        return len(rest) < self.config.topic_words

    def _topic(self, text: str, idf: Callable[[str], float]) -> bool:
        """Whether a list question names a topic beyond the business (拍牙片的机器要办啥手续 does). Only words
        the indexed text uses count: 这块, 几样, 从头到尾 are how people talk, not what they ask about. A person
        named ("救生员得持啥证") makes it a question about that person's qualification."""
        if _STAFF.search(self.strip_types(text)):
            return True
        words = [w for w in _maximal(self.tokenizer.tokens(self.strip_types(text)))
                 if w not in _LIST_WORDS and w not in STOPWORDS and idf(w) > 0]  # fmt: skip
        return len(words) >= self.config.topic_words

    # -- one curated item, or one article ------------------------------------------------

    def _from_knowledge(self, u: Understanding, retrieval: Retrieval, type_ids: list[str], facts: ProjectFacts,
                        project: ProjectContext | None) -> Reply:  # fmt: skip
        focus = self.focus(u.text) + (self.focus(u.asked) if u.asked else [])
        if project is not None and project.description and points_at_project(u.text):
            focus = focus * 2 + self.focus(project.description)  # the question first, then what it points at
        hits = self._relevant(retrieval.hits, type_ids, project)
        red_lines = self._red_lines(type_ids, facts, project)
        if red_lines:
            item, applied = red_lines[0]
            reply = self.item_answers.from_item(
                item.id,
                u.text,
                u.intent,
                focus,
                applied,
                in_project=project is not None and not _stated(u.text, applied),
            )
            for other, other_applied in red_lines[1 : self.config.more_red_lines + 1]:  # 居民楼 as well as 地下二层
                reply.lead += f"另外，{applied_to(other_applied)}：{sentence(other.title)}"
                reply.items.append(other.id)
                reply.cite(self.item_answers.citations_for(other, other.title, 1), self.config.max_citations)
            return self._with_plan_note(reply, project)  # fmt: skip
        reply = self._best_known(u, retrieval, hits, focus, facts, project, type_ids)
        cleared = self._cleared_red_line(type_ids, facts, _judged(u.text)) if u.intent == Intent.FEASIBILITY else None
        if cleared is None:
            return reply
        item, decided = cleared
        clear = self.item_answers.cleared(
            item, decided, in_project=project is not None and not _stated(u.text, decided)
        )
        # What else the knowledge says about it follows ("地下一层经消防评估后可以考虑"), unless it is a prohibition.
        forbids = reply.lead.startswith("不能") or any(
            getattr(self.items.get(i), "red_line", False) for i in reply.items
        )
        restates = bool({c.key for c in clear.citations} & {c.key for c in reply.citations})
        if (
            reply.lead
            and not forbids
            and not restates
            and len(clear.lead) + len(reply.lead) <= self.config.lead_chars * 2
        ):
            clear.lead += reply.lead
            clear.items += reply.items
            clear.notes += reply.notes
            clear.cite(reply.citations, self.config.max_citations)
        return self._with_plan_note(clear, project)

    def _best_known(self, u: Understanding, retrieval: Retrieval, hits: list[Hit], focus: list[str],
                    facts: ProjectFacts, project: ProjectContext | None, type_ids: list[str]) -> Reply:  # fmt: skip
        """The curated item or article sentence that answers best, with a second that adds what it does not say."""
        known = facts.known()
        ranked = self.ranker.rank(focus, u.intent, hits, retrieval.idf)
        items = [c for c in ranked if c.hit.chunk.kind in ITEM_KINDS and c.hit.chunk.item_id in self.items
                 and _not_ruled_out(self.items[c.hit.chunk.item_id], known)]  # fmt: skip
        said = self._said(u.text)
        sources = self._source_candidates(hits, [w for w in focus if w in said], retrieval.idf, asked_unit(u.text))
        candidates = self._candidates(items[: self.config.candidate_items], sources, facts)
        candidates += self._settled_by_facts(type_ids, facts, focus, retrieval.idf, {c.key for c in candidates})
        pending = u.intent == Intent.FEASIBILITY and bool(BEFORE_APPROVAL_ASKED.search(u.text))
        choices = self.chooser.choose(focus, u.intent, asks_quantity(u.text), candidates, retrieval.idf, pending,
                                      asked_unit(u.text))  # fmt: skip
        if choices:
            best = choices[0]
            reply = self._from_choice(best, u, focus, facts, project, type_ids)
            second = None
            if best.candidate.kind == "item":  # the item's own article states it exactly (2年以上, 60日)
                own = self._cited_articles(self.items[best.candidate.key])
                quoted = self.chooser.choose(focus, u.intent, asks_quantity(u.text), own, retrieval.idf,
                                             unit=asked_unit(u.text))  # fmt: skip
                strong = [c for c in quoted if c.score >= self.config.own_article_share * best.score]
                # Of those, the one that adds most of what the lead does not say (强制戒毒 after 禁止开办的人员).
                second = max(strong, key=lambda c: (self.chooser.gain(best, c, focus, retrieval.idf), c.score),
                             default=None)  # fmt: skip
            elif (chunk := best.candidate.payload) is not None:  # an article: a curated item built on it explains it
                explaining = [c for c in choices[1:] if c.candidate.kind == "item"
                              and _cites(self.items[c.candidate.key], chunk.doc_id, chunk.article)]  # fmt: skip
                if explaining and explaining[0].score >= self.config.own_article_share * best.score:
                    second = explaining[0]
            if second is None:
                second = self.chooser.complement(best, choices[1:], self._beyond_permits(focus, u.permit_ids),
                                                 retrieval.idf, allowed=lambda c: c.candidate.key != best.candidate.key)  # fmt: skip
            if second is not None:
                other = self._from_choice(second, u, focus, facts, project, type_ids)
                if len(reply.lead) + len(other.lead) <= self.config.lead_chars * 2 and other.lead not in reply.lead:
                    reply.lead += other.lead
                    reply.items += other.items
                    reply.notes += other.notes
                    if other.points and not reply.points:  # the enumerated conditions the article lists
                        reply.heading, reply.points = other.heading, other.points
                    reply.cite(other.citations, self.config.max_citations)
            return reply
        return Reply(lead="")

    def _beyond_permits(self, focus: list[str], permit_ids: list[str]) -> list[str]:
        """The question's words other than the names of the 事项 it mentions: a 事项 named as the setting
        ("营业执照最长能歇多久") is no part of the question a second sentence should answer."""
        named: set[str] = set()
        for permit_id in permit_ids:
            permit = self.kb.permits[permit_id]
            for name in (permit.name, *permit.aliases):
                named.update(self.tokenizer.tokens(name))
        return [word for word in focus if word not in named] or focus

    def _said(self, text: str) -> set[str]:
        """The words a question uses and the formal terms of its colloquial ones (撑不下去 → 终止), but not
        those of how it asks (多久 → 期限, 日内): what it is about."""
        lowered = text.lower()
        words = set(self.tokenizer.tokens(text))
        for word, formal in self.tokenizer.synonyms.items():
            if word in lowered and detect_intent(word) == Intent.OTHER:
                words.update(token for term in formal for token in self.tokenizer.tokens(term))
        return words

    def _source_candidates(self, hits: list[Hit], words: list[str], idf: Callable[[str], float],
                           unit: re.Pattern[str] | None = None) -> list[Hit]:  # fmt: skip
        """The best-ranked articles, and after them any retrieved article holding a rare word the question uses
        that none of those holds ("营业执照最长能歇多久": 营业执照 ranks its own articles first, the 歇业 ones
        come later). A word counts only when several retrieved passages share it (the topic retrieval found,
        not a stray 一直); the sentence choice then weighs all candidates by what they cover. A question asking
        an amount in a unit ("多大的店算小餐饮": 平方米) also gets the first article stating one, when none does."""
        articles = [hit for hit in hits if hit.chunk.kind in SOURCE]
        chosen = articles[: self.config.candidate_articles]
        if unit is not None and not any(unit.search(hit.chunk.text) for hit in chosen):
            chosen += [hit for hit in articles if unit.search(hit.chunk.text)][:1]
        rare = [w for w in dict.fromkeys(words) if len(w) >= 2 and idf(w) >= self.config.rescue_idf]
        shared = {
            w: sum(w in hit.chunk.text for hit in hits) for w in rare if w not in _PERMIT_WORDS and w not in _LIST_WORDS
        }
        topical = sorted((w for w, n in shared.items() if n >= 2), key=lambda w: shared[w] * idf(w), reverse=True)
        for word in topical:
            if len(chosen) >= self.config.candidate_articles + self.config.rescued_articles:
                break
            if any(word in hit.chunk.text for hit in chosen):
                continue
            holders = [hit for hit in articles if word in hit.chunk.text]
            if holders:  # of those, the one holding most of the question's rare words (歇业 and 最长)
                chosen.append(max(holders, key=lambda hit: sum(idf(w) for w in rare if w in hit.chunk.text)))
        return chosen

    def _from_choice(self, choice: Choice, u: Understanding, focus: list[str], facts: ProjectFacts,
                     project: ProjectContext | None, type_ids: list[str] | None = None) -> Reply:  # fmt: skip
        if choice.candidate.payload is not None:  # an article
            return self.item_answers.from_article(choice.candidate.payload, u.text, u.intent, focus,
                                                  chosen=choice.sentence)  # fmt: skip
        item_id = choice.candidate.key
        applied = self._applied(self.items[item_id], facts, type_ids)
        reply = self.item_answers.from_item(item_id, u.text, u.intent, focus, applied,
                                            in_project=project is not None and not _stated(u.text, applied or {}),
                                            chosen=choice.sentence)  # fmt: skip
        return self._with_plan_note(reply, project)

    def _cited_articles(self, item: Item) -> list[Candidate]:
        candidates = []
        for key in dict.fromkeys((b.doc_id, b.article) for b in item.basis):
            chunk = self._article_chunk(*key)
            if chunk is not None:
                candidates.append(Candidate("article", chunk.id, split_sentences(chunk.text), 1.0, payload=chunk))
        return candidates

    def _article_chunk(self, doc_id: str, label: str) -> Chunk | None:
        regulation = self.corpus.get(doc_id)
        article = regulation.article(label) if regulation else None
        if regulation is None or article is None:
            return None
        return Chunk(id=f"{doc_id}:{label}", kind="regulation", doc_id=doc_id, title=regulation.title, text=article.text,
                     source=doc_id, article=label, level=regulation.level, version_date=regulation.version_date,
                     caveat=regulation.caveat)  # fmt: skip

    def _candidates(self, items: list[Scored], sources: list[Hit], facts: ProjectFacts) -> list[Candidate]:
        """The best few items and articles, each with its sentences and a prior from its rank; an item whose
        conditions hold on the facts at hand is marked."""
        candidates = []
        top = sources[0].chunk if sources else None
        for position, scored in enumerate(items):
            item = self.items[scored.hit.chunk.item_id]
            prior = 1.0 / (1 + position)
            off_source = top is not None and not _cites(item, top.doc_id, top.article)
            if isinstance(item, FaqEntry):
                candidates.append(Candidate("item", item.id, split_sentences(item.answer), prior, item.question,
                                            off_source=off_source))  # fmt: skip
                continue
            texts = [sentence(item.title), *split_sentences(item.detail)]
            scenario = len(texts) if isinstance(item, Problem) else 0
            if isinstance(item, Problem):
                texts += split_sentences(item.advice)
            applies = bool(item.when) and item.applies(facts) is True
            candidates.append(Candidate("item", item.id, texts, prior, scenario=scenario, applies=applies,
                                        off_source=off_source))  # fmt: skip
        for position, hit in enumerate(sources):
            candidates.append(Candidate("article", hit.chunk.id, split_sentences(hit.chunk.text), 1.0 / (1 + position),
                                        payload=hit.chunk))  # fmt: skip
        return candidates

    def _settled_by_facts(self, type_ids: list[str], facts: ProjectFacts, focus: list[str],
                          idf: Callable[[str], float], present: set[str]) -> list[Candidate]:  # fmt: skip
        """Items of these types whose conditions hold on the facts at hand and that are about what is asked,
        even when retrieval missed them: "三千平的健身房要不要送审图纸" is settled by the 特殊建设工程 item
        once 3000 m² is above the 健身场馆 threshold."""
        if not facts.known() or not type_ids:
            return []
        weights = {t: w for t in set(focus) if (w := idf(t)) > 0}
        total = sum(weights.values()) or 1.0
        found = []
        for item in self.kb.requirements_for(type_ids):
            if item.id in present or not item.when or not item.in_plan or item.applies(facts) is not True:
                continue
            words = set(self.tokenizer.tokens(f"{item.title} {' '.join(item.keywords)} {item.detail}"))
            if sum(w for t, w in weights.items() if t in words) / total >= self.config.settled_coverage:
                texts = [sentence(item.title), *split_sentences(item.detail)]
                found.append(Candidate("item", item.id, texts, 0.5, applies=True))
        return found

    def _facts_in_question(self, text: str, stated: ProjectFacts, project: ProjectContext | None) -> ProjectFacts:
        """The facts stated in the question, plus the project's facts on what the question is about."""
        values = {}
        if project is not None:
            whole_site = self._site.search(text)
            whole_project = self._whole_project.search(text)
            for fact, value in project.facts.known().items():
                about = self._topics.get(fact) is not None and self._topics[fact].search(text)
                if about or whole_project or (whole_site and fact in LOCATION):
                    values[fact] = value
        for fact, value in stated.known().items():
            # 需要办放射诊疗许可吗 mentions 放射 but does not say the project now has it: a yes/no fact the
            # project settled stands unless the question states a change (要是加一台X光机呢).
            if not (value is True and values.get(fact) is False and not _CHANGE.search(text)):
                values[fact] = value
        return ProjectFacts.model_validate(values)

    def _with_derived(self, facts: ProjectFacts, type_ids: list[str]) -> ProjectFacts:
        return self.kb.with_derived_facts(type_ids, facts) if facts.area_m2 is not None else facts

    def _not_needed(self, permit_ids: list[str], type_ids: list[str], facts: ProjectFacts,
                    project: ProjectContext | None) -> Reply | None:  # fmt: skip
        """ "我们需要办放射诊疗许可吗" in a project whose facts rule it out (不配置放射设备), or a question that
        states them ("四百平的KTV要先送消防设计审查吗"): every item of these types that brings the 事项 in is
        decided False on the facts. Says so, with the condition the item sets, verbatim-grounded in its basis."""
        for permit_id in permit_ids:
            bringing = [item for item in self.kb.requirements_for(type_ids) if item.permit_id == permit_id]
            verdicts = [item.applies(facts) for item in bringing]
            if not bringing or any(v is not False for v in verdicts) or any(not item.when for item in bringing):
                continue
            item = bringing[0]
            if project is None and not any(
                c.fact in DERIVED_FROM or c.is_ is None for c in item.when if c.holds(facts) is False
            ):
                continue  # a yes/no the question states (不带泳池) is better answered by what the knowledge says of it
            known = facts.known()
            decided: dict[str, object] = {}
            for condition in item.when:
                if condition.holds(facts) is False:
                    if (source := DERIVED_FROM.get(condition.fact)) in known:  # 面积约400平方米、不属于特殊建设工程
                        decided[source] = known[source]
                    decided[condition.fact] = known[condition.fact]
                    if condition.fact == "fire_special_project":
                        decided[condition.fact] = self._fire_reason(type_ids, facts, special=False) or False
            permit = self.kb.permits[permit_id]
            who = "按您项目现在的情况" if project is not None else "按您说的情况"
            lead = (f"{who}（{applied_to(decided)}），不需要办理{permit.known_as}。"
                    f"这一项的适用情形是：{sentence(item.title)}情况有变时再办。")  # fmt: skip
            reply = Reply(lead=lead, items=[item.id], source="item")
            reply.cite(self.item_answers.citations_for(item, item.title, 1), self.config.max_citations)
            # What the same facts call for instead (其他建设工程：竣工后备案 where 消防设计审查 is not needed).
            instead = next((other for other in self.kb.requirements_for(type_ids)
                            if other.permit_id and other.permit_id != permit_id and other.when
                            and {c.fact for c in other.when} & set(decided) and other.applies(facts) is True), None)  # fmt: skip
            if instead is not None:
                reply.lead = (
                    f"{who}（{applied_to(decided)}），不需要办理{permit.known_as}；要做的是{sentence(instead.title)}"
                )
                reply.items.append(instead.id)
                reply.cite(self.item_answers.citations_for(instead, instead.title, 1), self.config.max_citations)
            return reply
        return None

    def _red_lines(self, type_ids: list[str], facts: ProjectFacts, project: ProjectContext | None
                   ) -> list[tuple[Requirement | Problem, dict[str, object]]]:  # fmt: skip
        """Red lines of these types whose conditions hold on the facts at hand: a deal breaker is said first,
        whatever else the question asks. Those decided by more of the stated facts come first."""
        if not facts.known() or not type_ids:
            return []
        found: list[tuple[Requirement | Problem, dict[str, object]]] = []
        candidates: list[Requirement | Problem] = [*self.kb.requirements_for(type_ids), *self.kb.problems_for(type_ids)]
        said: set[frozenset[str]] = set()
        suppressed = self.kb.suppressed_by(type_ids)
        for item in candidates:
            if item.red_line and item.when and item.id not in suppressed and item.applies(facts) is True:
                if (trigger := frozenset(c.fact for c in item.when)) in said:
                    continue  # one red line per deciding fact: the business's own comes before the general one
                said.add(trigger)
                found.append((item, self._applied(item, facts, type_ids) or {}))
        stated_numbers = {fact for fact, value in facts.known().items() if not isinstance(value, bool)}
        found.sort(key=lambda pair: -len(set(pair[1]) & stated_numbers))
        return found

    def _cleared_red_line(self, type_ids: list[str], facts: ProjectFacts, asking: str
                          ) -> tuple[Requirement | Problem, dict[str, object]] | None:  # fmt: skip
        """A red line that the facts the question asks about rule out ("离学校三百米的网吧能开吗": the 200 m
        rule does not reach it), when no red line of these types still hangs on an unknown fact of that topic.
        The facts decide it only where the asking clause is about them, not where they merely set the scene."""
        if not facts.known() or not type_ids:
            return None
        asked = {
            fact for fact in facts.known() if (topic := self._topics.get(fact)) is not None and topic.search(asking)
        }
        if self._site.search(asking):
            asked |= LOCATION & set(facts.known())
        asked |= {reading.fact for reading in read_facts(asking)}
        if not asked:
            return None
        cleared: tuple[Requirement | Problem, dict[str, object]] | None = None
        candidates: list[Requirement | Problem] = [*self.kb.requirements_for(type_ids), *self.kb.problems_for(type_ids)]
        for item in candidates:
            if not item.red_line or not item.when or not {c.fact for c in item.when} & asked:
                continue
            if not item.basis or not (
                _PROHIBITION.search(item.basis[0].quote)
                or prohibition_lead_in(self.corpus, item.basis[0])
                or is_threshold_duty(item)
            ):
                continue  # only a prohibition can be said not to reach the project, or a threshold to be met
            verdict_on_facts = item.applies(facts)
            if verdict_on_facts is not False:
                return None  # it holds, or hangs on a fact not known: nothing can be said to be clear
            if cleared is None:
                known = facts.known()
                cleared = (item, {c.fact: known[c.fact] for c in item.when if c.holds(facts) is False})
        return cleared

    def _applied(self, item: Item, facts: ProjectFacts, type_ids: list[str] | None = None) -> dict[str, object] | None:
        """The facts an item's conditions were decided on, when they all hold (else None); a derived fact with
        the fact it came from and why (面积约3000平方米、属于特殊建设工程（…大于二千五百平方米…）)."""
        if not isinstance(item, Requirement | Problem) or not item.when or item.applies(facts) is not True:
            return None
        known = facts.known()
        applied = {}
        for condition in item.when:
            source = DERIVED_FROM.get(condition.fact)  # 面积约3000平方米、属于特殊建设工程
            if source in known:
                applied[source] = known[source]
            applied[condition.fact] = known[condition.fact]
            if condition.fact == "fire_special_project" and type_ids:  # the threshold it exceeds or falls short of
                special = bool(known["fire_special_project"])
                applied[condition.fact] = self._fire_reason(type_ids, facts, special=special) or special
        return applied

    def _fire_reason(self, type_ids: list[str], facts: ProjectFacts, special: bool) -> str | None:
        """Why the area makes this a 特殊建设工程 (or not): the listing of 第十四条 it exceeds (or falls short of);
        None when the area is not what decided it."""
        for project_type in self.kb.expand(type_ids):
            review = project_type.fire_review
            if review is None or facts.area_m2 is None or (facts.area_m2 > review.area_gt) != special:
                continue
            if special:
                return f"属于特殊建设工程：{review.listed_as}总建筑面积大于{review.area_gt:g}平方米"
            return f"不属于特殊建设工程：{review.listed_as}总建筑面积大于{review.area_gt:g}平方米的才属于"
        return None

    def _relevant(self, hits: list[Hit], type_ids: list[str], project: ProjectContext | None) -> list[Hit]:
        """Only items of these types (and, in a project chat, preferably of its plan) and articles of
        regulations these types rely on: no 娱乐场所 rules in an answer about a 烧烤店."""
        if not type_ids:
            return hits
        allowed = {t.id for t in self.kb.expand(type_ids)}

        def keep(hit: Hit) -> bool:
            if hit.chunk.kind in SOURCE:
                owners = self._doc_types.get(hit.chunk.doc_id)
                return not owners or bool(owners & allowed)
            return not hit.chunk.project_types or bool(allowed & set(hit.chunk.project_types.split(",")))

        kept = [hit for hit in hits if keep(hit)]
        if project is not None:
            in_plan = project.item_ids
            preferred = [
                h for h in kept if h.chunk.kind in SOURCE or h.chunk.kind == "faq" or h.chunk.item_id in in_plan
            ]
            if any(h.chunk.kind in ("requirement", "problem") for h in preferred):
                kept = preferred
        return kept

    def _with_plan_note(self, reply: Reply, project: ProjectContext | None) -> Reply:
        if project is None:
            return reply
        for item_id in reply.items:
            entry = project.entry(item_id)
            if entry is not None:
                note = f"；专员备注：{entry.note}" if entry.note else ""
                reply.notes.append(f"您的方案中此项：{entry.status}{note}。")
        return reply

    def _add_permits_of_items(self, reply: Reply, retrieval: Retrieval, type_ids: list[str],
                              project: ProjectContext | None) -> None:  # fmt: skip
        """ "拍牙片的机器要办啥手续？": the 事项 the answering items lead to, listed after the answer."""
        hits = self._relevant(retrieval.hits, type_ids, project)
        permit_ids: list[str] = []
        for hit in hits[:6]:
            item = self.items.get(hit.chunk.item_id)
            permit_id = getattr(item, "permit_id", None)
            if permit_id and permit_id in self.kb.permits and permit_id not in permit_ids:
                permit_ids.append(permit_id)
        if not permit_ids or reply.points:
            return
        reply.heading = "要办的手续"
        reply.points = [f"{self.kb.permits[p].known_as}（{short_department(self.kb.permits[p].department)}）"
                        for p in permit_ids[:4]]  # fmt: skip
        reply.permits = permit_ids[:4]

    # -- comparisons ---------------------------------------------------------------------

    def _both_sides(self, u: Understanding, reply: Reply, retrieval: Retrieval) -> Reply | None:
        """Two sides of one rule (国内游/出境游, 门诊/住院病历), asked together or one after the other: among the
        answer's own articles and those found, the one that states each side in a clause of its own, about what
        is asked (审批时间, not 编制), answers with both clauses, verbatim."""
        text = u.text
        contrast = contrast_in(text)
        if contrast is None and u.asked and u.asked in text:  # "要是还想做出境游呢？" after a question on 国内游
            contrast = contrast_across(text[: text.rindex(u.asked)], u.asked)
        if contrast is None:
            return None
        sides = contrast.first.label + contrast.second.label
        topic = [t for t in self.focus(text) if t not in sides]

        def weight(clause: str) -> float:
            return sum(1 for t in topic if t in clause) + (2 if _QUANTITY_IN.search(clause) else 0)

        keys = [(c.doc_id, c.article) for c in reply.citations]
        keys += [
            (h.chunk.doc_id, h.chunk.article) for h in retrieval.hits if h.chunk.kind in SOURCE and h.chunk.article
        ]
        best: tuple[float, str, str, tuple[str, str], str] | None = None
        for doc_id, label in list(dict.fromkeys(keys))[: self.config.candidate_articles]:
            article = self.corpus.find_article(doc_id, label) if label else None
            found = contrast.clauses(article.text, weight) if article is not None else None
            if found is None or article is None or label is None:
                continue
            about = sum(weight(clause) for clause in found)
            if about and (best is None or about > best[0]):
                best = (about, doc_id, label, found, article.text)
        if best is None:
            return None
        _, doc_id, label, found, article_text = best
        both = Reply(lead="".join(f"{side.label}：{sentence(clause)}" for side, clause in
                                  zip((contrast.first, contrast.second), found, strict=True)), source="article")  # fmt: skip
        start = min(article_text.index(clause) for clause in found)
        end = max(article_text.index(clause) + len(clause) for clause in found)
        both.cite([Citation.from_basis(Basis(doc_id=doc_id, article=label, quote=article_text[start:end]),
                                       self.corpus)], self.config.max_citations)  # fmt: skip
        return both

    def _compare(self, u: Understanding, type_ids: list[str], facts: ProjectFacts, search: Search) -> Reply:
        sides = []
        combined = Reply(lead="")
        topic = self.strip_types(u.text)
        fire = self._topics["fire_special_project"].search(topic) or _THRESHOLD.search(topic)
        for type_id in type_ids[:2]:
            word = self.kb.types[type_id].name.split("（")[0]
            review = self.kb.types[type_id].fire_review
            if fire and review is not None:  # 健身房和KTV的消防设计审查门槛: each side's listing in 第十四条
                side = f"{word}：{review.listed_as}总建筑面积大于{review.area_gt:g}平方米的属于特殊建设工程"
                if facts.area_m2 is not None:
                    side += f"（按您说的约{facts.area_m2:g}平方米，{'属于' if facts.area_m2 > review.area_gt else '不属于'}）"
                sides.append(side + "。")
                combined.cite(
                    [Citation.from_basis(b, self.corpus) for b in review.basis[:1]], self.config.max_citations
                )
                continue
            retrieval = search(f"{word}{topic}", [type_id])
            side_u = Understanding(question=u.question, text=u.text, intent=Intent.OTHER, type_ids=[type_id])
            reply = self._from_knowledge(side_u, retrieval, [type_id], facts, None)
            if not reply.lead:
                continue
            first = reply.lead.split("。")[0].strip() + "。"
            sides.append(f"{word}：{first}")
            combined.items += reply.items
            combined.cite(reply.citations[:1], self.config.max_citations)
        combined.lead = "".join(sides)
        return combined


_QUANTITY_IN = re.compile(
    r"[0-9一二三四五六七八九十百千万两]+\s*(?:个)?(?:工作日|日|天|年|个月|月|米|平方米|万元|元|人|名|张)"
)
# Two businesses asked about each ("健身房和KTV的门槛分别是多少"): answered side by side, like a comparison.
_EACH = re.compile(r"分别|各是|各自|各要|各有")
# "还要办证不", "还得有个证", "要办什么": asks which other 事项 there are, not about one already named.
_OTHER_PERMIT = re.compile(
    r"(?:还|也|另|别的|其他|额外).{0,6}(?:证|照|手续|许可|审批|备案|登记|批文)|办(?:什么|啥|哪些|哪个|几个)"
)
_OFFICE_INTENTS = frozenset({Intent.LIST, Intent.FEASIBILITY, Intent.DEPARTMENT, Intent.OTHER})
# "营业执照下来了就能开吗", "光有执照行不行": whether the business licence is all it takes.
_LICENCE_ENOUGH = re.compile(
    r"(?:营业执照|执照)[^。？?]{0,14}(?:就|便)(?:能|可以|可|行|够|算|完事|齐)"
    r"|(?:只|光|仅)(?:要|有|办|凭|拿)?(?:个|了|一个)?(?:营业执照|执照)"
    r"|(?:营业执照|执照)[^。？?]{0,8}(?:够不够|够了吗|够吗|行不行|行吗|足够)"
)
# "开业以后还要跑啥手续", "收老人以后要报什么": what is done once the business runs.
_ONCE_OPEN = re.compile(
    r"(?:开业|营业(?!执照|证|登记)|开张|开门|开起来|运营|收(?:了)?(?:老人|人|客人?|学生|孩子)|接客)[^，。？?]{0,3}(?:以后|之后|后)"
    r"[^。？?]{0,12}(?:手续|办|跑|备案|报)"
)
_DEFINITION = re.compile(r"本(?:办法|条例|法|规定|细则)所称")
# "除了卫健这张，…": the office already dealt with, not the one asked about.
_BESIDES = re.compile(r"除了[^，,。？?；;]*")
# How far apart two sides of one rule are ("质保金差多少"): answered like a comparison of them.
_DIFFERENCE = re.compile(r"差(?:多少|几|在哪)")
# A question about the size above which a place needs the fire design review.
_THRESHOLD = re.compile(r"面积门槛|多大面积|多少平.{0,6}(?:消防|审查|送审)|(?:消防|审查|送审).{0,8}多少平")
_AMOUNT = re.compile(r"[0-9一二三四五六七八九十百千万两]+\s*(?:多|来|余)?\s*(?:平方米|平米|平|㎡|米|台|间|张|个人|人)")
_ASKING = frozenset({"开个", "开家", "开一家", "要不要", "不要", "需不需要", "能不能", "可不可以", "是不是", "有没有"})
_PROHIBITION = re.compile(r"不得|禁止|严禁|不准")
# A department as people name it (区卫健, 住建那边 — 那边 is dropped as a stopword).
_AUTHORITY = re.compile(
    r"(?:局|部门|窗口|委|厅|政府|监管|卫健|住建|文旅|市监|人社|民政|公安|消防|环保|教育|体育|商务)$"
)


def _maximal(tokens: list[str]) -> list[str]:
    """jieba's search mode yields 第一次 and also 第一, 一次: keep only the words no other word contains."""
    unique = list(dict.fromkeys(tokens))
    return [t for t in unique if not any(t != other and t in other for other in unique)]


def _stated(text: str, applied: dict[str, object]) -> bool:
    """Whether the facts applied were stated in the question itself (then it is "您说的情况")."""
    return bool({reading.fact for reading in read_facts(text)} & set(applied))


def _cites(item: Item, doc_id: str, article: str | None) -> bool:
    return any(b.doc_id == doc_id and b.article == article for b in getattr(item, "basis", []))


def _not_ruled_out(item: Item, known: dict[str, object]) -> bool:
    """An item whose conditions are false on the facts stated does not answer the question."""
    if isinstance(item, Requirement | Problem) and item.when and known:
        return item.applies(ProjectFacts.model_validate(known)) is not False
    return True


def _types_citing_each_doc(kb: KnowledgeBase) -> dict[str, set[str]]:
    """doc_id → the project types (and blocks) whose items cite it; the 通用 block cites for everyone."""
    owners: dict[str, set[str]] = {}
    general_docs: set[str] = set()
    for project_type in kb.types.values():
        for item in project_type.items:
            for basis in item.basis:
                if project_type.id == GENERAL_TYPE_ID:
                    general_docs.add(basis.doc_id)
                else:
                    owners.setdefault(basis.doc_id, set()).add(project_type.id)
    return {doc: types for doc, types in owners.items() if doc not in general_docs}


def _the_business(a: Asked) -> list[str]:
    """In a project chat the business is the project's, whatever it is said to be registered as (按生活美容办)."""
    return a.project.type_ids if a.project is not None and a.project.type_ids else a.type_ids


def _clause(summary: str, word: str) -> str | None:
    """The clause of a 事项's summary that says ``word`` (即可, 备案)."""
    return next((clause for clause in re.split(r"[，；。]", summary) if word in clause), None)
