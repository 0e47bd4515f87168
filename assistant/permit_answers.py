"""Answers about one 事项 from the catalogue: its materials in full, its conditions, the statutory time
limit with its caveat, who decides, what must come first, how it is done, and whether it costs a fee."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.change_answers import offices_named
from assistant.config import AnswerConfig
from assistant.intent import PERMIT_INTENTS, Intent, detect_intent
from assistant.item_answers import question_parts
from assistant.models import Citation
from assistant.permit_path import prerequisite_closure
from assistant.reply import PENDING, Reply, sentence
from assistant.support import Support
from kb.corpus import Corpus
from kb.schema import STAGE_NAMES, Basis, Grounded, Material, Permit

STATUTORY_CAVEAT = "这是法律规定的最长期限，当地承诺时限以办事指南为准。"
STAGE_WHEN = {
    "before_lease": "签租赁合同前",
    "before_fitout": "装修施工前",
    "before_opening": "开业（投入使用）前",
    "after_opening": "开业后",
}
_LASTS_LONG = re.compile(r"管得久|管多久|管几年|用多久|用几年|有效")
_EACH = re.compile(
    r"分别|各自|各(?:要|是|为|有|多|几|需)|都要多久|都是多久|两个都|几个都|哪个|哪一个|谁(?:先|长|久|短)"
)
_VALIDITY = re.compile(r"有效期|续期|延续|到期|过期|几年|校验|换证|提前.{0,4}(?:续|申请)")
# "几天能拿到", "多久能批": how long the decision takes, asked beside how long the licence lasts.
_HOW_FAST = re.compile(r"(?:几天|多少天|多久|多长时间)(?:能|可以|就能)?(?:拿|批|下来|办|出|发)")
_OTHER_PERMITS = re.compile(r"(?:办|拿|领|申请)[^，。？?]{0,4}(?:啥|什么|哪些|哪个|别的|其他)?(?:证|许可|备案|登记)")
_DEPARTMENT_NOTE = "受理部门："
# "收不收费", "要交钱吗": whether the 事项 costs anything.
FEE_ASKED = re.compile(
    r"收不收费|收费吗|要收费|收费不|要钱吗|要不要钱|花钱吗|交钱吗|收钱吗|免费吗|是免费|"
    r"(?:办|申请|办理|审批|备案|登记)[^，。？?]{0,8}(?:费用|多少钱|收费|交钱|花钱|收钱)"
)
# Money that is no fee for the 事项: a deposit, capital, a fine, rent.
_NOT_A_FEE = re.compile(r"保证金|押金|罚|注册资本|资金|租金|工资|价格|标价")
_NO_FEE = re.compile(r"[^。；;\n]*不(?:得)?收取(?:任何)?费用[^。；;\n]*")
# A 许可 (not a 备案 or 登记) falls under the general rule of the 行政许可法 when its own regulation is silent.
_LICENCE_KINDS = ("许可", "审查", "验收", "检查")
_GENERAL_NO_FEE = ("xingzheng-xuke-fa", "第五十八条")
_AFTER = re.compile(r"之后|以后|取得.{0,6}后|拿到.{0,6}后|下来后|批了.{0,4}后|后续|还要")
# "递上去以后几天给结果": after handing in, so the time to decide, not what follows the grant.
_HANDED_IN = re.compile(r"(?:递|交|报|提交|申请|受理)[^，。？?]{0,4}(?:之后|以后|后)")


class PermitAnswers:
    def __init__(self, permits: dict[str, Permit], corpus: Corpus, support: Support, config: AnswerConfig) -> None:
        self.permits = permits
        self.corpus = corpus
        self.support = support
        self.config = config

    def answer(self, permit_ids: list[str], intent: Intent, question: str, alternatives: bool = False,
               side_by_side: bool = False) -> Reply:  # fmt: skip
        """``alternatives``: the 事项 share the name asked about, so each is answered as one possible case;
        ``side_by_side``: they are compared, so each is answered in turn (not put in order)."""
        reply = self._parts(permit_ids, intent, question, alternatives, side_by_side or bool(_EACH.search(question)))
        reply.source = "permit"
        return reply

    def _parts(self, permit_ids: list[str], intent: Intent, question: str, alternatives: bool,
               side_by_side: bool) -> Reply:  # fmt: skip
        """Each part of the question answered in turn (材料要哪些？多少天出意见？)."""
        parts = [p for p in question_parts(question) if detect_intent(p) in PERMIT_INTENTS or asks_fee(p)]
        if len(parts) < 2:
            return self._answer(permit_ids, intent, question, alternatives, side_by_side)
        replies = [self._answer(permit_ids, detect_intent(part), part, alternatives, side_by_side) for part in parts]
        combined = Reply(lead="".join(dict.fromkeys(r.lead for r in replies if not r.points)),
                         permits=list(dict.fromkeys(p for r in replies for p in r.permits)))  # fmt: skip
        listed = next((r for r in replies if r.points), None)
        if listed is not None:
            combined.lead = (combined.lead + listed.lead) if combined.lead else listed.lead
            combined.heading, combined.points = listed.heading, listed.points
        for reply in replies:
            combined.notes += [note for note in reply.notes if note not in combined.notes]
            combined.cite(reply.citations, self.config.max_citations)
        if any(detect_intent(part) == Intent.DEPARTMENT for part in parts):  # the lead already says who decides
            combined.notes = [note for note in combined.notes if not note.startswith(_DEPARTMENT_NOTE)]
        return combined

    def fee(self, permit_id: str) -> Reply | None:
        """Whether obtaining the 事项 costs a fee: the no-fee clause of its own regulation, or for a licence the
        行政许可法's; None when the corpus says nothing of it (never guessed)."""
        permit = self.permits[permit_id]
        for doc_id in dict.fromkeys(b.doc_id for b in permit.basis):
            regulation = self.corpus.get(doc_id)
            for article in regulation.articles if regulation else []:
                clause = _NO_FEE.search(article.text)
                if clause is not None and any(w in clause.group() for w in (permit.kind, *_name_words(permit))):
                    return self._no_fee(permit, Basis(doc_id=doc_id, article=article.label,
                                                      quote=clause.group().strip()))  # fmt: skip
        if permit.kind in _LICENCE_KINDS:
            doc_id, label = _GENERAL_NO_FEE
            general = self.corpus.find_article(doc_id, label)
            clause = _NO_FEE.search(general.text) if general is not None else None
            if clause is not None:
                return self._no_fee(permit, Basis(doc_id=doc_id, article=label, quote=clause.group().strip()))
        return None

    def _no_fee(self, permit: Permit, basis: Basis) -> Reply:
        reply = Reply(lead=f"不收费：{sentence(basis.quote)}", permits=[permit.id], source="permit")
        reply.cite([Citation.from_basis(basis, self.corpus)], self.config.max_citations)
        return reply

    def _answer(self, permit_ids: list[str], intent: Intent, question: str, alternatives: bool = False,
                side_by_side: bool = False) -> Reply:  # fmt: skip
        permits = [self.permits[p] for p in permit_ids if p in self.permits]
        if asks_fee(question) and len(permits) == 1 and (fee := self.fee(permits[0].id)) is not None:
            return fee
        if len(permits) >= 2 and intent == Intent.PREREQUISITES and not alternatives:
            return self._order(permits)
        if len(permits) >= 2 and (alternatives or side_by_side):
            return self._several(permits, intent, question, alternatives)
        if len(permits) >= 2:  # 办学许可证批下来了，接着办法人登记，几天能登记好: the one named last is asked about
            permits = permits[-1:]
        permit = permits[0]
        match intent:
            case Intent.MATERIALS:
                reply = self._materials(permit)
            case Intent.CONDITIONS:
                reply = self._conditions(permit)
            case Intent.DEADLINE:
                reply = self._deadline(permit, question)
            case Intent.DEPARTMENT:
                reply = self._department(permit)
            case Intent.PREREQUISITES:
                reply = self._prerequisites(permit)
            case _:
                reply = self._procedure(permit)
        reply.permits = [permit.id]
        if permit.basis_pending and not reply.notes:
            reply.notes.append(f"（{PENDING}：{permit.pending_note}）")
        return reply

    # -- one 事项 ------------------------------------------------------------------

    def _materials(self, permit: Permit) -> Reply:
        deferrable = sum(m.deferrable for m in permit.materials)
        if not permit.materials:
            note = permit.materials_note or "完整材料清单以当地办事指南为准"
            reply = Reply(lead=f"{permit.name}的申请材料，收录的法规中没有完整列明（{PENDING}：{note}）。")
            reply.cite(self._cite(permit.basis, permit.name), self.config.max_citations)
            return reply
        extra = f"，其中{deferrable}项通常可容缺受理、先受理后补交" if deferrable else ""
        reply = Reply(
            lead=f"申请{permit.name}需要准备{len(permit.materials)}项材料{extra}。",
            heading="申请材料",
            points=[_material_line(m) for m in permit.materials],
        )
        reply.notes.append(f"{_DEPARTMENT_NOTE}{permit.department}。")
        if permit.materials_note:
            reply.notes.append(permit.materials_note)
        reply.cite(self._cite_each(permit.materials), self.config.max_citations)
        return reply

    def _conditions(self, permit: Permit) -> Reply:
        if not permit.conditions:
            return self._procedure(permit)
        # The department goes after the list: the conditions are what was asked, and must come first.
        reply = Reply(
            lead=f"取得{permit.name}须具备以下{len(permit.conditions)}项条件。",
            heading="条件",
            points=[c.text + (f"（{PENDING}）" if c.basis_pending else "") for c in permit.conditions],
        )
        reply.notes.append(f"审查部门：{permit.department}。")
        reply.cite(self._cite_each(permit.conditions), self.config.max_citations)
        return reply

    def _deadline(self, permit: Permit, question: str) -> Reply:
        if permit.validity is not None and (_VALIDITY.search(question) or _LASTS_LONG.search(question)):
            reply = Reply(lead=sentence(f"{permit.known_as}：{permit.validity.text}"))
            reply.cite(self._cite(permit.validity.basis, permit.validity.text), self.config.max_citations)
            if _HOW_FAST.search(question) and permit.time_limit is not None:  # 几天能拿到？能用几年
                granted = self._deadline(permit, _VALIDITY.sub("", _LASTS_LONG.sub("", question)))
                reply.lead = granted.lead + reply.lead
                reply.cite(granted.citations, self.config.max_citations)
            return reply
        timed = [f for f in permit.follow_ups if f.within]
        if timed and _AFTER.search(question) and not _HANDED_IN.search(question):
            lead = "；".join(f"取得{permit.name}后，{f.within}{f.title}" for f in timed)
            reply = Reply(lead=sentence(lead))
            reply.cite([c for f in timed for c in self._cite(f.basis, f.title)], self.config.max_citations)
            return reply
        limit = permit.time_limit
        if limit is None:
            note = permit.time_limit_note or f"{PENDING}：收录的法规未规定该事项的办理时限"
            reply = Reply(lead=f"{permit.name}由{permit.department}办理；{sentence(note)}当地承诺时限以办事指南为准。")
            reply.cite(self._cite(permit.basis, note), self.config.max_citations)  # what the note still says
            return reply
        basis = Citation.from_basis(limit.basis, self.corpus)
        reply = Reply(
            lead=f"{permit.name}的法定时限：{limit.text}（《{basis.title}》{basis.article}）。{STATUTORY_CAVEAT}"
        )
        if permit.time_limit_note:
            reply.notes.append(permit.time_limit_note)
        reply.cite([basis], self.config.max_citations)
        return reply

    def _department(self, permit: Permit) -> Reply:
        verb = "审批" if permit.kind in ("许可", "审查") else "办理"
        lead = f"{permit.known_as}由{permit.department}{verb}。"  # 公共场所卫生许可证由…: the certificate asked about
        reply = Reply(lead=lead)
        reply.cite(self._cite(permit.basis, permit.department), self.config.max_citations)
        return reply

    def _prerequisites(self, permit: Permit) -> Reply:
        before = [self.permits[p].name for p in permit.prerequisites if p in self.permits]
        lead = f"{permit.name}：{_first_sentences(permit.summary, self.config.lead_chars // 2)}"
        lead += f"须先取得{'、'.join(before)}。" if before else ""
        follow = [f"{f.within or ''}{f.title}" for f in permit.follow_ups]
        if follow:
            lead += f"取得后还要：{'；'.join(follow)}。"
        reply = Reply(lead=lead)
        bases = [*permit.basis, *(b for f in permit.follow_ups for b in f.basis)]
        reply.cite(self._cite(bases, lead), self.config.max_citations)
        return reply

    def _procedure(self, permit: Permit) -> Reply:
        verb = "申请" if permit.kind in ("许可", "审查", "验收", "检查") else "办理"
        lead = f"{sentence(permit.summary)}{STAGE_WHEN[permit.stage]}向{permit.department}{verb}{permit.name}。"
        points = []
        before = [self.permits[p].name for p in permit.prerequisites if p in self.permits]
        if before:
            points.append(f"先取得：{'、'.join(before)}")
        if permit.materials:
            points.append(f"准备材料（{len(permit.materials)}项）：{'、'.join(m.name for m in permit.materials)}")
        if permit.time_limit is not None:
            points.append(f"法定时限：{permit.time_limit.text}（法定上限，承诺时限见办事指南）")
        points += [f"取得后：{f.within or ''}{f.title}" for f in permit.follow_ups]
        reply = Reply(lead=lead, heading="办理要点" if points else "", points=points)
        bases = [*permit.basis[:1], *(m.basis[0] for m in permit.materials[:1] if m.basis)]
        if permit.time_limit is not None:
            bases.append(permit.time_limit.basis)
        reply.cite(self._cite(bases, lead + "".join(points)), self.config.max_citations)
        return reply

    def after_grant(self, permit_id: str, question: str) -> Reply | None:
        """ "证拿到手以后，公安那边还要跑啥手续？": what the 事项 calls for once granted (an office named narrows it),
        those with a time limit first; ``None`` when the catalogue records nothing."""
        permit = self.permits[permit_id]
        follow_ups = sorted(permit.follow_ups, key=lambda f: f.within is None)
        offices = offices_named(question)
        named = [f for f in follow_ups if any(re.search(office, f.title) for office in offices)]
        if not named and _OTHER_PERMITS.search(question):
            return None  # 营业执照拿到以后还要办啥证: the 事项 it opens the way to, not its own follow-ups
        follow_ups = named or follow_ups
        if not follow_ups:
            return None
        lines = [f"{f.within or ''}{f.title}" if f.within and f.within not in f.title else f.title for f in follow_ups]
        if len(lines) == 1:
            reply = Reply(lead=f"取得{permit.known_as}后，{sentence(lines[0])}", permits=[permit.id], source="permit")
        else:
            reply = Reply(lead=f"取得{permit.known_as}后，要接着办这些。", heading="取得后", points=lines,
                          permits=[permit.id], source="permit")  # fmt: skip
        reply.cite([c for f in follow_ups for c in self._cite(f.basis, f.title)], self.config.max_citations)
        return reply

    # -- several 事项 -----------------------------------------------------------------

    def _order(self, permits: list[Permit]) -> Reply:
        first, second = permits[0], permits[1]
        if first.id in prerequisite_closure(second.id, self.permits):
            earlier, later = first, second
        elif second.id in prerequisite_closure(first.id, self.permits):
            earlier, later = second, first
        else:
            stages = list(STAGE_NAMES)
            a, b = sorted(permits[:2], key=lambda p: stages.index(p.stage))
            lead = (f"{a.name}与{b.name}没有法定的先后关系：{a.name}在{STAGE_WHEN[a.stage]}办理，"
                    f"{b.name}在{STAGE_WHEN[b.stage]}办理，可以同时准备。")  # fmt: skip
            reply = Reply(lead=lead, permits=[a.id, b.id])
            reply.cite(self._cite([*a.basis[:1], *b.basis[:1]], lead), self.config.max_citations)
            return reply
        lead = f"先办{earlier.name}，再办{later.name}：{later.name}须在取得{earlier.name}之后申请。"
        reply = Reply(lead=lead, permits=[earlier.id, later.id])
        reply.cite(self._cite(later.basis, lead), self.config.max_citations)
        return reply

    def _several(self, permits: list[Permit], intent: Intent, question: str, alternatives: bool) -> Reply:
        """Each 事项 answered in turn: the cases of a name several share (消防验收 → 验收 or 验收备案), or the
        事项 asked about side by side (高危许可证和卫生许可证有效期各是几年)."""
        lines, citations = [], []
        for permit in permits[:3]:
            part = self._answer([permit.id], intent, question)
            lines.append(part.lead.rstrip("。"))
            citations += part.citations
        count = "两" if len(lines) == 2 else "三"
        opening = f"分{count}种情况：" if alternatives else "分别来看："
        reply = Reply(lead=opening + "；".join(f"{n}{line}" for n, line in zip("①②③", lines, strict=False)) + "。",
                      permits=[p.id for p in permits[:3]])  # fmt: skip
        reply.cite(citations, self.config.max_citations)
        return reply

    # -- citations --------------------------------------------------------------------

    def _cite(self, bases: list[Basis], statement: str) -> list[Citation]:
        chosen = self.support.supporting(bases, statement, self.config.max_citations) or bases[:1]
        return [Citation.from_basis(b, self.corpus) for b in chosen]

    def _cite_each(self, parts: Sequence[Grounded]) -> list[Citation]:
        """The articles behind a list, most used first (a materials list usually rests on one article)."""
        counts: dict[tuple[str, str], tuple[int, Basis]] = {}
        for part in parts:
            for basis in part.basis:
                key = (basis.doc_id, basis.article)
                count, _ = counts.get(key, (0, basis))
                counts[key] = (count + 1, basis)
        ranked = sorted(counts.values(), key=lambda pair: -pair[0])
        return [Citation.from_basis(basis, self.corpus) for _, basis in ranked]


def _material_line(material: Material) -> str:
    marks = [mark for mark, on in (("可容缺后补", material.deferrable), ("可告知承诺", material.commitment_ok)) if on]
    note = f"（{_short(material.note)}）" if material.note and _short(material.note) else ""
    flags = f"【{'，'.join(marks)}】" if marks else ""
    pending = f"（{PENDING}）" if material.basis_pending else ""
    return f"{material.name}{note}{flags}{pending}"


def _first_sentences(text: str, limit: int) -> str:
    """The opening of a summary, whole clauses only, ending in a full stop."""
    clauses = re.split(r"(?<=[；。])", text)
    out = clauses[0]
    for clause in clauses[1:]:
        if len(out) + len(clause) > limit:
            break
        out += clause
    return sentence(out.rstrip("；"))


def _short(note: str, limit: int = 30) -> str:
    """A material's note in a chat list: its first clause if short; the full note is in the plan."""
    first = re.split(r"[；。;]", note)[0]
    return first if len(first) <= limit else ""


def _name_words(permit: Permit) -> list[str]:
    """The words of the 事项's name a no-fee clause may use (小餐饮登记证 → 小餐饮, 登记)."""
    return [w for w in re.split(r"[（）()、，]", permit.name) if len(w) >= 2]


def asks_fee(question: str) -> bool:
    """Whether the question asks if the 事项 costs a fee (收不收费), not about a deposit, capital or fine."""
    return bool(FEE_ASKED.search(question)) and not _NOT_A_FEE.search(question)
