"""要件预审 of one document: what kind it is, its key fields, and findings against the project's plan."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from assistant.config import PrereviewConfig
from assistant.prereview.checks import Plan, ReadSummary, check
from assistant.prereview.fields import Line, extract
from assistant.prereview.kinds import recognise
from assistant.prereview.models import DocumentKind, ExtractedField, Finding
from assistant.prereview.text import normalise


class Understood(BaseModel):
    kind: DocumentKind
    fields: list[ExtractedField]
    chars: int

    def summary(self) -> ReadSummary:
        return ReadSummary(kind=self.kind, fields={f.name: f.value for f in self.fields}, chars=self.chars)


def understand(lines: list[Line], config: PrereviewConfig) -> Understood:
    """Kind and fields from the text of a document (page, line) in reading order."""
    texts = [text for _, text in lines]
    chars = sum(len(normalise(text)) for text in texts)
    if chars < config.min_readable_chars:
        return Understood(kind="other", fields=[], chars=chars)
    kind, _ = recognise(texts, config.kind_min_score)
    return Understood(kind=kind, fields=extract(kind, lines) if kind != "other" else [], chars=chars)


def review(understood: Understood, requested: str | None, plan: Plan, others: list[ReadSummary], today: date,
           config: PrereviewConfig) -> list[Finding]:  # fmt: skip
    return check(understood.summary(), requested, plan, others, today, config)
