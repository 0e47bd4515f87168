"""Markdown files (.md, .markdown), optionally with YAML front matter.

Every source line stays a line of its own. CommonMark would join consecutive lines into one
paragraph, but Chinese Markdown often puts one 条 per line without blank lines in between, and
hard-wrapped CJK prose is rare, so joining would do more harm than good.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from .base import LoadedDocument, Loader, decode_text, join_lines, read_bytes

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL | re.MULTILINE)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_RULE_RE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$")
_TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
_LINK_DEFINITION_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_BLOCK_PREFIX_RE = re.compile(r"^\s*(?:>\s?)*(?:[-*+]\s+)?")
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(`+)(.+?)\1"), r"\2"),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"(\*\*|__|~~)(.+?)\1"), r"\2"),
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
)


class MarkdownLoader(Loader):
    format = "markdown"
    suffixes = (".md", ".markdown")

    def load(self, path: Path) -> LoadedDocument:
        raw, _ = decode_text(read_bytes(path), path)
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
        metadata, body, warnings = _split_front_matter(raw)
        lines, first_heading = _plain_lines(_COMMENT_RE.sub("", body))
        return LoadedDocument(
            path=path,
            format=self.format,
            title=metadata.get("title") or first_heading or path.stem,
            text=join_lines(lines),
            metadata=metadata,
            warnings=warnings,
        )


def _split_front_matter(raw: str) -> tuple[dict[str, str], str, list[str]]:
    match = _FRONT_MATTER_RE.match(raw)
    if not match:
        return {}, raw, []
    try:
        header = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, raw, ["开头的 YAML 元数据格式有误，已当作正文处理"]
    if header is None:
        return {}, raw[match.end() :], []
    if not isinstance(header, dict):
        return {}, raw, ["开头的 YAML 元数据不是“键: 值”形式，已当作正文处理"]
    metadata = {str(key): _as_text(value) for key, value in header.items() if value is not None}
    return metadata, raw[match.end() :], []


def _as_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "；".join(_as_text(item) for item in value if item is not None)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _plain_lines(body: str) -> tuple[list[str], str]:
    """Body lines with Markdown syntax removed, and the text of the first ``# `` heading."""
    lines: list[str] = []
    first_heading = ""
    in_fence = False
    for line in body.split("\n"):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            lines.append(line)
            continue
        if _RULE_RE.match(line) or _TABLE_RULE_RE.match(line) or _LINK_DEFINITION_RE.match(line):
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            line = heading.group(2) or ""
        else:
            line = _BLOCK_PREFIX_RE.sub("", line, count=1)
            if line.strip().startswith("|"):
                line = " | ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        for pattern, replacement in _INLINE:
            line = pattern.sub(replacement, line)
        if heading and len(heading.group(1)) == 1 and not first_heading:
            first_heading = line.strip()
        lines.append(line)
    return lines, first_heading
