"""Golden sets: JSONL files that staff can extend without code (format in ``evals/golden/README.md``).

``evals/golden`` holds the ``dev`` (tuning) and ``test`` (reported) splits; ``evals/holdout`` holds a
blind, frozen holdout whose files must match the hashes recorded in ``evals/holdout/FROZEN.json``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

GOLDEN_DIR = Path(__file__).parent / "golden"
HOLDOUT_DIR = Path(__file__).parent / "holdout"
FROZEN = HOLDOUT_DIR / "FROZEN.json"
Split = Literal["dev", "test", "holdout"]
SPLITS: tuple[str, ...] = ("dev", "test", "holdout")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldenCase(Strict):
    """A case of any suite. Each suite's model declares ``id`` and ``split`` itself, in its own field order (which
    orders validation messages); they are stated here for type checkers only."""

    if TYPE_CHECKING:
        id: str
        split: Split


class ArticleRef(Strict):
    doc_id: str
    article: str


class RetrievalCase(GoldenCase):
    id: str
    question: str = Field(min_length=1)
    relevant: list[ArticleRef] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    split: Split = "dev"


class ProjectSpec(Strict):
    description: str = Field(min_length=1)
    facts: dict[str, Any] = Field(default_factory=dict)


class AskCase(GoldenCase):
    id: str
    kind: Literal["single", "followup", "project"] = "single"
    question: str = Field(min_length=1)
    history: list[str] = Field(default_factory=list, description="earlier user turns of the same conversation")
    project: ProjectSpec | None = None
    out_of_scope: bool = False
    intent: str = "other"
    key_facts: list[str] = Field(default_factory=list, description="within the first 200 characters; a|b")
    must_contain: list[str] = Field(default_factory=list, description="anywhere in the answer; a|b")
    must_not_contain: list[str] = Field(default_factory=list)
    sources: list[ArticleRef] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    split: Split = "dev"


class GuidanceCase(GoldenCase):
    id: str
    description: str = Field(min_length=1)
    facts: dict = Field(default_factory=dict, description="facts given with the request (overrides)")
    expected_types: list[str] = Field(default_factory=list)
    required_items: list[str] = Field(default_factory=list, description="requirement ids or kw:a|b")
    must_not_items: list[str] = Field(default_factory=list, description="requirement ids or kw:a|b (titles)")
    forbidden_types: list[str] = Field(default_factory=list, description="no item of these types may appear")
    expected_problems: list[str] = Field(default_factory=list)
    expected_facts: dict = Field(default_factory=dict)
    red_lines: list[str] = Field(default_factory=list, description="kw:a|b; [] = none expected")
    required_permits: list[str] = Field(default_factory=list, description="kw:a|b matched against 事项 names")
    required_materials: list[str] = Field(default_factory=list, description="kw:a|b matched against materials")
    stages: dict[str, str] = Field(default_factory=dict)
    out_of_scope: bool = False
    tags: list[str] = Field(default_factory=list)
    split: Split = "dev"


Case = TypeVar("Case", bound=GoldenCase)
# Suite name → (file prefix, case model).
SUITES: dict[str, tuple[str, type[RetrievalCase] | type[AskCase] | type[GuidanceCase]]] = {
    "retrieval": ("retrieval", RetrievalCase),
    "ask": ("ask", AskCase),
    "guidance": ("guidance", GuidanceCase),
}


class GoldenError(ValueError):
    """A malformed golden case; the message names the file, line and field."""


def suite_files(name: str, directory: Path) -> list[Path]:
    """``ask.jsonl`` and ``ask-*.jsonl`` make the ask suite, and so on."""
    prefix = SUITES[name][0]
    return sorted(p for p in directory.glob(f"{prefix}*.jsonl") if p.stem == prefix or p.stem.startswith(f"{prefix}-"))


def load_suite(name: str, splits: tuple[str, ...] = ("dev", "test"), directory: Path = GOLDEN_DIR) -> list:
    """The cases of a suite in the given splits. The holdout is read only when asked for by name."""
    _, model = SUITES[name]
    directories = [directory] + ([HOLDOUT_DIR] if "holdout" in splits and directory == GOLDEN_DIR else [])
    cases: list[GoldenCase] = []
    errors: list[str] = []
    for folder in directories:
        for path in suite_files(name, folder):
            found, problems = read_jsonl(path, model)
            cases += found
            errors += problems
    if errors:
        raise GoldenError("\n".join(errors))
    duplicates = {c.id for c in cases if sum(other.id == c.id for other in cases) > 1}
    if duplicates:
        raise GoldenError(f"{name}: id 重复：{', '.join(sorted(duplicates))}")
    return [case for case in cases if case.split in splits]


def read_jsonl(path: Path, model: type[Case]) -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    errors: list[str] = []
    seen: set[str] = set()
    if not path.exists():
        return [], [f"{path.name}: 文件不存在"]
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = model.model_validate(json.loads(line))
        except json.JSONDecodeError as error:
            errors.append(f"{path.name}:{number}: 不是合法的 JSON（{error.msg}）")
            continue
        except ValidationError as error:
            for problem in error.errors():
                field = ".".join(str(part) for part in problem["loc"]) or "(整行)"
                errors.append(f"{path.name}:{number}: 字段 {field}：{problem['msg']}")
            continue
        if case.id in seen:
            errors.append(f"{path.name}:{number}: id {case.id} 重复")
        seen.add(case.id)
        cases.append(case)
    return cases, errors


def all_case_ids() -> set[str]:
    """Every golden and holdout id (code, lexicons and knowledge must never name one)."""
    ids: set[str] = set()
    for name in SUITES:
        for folder in (GOLDEN_DIR, HOLDOUT_DIR):
            for path in suite_files(name, folder):
                ids |= {
                    json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
                }
    return ids


# -- the frozen holdout ---------------------------------------------------------------


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def holdout_problems() -> list[str]:
    """Why the holdout is not as frozen: a file changed, appeared or vanished without a dated entry."""
    record = json.loads(FROZEN.read_text(encoding="utf-8"))
    history = record.get("history") or []
    if not history:
        return ["FROZEN.json 没有冻结记录"]
    problems = [f"冻结记录第{n}条缺少日期或原因" for n, entry in enumerate(history, start=1)
                if not entry.get("date") or not entry.get("why")]  # fmt: skip
    expected: dict[str, str] = history[-1]["sha256"]
    present = {path.name: file_hash(path) for path in sorted(HOLDOUT_DIR.glob("*.jsonl"))}
    for name in sorted(set(expected) | set(present)):
        if name not in present:
            problems.append(f"{name} 已被删除，但冻结记录没有说明")
        elif name not in expected:
            problems.append(f"{name} 未登记在冻结记录中")
        elif present[name] != expected[name]:
            problems.append(f"{name} 的内容与冻结时的哈希不一致：修改留出集须追加带日期和原因的冻结记录")
    return problems


def record_holdout_scoring(summary: dict[str, Any], note: str, when: str, commit: str) -> None:
    """The holdout was scored (for a release note): append to FROZEN.json's ``scored`` list."""
    record = json.loads(FROZEN.read_text(encoding="utf-8"))
    record.setdefault("scored", []).append({"date": when, "commit": commit, "note": note, "summary": summary})
    FROZEN.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
