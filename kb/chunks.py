"""The unit of indexing: one chunk of verbatim text with the metadata a citation needs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

ChunkKind = Literal["regulation", "document", "requirement", "problem", "case", "faq"]
KNOWLEDGE_KINDS: tuple[str, ...] = ("requirement", "problem", "case", "faq")
SOURCE_KINDS: tuple[str, ...] = ("regulation", "document")


class Chunk(BaseModel):
    id: str
    kind: ChunkKind
    doc_id: str
    title: str
    text: str = Field(description="verbatim text: what is stored, quoted and cited")
    source: str = Field(description="where it came from: a file key or kb:<item>")
    article: str = ""
    chapter: str = ""
    part: int = Field(0, description="0 for a whole article; 1, 2… for the parts of a long one")
    context: str = Field("", description="text embedded before `text`, e.g. a list's lead-in sentence")
    level: str = ""
    issuer: str = ""
    version_date: str = ""
    caveat: str = ""
    item_id: str = ""
    project_types: str = Field("", description="comma-separated project type ids (knowledge chunks)")
    dimension: str = ""

    @property
    def embedding_text(self) -> str:
        """What the embedder and BM25 see: title, article and chapter help match a question."""
        head = " ".join(part for part in (self.title, self.chapter, self.article) if part)
        body = f"{self.context}\n{self.text}" if self.context else self.text
        return f"{head}\n{body}"

    @property
    def label(self) -> str:
        return f"《{self.title}》{self.article}" if self.article else f"《{self.title}》"

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for Chroma (no None values, primitives only)."""
        return self.model_dump(exclude={"id", "text"})

    @classmethod
    def from_stored(cls, chunk_id: str, text: str, metadata: Mapping[str, object]) -> Chunk:
        return cls.model_validate({**metadata, "id": chunk_id, "text": text})


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
