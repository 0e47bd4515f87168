"""What an OCR engine returns for one image, and the interface every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

from PIL import Image
from pydantic import BaseModel, Field


class OcrLine(BaseModel):
    """One line of text found on an image, with the recogniser's confidence and where it sits (pixels)."""

    text: str
    score: float = Field(ge=0, le=1)
    top: float
    left: float
    height: float


class OcrEngine(ABC):
    """One OCR backend. Subclasses live one per file in ``ingest/ocr/``; none may download anything at run time."""

    name: str

    @abstractmethod
    def read(self, image: Image.Image) -> list[OcrLine]:
        """The text lines of ``image`` in reading order (top to bottom, left to right)."""


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Sort lines top to bottom; boxes whose tops differ by less than half a line height are one row, read left to right."""
    ordered = sorted(lines, key=lambda line: line.top)
    rows: list[list[OcrLine]] = []
    for line in ordered:
        if rows and abs(line.top - rows[-1][0].top) < rows[-1][0].height / 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda line: line.left)]
