"""Curated knowledge (requirements, problems, cases, FAQ) as chunks, so retrieval finds them too."""

from __future__ import annotations

from collections.abc import Sequence

from kb.chunks import Chunk, ChunkKind
from kb.knowledge import KnowledgeBase

KNOWLEDGE_SOURCE = "kb"


def knowledge_chunks(kb: KnowledgeBase) -> list[Chunk]:
    users = _types_using_each_block(kb)
    chunks: list[Chunk] = []
    for project_type in kb.types.values():
        type_ids = users.get(project_type.id, [project_type.id])
        for requirement in project_type.requirements:
            chunks.append(_chunk("requirement", requirement.id, requirement.title, requirement.detail, type_ids,
                                 requirement.keywords, requirement.dimension))  # fmt: skip
        for problem in project_type.problems:
            text = f"{problem.detail}\n{problem.advice}"
            chunks.append(
                _chunk("problem", problem.id, problem.title, text, type_ids, problem.keywords, problem.dimension)
            )
    for case in kb.cases.values():
        text = f"{case.situation}\n{case.resolution}\n{case.outcome}"
        chunks.append(_chunk("case", case.id, case.title, text, case.project_types))
    for entry in kb.faq.values():
        chunks.append(_chunk("faq", entry.id, entry.question, entry.answer, entry.project_types))
    return chunks


def _chunk(
    kind: ChunkKind,
    item_id: str,
    title: str,
    text: str,
    type_ids: list[str],
    keywords: Sequence[str] = (),
    dimension: str = "",
) -> Chunk:
    return Chunk(
        id=item_id,
        kind=kind,
        doc_id=item_id,
        title=title,
        text=text,
        context="、".join(keywords),
        source=KNOWLEDGE_SOURCE,
        item_id=item_id,
        project_types=",".join(type_ids),
        dimension=dimension,
    )


def _types_using_each_block(kb: KnowledgeBase) -> dict[str, list[str]]:
    """For a shared block, the matchable types that include it (directly or through another block)."""
    users: dict[str, list[str]] = {}
    for project_type in kb.types.values():
        if project_type.block:
            continue
        for expanded in kb.expand([project_type.id]):
            if expanded.block:
                users.setdefault(expanded.id, []).append(project_type.id)
    return users
