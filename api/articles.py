"""The full text of a cited article, for the "展开原文" of a citation."""

from __future__ import annotations

from api.dossiers import NotFound
from chubei.services import Services


def article_text(services: Services, doc_id: str, label: str) -> dict:
    regulation = services.corpus.get(doc_id)
    if regulation is not None:
        article = regulation.article(label)
        if article is None:
            raise NotFound(f"《{regulation.title}》没有{label}")
        return {"doc_id": doc_id, "title": regulation.title, "article": label, "chapter": article.path,
                "text": article.text, "level": regulation.level, "version_date": regulation.version_date,
                "caveat": regulation.caveat or None}  # fmt: skip
    parts = [c for c in services.lexical().chunks if c.doc_id == doc_id and c.article == label]
    if not parts:
        raise NotFound("找不到该条文")
    first = parts[0]
    return {"doc_id": doc_id, "title": first.title, "article": label, "chapter": first.chapter,
            "text": "\n".join(p.text for p in sorted(parts, key=lambda c: c.part)), "level": first.level,
            "version_date": first.version_date, "caveat": first.caveat or None}  # fmt: skip
