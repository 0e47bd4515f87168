"""File loaders: one backend per format behind :class:`Loader`, picked by file suffix."""

from __future__ import annotations

from pathlib import Path

from ingest.ocr import OcrEngine

from .base import LoadedDocument, Loader, LoaderError
from .docx import DocxLoader
from .html import HtmlLoader
from .markdown import MarkdownLoader
from .pdf import PdfLoader
from .text import TextLoader

__all__ = [
    "LOADERS",
    "SUPPORTED_SUFFIXES",
    "DocxLoader",
    "HtmlLoader",
    "LoadedDocument",
    "Loader",
    "LoaderError",
    "MarkdownLoader",
    "PdfLoader",
    "TextLoader",
    "load_document",
    "loader_for",
]

_BACKENDS: tuple[Loader, ...] = (PdfLoader(), DocxLoader(), HtmlLoader(), MarkdownLoader(), TextLoader())
LOADERS: dict[str, Loader] = {loader.format: loader for loader in _BACKENDS}
"""Format name → loader."""

_BY_SUFFIX: dict[str, Loader] = {suffix: loader for loader in LOADERS.values() for suffix in loader.suffixes}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_BY_SUFFIX)


def loader_for(path: Path) -> Loader:
    """The loader for ``path``'s suffix (case-insensitive); LoaderError if none reads it."""
    suffix = path.suffix.lower()
    if suffix not in _BY_SUFFIX:
        kind = f"“{suffix}”格式的文件" if suffix else "没有扩展名的文件"
        supported = "、".join(SUPPORTED_SUFFIXES)
        raise LoaderError(f"《{path.name}》无法导入：暂不支持{kind}，支持的格式有 {supported}")
    return _BY_SUFFIX[suffix]


def load_document(path: Path | str, ocr: OcrEngine | None = None, show_progress: bool = False) -> LoadedDocument:
    """Load any supported file; every failure is a :class:`LoaderError` with a Chinese message.

    With an OCR engine, the scanned pages of a PDF (no text layer) are read by it.
    """
    path = Path(path)
    loader = loader_for(path)
    if ocr is not None and isinstance(loader, PdfLoader):
        loader = PdfLoader(ocr, show_progress=show_progress)
    return loader.load(path)
