"""Reading an uploaded document (要件预审): PDF with or without a text layer, DOCX, or a photo.

The type is decided by the bytes, never by the file name. Text PDFs are read with pypdf; a page whose text layer
is (nearly) empty is rendered with pypdfium2 and read by OCR, as are photos. pypdfium2 is PDFium (the engine of
Chromium) in a self-contained wheel under a permissive licence: no poppler binary to install (pdf2image), no AGPL
(PyMuPDF), and it renders the CJK scans bureaus produce. Every refusal is a :class:`DocumentRejected` in Chinese.
"""

from __future__ import annotations

import warnings
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Literal

import pypdfium2
from PIL import Image, ImageOps, UnidentifiedImageError
from pydantic import BaseModel, Field
from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError

from ingest.loaders.base import LoaderError
from ingest.loaders.docx import DocxLoader
from ingest.ocr import OcrEngine

MediaType = Literal["pdf", "docx", "jpeg", "png", "webp"]
SUPPORTED = "PDF、DOCX、JPG 或 PNG"
IMAGE_FORMATS: dict[str, MediaType] = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "MPO": "jpeg"}


class DocumentRejected(ValueError):
    """A file that cannot be taken: wrong type, too large, encrypted, broken. ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class ReadLimits(BaseModel):
    max_bytes: int
    max_pages: int
    min_image_side: int
    max_image_pixels: int
    render_dpi: int
    text_layer_min_chars: int
    ocr_min_score: float


class PageText(BaseModel):
    number: int
    lines: list[str]
    ocr: bool
    score: float | None = Field(None, description="识别置信度的平均值（仅文字识别的页）")


class ReadDocument(BaseModel):
    media_type: MediaType
    pages: list[PageText]

    @property
    def ocr(self) -> bool:
        return any(page.ocr for page in self.pages)

    @property
    def lines(self) -> list[str]:
        return [line for page in self.pages for line in page.lines]


def sniff(data: bytes) -> MediaType:
    """The document's type from its content; DocumentRejected for anything else."""
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header, as PDF viewers do
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        raise DocumentRejected(f"文件内容是压缩包，不是可识别的材料；请上传 {SUPPORTED}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                kind = IMAGE_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        kind = None
    if kind is None:
        raise DocumentRejected(f"无法识别文件类型（按文件内容判断，改扩展名无效）；请上传 {SUPPORTED}")
    return kind


class DocumentReader:
    """Bytes in, text per page out, OCR where there is no text layer."""

    def __init__(self, engine: OcrEngine, limits: ReadLimits) -> None:
        self.engine = engine
        self.limits = limits

    def check_size(self, size: int) -> None:
        if size == 0:
            raise DocumentRejected("文件是空的，请重新选择")
        if size > self.limits.max_bytes:
            limit = self.limits.max_bytes / 1024 / 1024
            raise DocumentRejected(
                f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {limit:g} MB；请压缩或分页上传", 413
            )

    def read(self, data: bytes, name: str) -> ReadDocument:
        self.check_size(len(data))
        media_type = sniff(data)
        if media_type == "pdf":
            return ReadDocument(media_type="pdf", pages=self._pdf(data))
        if media_type == "docx":
            return ReadDocument(media_type="docx", pages=[self._docx(data, name)])
        return ReadDocument(media_type=media_type, pages=[self._photo(data)])

    # -- formats ---------------------------------------------------------------

    def _pdf(self, data: bytes) -> list[PageText]:
        try:
            reader = PdfReader(BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentRejected("PDF 已加密（设置了打开密码），无法读取；请上传未加密的文件")
            count = len(reader.pages)
        except DocumentRejected:
            raise
        except DependencyError as exc:
            raise DocumentRejected("PDF 已加密，无法读取；请上传未加密的文件") from exc
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise DocumentRejected("PDF 文件已损坏或不完整，无法读取；请重新导出或扫描后上传") from exc
        if count == 0:
            raise DocumentRejected("PDF 没有任何页面")
        if count > self.limits.max_pages:
            raise DocumentRejected(f"PDF 共 {count} 页，超过 {self.limits.max_pages} 页的上限；请只上传所需的页")
        pages: list[PageText] = []
        rendered: pypdfium2.PdfDocument | None = None
        try:
            for index, page in enumerate(reader.pages):
                try:
                    text = page.extract_text() or ""
                except Exception:  # pypdf raises all sorts of errors on a malformed page: read it by OCR instead
                    text = ""
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                if sum(len(line) for line in lines) >= self.limits.text_layer_min_chars:
                    pages.append(PageText(number=index + 1, lines=lines, ocr=False))
                    continue
                if rendered is None:
                    rendered = _pdfium(data)
                image = rendered[index].render(scale=self.limits.render_dpi / 72).to_pil()
                pages.append(self._ocr(image, index + 1))
        finally:
            if rendered is not None:
                rendered.close()
        return pages

    def _docx(self, data: bytes, name: str) -> PageText:
        try:
            document = DocxLoader().parse(data, Path(name or "材料.docx"))
        except LoaderError as exc:
            raise DocumentRejected("DOCX 文件已损坏，无法读取；请重新保存后上传") from exc
        return PageText(number=1, lines=document.text.splitlines(), ocr=False)

    def _photo(self, data: bytes) -> PageText:
        with Image.open(BytesIO(data)) as opened:
            width, height = opened.size
            if width * height > self.limits.max_image_pixels:
                raise DocumentRejected("照片像素过多，请用手机默认设置拍摄后上传")
            if min(width, height) < self.limits.min_image_side:
                raise DocumentRejected(
                    f"照片太小（{width}×{height} 像素），看不清文字；请正对材料拍摄，短边至少 {self.limits.min_image_side} 像素"
                )
            try:
                image = ImageOps.exif_transpose(opened).convert("RGB")  # phones store the turn in EXIF
            except OSError as exc:
                raise DocumentRejected("照片文件不完整或已损坏，请重新拍摄后上传") from exc
        return self._ocr(image, 1)

    def _ocr(self, image: Image.Image, number: int) -> PageText:
        lines = [line for line in self.engine.read(image) if line.score >= self.limits.ocr_min_score]
        score = sum(line.score for line in lines) / len(lines) if lines else 0.0
        return PageText(number=number, lines=[line.text for line in lines], ocr=True, score=round(score, 3))


def _pdfium(data: bytes) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise DocumentRejected("PDF 页面无法渲染（文件可能已损坏）；请重新扫描后上传") from exc
