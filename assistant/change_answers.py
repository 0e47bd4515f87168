"""变更: what a business must do when something a licence records changes after it is granted — a new 法定代表人,
a new name, a move, more machines or beds, a rebuild, a new line of business.

The answer is the 事项目录's own rules for it: each 事项's follow-ups and validity notes that name what changed
(网络文化经营许可: 变更名称、住所、法定代表人…的办理变更登记，并到文化行政部门、公安机关办理手续), with their basis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.config import AnswerConfig
from assistant.models import Citation
from assistant.reply import Reply, sentence
from kb.corpus import Corpus
from kb.facts import ProjectFacts
from kb.knowledge import GENERAL_TYPE_ID, KnowledgeBase
from kb.schema import Basis, Permit

# What changed: how people say it, and how the catalogue's rules name it.
_CHANGES: dict[str, tuple[str, str]] = {
    "负责人": (r"法人|法定代表人|负责人|老板|股东|投资人|老总", r"法定代表人|负责人|投资人员"),
    "名称": (r"名字|名称|店名|校名|馆名|字号|改名|更名|换名|招牌", r"名称"),
    "地址": (
        r"搬|迁|地址|换个?地|挪|新址|选址|换个?(?:门面|店面|场地)",
        r"地址|迁移|经营场所|营业场所|服务场所|场地|住所|选址|(?:改变|变更)[^，。；]{0,12}场所",
    ),
    "规模": (r"加到|增加到|增至|扩大|扩容|从[^，。？]{1,8}加|多加", r"数量|床位|规模|设施设备"),
    "改建": (r"扩建|改建|重新装修|改造|改了?布局|翻修", r"改建|扩建|装修"),
    "项目": (
        r"经营范围|(?:加|增|新开|新上|新增|添|开展)[^，。？]{0,6}(?:项目|科目|科|业务)",
        r"经营范围|经营项目|项目|科目|活动种类",
    ),
}
_CHANGED = re.compile(r"换|变更|改|搬|迁|加到|增加|增至|扩|新增|新上|加个|添|多加")
# "原来那张证还能接着用吗", "改个地址就行了吧": asks whether the old licence still does.
_STILL_DOES = re.compile(r"还能|能不能|能直接|可以直接|就行|接着用|继续用|照样用|还有效|沿用|行不行|行吗|可以吗")
# "营业执照已经换好了", "工商变更已经办完": the change is done at that office; the question is about the others.
_CHANGE_DONE = re.compile(r"换好|改好|改完|变更完|变更好|变更已经办完|变更办完|已经变更|办完变更")
_BUSINESS_REGISTRY = re.compile(r"工商|营业执照|市场监管")
# An office the question names (文旅那边还得再跑一趟吗): how the catalogue names it → how people say it.
OFFICES = {
    r"卫生|疾病预防控制": r"卫生|卫健|疾控",
    r"消防": r"消防",
    r"公安": r"公安|派出所|治安",
    r"文化|旅游": r"文旅|文化|文广|旅游局",
    r"体育": r"体育局|体育部门|体育那边",
    r"(?<!人)民政": r"民政",  # not 人民政府
    r"生态环境": r"环保|生态环境",
    r"教育": r"教育局|教育部门",
}
# "…就行吧", "…就够了吧": whether a change is all a new activity needs.
_ENOUGH = re.compile(r"就行|就够|就可以|就能干|就能做|就完事")
_ANEW = re.compile(r"重新(?:申请|报批|核发|申领|办理)")
_A_CHANGE = re.compile(rf"变更|改变|变动|迁移|{_ANEW.pattern}")


@dataclass(frozen=True)
class ChangeRule:
    permit: Permit
    text: str
    basis: list[Basis]


def offices_named(question: str) -> list[str]:
    """The offices a question names (文旅那边, 公安那边), as the catalogue names them."""
    return [office for office, said in OFFICES.items() if re.search(said, question)]


def offices_addressed(question: str) -> list[str]:
    """The offices a question names as offices to go to (环保那边, 找环保, 公安部门), not as a topic
    (负责消防的员工)."""
    return [office for office, said in OFFICES.items()
            if re.search(rf"(?:{said})(?:那边|那儿|那里|这边|部门|局|窗口|大队|支队)|(?:去|找|到|向|跑)(?:{said})", question)]  # fmt: skip


class ChangeAnswers:
    def __init__(self, kb: KnowledgeBase, corpus: Corpus, config: AnswerConfig) -> None:
        self.kb = kb
        self.corpus = corpus
        self.config = config
        self._said = {what: re.compile(said) for what, (said, _) in _CHANGES.items()}
        self._named = {what: re.compile(named) for what, (_, named) in _CHANGES.items()}

    def changed(self, question: str) -> list[str]:
        """What the question says has changed (or will): 负责人, 名称, 地址… — empty when it states no change."""
        if not _CHANGED.search(question):
            return []
        changed = [what for what, said in self._said.items() if said.search(question)]
        if _ENOUGH.search(question):  # 加个打玻尿酸的项目，营业执照上加个经营范围就行吧: a new licence, not a change
            changed = [what for what in changed if what != "项目"]
        return changed

    def answer(self, question: str, changed: list[str], permit_ids: list[str], type_ids: list[str],
               facts: ProjectFacts) -> Reply | None:  # fmt: skip
        """The rules of the 事项 asked about (or of the business's 事项, its own before the common ones) for what
        changed; ``None`` when the catalogue has none."""
        rules = [
            rule
            for permit in self._permits(question, permit_ids, type_ids, facts)
            for rule in self._rules(permit, changed)
        ]
        if not rules:
            return None
        rules = rules[: self.config.max_points]
        anew = bool(_STILL_DOES.search(question)) and any(_ANEW.search(rule.text) for rule in rules)
        verdict = "不能。" if anew else ""
        if len(rules) == 1:
            rule = rules[0]
            reply = Reply(lead=f"{verdict}{rule.permit.known_as}：{sentence(rule.text)}", source="permit",
                          permits=[rule.permit.id])  # fmt: skip
        else:
            reply = Reply(
                lead=f"{verdict}{'、'.join(changed)}变更，下面这些证照要跟着办（各按其规定）。",
                heading="要办的变更",
                points=[f"{rule.permit.known_as}：{rule.text}" for rule in rules],
                permits=list(dict.fromkeys(rule.permit.id for rule in rules)),
                source="permit",
            )
        bases = [rule.basis[0] for rule in rules if rule.basis]
        reply.cite([Citation.from_basis(basis, self.corpus) for basis in bases], self.config.max_citations)
        return reply

    def _permits(self, question: str, permit_ids: list[str], type_ids: list[str], facts: ProjectFacts) -> list[Permit]:
        """The 事项 named, or the business's (its own first; those of an option only when the facts say it is
        taken); without either, the 营业执照. A change the question says is done there (营业执照已经换好了,
        工商变更已经办完) leaves the others; an office the question names (文旅那边, 卫生这块) narrows them to its own."""
        done: set[str] = set()
        if _CHANGE_DONE.search(question):
            done = {*permit_ids, *(("business_licence",) if _BUSINESS_REGISTRY.search(question) else ())}
            permit_ids = []
        if permit_ids:
            return [self.kb.permits[p] for p in permit_ids if p in self.kb.permits]
        if not type_ids:
            return [self.kb.permits[p] for p in ("business_licence",) if p in self.kb.permits and p not in done]
        suppressed = self.kb.suppressed_by(type_ids)
        own: dict[str, bool] = {}
        for project_type in self.kb.expand(type_ids):
            for item in project_type.permit_items:
                if item.permit_id and item.id not in suppressed and (not item.when or item.applies(facts) is True):
                    own[item.permit_id] = own.get(item.permit_id, False) or project_type.id != GENERAL_TYPE_ID
        permits = sorted((self.kb.permits[p] for p in own if p in self.kb.permits and p not in done),
                         key=lambda p: (not own[p.id], list(self.kb.permits).index(p.id)))  # fmt: skip
        offices = offices_named(question)
        if offices:
            permits = [p for p in permits if any(re.search(office, p.name + p.department) for office in offices)]
        return permits

    def _rules(self, permit: Permit, changed: list[str]) -> list[ChangeRule]:
        """The permit's follow-ups and validity note that name what changed: of each, the clauses that do, and the
        basis quoting them (公共场所卫生许可证 changes name and address under different sentences)."""
        statements = [(f.title, f.basis) for f in permit.follow_ups]
        if permit.validity is not None:
            statements.append((permit.validity.text, permit.validity.basis))
        rules: list[ChangeRule] = []
        for text, basis in statements:
            clauses = [c for c in text.split("；") if self._names_change(c, changed)]
            if clauses:
                quoting = [b for b in basis if self._names_change(b.quote, changed)] or basis
                rules.append(ChangeRule(permit, "；".join(clauses), quoting))
        return rules

    def _names_change(self, text: str, changed: list[str]) -> bool:
        return bool(_A_CHANGE.search(text)) and any(self._named[what].search(text) for what in changed)
