"""Validation of the knowledge base: schema, references and grounding of every statement.

``chubei kb validate`` prints :func:`validate` as a report and exits non-zero on any issue.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kb.corpus import Corpus
from kb.knowledge import GENERAL_TYPE_ID, KnowledgeBase
from kb.legal_text import normalize_space
from kb.schema import Basis, Grounded

# A quantity with a unit (30日, 五十平方米, 200米, 120万元…); four-digit years are dates, not rules.
QUANTITY = re.compile(
    r"(?<![0-9])(?!(?:19|20)\d\d年)(\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)\s*"
    r"(个工作日|工作日|日|天|年|个月|月|小时|米|平方米|㎡|周岁|岁|人|名|万元|元|倍|次|张|台|层)"
)
STATED_FIELDS = ("title", "detail", "advice", "answer", "duration", "deferrable_note")


@dataclass(frozen=True)
class Issue:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_basis(basis: Basis, corpus: Corpus) -> str | None:
    """Why a basis does not resolve, or None when its quote is found verbatim in the article."""
    regulation = corpus.get(basis.doc_id)
    if regulation is None:
        return f"依据文件 {basis.doc_id} 不在语料库中"
    article = regulation.article(basis.article)
    if article is None:
        return f"《{regulation.title}》没有{basis.article}"
    if normalize_space(basis.quote) not in normalize_space(article.text):
        return f"引文不是《{regulation.title}》{basis.article}的原文：“{basis.quote[:40]}…”"
    return None


def unsupported_quantities(item: Grounded, corpus: Corpus) -> list[str]:
    """Quantities the item states that none of its cited articles contains (an invented number)."""
    cited = "".join(
        article.text
        for basis in item.basis
        if (article := corpus.find_article(basis.doc_id, basis.article)) is not None
    )
    cited = normalize_space(cited)
    stated = " ".join(str(getattr(item, name, "") or "") for name in STATED_FIELDS)
    return [
        match.group(0)
        for match in QUANTITY.finditer(stated)
        if normalize_space(match.group(0)) not in cited and match.group(1) not in cited
    ]


def validate(kb: KnowledgeBase, corpus: Corpus) -> list[Issue]:
    issues = [Issue(str(error.file), f"{error.location} {error.message}".strip()) for error in kb.errors]

    if GENERAL_TYPE_ID not in kb.types:
        issues.append(Issue("types", f"缺少通用模块 {GENERAL_TYPE_ID}"))

    ids = Counter()
    for project_type in kb.types.values():
        for item in (*project_type.requirements, *project_type.problems, *project_type.steps):
            ids[item.id] += 1
            if not item.id.startswith(project_type.id + "."):
                issues.append(Issue(item.id, f"条目 id 应以所属类型 {project_type.id}. 开头"))
        for ref in (*project_type.includes, *project_type.composes_with):
            if ref not in kb.types:
                issues.append(Issue(project_type.id, f"引用了不存在的类型 {ref}"))
        for included in project_type.includes:
            if included in kb.types and not kb.types[included].block:
                issues.append(Issue(project_type.id, f"includes 只能引用共用模块（block: true），{included} 不是"))
        orders = [step.order for step in project_type.steps]
        if len(orders) != len(set(orders)):
            issues.append(Issue(project_type.id, "流程步骤的 order 重复"))
    issues += [Issue(item_id, f"条目 id 重复 {count} 次") for item_id, count in ids.items() if count > 1]

    problem_ids = {problem.id for problem in kb.all_problems()}
    for case in kb.cases.values():
        for type_id in case.project_types:
            if type_id not in kb.types:
                issues.append(Issue(case.id, f"案例引用了不存在的类型 {type_id}"))
        for problem_id in case.problem_ids:
            if problem_id not in problem_ids:
                issues.append(Issue(case.id, f"案例引用了不存在的高发问题 {problem_id}"))
    for problem in kb.all_problems():
        for case_id in problem.cases:
            if case_id not in kb.cases:
                issues.append(Issue(problem.id, f"引用了不存在的案例 {case_id}"))

    for where, item in grounded_items(kb):
        for basis in item.basis:
            reason = check_basis(basis, corpus)
            if reason:
                issues.append(Issue(where, reason))
        for quantity in dict.fromkeys(unsupported_quantities(item, corpus)):
            issues.append(Issue(where, f"“{quantity}”在所引条文中找不到：请引用载明该数字的条文，或删去该数字"))
    return issues


def grounded_items(kb: KnowledgeBase) -> list[tuple[str, Grounded]]:
    items: list[tuple[str, Grounded]] = []
    for project_type in kb.types.values():
        items += [(item.id, item) for item in (*project_type.requirements, *project_type.problems, *project_type.steps)]
    items += [(entry.id, entry) for entry in kb.faq.values()]
    return items
