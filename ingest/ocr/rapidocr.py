"""RapidOCR on onnxruntime: the PP-OCRv4 Chinese detection and recognition models ship inside the wheel.

The detector sees the page scaled so that its longer side is ``det_side_len`` pixels: on an A4 photo that keeps
body text (about 12 pt) readable while cutting detection time by two thirds against the library default.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

from .base import OcrEngine, OcrLine, reading_order


class RapidOcrEngine(OcrEngine):
    name = "rapidocr"

    def __init__(self, threads: int, det_side_len: int) -> None:
        self.threads = threads
        self.det_side_len = det_side_len
        self._engine = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        """The engine, built on first use (rapidocr ships no types: its call returns (lines, timings))."""
        with self._lock:
            if self._engine is None:
                from rapidocr_onnxruntime import RapidOCR

                self._engine = RapidOCR(
                    det_limit_type="max",
                    det_limit_side_len=self.det_side_len,
                    intra_op_num_threads=self.threads,
                    inter_op_num_threads=1,
                )
            return self._engine

    def read(self, image: Image.Image) -> list[OcrLine]:
        result, _ = self._load()(np.asarray(image.convert("RGB")))
        lines = []
        for box, text, score in result or []:
            ys = [point[1] for point in box]
            xs = [point[0] for point in box]
            lines.append(OcrLine(text=text, score=float(score), top=min(ys), left=min(xs), height=max(ys) - min(ys)))
        return reading_order(lines)
