"""Curated knowledge (requirements, problems, cases, FAQ) as chunks, so retrieval finds them too."""

from __future__ import annotations

from ingest.chunks import Chunk
from kb.knowledge import KnowledgeBase

KNOWLEDGE_SOURCE = "kb"


def knowledge_chunks(kb: KnowledgeBase) -> list[Chunk]:
    users = _types_using_each_block(kb)
    chunks: list[Chunk] = []
    for project_type in kb.types.values():
        type_ids = ",".join(users.get(project_type.id, [project_type.id]))
        for requirement in project_type.requirements:
            chunks.append(
                Chunk(
                    id=requirement.id,
                    kind="requirement",
                    doc_id=requirement.id,
                    title=requirement.title,
                    text=requirement.detail,
                    context="、".join(requirement.keywords),
                    source=KNOWLEDGE_SOURCE,
                    item_id=requirement.id,
                    project_types=type_ids,
                    dimension=requirement.dimension,
                )
            )
        for problem in project_type.problems:
            chunks.append(
                Chunk(
                    id=problem.id,
                    kind="problem",
                    doc_id=problem.id,
                    title=problem.title,
                    text=f"{problem.detail}\n{problem.advice}",
                    context="、".join(problem.keywords),
                    source=KNOWLEDGE_SOURCE,
                    item_id=problem.id,
                    project_types=type_ids,
                    dimension=problem.dimension,
                )
            )
    for case in kb.cases.values():
        chunks.append(
            Chunk(
                id=case.id,
                kind="case",
                doc_id=case.id,
                title=case.title,
                text=f"{case.situation}\n{case.resolution}\n{case.outcome}",
                source=KNOWLEDGE_SOURCE,
                item_id=case.id,
                project_types=",".join(case.project_types),
            )
        )
    for entry in kb.faq.values():
        chunks.append(
            Chunk(
                id=entry.id,
                kind="faq",
                doc_id=entry.id,
                title=entry.question,
                text=entry.answer,
                source=KNOWLEDGE_SOURCE,
                item_id=entry.id,
                project_types=",".join(entry.project_types),
            )
        )
    return chunks


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
