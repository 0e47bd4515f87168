"""Plain-text files (.txt), as saved by Notepad, WPS or copied from a web page."""

from __future__ import annotations

from pathlib import Path

from .base import LoadedDocument, Loader, decode_text, first_line_title, join_lines, read_bytes


class TextLoader(Loader):
    format = "txt"
    suffixes = (".txt",)

    def load(self, path: Path) -> LoadedDocument:
        raw, encoding = decode_text(read_bytes(path), path)
        text = join_lines(raw.splitlines())
        return LoadedDocument(
            path=path,
            format=self.format,
            title=first_line_title(text, path),
            text=text,
            metadata={"encoding": encoding},
        )
