"""Reading a question in the context of the conversation: "那如果是地下二层呢？" after a KTV question.

Without an LLM, a follow-up is recognised by its shape (那…呢, a pronoun such as 这个/它, a
question too short to stand alone) and rewritten into a standalone question from the last
turn that was answered: a changed detail replaces the same detail (地下一层 → 地下二层), a
new business replaces the old one (KTV → 网吧), and anything else is asked about the last
turn's subject (the 事项 or the business it was about).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.fact_reader import read_facts
from assistant.intent import PERMIT_INTENTS, Intent, detect_intent
from assistant.names import Named, PermitNames, TypesNamed
from kb.quantities import NUMBER

_LEADING = re.compile(
    r"^(?:那么|那要是|那如果|那假如|那请问|那|如果是|如果|要是|假如|换成|改成|还有|另外|再问一下|再问|然后)[，,、\s]*"
)
_TRAILING = re.compile(r"(?:的话)?呢?[？?！!。.\s]*$")
_PRONOUN = re.compile(
    r"^证(?=拿|下来|到手|办|批|领)|^(?:批|办|发)?下来(?=以后|之后|后)|^(?:拿到|领到|取得)手?(?=以后|之后|后)|这个证|这证|该证|此证|这项|那项|这个事项|这个许可|这个备案|这个手续|这个|那个|这种|那种|这家|这类|它们|它|其|他们|她们|"
    r"上述|上面(?:说|讲)的|刚才(?:说|讲|问)的|前面(?:说|讲)的|这样"
)
# "我这个店", "我们这儿": the asker's own business (in a project chat, the project), not the last turn.
_OWN = re.compile(r"(?:我|我们|咱|咱们)(?:这个|这家|这边|这儿|这里|的|这)(?:店|项目|铺子|地方|场所)?|本店")
# "证拿到手以后…", "批下来以后…" opening a follow-up: the certificate just talked about.
_PERMIT_PRONOUN = re.compile(
    r"^证(?=拿|下来|到手|办|批|领)|^(?:批|办|发)?下来(?=以后|之后|后)|^(?:拿到|领到|取得)手?(?=以后|之后|后)|这个证|这证|该证|此证|这项许可|这个许可|这个备案|这个手续|这个审批|这个登记|这张证"
)
_COMPARES = re.compile(
    r"差多少|差别|区别|不一样|一样吗|有啥不同|比.{0,6}(?:哪个|更)|相比|[跟和与]它比|哪个更|"
    r"俩证|两个证|这俩|这两个|两者|二者|哪个先(?:到期|过期|失效)"
)
# "也要吗", "也卡这个距离吗", "也跟它一样一刀切吗": the same requirement asked of something else, so the last
# question supplies it.
_ALSO = re.compile(
    r"也(?:要|得|需要|必须|算|适用|一样|卡|受|管|归|是|有)|(?:跟|和|同|像)(?:它|他|这个|那个|前面的?|上面的?)一样|同样"
)
_SHORT = 10
_BESIDES = re.compile(r"除了|除去|除")
_QUANTITY = re.compile(rf"(?P<n>{NUMBER})\s*(?P<unit>平方米|平米|平|米|层|楼|间|台|张|人|个|天|日|年|岁)")


@dataclass(frozen=True)
class PriorTurn:
    """An earlier turn of the same conversation, as it was understood and answered."""

    question: str
    understood: str
    type_ids: tuple[str, ...] = ()
    permit_ids: tuple[str, ...] = ()
    subject: str = ""
    intent: str = Intent.OTHER
    out_of_scope: bool = False
    # 事项 the answer named without being about them: only what "这个证" may point at, when the question's own
    # 事项 are excluded ("除了营业执照，还得办个证？" answered with a quote naming the sports licence).
    mentioned_permit_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Understanding:
    question: str
    text: str
    intent: Intent
    type_ids: list[str] = field(default_factory=list)
    permit_ids: list[str] = field(default_factory=list)
    subject: str = ""
    follows_up: bool = False
    # Several 事项 share the name asked about (消防验收: 验收 or 验收备案): the question is about one of them.
    permits_alternative: bool = False
    # When ``text`` joins the last question with this one's own words, those words: what is asked now
    # weighs more than what is carried over ("出境游呢？钱上差多少" after a question on 国内游's 保证金).
    asked: str = ""

    @property
    def rewritten(self) -> bool:
        return self.text != self.question


class Interpreter:
    def __init__(self, types_named: TypesNamed, permits: PermitNames) -> None:
        self.types_named = types_named
        self.permits = permits

    def understand(self, question: str, history: list[PriorTurn] | None = None, force: bool = False) -> Understanding:
        """``force``: read the question as a follow-up even if its shape does not say so (used when,
        read alone, it would be declined: "报上去以后他们多久核实完？" after a question on 招生广告备案)."""
        types = self.types_named(question)
        permits = self.permits.named(question)
        previous = next((turn for turn in reversed(history or []) if not turn.out_of_scope), None)
        if previous is None or not (force or self._elliptical(question, types, permits, previous)):
            return self._standalone(question, types, permits)
        return self._follow_up(question, types, permits, previous)

    # -- shapes ----------------------------------------------------------------

    @staticmethod
    def _elliptical(question: str, types: list[Named], permits: list[Named], previous: PriorTurn) -> bool:
        core = _TRAILING.sub("", _LEADING.sub("", question.strip()))
        if (
            previous.permit_ids
            and not types
            and not permits
            and len(core) <= _SHORT * 2
            and detect_intent(core) in PERMIT_INTENTS
        ):  # 最后去哪个部门递？ after two turns on one 事项
            return True
        if _LEADING.match(question.strip()) and ("呢" in question or len(core) <= _SHORT * 2):
            return True
        if question.rstrip("？?！! ").endswith("呢") and len(core) <= _SHORT * 2:
            return True
        if _PRONOUN.search(_OWN.sub("", question)) and not permits:
            return True
        return not types and not permits and len(core) <= _SHORT

    def _standalone(self, question: str, types: list[Named], permits: list[Named]) -> Understanding:
        return Understanding(
            question=question,
            text=question,
            intent=detect_intent(question),
            type_ids=_ids(types),
            permit_ids=_ids(_not_besides(question, permits)),
            subject=_subject(types, permits),
            permits_alternative=_alternatives(permits),
        )

    def _follow_up(self, question: str, types: list[Named], permits: list[Named], previous: PriorTurn) -> Understanding:
        core = _TRAILING.sub("", _LEADING.sub("", question.strip()))
        rest = core
        for named in (*types, *permits):
            rest = rest.replace(named.word, "")
        rest = rest.strip("，,、的 和与跟")
        if types or permits:
            asked = ""
            if len(rest) >= 3 and (_COMPARES.search(question) or _ALSO.search(rest)):
                # 那X的呢？要求差多少？ / 那理发店洗头的也要吗？ → asked against the last question
                text, asked = f"{previous.understood}{core}？", core
            elif len(rest) >= 3:  # 那网吧的营业时间呢 → a question of its own about the new subject
                text = core if core.endswith(("？", "?")) else f"{core}？"
            else:  # 那网吧呢 → the last question, about the new subject
                text = self._swap_subject(previous, types, permits)
            permit_ids = _ids(permits) or ([] if types else list(previous.permit_ids))
            if permits and _COMPARES.search(question):  # 那小餐饮登记证呢？跟它比哪个管得久 → both 事项
                permit_ids = list(dict.fromkeys([*previous.permit_ids, *permit_ids]))
            return Understanding(
                question=question,
                text=text,
                intent=detect_intent(text),
                type_ids=_ids(types) or list(previous.type_ids),
                permit_ids=permit_ids,
                subject=_subject(types, permits) or previous.subject,
                follows_up=True,
                asked=asked,
            )
        swapped = self._swap_details(previous.understood, core)
        subject, permit_ids = previous.subject, list(previous.permit_ids)
        pronoun = _PERMIT_PRONOUN.search(core)
        referable = previous.permit_ids or previous.mentioned_permit_ids
        referent = self._referent(previous, pronoun.group(0)) if referable and pronoun else None
        unmatched = pronoun is not None and referent is None and bool(previous.permit_ids)
        if referent is not None:  # 这个证 → the 事项 last talked about
            permit_ids = [referent]
            subject = self.permits.names.get(referent, subject)
        elif unmatched:  # 这个备案, but the last answer named no 备案
            permit_ids = []
        asked = ""
        if swapped is not None:
            text = swapped
        elif subject and not unmatched:  # 这个证多久能下来 → 网络文化经营许可多久能下来
            stripped = _PRONOUN.sub("", core).strip("，,、 ") or core
            text = _with_predicate(subject, stripped, previous.understood)
        else:  # nothing to anchor it on but the last question (or a 备案 it did not name)
            text, asked = f"{previous.understood}{core}？", core
        return Understanding(
            question=question,
            text=text,
            intent=detect_intent(text) if swapped is not None else detect_intent(core),
            type_ids=list(previous.type_ids),
            permit_ids=permit_ids,
            subject=subject,
            follows_up=True,
            asked=asked,
        )

    def _referent(self, previous: PriorTurn, pronoun: str) -> str | None:
        """Which of the last turn's 事项 "这个备案" / "这个证" means: one of that kind (备案, 许可, 登记) and
        named in the last question if any, else the first; None when the pronoun names a kind none of them is."""
        kind = next((word for word in ("备案", "许可", "登记", "审批") if word in pronoun), "")
        candidates = [p for p in previous.permit_ids if kind in self.permits.names.get(p, "")] or [
            p for p in previous.mentioned_permit_ids if kind in self.permits.names.get(p, "")
        ]
        if not candidates:
            return None
        besides = {
            named.id
            for named in self.permits.named(previous.question)
            if _BESIDES.search(
                previous.question[max(0, previous.question.find(named.word) - 3) : previous.question.find(named.word)]
            )
        }
        kept = [p for p in candidates if p not in besides]
        if not kept:  # 除了营业执照，还得办个证: not that one, but one the answer named
            kept = [
                p for p in previous.mentioned_permit_ids if kind in self.permits.names.get(p, "") and p not in besides
            ]
        candidates = kept or candidates
        asked = {named.id for named in self.permits.named(previous.question)} - besides
        if named_now := next((p for p in candidates if p in asked), None):
            return named_now
        # Not named in the last question (the answer listed several): the licence of that trade, if one is listed.
        own = [p for p in candidates if set(previous.type_ids) & self.permits.trades.get(p, frozenset())]
        return min(own, key=lambda p: len(self.permits.trades[p])) if own else candidates[0]

    def _swap_subject(self, previous: PriorTurn, types: list[Named], permits: list[Named]) -> str:
        """The last question with its business (or 事项) replaced by the one just named."""
        text = previous.understood
        new_word = (types or permits)[0].word
        old_words = [named.word for named in (*self.types_named(text), *self.permits.named(text))]
        if old_words:
            for word in old_words:
                text = text.replace(word, new_word, 1) if word in text else text
            return text
        return f"{new_word}：{text}"

    @staticmethod
    def _swap_details(previous: str, core: str) -> str | None:
        """The last question with the details stated now (floor, distance, area…) put in place of the old ones:
        a number with the same unit first (四百平 → 七百平), else the words a fact was read from (地下一层 → 地下二层)."""
        text = previous
        replaced = False
        for match in _QUANTITY.finditer(core):  # 那300米呢: the same unit, a new number
            unit = match.group("unit")
            old = next((m for m in _QUANTITY.finditer(text) if m.group("unit") == unit), None)
            if old is not None and old.group(0) != match.group(0):
                text = text[: old.start()] + match.group(0) + text[old.end() :]
                replaced = True
        if replaced:
            return text
        new = {reading.fact: reading for reading in read_facts(core)}
        for reading in read_facts(previous):
            evidence = new.get(reading.fact)
            if evidence is not None and reading.evidence in text and evidence.evidence and len(evidence.evidence) <= 12:
                text = text.replace(reading.evidence, evidence.evidence, 1)
                replaced = True
        return text if replaced else None


def _with_predicate(subject: str, words: str, previous: str) -> str:
    """A follow-up that names only a thing ("那护士呢", "那只做皮肤科项目的呢") asks the last question's
    predicate of it: 医美机构的主诊医师要什么条件 → 医美机构护士要什么条件; a modifier ending in 的 keeps the
    last question's head noun (→ 医美机构只做皮肤科项目的主诊医师要几年经验)."""
    if _ASKING.search(words):
        return f"{subject}{words.rstrip('的')}？"
    split = _ASKING.search(previous, 2)
    if split is None:
        return f"{subject}{words.rstrip('的')}？"
    head, predicate = previous[: split.start()], previous[split.start() :].rstrip("？?。 ")
    if words.endswith("的"):
        noun = head.rsplit("的", 1)[-1] if "的" in head else ""
        return f"{subject}{words}{noun}{predicate}？"
    return f"{subject}{words}{predicate}？"


# Where the question itself starts ("医美机构的主诊医师|要什么条件").
_ASKING = re.compile(
    r"需要|要不要|用不用|得不得|能不能|能否|可不可以|可以|是不是|有没有|必须|应该|应当|怎么|如何|多少|多久|多远|多长|(?<![这那])几|什么|啥|"
    r"哪|算不算|也要|也得|还要|还得|要|得|能|吗"
)


def _alternatives(permits: list[Named]) -> bool:
    return len(permits) > 1 and len({named.word for named in permits}) == 1


def _not_besides(question: str, permits: list[Named]) -> list[Named]:
    """The 事项 a question asks about: not one it sets aside ("除了营业执照，还得哪个部门点头")."""
    return [
        named
        for named in permits
        if (at := question.find(named.word)) < 0 or not _BESIDES.search(question[max(0, at - 3) : at])
    ]


def _ids(named: list[Named]) -> list[str]:
    return list(dict.fromkeys(item.id for item in named))


def _subject(types: list[Named], permits: list[Named]) -> str:
    """The words that named what the question is about, for the next turn to refer back to."""
    if permits:
        return permits[0].word
    return types[0].word if types else ""
