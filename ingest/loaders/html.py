"""Web pages (.html, .htm) saved from government sites, read with BeautifulSoup."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag
from bs4.dammit import EncodingDetector

from .base import LoadedDocument, Loader, join_lines, read_bytes

_DROP = ("head", "script", "style", "noscript", "template", "nav", "header", "footer")
_BLOCKS = (
    *("p", "div", "li", "tr", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("ul", "ol", "dl", "dt", "dd", "table", "caption", "blockquote", "pre", "address"),
    *("section", "article", "main", "aside", "figure", "figcaption", "form"),
)
_BREAK = "\x00"
"""Marks block boundaries while the page is flattened: source newlines are mere spaces in HTML."""
_GB_CHARSETS = {"gb2312", "gbk", "x-gbk", "gb18030"}


class HtmlLoader(Loader):
    format = "html"
    suffixes = (".html", ".htm")

    def load(self, path: Path) -> LoadedDocument:
        data = read_bytes(path)
        soup = BeautifulSoup(data, "html.parser", from_encoding=_gb_override(data))
        title = _title(soup)
        metadata = {
            name: str(meta["content"]).strip()
            for name in ("description", "keywords", "author")
            if isinstance(meta := soup.find("meta", attrs={"name": name}), Tag) and meta.get("content")
        }
        if soup.original_encoding:
            metadata["encoding"] = soup.original_encoding
        for tag in soup.find_all(_DROP):
            tag.decompose()
        for row in soup.find_all("tr"):
            for cell in row.find_all(("td", "th"), recursive=False)[1:]:
                cell.insert_before(" | ")
        for tag in soup.find_all(_BLOCKS):
            tag.insert_before(_BREAK)
            tag.insert_after(_BREAK)
        lines = (" ".join(part.split()) for part in soup.get_text().split(_BREAK))
        return LoadedDocument(
            path=path,
            format=self.format,
            title=title or path.stem,
            text=join_lines(lines),
            metadata=metadata,
        )


def _gb_override(data: bytes) -> str | None:
    """Decode pages declared as GB2312/GBK with GB18030.

    Sites routinely declare gb2312 but use GBK-only characters (e.g. 镕, 珺), which a strict
    gb2312 decoder rejects, sending bs4 to guess another encoding; GB18030 is a superset of both
    (browsers do the same).
    """
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    return "gb18030" if declared and declared.lower() in _GB_CHARSETS else None


def _title(soup: BeautifulSoup) -> str:
    for tag in (soup.title, soup.find("h1")):
        if tag is not None and tag.get_text(strip=True):
            return " ".join(tag.get_text().split())
    return ""
