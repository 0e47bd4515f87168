"""Golden sets: JSONL files in ``evals/golden`` that staff can extend without code (format in its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

GOLDEN_DIR = Path(__file__).parent / "golden"
Split = Literal["dev", "test", "holdout"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleRef(Strict):
    doc_id: str
    article: str


class RetrievalCase(Strict):
    id: str
    question: str = Field(min_length=1)
    relevant: list[ArticleRef] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    split: Split = "dev"


class AskCase(Strict):
    id: str
    question: str = Field(min_length=1)
    out_of_scope: bool = False
    must_contain: list[str] = Field(default_factory=list, description="each: alternatives joined by |")
    sources: list[ArticleRef] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    split: Split = "dev"


class GuidanceCase(Strict):
    id: str
    description: str = Field(min_length=1)
    facts: dict = Field(default_factory=dict, description="facts given with the request (overrides)")
    expected_types: list[str] = Field(default_factory=list)
    required_items: list[str] = Field(default_factory=list, description="requirement ids that must be listed")
    forbidden_types: list[str] = Field(default_factory=list, description="no item of these types may appear")
    expected_problems: list[str] = Field(default_factory=list)
    expected_facts: dict = Field(default_factory=dict)
    out_of_scope: bool = False
    tags: list[str] = Field(default_factory=list)
    split: Split = "dev"


Case = TypeVar("Case", RetrievalCase, AskCase, GuidanceCase)
SUITES: dict[str, tuple[str, type[BaseModel]]] = {
    "retrieval": ("retrieval.jsonl", RetrievalCase),
    "ask": ("ask.jsonl", AskCase),
    "guidance": ("guidance.jsonl", GuidanceCase),
}


class GoldenError(ValueError):
    """A malformed golden case; the message names the file, line and field."""


def load_suite(name: str, directory: Path = GOLDEN_DIR) -> list:
    filename, model = SUITES[name]
    cases, errors = read_jsonl(directory / filename, model)
    if errors:
        raise GoldenError("\n".join(errors))
    return cases


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
