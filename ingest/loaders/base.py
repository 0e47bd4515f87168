"""What every file loader returns, and the error it raises for a file it cannot read."""

from __future__ import annotations

import codecs
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field


class LoadedDocument(BaseModel):
    """Plain text of one file, ready for chunking.

    ``text`` keeps paragraph breaks as newlines (one paragraph per line) so that the legal
    chunker can see 第N条 at the start of a line; visual line wraps inside a paragraph are
    already joined. ``metadata`` carries what the format knows (title, author, pages…).
    """

    path: Path
    format: str
    title: str
    text: str
    metadata: dict[str, str] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list, description="中文提示，如“第3页无可提取文字”")


class LoaderError(Exception):
    """A file that cannot be loaded. The message is Chinese and names the file and the cause."""


class Loader(ABC):
    """One file format. Subclasses live one per file in ``ingest/loaders/``."""

    format: str
    suffixes: tuple[str, ...]

    @abstractmethod
    def load(self, path: Path) -> LoadedDocument:
        """Read ``path``; raise :class:`LoaderError` with a clear Chinese message on failure."""


TITLE_MAX_CHARS = 40
"""A first line longer than this is body text, not a title."""


def read_bytes(path: Path) -> bytes:
    """The whole file, with OS errors turned into a Chinese :class:`LoaderError`."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise LoaderError(f"找不到文件《{path.name}》") from exc
    except IsADirectoryError as exc:
        raise LoaderError(f"《{path.name}》是文件夹，不是文件") from exc
    except OSError as exc:
        raise LoaderError(f"无法读取《{path.name}》：{exc.strerror or exc}") from exc


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a plain-text file; return ``(text, encoding)``.

    UTF-8 (with or without BOM) first, then GB18030, a superset of the GBK/GB2312 that Chinese
    Windows tools save as “ANSI”. A BOM-marked UTF-16 file (Notepad's “Unicode”) is honoured,
    because GB18030 would otherwise decode it into NUL-riddled garbage.
    """
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # a binary file that happens to decode
            break
        return text, encoding.removesuffix("-sig")
    raise LoaderError(f"《{path.name}》不是 UTF-8 或 GB18030 编码的文本，无法读取，请另存为 UTF-8 编码后重试")


def join_lines(lines: Iterable[str]) -> str:
    """One paragraph per line: strip every line (also the 　　 indent) and drop empty ones."""
    return "\n".join(stripped for stripped in (line.strip() for line in lines) if stripped)


def first_line_title(text: str, path: Path) -> str:
    """The first non-empty line if it is short enough to be a title, else the file stem."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if first and len(first) <= TITLE_MAX_CHARS else path.stem
