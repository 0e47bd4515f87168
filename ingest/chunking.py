"""Legal-aware chunking: one chunk per 条, long articles cut on 款/项 boundaries.

Texts that are not legal instruments fall back to a Chinese-aware recursive splitter.
"""

from __future__ import annotations

import re
from typing import TypedDict

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.loaders.base import LoadedDocument
from kb.chunks import Chunk, ChunkKind
from kb.legal_text import Article, looks_legal, split_articles

MAX_CHARS = 500
FALLBACK_CHUNK = 400
FALLBACK_OVERLAP = 60
CHINESE_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", ""]
SENTENCE_END = re.compile(r"(?<=[。；！？])")


class Provenance(TypedDict):
    """What every chunk of a document carries: the document, where it came from, its level and version."""

    doc_id: str
    title: str
    source: str
    level: str
    issuer: str
    version_date: str
    caveat: str


def chunk_document(document: LoadedDocument, doc_id: str, source: str, caveat: str = "") -> list[Chunk]:
    base: Provenance = {
        "doc_id": doc_id,
        "title": document.title,
        "source": source,
        "level": document.metadata.get("level", ""),
        "issuer": document.metadata.get("issuer", ""),
        "version_date": document.metadata.get("version_date", ""),
        "caveat": caveat,
    }
    if looks_legal(document.text):
        return [
            chunk for article in split_articles(document.text) for chunk in article_chunks(article, "regulation", base)
        ]
    return plain_chunks(document.text, base)


def article_chunks(article: Article, kind: ChunkKind, base: Provenance) -> list[Chunk]:
    parts = split_long(article.text)
    chunks: list[Chunk] = []
    for index, part in enumerate(parts, start=1 if len(parts) > 1 else 0):
        suffix = f"#{index}" if index else ""
        lead = parts[0].splitlines()[0] if index > 1 else ""
        chunks.append(
            Chunk(
                id=f"{base['doc_id']}:{article.label}{suffix}",
                kind=kind,
                text=part,
                article=article.label,
                chapter=article.path,
                part=index,
                context=lead,
                **base,
            )
        )
    return chunks


def split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Cut on paragraph (款/项) boundaries, then sentences; every part is verbatim text of the article."""
    if len(text) <= limit:
        return [text]
    units: list[tuple[str, str]] = []  # (joiner before the unit, unit)
    for paragraph in text.split("\n"):
        sentences = [paragraph] if len(paragraph) <= limit else [s for s in SENTENCE_END.split(paragraph) if s]
        units += [("\n" if index == 0 else "", sentence) for index, sentence in enumerate(sentences)]
    parts: list[str] = []
    current = ""
    for joiner, unit in units:
        if current and len(current) + len(unit) > limit:
            parts.append(current)
            current = ""
        current = f"{current}{joiner}{unit}" if current else unit
    if current:
        parts.append(current)
    return parts


def plain_chunks(text: str, base: Provenance) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=FALLBACK_CHUNK,
        chunk_overlap=FALLBACK_OVERLAP,
        separators=CHINESE_SEPARATORS,
        keep_separator="end",
    )
    pieces = [piece.strip() for piece in splitter.split_text(text) if piece.strip()]
    return [
        Chunk(id=f"{base['doc_id']}:{index}", kind="document", text=piece, part=index, **base)
        for index, piece in enumerate(pieces, start=1)
    ]
