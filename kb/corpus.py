"""The regulation corpus shipped with the product (``kb/corpus/regulations``).

Each file is one instrument: YAML front matter, then the text cut into 章/节/条.
The corpus is the ground truth for every citation Chubei shows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from kb.legal_text import Article, normalize_space, split_articles

CORPUS_DIR = Path(__file__).parent / "corpus" / "regulations"

# Words in a file's ``notes`` that mean the text may not be the current version.
_OUTDATED_MARKERS = ("核对", "取代", "调整至", "已变化", "不完整")


class Regulation(BaseModel):
    doc_id: str
    title: str
    level: str
    issuer: str = ""
    version_date: str = ""
    effective_clause: str = ""
    notes: str = ""
    source: str = ""
    articles: list[Article]

    def article(self, label: str) -> Article | None:
        for article in self.articles:
            if article.label == label:
                return article
        return None

    @property
    def caveat(self) -> str:
        return caveat_for(self.notes, self.version_date)


def caveat_for(notes: str, version_date: str) -> str:
    """A user-facing warning when a text may be outdated (its ``notes`` say so), else ""."""
    if any(marker in notes for marker in _OUTDATED_MARKERS):
        return f"版本日期 {version_date}，可能已修订：{notes}"
    return ""


def parse_front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    _, header, body = text.split("---", 2)
    return yaml.safe_load(header) or {}, body


def load_regulation(path: Path) -> Regulation:
    meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
    return Regulation(
        doc_id=path.stem,
        title=meta["title"],
        level=meta.get("level", ""),
        issuer=meta.get("issuer", ""),
        version_date=str(meta.get("version_date", "")),
        effective_clause=meta.get("effective_clause", ""),
        notes=meta.get("notes", "") or "",
        source=meta.get("source", ""),
        articles=split_articles(body),
    )


class Corpus:
    """All regulations by doc_id, with lookups used by grounding checks and citations."""

    def __init__(self, regulations: list[Regulation]):
        self.regulations = {regulation.doc_id: regulation for regulation in regulations}

    @classmethod
    def load(cls, directory: Path = CORPUS_DIR) -> Corpus:
        return cls([load_regulation(path) for path in sorted(directory.glob("*.md")) if path.name != "README.md"])

    def __iter__(self) -> Iterator[Regulation]:
        return iter(self.regulations.values())

    def __len__(self) -> int:
        return len(self.regulations)

    def get(self, doc_id: str) -> Regulation | None:
        return self.regulations.get(doc_id)

    def find_article(self, doc_id: str, label: str) -> Article | None:
        regulation = self.get(doc_id)
        return regulation.article(label) if regulation else None

    def quote_found(self, doc_id: str, label: str, quote: str) -> bool:
        """True when ``quote`` is a whitespace-insensitive substring of that article."""
        article = self.find_article(doc_id, label)
        return bool(article and quote.strip() and normalize_space(quote) in normalize_space(article.text))


def manifest(directory: Path = CORPUS_DIR) -> list[dict[str, str]]:
    with (directory / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@lru_cache(maxsize=1)
def shipped_corpus() -> Corpus:
    return Corpus.load()
