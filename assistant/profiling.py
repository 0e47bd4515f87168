"""From an operator's description to a project profile: which project types, which facts.

Types are found by the aliases curated in the knowledge base (longest first, negations
and exclusions respected), then by facts that imply a type (a gym "带泳池" is also a
游泳场所), and only when no alias matches, by semantic similarity of the description to
the curated items of each type.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from assistant.fact_reader import NEGATION, read_facts
from assistant.models import UnderstoodFact
from assistant.names import Named
from assistant.retrieval import HybridRetriever
from assistant.scope import ScopeGate
from kb.facts import FACT_FORMS, FACT_QUESTIONS, ProjectFacts
from kb.knowledge import KnowledgeBase

# Vague words that name no project; a description made only of them gets the general plan and a question.
VAGUE = re.compile(r"(?:开|办|做|搞|弄)(?:个|一个|家|一家)?(?:店|铺子?|门店|公司|生意|项目|买卖|场所)")
SemanticTypes = Callable[[str], list[tuple[str, float]]]
SEMANTIC_MIN = 0.5
EXCLUSION_BEFORE, EXCLUSION_AFTER = (
    4,
    2,
)  # how close to an alias an exclusion word must be  # share of the top-k vote a type needs when no alias names it


class TypeMatch(BaseModel):
    id: str
    name: str
    confidence: float
    evidence: str = Field(description="the words that matched")
    source: str = Field(description="alias | fact | semantic")


DERIVED_EVIDENCE = "按场所类型和面积推定（《建设工程消防设计审查验收管理暂行规定》第十四条）"


class Profile(BaseModel):
    types: list[TypeMatch]
    facts: ProjectFacts
    understood: list[UnderstoodFact]
    out_of_scope: bool = False
    reason: str | None = None
    vague: bool = False


class Profiler:
    def __init__(self, kb: KnowledgeBase, scope: ScopeGate, semantic: SemanticTypes | None = None) -> None:
        self.kb = kb
        self.scope = scope
        self.semantic = semantic
        self._aliases: list[tuple[str, str]] = sorted(
            ((word.lower(), t.id) for t in kb.matchable_types for word in {t.name, *t.aliases} if len(word) >= 2),
            key=lambda pair: (-len(pair[0]), pair[0]),
        )

    def profile(self, description: str, overrides: dict[str, Any] | None = None) -> Profile:
        text = description.lower()
        facts, understood = self._facts(description, overrides or {})
        matched, excluded = self._by_alias(text)
        types = [match for match in matched if not self._ruled_out(match.id, facts)]
        industry = self.scope.uncovered_industry(description)
        if industry and (not types or self.scope.opens_uncovered(description, industry)):
            return Profile(types=[], facts=facts, understood=understood, out_of_scope=True,
                           reason=f"“{industry}”不在筹备期辅导的项目范围内")  # fmt: skip
        types += self._by_facts(facts, {t.id for t in types} | set(excluded))
        if not types and excluded:
            return Profile(types=[], facts=facts, understood=understood, out_of_scope=True,
                           reason=f"“{excluded[next(iter(excluded))]}”不属于筹备期辅导覆盖的项目")  # fmt: skip
        if not types:
            if VAGUE.search(description) and len(description) <= 40:
                return Profile(types=[], facts=facts, understood=understood, vague=True)
            types = self._by_meaning(description)
        if not types:
            return Profile(types=[], facts=facts, understood=understood, out_of_scope=True,
                           reason="描述中没有识别出筹备期辅导覆盖的项目类型")  # fmt: skip
        derived = self.kb.with_derived_facts([t.id for t in types], facts)
        for name, value in derived.known().items():
            if name not in facts.known():
                understood.append(UnderstoodFact(fact=name, label=FACT_FORMS[name].label_with_unit, value=value,
                                                 evidence=DERIVED_EVIDENCE, source="derived"))  # fmt: skip
        return Profile(types=types, facts=derived, understood=understood)

    # -- types ---------------------------------------------------------------

    def types_named(self, text: str) -> list[Named]:
        """The project types a text names outright, with the words it used (to focus answers on them)."""
        lowered = text.lower()
        matched, _ = self._by_alias(lowered)
        named = []
        for match in matched:
            start = lowered.find(match.evidence)
            named.append(Named(match.id, text[start : start + len(match.evidence)], start))
        return named

    def _by_alias(self, text: str) -> tuple[list[TypeMatch], dict[str, str]]:
        """Types named in the text, and the types whose name was ruled out by a neighbouring word."""
        found: dict[str, TypeMatch] = {}
        excluded: dict[str, str] = {}
        taken: list[tuple[int, int]] = []
        for word, type_id in self._aliases:
            for start in _occurrences(text, word):
                span = (start, start + len(word))
                if any(start < span[1] and span[0] < end for start, end in taken):
                    continue  # inside a longer alias already matched (e.g. 游泳 inside 婴儿游泳馆)
                taken.append(span)
                project_type = self.kb.types[type_id]
                if NEGATION.search(text[max(0, span[0] - 5) : span[0]]):
                    continue
                if self._excluded(text, span, project_type.excludes_keywords):
                    excluded.setdefault(type_id, text[max(0, span[0] - EXCLUSION_BEFORE) : span[1]])
                    continue
                if type_id not in found:
                    confidence = 0.95 if len(word) >= 3 or word == project_type.name.lower() else 0.9
                    found[type_id] = TypeMatch(
                        id=type_id, name=project_type.name, confidence=confidence, evidence=word, source="alias"
                    )
        ordered = sorted(found.values(), key=lambda m: text.find(m.evidence))
        return ordered, {type_id: words for type_id, words in excluded.items() if type_id not in found}

    @staticmethod
    def _excluded(text: str, span: tuple[int, int], keywords: list[str]) -> bool:
        """An exclusion word touching the alias (宠物诊所, 婴儿游泳馆, 驾驶培训) rules the match out;
        the same word elsewhere in the description does not."""
        low, high = span[0] - EXCLUSION_BEFORE, span[1] + EXCLUSION_AFTER
        for word in keywords:
            for start in _occurrences(text, word.lower()):
                if start < high and low < start + len(word):
                    return True
        return False

    def _ruled_out(self, type_id: str, facts: ProjectFacts) -> bool:
        """A type whose defining fact is known to be false (staff set 无泳池) is dropped whatever the words."""
        conditions = self.kb.types[type_id].implied_by
        return bool(conditions) and all(condition.holds(facts) is False for condition in conditions)

    def _by_facts(self, facts: ProjectFacts, present: set[str]) -> list[TypeMatch]:
        """Types implied by facts, e.g. 游泳场所 when a pool is part of the project."""
        added = []
        for project_type in self.kb.matchable_types:
            if project_type.id in present or not project_type.implied_by or present & set(project_type.implied_unless):
                continue
            if any(condition.holds(facts) for condition in project_type.implied_by):
                evidence = "、".join(FACT_QUESTIONS[c.fact].rstrip("？") for c in project_type.implied_by)
                added.append(TypeMatch(id=project_type.id, name=project_type.name, confidence=0.85,
                                       evidence=evidence, source="fact"))  # fmt: skip
        return added

    def _by_meaning(self, description: str) -> list[TypeMatch]:
        if self.semantic is None:
            return []
        votes = self.semantic(description)
        if not votes:
            return []
        type_id, share = votes[0]
        if share < SEMANTIC_MIN or type_id not in self.kb.types:
            return []
        project_type = self.kb.types[type_id]
        return [TypeMatch(id=type_id, name=project_type.name, confidence=round(min(0.8, share), 2),
                          evidence="语义相近", source="semantic")]  # fmt: skip

    # -- facts ---------------------------------------------------------------

    def _facts(self, description: str, overrides: dict[str, Any]) -> tuple[ProjectFacts, list[UnderstoodFact]]:
        values: dict[str, Any] = {}
        understood: list[UnderstoodFact] = []
        labels = {name: form.label_with_unit for name, form in FACT_FORMS.items()}
        for reading in read_facts(description):
            values[reading.fact] = reading.value
            understood.append(UnderstoodFact(fact=reading.fact, label=labels[reading.fact], value=reading.value,
                                             evidence=reading.evidence, source="description"))  # fmt: skip
        for name, value in overrides.items():
            values[name] = value
            understood = [u for u in understood if u.fact != name]
            understood.append(UnderstoodFact(fact=name, label=labels.get(name, name), value=value,
                                             evidence="工作人员填写", source="override"))  # fmt: skip
        return ProjectFacts.model_validate(values), understood


def _occurrences(text: str, word: str) -> list[int]:
    """Start offsets of ``word`` in ``text`` (plain search: aliases are many, regexes would be slow)."""
    found, start = [], text.find(word)
    while start != -1:
        found.append(start)
        start = text.find(word, start + 1)
    return found


class SemanticTypeVoter:
    """Types voted by the curated items most similar to a description (used only when no alias matches).

    Items shared by many types (the 通用 block) carry no vote; a weak best match votes for nothing.
    """

    def __init__(self, retriever: HybridRetriever, min_dense: float, depth: int = 10) -> None:
        self.retriever = retriever
        self.min_dense = min_dense
        self.depth = depth

    def __call__(self, description: str) -> list[tuple[str, float]]:
        retrieval = self.retriever.search(description, k=self.depth, kinds=("requirement", "problem", "faq", "case"))
        if retrieval.top_dense < self.min_dense:
            return []
        votes: defaultdict[str, float] = defaultdict(float)
        for rank, hit in enumerate(retrieval.hits, start=1):
            types = [t for t in hit.chunk.project_types.split(",") if t]
            if not types or len(types) > 3:
                continue
            for type_id in types:
                votes[type_id] += 1 / rank / len(types)
        total = sum(votes.values())
        return sorted(((t, v / total) for t, v in votes.items()), key=lambda pair: (-pair[1], pair[0])) if total else []
