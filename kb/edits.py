"""Item-level changes staff made to the knowledge (edit, add, retire), applied on top of the loaded YAML.

The reviewed changes live in the app database (``api/knowledge_changes.py``); the ones in force are written to
``<data>/kb/edits.yaml`` so that every reader of the knowledge (the server, ``chubei ask``, ``chubei kb export``)
sees the same knowledge without reaching into the database. An item is validated on its own: one invalid edit is
reported and skipped, the rest of its project type stays.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from kb.schema import Case, FaqEntry, Problem, ProjectType, Requirement, Step

EDITS_FILE = "edits.yaml"
ItemKind = Literal["requirement", "problem", "step", "faq", "case"]
ITEM_KINDS: tuple[str, ...] = ("requirement", "problem", "step", "faq", "case")
KIND_NAMES = {"requirement": "要求", "problem": "高发问题", "step": "流程步骤", "faq": "常见问答", "case": "案例"}
MODELS: dict[str, type[BaseModel]] = {
    "requirement": Requirement,
    "problem": Problem,
    "step": Step,
    "faq": FaqEntry,
    "case": Case,
}
# The list of a project type that holds each kind of typed item.
TYPE_LISTS = {"requirement": "requirements", "problem": "problems", "step": "steps"}


# The item fields staff edit, named as the pages name them.
FIELD_LABELS = {
    "id": "编号", "title": "标题", "detail": "说明", "advice": "如何避免", "question": "问题", "answer": "答复",
    "dimension": "维度", "department": "部门", "materials": "材料", "keywords": "常用说法", "permit_id": "事项",
    "basis": "依据", "doc_id": "法规文件", "article": "条号", "quote": "引文", "basis_pending": "依据待补充",
    "pending_note": "依据待补充说明", "order": "顺序", "duration": "法定时限", "stage": "阶段", "when": "适用条件",
    "project_types": "项目类型", "situation": "情况", "resolution": "解决办法", "outcome": "结果",
    "problems_met": "遇到的问题", "problem_ids": "关联高发问题", "cases": "来源案例", "deferrable_note": "容缺说明",
    "source": "出处", "illustrative": "示例案例", "red_line": "红线", "in_plan": "列入方案", "deferrable": "可容缺",
}  # fmt: skip
PYDANTIC_MESSAGES = {
    "missing": "缺少必填内容",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "bool_type": "应为是或否",
    "bool_parsing": "应为是或否",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "string_too_short": "过短",
    "string_too_long": "过长",
    "string_pattern_mismatch": "格式不正确",
    "extra_forbidden": "不是可识别的字段",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "dict_type": "应为对象",
    "model_type": "应为对象",
}


def field_label(location: tuple[int | str, ...]) -> str:
    """“依据第1条的引文（basis.0.quote）”: the Chinese name of a field path, with the path itself."""
    names = [f"第{part + 1}条" if isinstance(part, int) else FIELD_LABELS.get(part, part) for part in location]
    path = ".".join(str(part) for part in location)
    return f"{''.join(names)}（{path}）" if path else "条目"


def explain(problem: ErrorDetails) -> str:
    """A pydantic error in Chinese: the project's own validators already speak Chinese."""
    if problem["type"] == "value_error":
        return problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "literal_error":
        expected = str((problem.get("ctx") or {}).get("expected", "")).replace(" or ", ", ")
        return f"取值不在允许范围内（可选：{expected}）"
    return PYDANTIC_MESSAGES.get(problem["type"], "格式不正确")


class ItemEdit(BaseModel):
    """One item as it should now be: ``item`` is the whole item, or None when the item is retired."""

    model_config = ConfigDict(extra="forbid")

    kind: ItemKind
    item_id: str
    item: dict[str, Any] | None = None


def owner_type(kind: str, item_id: str) -> str | None:
    """The project type a requirement, 高发问题 or step belongs to: the prefix of its id (None for FAQ and cases)."""
    return item_id.split(".", 1)[0] if kind in TYPE_LISTS else None


def parse_item(kind: str, data: dict[str, Any]) -> BaseModel:
    """The item validated by its schema (raises pydantic's ``ValidationError``)."""
    return MODELS[kind].model_validate(data)


def item_dict(item: BaseModel) -> dict[str, Any]:
    """An item as stored and exported: the YAML field names (``is``/``in`` for conditions), no empty defaults."""
    return item.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def apply_edit(
    types: dict[str, ProjectType], faq: dict[str, FaqEntry], cases: dict[str, Case], edit: ItemEdit
) -> str | None:
    """Apply one edit in place; the reason it could not be applied, or None."""
    if edit.item is not None:
        try:
            item = parse_item(edit.kind, edit.item)
        except ValidationError as error:
            problem = error.errors()[0]
            return f"{field_label(problem['loc'])}：{explain(problem)}"
        if getattr(item, "id", None) != edit.item_id:
            return f"条目内容的 id 与 {edit.item_id} 不一致"
    else:
        item = None
    if edit.kind == "faq":
        _put(faq, edit.item_id, item)
        return None
    if edit.kind == "case":
        _put(cases, edit.item_id, item)
        return None
    type_id = owner_type(edit.kind, edit.item_id)
    project_type = types.get(type_id or "")
    if project_type is None:
        return f"所属项目类型 {type_id} 不存在"
    items: list[Any] = getattr(project_type, TYPE_LISTS[edit.kind])
    position = next((n for n, old in enumerate(items) if old.id == edit.item_id), None)
    if item is None:
        if position is not None:
            del items[position]
    elif position is None:
        items.append(item)
    else:
        items[position] = item
    return None


def _put(table: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value
