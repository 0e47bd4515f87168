"""The shape of every answer: the direct answer, then (only if asked for) a short list, then notes.

Citations travel beside the text; clients render them from ``citations``, so the answer
never repeats the quoted articles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.models import Citation

PENDING = "依据待补充"


@dataclass
class Reply:
    lead: str
    heading: str = ""
    points: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    permits: list[str] = field(default_factory=list)
    # What the answer was composed from: permit (事项目录), list, red_line, item (curated knowledge), article.
    source: str = "item"

    def render(self) -> str:
        parts = [self.lead.strip()]
        if self.points:
            lines = [f"{self.heading}：" if self.heading else ""]
            lines += [f"{number}. {point}" for number, point in enumerate(self.points, start=1)]
            parts.append("\n".join(line for line in lines if line))
        parts += [note for note in dict.fromkeys(self.notes) if note]
        return "\n\n".join(part for part in parts if part)

    def cite(self, citations: list[Citation], limit: int) -> None:
        """Add citations (one per article) up to ``limit`` in all."""
        known = {c.key for c in self.citations}
        for citation in citations:
            if len(self.citations) >= limit:
                return
            if citation.key not in known:
                known.add(citation.key)
                self.citations.append(citation)


def sentence(text: str) -> str:
    """Text ending in a full stop (templated answers join phrases into sentences)."""
    text = text.strip().rstrip("，,；;、")
    return text if text.endswith(("。", "！", "？", "）", "”")) else f"{text}。"
