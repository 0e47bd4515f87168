"""List answers: which permits a business (or this project) needs, the conditions to meet, what to watch for.

For a project chat the lists come from the project's own plan, with the specialist's statuses and notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.config import AnswerConfig
from assistant.fact_phrases import applied_to, describe
from assistant.models import Citation
from assistant.permit_path import place
from assistant.project_context import ProjectContext
from assistant.reply import Reply
from assistant.support import Support
from kb.corpus import Corpus
from kb.facts import ProjectFacts
from kb.knowledge import GENERAL_TYPE_ID, KnowledgeBase
from kb.schema import Basis, Condition, Permit, Requirement, Step

BUSINESS_LICENCE = "business_licence"
_PROBLEMS = re.compile(r"注意|问题|坑|容易|踩雷|风险|失败|被罚")


class ListAnswers:
    def __init__(self, kb: KnowledgeBase, corpus: Corpus, support: Support, config: AnswerConfig) -> None:
        self.kb = kb
        self.corpus = corpus
        self.support = support
        self.config = config

    # -- which permits --------------------------------------------------------------

    def permits(self, type_ids: list[str], word: str, facts: ProjectFacts,
                project: ProjectContext | None = None) -> Reply:  # fmt: skip
        if project is not None and project.permit_ids:
            return self._project_permits(project)
        conditions = self._permit_conditions(type_ids, facts)
        own_ids = self._own_permits(type_ids)
        own = [self.kb.permits[p] for p in conditions if p in own_ids]
        common = [self.kb.permits[p] for p in conditions if p not in own_ids]
        if not own and not common:
            return Reply(lead="")
        placed = place(own, self.kb.permits).placed
        points = [
            f"{p.permit.known_as}（{short_department(p.permit.department)}）{conditions[p.permit.id]}" for p in placed
        ]
        if common:
            ordered = [p.permit for p in place(common, self.kb.permits).placed]
            names = "、".join(f"{p.name}{'（视情况）' if conditions[p.id] else ''}" for p in ordered)
            points.append(f"通用手续：{names}")
        subject = (word or "这类项目").removeprefix("开")  # "开网吧要办啥证" named the business as 开网吧
        reply = Reply(
            lead=f"开{subject}，行业许可和备案主要是下面这些（按办理顺序；标“视情况”的只在相应情形下需要）。",
            heading="事项",
            points=self._clip(points),
            permits=[p.permit.id for p in placed] + [p.id for p in common],
            source="list",
        )
        reply.cite(self._permit_basis([p.permit for p in placed] or common[:1]), self.config.max_citations)
        return reply

    def feature_permits(
        self, type_ids: list[str], facts: ProjectFacts, features: list[str], in_project: bool = False
    ) -> Reply | None:
        """ "拍片的机器要办啥手续": the 事项 a feature brings in, from the items of these types (of any type when none
        is known) that the feature's fact conditions and the facts satisfy. Where the business has steps for
        them, the steps in their order (预评价 → 卫生验收 → 辐射安全许可 → 放射诊疗许可 → 科目登记); otherwise the 事项
        in the order their prerequisites impose. ``None`` when the feature brings in nothing."""
        suppressed = self.kb.suppressed_by(type_ids)
        items = [
            item
            for project_type in (self.kb.expand(type_ids) if type_ids else self.kb.types.values())
            for item in project_type.permit_items
            if item.permit_id in self.kb.permits
            and item.id not in suppressed
            and any(c.fact in features for c in item.when)
            and item.applies(facts) is True
        ]
        permits = list({item.permit_id: self.kb.permits[item.permit_id] for item in items if item.permit_id}.values())
        if not permits:
            return None
        steps = sorted((item for item in items if isinstance(item, Step)), key=lambda step: step.order)
        if steps:
            points = list(dict.fromkeys(
                f"{step.title}（{short_department(step.department or self.kb.permits[step.permit_id].department)}）"
                for step in steps if step.permit_id))  # fmt: skip
        else:
            permits = [placed.permit for placed in place(permits, self.kb.permits).placed]
            points = [f"{p.known_as}（{short_department(p.department)}）" for p in permits]
        reply = Reply(
            lead=f"{'您的项目' if in_project else '按您说的情况'}（{applied_to(dict.fromkeys(features, True))}），"
            "要另外办这些（按办理顺序）。",
            heading="事项",
            points=self._clip(points),
            permits=[p.id for p in permits],
            source="list",
        )
        reply.cite(self._permit_basis(permits), self.config.max_citations)
        return reply

    def general(self) -> Reply:
        """ "开业前要办哪些证？" with no business named: what every business needs, and a question back."""
        common = [self.kb.permits[p] for p in (BUSINESS_LICENCE, "fire_safety_inspection") if p in self.kb.permits]
        examples = [(t, self.main_permit([t])) for t in ("ktv", "swimming", "catering", "hotel")]
        named = "、".join(
            f"{self.kb.types[t].name.split('（')[0]}要办{p.name}" for t, p in examples if p and t in self.kb.types
        )
        lead = "要办哪些证，取决于具体经营什么。"
        if common:
            lead += f"所有经营者都要先办{common[0].name}"
            lead += f"，宾馆、商场、娱乐场所等公众聚集场所开业前还要办{common[1].name}。" if len(common) > 1 else "。"
        if named:
            lead += f"行业许可各不相同，例如{named}。"
        lead += "请告诉我具体做什么项目，我再列出完整清单。"
        reply = Reply(lead=lead, permits=[p.id for p in common], source="list")
        reply.cite(self._permit_basis(common), self.config.max_citations)
        return reply

    def _own_permits(self, type_ids: list[str]) -> set[str]:
        """事项 named by the business's own items (and its blocks'), less those of the 通用 block: a business
        that restates a common procedure (洗浴中心的消防设计审查) still has it among the 通用手续, so its own
        licences (卫生许可证、特种行业许可证) come first."""
        general = (
            {item.permit_id for item in self.kb.types[GENERAL_TYPE_ID].permit_items if item.permit_id}
            if GENERAL_TYPE_ID in self.kb.types
            else set()
        )
        return {
            item.permit_id
            for project_type in self.kb.expand(type_ids)
            if project_type.id != GENERAL_TYPE_ID
            for item in project_type.permit_items
            if item.permit_id and item.permit_id not in general
        }

    def _project_permits(self, project: ProjectContext) -> Reply:
        """The project's own 事项 from its plan, the business's own first, each with the specialist's status."""
        statuses: dict[str, str] = {}
        for entry in project.entries:
            if entry.permit_id and entry.permit_id not in statuses:
                statuses[entry.permit_id] = entry.status + (f"；专员备注：{entry.note}" if entry.note else "")
        own_ids = self._own_permits(project.type_ids)
        chosen = [self.kb.permits[p] for p in project.permit_ids if p in self.kb.permits]
        own = [p for p in chosen if p.id in own_ids]
        common = [p for p in chosen if p.id not in own_ids]
        points = [f"{p.known_as}（{short_department(p.department)}）" + (f"——{statuses[p.id]}" if p.id in statuses else "")
                  for p in own]  # fmt: skip
        if common:
            points.append(
                "通用手续："
                + "、".join(p.known_as + (f"（{statuses[p.id]}）" if p.id in statuses else "") for p in common)
            )
        reply = Reply(
            lead="按您项目的方案，行业许可和备案主要是下面这些（按办理顺序，附办理状态）。",
            heading="事项",
            points=self._clip(points),
            permits=[p.id for p in own + common],
            source="list",
        )
        reply.cite(self._permit_basis(own or common[:1]), self.config.max_citations)
        return reply

    def at_offices(self, type_ids: list[str], facts: ProjectFacts, offices: list[str]) -> list[tuple[Permit, str]]:
        """The business's 事项 that one of these offices handles (as the catalogue names them: 生态环境, 公安…),
        each with "（视情况：…）" when it depends on a fact not stated; its own 事项 before the common ones."""
        own = self._own_permits(type_ids)
        found = [
            (self.kb.permits[permit_id], note)
            for permit_id, note in self._permit_conditions(type_ids, facts).items()
            if permit_id in self.kb.permits and handled_by(self.kb.permits[permit_id], offices)
        ]
        return sorted(found, key=lambda found: found[0].id not in own)

    def beyond_registration(self, type_ids: list[str], facts: ProjectFacts) -> tuple[list[Permit], list[Permit]]:
        """The business's own 事项 besides the 营业执照 that apply on the facts: those to obtain before it may open
        (its main licence first, the rest in the order they are done), and those done once it runs (养老机构备案
        after the first residents)."""
        conditions = self._permit_conditions(type_ids, facts)
        own = self._own_permits(type_ids)
        found = [self.kb.permits[p] for p, note in conditions.items()
                 if p in own and not note and p in self.kb.permits and p != BUSINESS_LICENCE]  # fmt: skip
        placed = [p.permit for p in place(found, self.kb.permits).placed]
        main = self.main_permit(type_ids, facts)
        if main is not None and main in placed:
            placed.remove(main)
            placed.insert(0, main)
        before = [p for p in placed if p.stage != "after_opening"]
        return before, [p for p in placed if p.stage == "after_opening"]

    def _permit_conditions(self, type_ids: list[str], facts: ProjectFacts) -> dict[str, str]:
        """permit id → "" when it applies, "（视情况：…）" when it depends on a fact not stated."""
        found: dict[str, str] = {}
        suppressed = self.kb.suppressed_by(type_ids)
        for project_type in self.kb.expand(type_ids):
            for item in project_type.permit_items:
                if not item.permit_id or item.id in suppressed:
                    continue
                applies = item.applies(facts)
                if applies is False:
                    continue
                note = "" if applies else "（视情况：" + "、".join(
                    _condition_words(c.fact, c) for c in item.when if c.holds(facts) is None) + "）"  # fmt: skip
                if item.permit_id not in found or (found[item.permit_id] and not note):
                    found[item.permit_id] = note
        return found

    # -- conditions and requirements ----------------------------------------------------

    def conditions(self, type_ids: list[str], word: str, facts: ProjectFacts, question: str,
                   project: ProjectContext | None = None) -> Reply:  # fmt: skip
        main = self.main_permit(type_ids, facts)
        if main is None or not main.conditions:
            return self.requirements(type_ids, word, facts, question, project)
        red_lines = [r for r in self._requirements(type_ids, facts, project) if r.dimension == "房产" and
                     r.id.split(".")[0] != GENERAL_TYPE_ID][:2]  # fmt: skip
        points = [c.text for c in main.conditions] + [r.title for r in red_lines]
        subject = word or "这类项目"
        reply = Reply(
            source="list",
            lead=f"开{subject}，关键是取得{main.name}（{main.department}），主要条件如下。",
            heading="条件",
            points=self._clip(points),
            permits=[main.id],
            items=[r.id for r in red_lines],
        )
        bases = [b for c in main.conditions for b in c.basis] + [b for r in red_lines for b in r.basis[:1]]
        reply.cite(_unique_citations(bases, self.corpus), self.config.max_citations)
        return reply

    def requirements(self, type_ids: list[str], word: str, facts: ProjectFacts, question: str,
                     project: ProjectContext | None = None) -> Reply:  # fmt: skip
        subject = word or "这类项目"
        if _PROBLEMS.search(question):
            problems = [p for p in self.kb.problems_for(type_ids) if p.applies(facts) is not False
                        and p.id.split(".")[0] != GENERAL_TYPE_ID]  # fmt: skip
            if project is not None:
                problems = [p for p in problems if p.id in project.problem_ids] or problems
            reply = Reply(source="list", lead=f"{subject}筹备中最容易出问题的是这些（高发问题）。", heading="高发问题",
                          points=self._clip([p.title for p in problems]), items=[p.id for p in problems])  # fmt: skip
            reply.cite(_unique_citations([b for p in problems[:3] for b in p.basis[:1]], self.corpus),
                       self.config.max_citations)  # fmt: skip
            return reply
        requirements = self._requirements(type_ids, facts, project)
        own = [r for r in requirements if r.id.split(".")[0] != GENERAL_TYPE_ID] or requirements
        lead = f"{subject}的主要硬性要求如下（按房产、主体、人员、设备、消防、卫生排列；完整清单见方案）。"
        if project is not None:
            lead = f"按您项目的方案，主要硬性要求如下（共{len(project.entries)}项，完整清单见方案）。"
        points = [self._with_status(r, project) for r in own]
        reply = Reply(source="list", lead=lead, heading="要求", points=self._clip(points), items=[r.id for r in own])
        reply.cite(_unique_citations([b for r in own[:3] for b in r.basis[:1]], self.corpus), self.config.max_citations)
        return reply

    def _requirements(self, type_ids: list[str], facts: ProjectFacts,
                      project: ProjectContext | None) -> list[Requirement]:  # fmt: skip
        listed = [r for r in self.kb.requirements_for(type_ids) if r.applies(facts) is not False]
        if project is not None:
            wanted = {entry.id for entry in project.entries}
            listed = [r for r in listed if r.id in wanted] or listed
        order = ("房产", "主体", "人员", "设备", "消防", "卫生", "环保", "其他")
        return sorted(listed, key=lambda r: (not r.red_line, order.index(r.dimension)))

    @staticmethod
    def _with_status(requirement: Requirement, project: ProjectContext | None) -> str:
        entry = project.entry(requirement.id) if project is not None else None
        if entry is None:
            return requirement.title
        note = f"；专员备注：{entry.note}" if entry.note else ""
        return f"{requirement.title}——{entry.status}{note}"

    def main_permit(self, type_ids: list[str], facts: ProjectFacts | None = None) -> Permit | None:
        """The licence that defines a business (娱乐经营许可 for a KTV): named by one of its own requirements
        that always applies, not one every business needs nor one that comes with an option (an X-ray).
        A variant of that licence which the stated facts call for replaces it (中医诊所备案 for 诊所备案 once
        the clinic is said to be 中医); an add-on they call for (气瓶充装 for 潜水) does not."""
        known = facts or ProjectFacts()
        for type_id in type_ids:
            always: set[str] = set()
            called_for: set[str] = set()
            stepped: set[str] = set()  # the 事项 the business's own steps go through
            for project_type in self.kb.expand([type_id]):
                if project_type.id == GENERAL_TYPE_ID:
                    continue
                stepped |= {step.permit_id for step in project_type.steps if step.permit_id}
                for item in project_type.permit_items:
                    if item.permit_id and not item.when:
                        always.add(item.permit_id)
                    elif item.permit_id and item.applies(known) is True:
                        called_for.add(item.permit_id)
            candidates = [self.kb.permits[p] for p in always if p in self.kb.permits]
            candidates = [p for p in candidates if p.kind in ("许可", "备案") and len(p.applies_to) <= 6]
            if candidates:
                main = sorted(candidates, key=lambda p: (type_id not in p.applies_to, p.kind != "许可",
                                                         p.id not in stepped, len(p.applies_to), p.id))[0]  # fmt: skip
                variants = sorted(p for p in called_for - {main.id} if main.name in self.kb.permits[p].name)
                return self.kb.permits[variants[0]] if variants else main
        return None

    # -- helpers ------------------------------------------------------------------------

    def _clip(self, points: list[str]) -> list[str]:
        limit = self.config.max_points
        if len(points) <= limit:
            return points
        return [*points[: limit - 1], f"另有{len(points) - limit + 1}项，完整清单见项目方案"]

    def _permit_basis(self, permits: list[Permit]) -> list[Citation]:
        return _unique_citations([p.basis[0] for p in permits if p.basis], self.corpus)


def handled_by(permit: Permit, offices: list[str]) -> bool:
    """Whether one of the offices (catalogue wording, a pattern each) handles the 事项."""
    return any(re.search(office, permit.department) for office in offices)


def short_department(department: str) -> str:
    """县级以上地方人民政府住房和城乡建设主管部门（消防设计审查验收主管部门） → 住房和城乡建设主管部门, for lists."""
    text = re.sub(r"（.*?）|\(.*?\)", "", department).split("；")[0]
    text = re.sub(
        r"^(?:场所所在地的?|县级以上地方|县级以上|设区的市级、县级|设区的市级|县级|省级|市级|区（市）|所在地的?)+",
        "",
        text,
    )
    return re.sub(r"^(?:地方)?人民政府", "", text) or department


def _condition_words(fact: str, condition: Condition) -> str:
    if condition.is_ is True:
        return describe(fact, True)
    if condition.is_ is not None:
        return describe(fact, condition.is_)
    return (ProjectFacts.model_fields[fact].description or fact).removeprefix("是否")


def _unique_citations(bases: Iterable[Basis], corpus: Corpus) -> list[Citation]:
    seen: set[tuple[str, str]] = set()
    out: list[Citation] = []
    for basis in bases:
        key = (basis.doc_id, basis.article)
        if key not in seen:
            seen.add(key)
            out.append(Citation.from_basis(basis, corpus))
    return out
