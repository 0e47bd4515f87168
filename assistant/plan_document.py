"""The plan (方案) as a printable document: Markdown, and PDF rendered with reportlab's built-in CJK font."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel

from assistant.fact_phrases import describe
from assistant.models import Citation, GuidanceResponse, RequirementOut, StepOut
from kb.schema import DIMENSIONS, STAGE_NAMES

PENDING = "依据待补充"
DONE = "已完成"


class ItemProgress(BaseModel):
    """Where a dossier's checklist item stands: its status, the specialist's note, and whether it is still listed."""

    status: str
    note: str = ""
    active: bool = True


# Markdown's inline markup (emphasis, code, links, HTML, strike-through) and line breaks, which would let text
# typed by people (a project name, a note, a quoted description) start a heading or a list of its own.
_MARKUP = re.compile(r"([\\`*_\[\]<>~])")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>~])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_TEMPLATES = Environment(
    loader=PackageLoader("assistant", "templates"),
    autoescape=False,  # Markdown, not HTML: people's text is escaped by the md filter instead
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)


def markdown_text(text: str) -> str:
    """Text typed by people as literal Markdown: on one line, its markup characters backslash-escaped."""
    return _MARKUP.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))


def _basis_line(basis: list[Citation], pending: bool | None = None, note: str | None = None) -> str:
    parts = list(dict.fromkeys(f"《{c.title}》{c.article}" for c in basis))
    if pending:
        parts.append(f"{PENDING}（{note}）" if note else PENDING)
    return "；".join(parts) or PENDING


def _flags(requirement: RequirementOut) -> str:
    flags = [STAGE_NAMES.get(requirement.stage or "", "")] if requirement.stage else []
    flags += [
        flag for flag, on in (("可容缺受理", requirement.deferrable), ("视情况适用", requirement.conditional)) if on
    ]
    return f"（{'，'.join(flags)}）" if flags else ""


def _step_extra(step: StepOut) -> str:
    extra = "，".join(part for part in (step.department, step.duration and f"时限：{step.duration}") if part)
    return f"（{extra}）" if extra else ""


def _facts(facts: Mapping[str, object]) -> str:
    return "、".join(describe(name, value) for name, value in facts.items())


def to_markdown(
    plan: GuidanceResponse,
    title: str = "筹备期审批辅导方案",
    meta: dict[str, str] | None = None,
    progress: Mapping[str, ItemProgress] | None = None,
) -> str:
    """The plan as Markdown (``templates/plan.md.j2``). With a dossier's ``progress``, items the specialist removed
    are left out and each item shows its status (a ticked box when done) and the specialist's note."""
    progress = progress or {}
    requirements = [r for r in plan.requirements if progress.get(r.id, ItemProgress(status="")).active]
    by_dimension = [(d, group) for d in DIMENSIONS if (group := [r for r in requirements if r.dimension == d])]
    return _TEMPLATES.get_template("plan.md.j2").render(
        plan=plan,
        title=title,
        meta=meta or {},
        today=date.today().isoformat(),
        types="、".join(f"{t.name}（置信度 {t.confidence:.0%}）" for t in plan.project_types) or "未识别",
        progress=progress,
        requirements=requirements,
        done=sum(progress[r.id].status == DONE for r in requirements if r.id in progress),
        before_lease=[r for r in requirements if r.stage == "before_lease"][:10],
        by_dimension=by_dimension,
    )


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


_TEMPLATES.filters.update(md=markdown_text, facts=_facts, value=_value)
_TEMPLATES.globals.update(basis_line=_basis_line, flags=_flags, step_extra=_step_extra, box=_box)


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
        text = text.replace("**", "").replace("- [ ] ", "□ ").replace("- [x] ", "√ ").replace("- ", "● ", 1)
        text = _escape(_ESCAPED.sub(r"\1", text))
        story.append(Paragraph(text, styles[style]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm)
    document.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
