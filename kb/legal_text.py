"""Structure of Chinese legal texts: 章/节 headings and 条 articles.

Shared by the shipped corpus (Markdown with front matter) and by ingest of user files
(PDF/DOCX/HTML turned into plain text), so both are cut by the same rules.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from kb.quantities import chinese_integer

_NUMERAL = "零〇一二三四五六七八九十百千两"

ARTICLE_RE = re.compile(rf"^第([{_NUMERAL}]+)条(?:之([{_NUMERAL}]+))?(?:[ \u3000\t]+|(?=[^\s]))")
CHAPTER_RE = re.compile(rf"^#*\s*(第[{_NUMERAL}]+[章编])[ \u3000\t]*(.*)$")
SECTION_RE = re.compile(rf"^#*\s*(第[{_NUMERAL}]+节)[ \u3000\t]*(.*)$")


def normalize_space(text: str) -> str:
    """Remove every kind of whitespace: quotes are compared whitespace-insensitively."""
    return re.sub(r"\s+", "", text)


class Article(BaseModel):
    label: str
    number: int
    chapter: str = ""
    section: str = ""
    text: str

    @property
    def path(self) -> str:
        """Chapter path, e.g. ``第二章 设立 / 第一节 一般规定``."""
        return " / ".join(part for part in (self.chapter, self.section) if part)


def split_articles(body: str) -> list[Article]:
    """Cut a legal text into articles. Lines before the first article are ignored (title, 题注)."""
    articles: list[Article] = []
    chapter = section = ""
    current: dict | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if current is not None:
            articles.append(Article(**current, text="\n".join(paragraphs).strip()))

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        chapter_match = CHAPTER_RE.match(line)
        if chapter_match and len(line) <= 40:
            close()
            current, paragraphs = None, []
            chapter = _join_heading(chapter_match)
            section = ""
            continue
        section_match = SECTION_RE.match(line)
        if section_match and len(line) <= 40:
            close()
            current, paragraphs = None, []
            section = _join_heading(section_match)
            continue
        article_match = ARTICLE_RE.match(line)
        number = chinese_integer(article_match.group(1)) if article_match else None
        if article_match and number is not None:  # 第十百条 is no article number: the line is text
            close()
            label = article_match.group(0).strip()
            current = {"label": label, "number": number, "chapter": chapter, "section": section}
            rest = line[article_match.end() :].strip()
            paragraphs = [rest] if rest else []
            continue
        if line.startswith("#"):
            continue
        if current is not None:
            paragraphs.append(line)
    close()
    return articles


def _join_heading(match: re.Match[str]) -> str:
    name = re.sub(r"[ \u3000\t]+", "", match.group(2))
    return f"{match.group(1)} {name}".strip()


def looks_legal(text: str) -> bool:
    """A text is treated as a legal instrument when its first 第N条 lines are 第一条, 第二条… in order."""
    numbers: list[int] = []
    for line in text.splitlines():
        match = ARTICLE_RE.match(line.strip())
        if match and (number := chinese_integer(match.group(1))) is not None:
            numbers.append(number)
    return len(numbers) >= 2 and numbers[:2] == [1, 2]
