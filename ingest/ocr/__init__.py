"""Offline OCR: one backend per file behind :class:`OcrEngine`, and a bounded queue to run it on."""

from __future__ import annotations

from .base import OcrEngine, OcrLine, reading_order
from .pool import OcrBusy, OcrQueue
from .rapidocr import RapidOcrEngine

__all__ = ["OcrBusy", "OcrEngine", "OcrLine", "OcrQueue", "RapidOcrEngine", "reading_order"]
