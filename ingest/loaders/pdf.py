"""PDF files, read with pypdf; pages without a text layer (scans) are rendered and read by OCR when an engine is given.

pypdf returns one line per *visual* line, so a paragraph wrapped over three lines comes back
as three lines broken mid-sentence. :func:`_paragraphs` glues them back together so that the
legal chunker sees one paragraph per line and 第N条 at the start of a line.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

import pypdfium2
from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError
from tqdm import tqdm

from ingest.ocr import OcrEngine, reading_order

from .base import LoadedDocument, Loader, LoaderError, first_line_title, read_bytes

_NUMERAL = r"零〇一二三四五六七八九十百千两\d"
_STRUCTURE_RE = re.compile(
    rf"^(?:第[{_NUMERAL}]+[条章节编](?:之[{_NUMERAL}]+)?(?:\s|$)"  # 第三条 / 第二章 (not “第三条规定的…”)
    r"|[（(][一二三四五六七八九十\d]+[）)]"  # （一） (1)
    r"|[一二三四五六七八九十]+[、．]"  # 一、
    r"|\d+(?:[.．](?!\d)|、)"  # 1. 1、 (not 1.5倍)
    r"|[•●■◆▪])"
)
_SENTENCE_END = "。！？；：…!?;:."
_CLOSERS = "”’\"'」』）)》〉】]"
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－\s]*\d+[-—–－\s]*"  # 3  - 3 -  — 3 —
    r"|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"  # 第3页 第3页，共9页
    r"|\d+\s*/\s*\d+"  # 3/9
    r"|[Pp]age\s*\d+(?:\s*of\s*\d+)?)$"
)
_EDGE_LINES = 2
"""Running headers, footers and page numbers are looked for among a page's first and last lines."""
_SHORT_LINE_RATIO = 0.75
"""A line narrower than this share of the page's widest line stops before the right margin."""
_MIN_WRAPPED_WIDTH = 40
"""Nor is a line of fewer than 20 CJK characters a wrapped one (A4 in 公文 三号 type holds 28)."""
_JUNK_INFO_RE = re.compile(
    r"^(?:\(?(?:untitled|anonymous|unspecified)\)?|无标题|title|document|文档\d*"
    r"|microsoft word\s*-.*|.*\.(?:docx?|wps|pdf|txt|rtf))$",
    re.IGNORECASE,
)


class PdfLoader(Loader):
    format = "pdf"
    suffixes = (".pdf",)

    def __init__(self, ocr: OcrEngine | None = None, render_dpi: int = 200, show_progress: bool = False) -> None:
        self.ocr = ocr
        self.render_dpi = render_dpi
        self.show_progress = show_progress

    def load(self, path: Path) -> LoadedDocument:
        reader, metadata = _open(path)
        pages: list[list[str]] = []
        warnings: list[str] = []
        scanned: list[int] = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
            except DependencyError as exc:
                raise LoaderError(f"《{path.name}》第{number}页需要当前环境没有的解码组件：{exc}") from exc
            except Exception as exc:  # pypdf raises all sorts of errors on a malformed page
                warnings.append(f"第{number}页无法读取（{exc}），已跳过")
                lines = []
            else:
                if not lines:
                    scanned.append(number - 1)
            pages.append(lines)
        if scanned and self.ocr is not None:
            self._read_scans(path, pages, scanned, warnings)
        else:
            warnings += [f"第{index + 1}页没有可提取的文字（可能是扫描件）" for index in scanned]
        if not any(pages):
            raise LoaderError(f"《{path.name}》没有可提取的文字，可能是扫描件或图片，需先做文字识别（OCR）")
        text = "\n".join(_paragraphs(_drop_running_lines(pages)))
        return LoadedDocument(
            path=path,
            format=self.format,
            title=metadata.get("title") or first_line_title(text, path),
            text=text,
            metadata=metadata,
            warnings=warnings,
        )

    def _read_scans(self, path: Path, pages: list[list[str]], scanned: list[int], warnings: list[str]) -> None:
        """Render each page without a text layer and read it by OCR, in place; a progress bar per file."""
        assert self.ocr is not None
        try:
            document = pypdfium2.PdfDocument(read_bytes(path))
        except pypdfium2.PdfiumError as exc:
            warnings.append(f"扫描页无法渲染（{exc}），{len(scanned)} 页未做文字识别")
            return
        try:
            for index in tqdm(scanned, desc=f"文字识别 {path.name}", unit="页", disable=not self.show_progress,
                              leave=False):  # fmt: skip
                image = document[index].render(scale=self.render_dpi / 72).to_pil()
                pages[index] = [line.text.strip() for line in reading_order(self.ocr.read(image)) if line.text.strip()]
        finally:
            document.close()
        warnings.append(
            f"{len(scanned)} 页为扫描件，已做文字识别（第{'、'.join(str(i + 1) for i in scanned)}页），请核对原文"
        )


def _open(path: Path) -> tuple[PdfReader, dict[str, str]]:
    """The decrypted reader and its document info; LoaderError for encrypted or broken files."""
    data = read_bytes(path)
    try:
        reader = PdfReader(BytesIO(data))
        # Many PDFs are encrypted only to restrict printing/copying, with an empty user password.
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(f"《{path.name}》已加密，无法读取，请提供未加密的文件")
        if not reader.pages:  # the page tree is parsed lazily: a broken one fails here
            raise LoaderError(f"《{path.name}》没有任何页面")
        return reader, _metadata(reader)
    except DependencyError as exc:  # AES without the ``cryptography`` package
        raise LoaderError(f"《{path.name}》已加密，无法读取，请提供未加密的文件（{exc}）") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise LoaderError(f"《{path.name}》不是有效的 PDF 文件或已损坏，无法读取：{exc}") from exc


def _metadata(reader: PdfReader) -> dict[str, str]:
    """Title, author, subject and keywords from the document info, minus producer defaults."""
    metadata = {"pages": str(len(reader.pages))}
    info: Mapping[str, object] = reader.metadata or {}
    for key in ("title", "author", "subject", "keywords"):
        value = str(info.get(f"/{key.capitalize()}") or "").strip()
        if value and not _JUNK_INFO_RE.match(value):
            metadata[key] = value
    return metadata


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove page numbers and headers/footers repeated at the edge of at least half the pages."""
    pages = [
        [line for i, line in enumerate(page) if not (_is_edge(i, page) and _PAGE_NUMBER_RE.match(line))]
        for page in pages
    ]
    counts = Counter(
        key for page in pages for key in {_edge_key(line) for i, line in enumerate(page) if _is_edge(i, page)}
    )
    text_pages = sum(1 for page in pages if page)
    running = {key for key, count in counts.items() if count >= 3 and 2 * count >= text_pages}
    return [
        [line for i, line in enumerate(page) if not (_is_edge(i, page) and _edge_key(line) in running)]
        for page in pages
    ]


def _is_edge(index: int, page: list[str]) -> bool:
    return index < _EDGE_LINES or index >= len(page) - _EDGE_LINES


def _edge_key(line: str) -> str:
    """Headers differ only in their page number (“第3页”), so digits are ignored."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _paragraphs(pages: list[list[str]]) -> list[str]:
    """Join wrapped lines, also across page breaks.

    A line ends its paragraph when it ends a sentence (。；：…), when the next line starts a
    structural unit (第N条, （一）, 一、, 1.), or when it is visibly shorter than the page's
    widest line, i.e. it stopped before the right margin (titles, headings, signatures).
    """
    lines: list[tuple[str, bool]] = []
    for page in pages:
        if page:
            limit = max(_SHORT_LINE_RATIO * max(map(_width, page)), _MIN_WRAPPED_WIDTH)
            lines.extend((line, _width(line) < limit) for line in page)
    paragraphs: list[str] = []
    current = ""
    for index, (line, short) in enumerate(lines):
        current = _glue(current, line)
        following = lines[index + 1][0] if index + 1 < len(lines) else ""
        if not following or short or _ends_sentence(line) or _STRUCTURE_RE.match(following):
            paragraphs.append(current)
            current = ""
    return paragraphs


def _width(line: str) -> int:
    """Display width: CJK characters count double, roughly as they are set in the PDF."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS)[-1:] in tuple(_SENTENCE_END)


def _glue(current: str, line: str) -> str:
    """Chinese joins without a space; two ASCII words wrapped apart need one."""
    if current and current[-1].isascii() and line[0].isascii():
        return f"{current} {line}"
    return current + line
