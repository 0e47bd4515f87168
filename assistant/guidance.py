"""The project plan (方案): profile → checklist → citations, similar cases and a notice."""

from __future__ import annotations

from typing import Any

from assistant.checklist import MAX_QUESTIONS, Checklist, Listed, build_checklist
from assistant.excerpts import best_excerpt
from assistant.models import (
    CaseOut,
    Citation,
    FactQuestion,
    GuidanceResponse,
    MatchedType,
    PermitOut,
    PlanPermit,
    ProblemOut,
    RedLine,
    RequirementOut,
    StepOut,
)
from assistant.permit_path import PermitPath, place, prerequisite_closure
from assistant.profiling import Profile, Profiler
from assistant.retrieval import HybridRetriever
from assistant.stages import stage_of
from kb.corpus import Corpus
from kb.facts import FACT_FORMS
from kb.knowledge import KnowledgeBase
from kb.schema import Case, Grounded, Problem, Requirement, Step

MAX_CASES = 3
SUPPORTING_ARTICLES = 2
NOTICE = (
    "本方案依据知识库和法规原文自动生成，供筹备参考，最终以审批部门的审查意见为准。"
    "标注“依据待补充”的条目暂无收录的法规依据，请向专员确认。"
)
OUT_OF_SCOPE_NOTICE = (
    "该项目不在筹备期审批辅导的覆盖范围内（{reason}），系统不生成清单。请联系行政审批窗口工作人员或您的专员。"
)
VAGUE_NOTICE = (
    "未能从描述中识别出具体的项目类型，以下仅列出通用要求；请补充经营项目（如游泳馆、诊所、KTV、民宿等）后重新生成。"
)


class Guide:
    def __init__(self, kb: KnowledgeBase, corpus: Corpus, profiler: Profiler, retriever: HybridRetriever) -> None:
        self.kb = kb
        self.corpus = corpus
        self.profiler = profiler
        self.retriever = retriever

    def plan(self, description: str, overrides: dict[str, Any] | None = None) -> GuidanceResponse:
        profile = self.profiler.profile(description, overrides)
        if profile.out_of_scope:
            return self._out_of_scope(profile)
        type_ids = [match.id for match in profile.types]
        checklist = build_checklist(self.kb, type_ids, profile.facts)
        questions = list(checklist.questions)
        if profile.vague:
            questions.insert(0, "请说明具体经营什么项目（如游泳馆、诊所、KTV、民宿、餐饮等）？")
        citations: dict[tuple[str, str], Citation] = {}
        requirements = [self._requirement(listed, citations) for listed in checklist.requirements]
        problems = [self._problem(listed, citations) for listed in checklist.problems]
        self._supporting(description, citations)
        path = self._permit_path(checklist)
        red_lines = self._red_lines(checklist, profile)
        return GuidanceResponse(
            project_types=[MatchedType(id=m.id, name=m.name, confidence=m.confidence) for m in profile.types],
            facts=profile.facts.known(),
            clarifying_questions=questions,
            questions=[
                FactQuestion(**FACT_FORMS[fact].model_dump(), red_line=fact in checklist.red_line_facts)
                for fact in checklist.open_facts[:MAX_QUESTIONS]
            ],
            requirements=requirements,
            common_problems=problems,
            steps=[self._step(listed) for listed in checklist.steps],
            similar_cases=self._cases(type_ids, checklist),
            citations=list(citations.values()),
            out_of_scope=False,
            notice=self._notice(profile, citations),
            understood=profile.understood,
            permits=[
                PlanPermit(
                    **PermitOut.from_permit(p.permit, self.corpus).model_dump(),
                    order=p.order,
                    parallel_group=p.parallel_group,
                )
                for p in path.placed
            ],
            statutory_days_max=path.statutory_days_max,
            statutory_note=path.note,
            red_lines=red_lines,
            applicant_notes=[listed.item.title for listed in checklist.notes],
        )

    def _red_lines(self, checklist: Checklist, profile: Profile) -> list[RedLine]:
        """Items marked as red lines whose conditions hold on the facts: said first, with what triggers them."""
        known = profile.facts.known()
        lines = []
        candidates: list[Listed[Requirement] | Listed[Problem]] = [*checklist.requirements, *checklist.problems]
        said: set[frozenset[str]] = set()
        for listed in candidates:
            item = listed.item
            if not getattr(item, "red_line", False) or not listed.triggered_by:
                continue
            if (trigger := frozenset(listed.triggered_by)) in said:
                continue  # one red line per deciding fact: the business's own comes before the general one
            said.add(trigger)
            facts = {fact: known[fact] for fact in listed.triggered_by if fact in known}
            change = getattr(item, "advice", None)
            lines.append(RedLine(title=item.title, detail=item.detail, facts=facts, change=change,
                                 basis=[Citation.from_basis(b, self.corpus) for b in item.basis], item_id=item.id))  # fmt: skip
        return lines

    def _permit_path(self, checklist: Checklist) -> PermitPath:
        """The 事项 that the listed requirements and steps name, with the 前置 they need, in order."""
        naming: list[Listed[Requirement] | Listed[Step]] = [*checklist.requirements, *checklist.steps]
        named = [x.item.permit_id for x in naming if x.item.permit_id]
        wanted: list[str] = []
        for permit_id in named:
            for needed in (*sorted(prerequisite_closure(permit_id, self.kb.permits)), permit_id):
                if needed in self.kb.permits and needed not in wanted:
                    wanted.append(needed)
        return place([self.kb.permits[p] for p in wanted], self.kb.permits)

    # -- parts ---------------------------------------------------------------

    def _basis(self, item: Grounded, citations: dict[tuple[str, str], Citation]) -> list[Citation]:
        basis = [Citation.from_basis(b, self.corpus) for b in item.basis]
        for citation in basis:
            citations.setdefault(citation.key, citation)
        return basis

    def _requirement(self, listed: Listed[Requirement], citations: dict[tuple[str, str], Citation]) -> RequirementOut:
        item = listed.item
        return RequirementOut(
            id=item.id,
            dimension=item.dimension,
            title=item.title,
            detail=item.detail,
            department=item.department,
            deferrable=item.deferrable,
            deferrable_note=item.deferrable_note,
            materials=item.materials,
            basis=self._basis(item, citations),
            basis_pending=item.basis_pending or None,
            pending_note=item.pending_note,
            conditional=listed.conditional,
            project_types=[listed.owner],
            permit_id=item.permit_id,
            stage=stage_of(item, self.kb.permits),
            replaces=item.replaces,
        )

    def _problem(self, listed: Listed[Problem], citations: dict[tuple[str, str], Citation]) -> ProblemOut:
        item = listed.item
        return ProblemOut(
            id=item.id,
            title=item.title,
            detail=item.detail,
            advice=item.advice,
            basis=self._basis(item, citations),
            basis_pending=item.basis_pending or None,
            pending_note=item.pending_note,
            dimension=item.dimension,
            triggered_by=listed.triggered_by,
            stage=stage_of(item, self.kb.permits),
        )

    def _step(self, listed: Listed[Step]) -> StepOut:
        item = listed.item
        return StepOut(order=item.order, title=item.title, department=item.department, detail=item.detail,
                       duration=item.duration, id=item.id, stage=stage_of(item, self.kb.permits))  # fmt: skip

    def _cases(self, type_ids: list[str], checklist: Checklist) -> list[CaseOut]:
        relevant = {t.id for t in self.kb.expand(type_ids)}
        triggered = {listed.item.id for listed in checklist.problems if listed.triggered_by}
        listed = {listed.item.id for listed in checklist.problems}

        def score(case: Case) -> tuple:
            shared_types = len(set(case.project_types) & set(type_ids))
            return (
                -(2 * len(set(case.problem_ids) & triggered) + len(set(case.problem_ids) & listed) + shared_types),
                case.illustrative,
                case.id,
            )

        candidates = [case for case in self.kb.cases.values() if set(case.project_types) & relevant - {"general"}]
        candidates = [case for case in candidates if set(case.project_types) & set(type_ids)] or candidates
        return [
            CaseOut(id=case.id, title=case.title, summary=_summary(case), illustrative=case.illustrative)
            for case in sorted(candidates, key=score)[:MAX_CASES]
        ]

    def _supporting(self, description: str, citations: dict[tuple[str, str], Citation]) -> None:
        """Add the best retrieved articles from regulations the plan already relies on."""
        cited_docs = {doc_id for doc_id, _ in citations}
        retrieval = self.retriever.search(description, k=10, kinds=("regulation",))
        added = 0
        for hit in retrieval.hits:
            key = (hit.chunk.doc_id, hit.chunk.article)
            if added == SUPPORTING_ARTICLES or key in citations or hit.chunk.doc_id not in cited_docs:
                continue
            if len(hit.ranks) < 2:
                continue
            citations[key] = Citation(
                doc_id=hit.chunk.doc_id,
                title=hit.chunk.title,
                article=hit.chunk.article,
                text=best_excerpt(hit.chunk.text, retrieval.tokens, self.retriever.tokenizer, description),
                level=hit.chunk.level or None,
                version_date=hit.chunk.version_date or None,
                caveat=hit.chunk.caveat or None,
            )
            added += 1

    def _notice(self, profile: Profile, citations: dict[tuple[str, str], Citation]) -> str:
        parts = [VAGUE_NOTICE] if profile.vague else []
        parts.append(NOTICE)
        outdated = list(dict.fromkeys(f"《{c.title}》" for c in citations.values() if c.caveat))
        if outdated:
            parts.append(f"{'、'.join(outdated)}的收录文本可能不是现行版本，使用时请以现行文本核对。")
        return "".join(parts)

    def _out_of_scope(self, profile: Profile) -> GuidanceResponse:
        return GuidanceResponse(
            project_types=[],
            facts=profile.facts.known(),
            clarifying_questions=[],
            requirements=[],
            common_problems=[],
            steps=[],
            similar_cases=[],
            citations=[],
            out_of_scope=True,
            notice=OUT_OF_SCOPE_NOTICE.format(reason=profile.reason),
            understood=profile.understood,
        )


def _summary(case: Case) -> str:
    label = "【示例】" if case.illustrative else "【真实案例】"
    return f"{label}{case.situation} {case.resolution} 结果：{case.outcome}"
