"""Validation of the knowledge base: schema, references and grounding of every statement.

``chubei kb validate`` prints :func:`validate` as a report and exits non-zero on any issue.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kb.corpus import Corpus
from kb.knowledge import GENERAL_TYPE_ID, KnowledgeBase
from kb.legal_text import normalize_space
from kb.quantities import QUANTITY, parse_number
from kb.schema import Basis, Grounded

STATED_FIELDS = (
    "title",
    "detail",
    "advice",
    "answer",
    "duration",
    "deferrable_note",
    "text",
    "summary",
    "note",
    "within",
    "name",
)


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


IDIOMS = ("人", "名", "次")  # 一人一证, 一次性告知: wording, not a rule's number
UNITS = {"个工作日": "工作日", "天": "日", "个月": "月", "㎡": "平方米", "周岁": "岁", "名": "人"}


def quantities(text: str) -> dict[tuple[float, str], str]:
    """(value, unit) → how it was written; 三十日, 30日 and 30天 are the same quantity."""
    found: dict[tuple[float, str], str] = {}
    for match in QUANTITY.finditer(normalize_space(text)):
        value = parse_number(match.group(1))
        if value is not None and not (value == 1 and match.group(2) in IDIOMS):
            found.setdefault((value, UNITS.get(match.group(2), match.group(2))), match.group(0))
    return found


def unsupported_quantities(item: Grounded, corpus: Corpus) -> list[str]:
    """Quantities the item states that none of its cited articles contains (an invented number)."""
    cited = "".join(
        article.text
        for basis in item.basis
        if (article := corpus.find_article(basis.doc_id, basis.article)) is not None
    )
    stated = " ".join(str(getattr(item, name, "") or "") for name in STATED_FIELDS)
    known = quantities(cited)
    return [written for key, written in quantities(stated).items() if key not in known]


def validate(kb: KnowledgeBase, corpus: Corpus) -> list[Issue]:
    issues = [Issue(str(error.file), f"{error.location} {error.message}".strip()) for error in kb.errors]

    if GENERAL_TYPE_ID not in kb.types:
        issues.append(Issue("types", f"缺少通用模块 {GENERAL_TYPE_ID}"))

    ids: Counter[str] = Counter()
    for project_type in kb.types.values():
        for item in project_type.items:
            ids[item.id] += 1
            if not item.id.startswith(project_type.id + "."):
                issues.append(Issue(item.id, f"条目 id 应以所属类型 {project_type.id}. 开头"))
        for ref in (*project_type.includes, *project_type.composes_with, *project_type.implied_unless):
            if ref not in kb.types:
                issues.append(Issue(project_type.id, f"引用了不存在的类型 {ref}"))
        all_ids = {i.id for t in kb.types.values() for i in t.items}
        for suppressed in project_type.suppresses:
            if suppressed not in all_ids:
                issues.append(Issue(project_type.id, f"suppresses 引用了不存在的条目 {suppressed}"))
        for included in project_type.includes:
            if included in kb.types and not kb.types[included].block:
                issues.append(Issue(project_type.id, f"includes 只能引用共用模块（block: true），{included} 不是"))
        orders = [step.order for step in project_type.steps]
        if len(orders) != len(set(orders)):
            issues.append(Issue(project_type.id, "流程步骤的 order 重复"))
    issues += [Issue(item_id, f"条目 id 重复 {count} 次") for item_id, count in ids.items() if count > 1]

    current = {item.id for t in kb.types.values() for item in t.items}
    for requirement in kb.all_requirements():
        for old in requirement.replaces:
            if old in current:
                issues.append(Issue(requirement.id, f"replaces 中的 {old} 仍是现有条目（合并后旧条目应删除）"))
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

    issues += permit_references(kb)
    for where, grounded in grounded_items(kb):
        for basis in grounded.basis:
            reason = check_basis(basis, corpus)
            if reason:
                issues.append(Issue(where, reason))
        for quantity in dict.fromkeys(unsupported_quantities(grounded, corpus)):
            issues.append(Issue(where, f"“{quantity}”在所引条文中找不到：请引用载明该数字的条文，或删去该数字"))
    for permit in kb.permits.values():
        if (limit := permit.time_limit) is not None:
            where = f"{permit.id}.time_limit"
            reason = check_basis(limit.basis, corpus)
            article = corpus.find_article(limit.basis.doc_id, limit.basis.article)  # found when reason is None
            if reason:
                issues.append(Issue(where, reason))
            elif article is not None and (limit.value, limit.unit.removeprefix("个")) not in quantities(article.text):
                issues.append(Issue(where, f"时限 {limit.value}{limit.unit} 不见于所引条文"))
    return issues


def located(issues: list[Issue], kb: KnowledgeBase) -> list[str]:
    """Each issue with the file it is in (``types/ktv.yaml ktv.fire.x: …``), for messages that must say where."""
    lines = []
    for issue in issues:
        source = kb.source_of(issue.where)
        lines.append(f"{source} {issue}" if source and source != issue.where else str(issue))
    return lines


def shipped_problems(data_dir: Path, corpus: Corpus) -> list[str]:
    """Every problem of the knowledge shipped in ``data_dir``, with its file, item and field: the server does not
    start on any (a slip in one item would otherwise quietly take the item out of every answer)."""
    kb = KnowledgeBase.load(data_dir)
    return located(validate(kb, corpus), kb)


def permit_references(kb: KnowledgeBase) -> list[Issue]:
    """Every 事项 named by an item, a prerequisite or a follow-up exists; 事项 type lists name real types."""
    issues: list[Issue] = []
    for project_type in kb.types.values():
        for item in project_type.permit_items:
            if item.permit_id and item.permit_id not in kb.permits:
                issues.append(Issue(item.id, f"permit_id 引用了不存在的事项 {item.permit_id}"))
    for permit in kb.permits.values():
        for ref in (*permit.prerequisites, *(f.permit_id for f in permit.follow_ups if f.permit_id)):
            if ref not in kb.permits:
                issues.append(Issue(permit.id, f"引用了不存在的事项 {ref}"))
        for type_id in permit.applies_to:
            if type_id not in kb.types:
                issues.append(Issue(permit.id, f"applies_to 引用了不存在的类型 {type_id}"))
        if permit.id in permit.prerequisites:
            issues.append(Issue(permit.id, "事项不能以自身为前置"))
    return issues


def grounded_items(kb: KnowledgeBase) -> list[tuple[str, Grounded]]:
    items: list[tuple[str, Grounded]] = []
    for project_type in kb.types.values():
        items += [(item.id, item) for item in project_type.items]
    items += [(entry.id, entry) for entry in kb.faq.values()]
    items += [(f"{t.id}.fire_review", t.fire_review) for t in kb.types.values() if t.fire_review is not None]
    for permit in kb.permits.values():
        items.append((permit.id, permit))
        items += [(f"{permit.id}.conditions[{n}]", c) for n, c in enumerate(permit.conditions)]
        items += [(f"{permit.id}.materials[{n}]", m) for n, m in enumerate(permit.materials)]
        items += [(f"{permit.id}.follow_ups[{n}]", f) for n, f in enumerate(permit.follow_ups)]
        if permit.validity is not None:
            items.append((f"{permit.id}.validity", permit.validity))
    return items
