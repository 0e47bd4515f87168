"""The plan (方案) as a printable document: Markdown, and PDF rendered with reportlab's built-in CJK font."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel

from assistant.fact_phrases import describe
from assistant.models import Citation, GuidanceResponse
from kb.schema import DIMENSIONS, STAGE_NAMES

PENDING = "依据待补充"
DONE = "已完成"


class ItemProgress(BaseModel):
    """Where a dossier's checklist item stands: its status, the specialist's note, and whether it is still listed."""

    status: str
    note: str = ""
    active: bool = True


def _basis_line(basis: list[Citation], pending: bool | None, note: str | None) -> str:
    parts = list(dict.fromkeys(f"《{c.title}》{c.article}" for c in basis))
    if pending:
        parts.append(f"{PENDING}（{note}）" if note else PENDING)
    return "；".join(parts) or PENDING


def to_markdown(
    plan: GuidanceResponse,
    title: str = "筹备期审批辅导方案",
    meta: dict[str, str] | None = None,
    progress: Mapping[str, ItemProgress] | None = None,
) -> str:
    """The plan as Markdown. With a dossier's ``progress``, items the specialist removed are left out and each
    item shows its status (a ticked box when done) and the specialist's note."""
    progress = progress or {}
    requirements = [r for r in plan.requirements if progress.get(r.id, ItemProgress(status="")).active]
    lines = [f"# {title}", ""]
    for key, value in (meta or {}).items():
        lines.append(f"- **{key}**：{value}")
    lines.append(f"- **生成日期**：{date.today().isoformat()}")
    if plan.out_of_scope:
        return "\n".join([*lines, "", plan.notice, ""])
    types = "、".join(f"{t.name}（置信度 {t.confidence:.0%}）" for t in plan.project_types) or "未识别"
    lines += [f"- **项目类型**：{types}", ""]
    if plan.red_lines:
        lines += ["## 红线：按目前描述不能办", ""]
        for red in plan.red_lines:
            facts = "、".join(describe(k, v) for k, v in red.facts.items())
            lines.append(f"- **{red.title}**：{red.detail}")
            if red.change:
                lines.append(f"  - 怎样才能办：{red.change}")
            lines.append(f"  - 触发的事实：{facts}；依据：{_basis_line(red.basis, None, None)}")
        lines.append("")
    if progress:
        done = sum(progress[r.id].status == DONE for r in requirements if r.id in progress)
        lines += [f"- **进度**：已完成 {done}/{len(requirements)} 项", ""]
    before_lease = [r for r in requirements if r.stage == "before_lease"][:10]
    if before_lease:
        lines += ["## 签约前必查", ""]
        lines += [f"- {_box(progress.get(r.id))} {r.title}" for r in before_lease]
        lines.append("")
    if plan.understood:
        lines += ["## 已了解的情况", ""]
        lines += [f"- {u.label}：{_value(u.value)}（“{u.evidence}”）" for u in plan.understood]
        lines.append("")
    if plan.clarifying_questions:
        lines += ["## 需要进一步确认", ""]
        lines += [f"- {question}" for question in plan.clarifying_questions]
        lines.append("")
    lines += ["## 硬性要求清单", ""]
    for dimension in DIMENSIONS:
        group = [r for r in requirements if r.dimension == dimension]
        if not group:
            continue
        lines += [f"### {dimension}", ""]
        for r in group:
            flags = [STAGE_NAMES.get(r.stage or "", "")] if r.stage else []
            flags += [flag for flag, on in (("可容缺受理", r.deferrable), ("视情况适用", r.conditional)) if on]
            suffix = f"（{'，'.join(flags)}）" if flags else ""
            item = progress.get(r.id)
            status = f"【{item.status}】" if item else ""
            lines.append(f"- {_box(item)} {status}**{r.title}**{suffix}：{r.detail}")
            if item and item.note:
                lines.append(f"  - 专员备注：{item.note}")
            if r.materials:
                lines.append(f"  - 材料：{'、'.join(r.materials)}")
            if r.department:
                lines.append(f"  - 部门：{r.department}")
            lines.append(f"  - 依据：{_basis_line(r.basis, r.basis_pending, r.pending_note)}")
        lines.append("")
    if plan.common_problems:
        lines += ["## 高发问题提示", ""]
        for p in plan.common_problems:
            lines.append(f"- **{p.title}**：{p.detail}")
            lines.append(f"  - 建议：{p.advice}")
            lines.append(f"  - 依据：{_basis_line(p.basis, p.basis_pending, p.pending_note)}")
        lines.append("")
    if plan.permits:
        lines += ["## 要办的事项（按办理顺序）", ""]
        if plan.statutory_note:
            lines += [plan.statutory_note, ""]
        for permit in plan.permits:
            limit = permit.time_limit.text if permit.time_limit else (permit.time_limit_note or "法定时限依据待补充")
            lines.append(
                f"{permit.order}. **{permit.name}**（{permit.kind}，{permit.department}；可同时办理的组：{permit.parallel_group}）"
            )
            lines.append(f"  - 时限：{limit}")
            if permit.prerequisites:
                lines.append(f"  - 前置：{'、'.join(permit.prerequisites)}")
            for material in permit.materials:
                marks = "".join(
                    f"【{m}】"
                    for m, on in (("可容缺", material.deferrable), ("可告知承诺", material.commitment_ok))
                    if on
                )
                lines.append(f"  - 材料：{material.name}{marks}")
        lines.append("")
    if plan.steps:
        lines += ["## 办理流程", ""]
        for number, s in enumerate(plan.steps, start=1):
            extra = "，".join(part for part in (s.department, s.duration and f"时限：{s.duration}") if part)
            lines.append(f"{number}. {s.title}" + (f"（{extra}）" if extra else ""))
        lines.append("")
    if plan.applicant_notes:
        lines += ["## 办事须知", ""]
        lines += [f"- {note}" for note in plan.applicant_notes]
        lines.append("")
    if plan.similar_cases:
        lines += ["## 相似案例", ""]
        lines += [f"- **{c.title}**：{c.summary}" for c in plan.similar_cases]
        lines.append("")
    if plan.citations:
        lines += ["## 法规依据原文", ""]
        for c in plan.citations:
            caveat = f"（注意：{c.caveat}）" if c.caveat else ""
            lines.append(f"- 《{c.title}》{c.article}：“{c.text}”{caveat}")
        lines.append("")
    lines += ["---", "", plan.notice, ""]
    return "\n".join(lines)


def _box(item: ItemProgress | None) -> str:
    return "[x]" if item is not None and item.status == DONE else "[ ]"


def _value(value: object) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_pdf(
    plan: GuidanceResponse,
    title: str = "筹备期审批辅导方案",
    meta: dict[str, str] | None = None,
    progress: Mapping[str, ItemProgress] | None = None,
) -> bytes:
    """A PDF of the Markdown plan; STSong-Light is a standard CJK font every PDF reader provides (□ and √ are in
    its GB2312 set, so status boxes print everywhere)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    styles = {
        "h1": ParagraphStyle("h1", fontName="STSong-Light", fontSize=18, leading=26, spaceAfter=8),
        "h2": ParagraphStyle("h2", fontName="STSong-Light", fontSize=14, leading=20, spaceBefore=8, spaceAfter=4),
        "h3": ParagraphStyle("h3", fontName="STSong-Light", fontSize=12, leading=18, spaceBefore=4),
        "body": ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=15, wordWrap="CJK"),
    }
    story: list[Flowable] = []
    for line in to_markdown(plan, title, meta, progress).splitlines():
        if not line.strip() or line.strip() == "---":
            story.append(Spacer(1, 3 * mm))
            continue
        style, text = "body", line
        for prefix, name in (("### ", "h3"), ("## ", "h2"), ("# ", "h1")):
            if line.startswith(prefix):
                style, text = name, line[len(prefix) :]
                break
        text = _escape(text).replace("**", "").replace("- [ ] ", "□ ").replace("- [x] ", "√ ").replace("- ", "● ", 1)
        story.append(Paragraph(text, styles[style]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm)
    document.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
