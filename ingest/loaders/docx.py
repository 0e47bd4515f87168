"""Word files (.docx), read with python-docx: body paragraphs and tables in document order."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from zipfile import BadZipFile

import docx
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from .base import LoadedDocument, Loader, LoaderError, join_lines, read_bytes

_TITLE_STYLES = ("Title", "Heading", "标题")
"""Style-name prefixes of title and heading paragraphs (WPS names them “标题 1”)."""


class DocxLoader(Loader):
    format = "docx"
    suffixes = (".docx",)

    def load(self, path: Path) -> LoadedDocument:
        return self.parse(read_bytes(path), path)

    def parse(self, data: bytes, path: Path) -> LoadedDocument:
        """Read a DOCX held in memory (an upload); ``path`` only names it in messages."""
        try:
            document = docx.Document(BytesIO(data))
        except (BadZipFile, KeyError, ValueError, XMLSyntaxError) as exc:
            raise LoaderError(
                f"《{path.name}》不是有效的 DOCX 文件（可能已损坏，或是改了扩展名的旧版 .doc 文件）：{exc}"
            ) from exc
        lines: list[str] = []
        heading = ""
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_row_text(row) for row in block.rows)
                continue
            if not heading and block.text.strip() and _is_title_styled(block):
                heading = block.text.strip()
            lines.extend(block.text.splitlines())
        properties = document.core_properties
        metadata = {
            key: value.strip()
            for key, value in (
                ("author", properties.author),
                ("subject", properties.subject),
                ("keywords", properties.keywords),
            )
            if value and value.strip()
        }
        return LoadedDocument(
            path=path,
            format=self.format,
            title=(properties.title or "").strip() or heading or path.stem,
            text=join_lines(lines),
            metadata=metadata,
        )


def _is_title_styled(paragraph: Paragraph) -> bool:
    style = paragraph.style
    return style is not None and (style.name or "").startswith(_TITLE_STYLES)


def _row_text(row: _Row) -> str:
    """Non-empty cells joined with " | "; a merged cell is listed once per grid column it spans."""
    texts: list[str] = []
    previous = None
    for cell in row.cells:
        if cell._tc is previous:
            continue
        previous = cell._tc
        text = " ".join(cell.text.split())
        if text:
            texts.append(text)
    return " | ".join(texts)
