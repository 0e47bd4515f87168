"""Loading the curated knowledge from YAML: shipped data plus what staff add at run time."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from kb.edits import EDITS_FILE, TYPE_LISTS, ItemEdit, apply_edit, explain
from kb.facts import ProjectFacts
from kb.schema import Case, FaqEntry, Permit, Problem, ProjectType, Requirement, Step

DATA_DIR = Path(__file__).parent / "data"
GENERAL_TYPE_ID = "general"

T = TypeVar("T")
# One project type per file; cases, FAQ and 事项 are lists.
_PROJECT_TYPE = TypeAdapter(ProjectType)
_CASES = TypeAdapter(list[Case])
_FAQ = TypeAdapter(list[FaqEntry])
_PERMITS = TypeAdapter(list[Permit])
_EDITS = TypeAdapter(list[ItemEdit])
# libyaml's parser: the same documents as yaml.safe_load, about seven times faster on the ~0.7 MB shipped here,
# which every start, every knowledge reload (a staff FAQ or case edit) and every test index pays for.
_LOADER = yaml.CSafeLoader


@dataclass
class LoadError:
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f" {self.location}" if self.location else ""
        return f"{self.file}{where}: {self.message}"


@dataclass
class KnowledgeBase:
    types: dict[str, ProjectType] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    faq: dict[str, FaqEntry] = field(default_factory=dict)
    permits: dict[str, Permit] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # item id → the file that defines it (for error messages)
    edited: set[str] = field(default_factory=set)  # items changed by staff (``edits.yaml``)

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR, overlay_dir: Path | None = None) -> KnowledgeBase:
        """The shipped knowledge, then what staff added in ``overlay_dir`` and the item edits in force there."""
        kb = cls()
        for directory in (data_dir, overlay_dir):
            if directory is None or not directory.exists():
                continue
            for path in sorted((directory / "types").glob("*.yaml")):
                if (project_type := kb._read_type(path)) is not None:
                    kb.types[project_type.id] = project_type
                    kb.sources.update({item.id: f"types/{path.name}" for item in project_type.items})
            for path in sorted(directory.glob("cases*.yaml")):
                for case in kb._read(path, _CASES) or []:
                    kb.cases[case.id] = case
                    kb.sources[case.id] = path.name
            for path in sorted(directory.glob("faq*.yaml")):
                for entry in kb._read(path, _FAQ) or []:
                    kb.faq[entry.id] = entry
                    kb.sources[entry.id] = path.name
            for path in sorted((directory / "permits").glob("*.yaml")):
                for permit in kb._read(path, _PERMITS) or []:
                    kb.permits[permit.id] = permit
                    kb.sources[permit.id] = f"permits/{path.name}"
        edits = (kb._read(overlay_dir / EDITS_FILE, _EDITS) or []) if overlay_dir else []
        return kb.with_edits(edits) if edits else kb

    def with_edits(self, edits: Iterable[ItemEdit]) -> KnowledgeBase:
        """A copy with ``edits`` applied on top (this one is left as it is): a change checked before it is saved."""
        kb = copy.deepcopy(self)
        for edit in edits:
            if (reason := apply_edit(kb.types, kb.faq, kb.cases, edit)) is not None:
                kb.errors.append(LoadError(EDITS_FILE, edit.item_id, reason))
            else:
                kb.sources.setdefault(edit.item_id, EDITS_FILE)
                kb.edited.add(edit.item_id)
        return kb

    def _read(self, path: Path, adapter: TypeAdapter[T]) -> T | None:
        """The file validated by ``adapter``; None when it is empty or invalid (the problems go to ``errors``)."""
        raw = self._raw(path)
        if raw is None:
            return None
        try:
            return adapter.validate_python(raw)
        except ValidationError as error:
            self._record(path, error, raw)
            return None

    def _read_type(self, path: Path) -> ProjectType | None:
        """A project type file. An invalid requirement, 高发问题 or step is reported and left out, not the whole type:
        a slip in one item must not silently take away every other item of the type."""
        raw = self._raw(path)
        if raw is None:
            return None
        try:
            return _PROJECT_TYPE.validate_python(raw)
        except ValidationError as error:
            self._record(path, error, raw)
            problems = error.errors()
            if not isinstance(raw, dict) or not all(_in_item_list(p["loc"]) for p in problems):
                return None  # a problem in the type's own fields: nothing to salvage
            bad = {(str(p["loc"][0]), p["loc"][1]) for p in problems}
            kept = {
                name: [item for n, item in enumerate(raw.get(name) or []) if (name, n) not in bad]
                for name in TYPE_LISTS.values()
            }
            try:
                return _PROJECT_TYPE.validate_python({**raw, **kept})
            except ValidationError:
                return None

    def _raw(self, path: Path) -> object:
        if not path.exists():
            return None
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except yaml.YAMLError as error:
            self.errors.append(LoadError(self._name(path), "", f"YAML 格式错误：{error}"))
            return None
        return None if raw is None else tidy(raw)

    def _record(self, path: Path, error: ValidationError, raw: object) -> None:
        for problem in error.errors():
            location = ".".join(str(part) for part in problem["loc"])
            if _in_item_list(problem["loc"]) and isinstance(raw, dict):
                listed = raw.get(str(problem["loc"][0])) or []
                index = int(problem["loc"][1])
                entry = listed[index] if index < len(listed) else None
                item_id = entry.get("id") if isinstance(entry, dict) else None
                location = f"{item_id}（{location}）" if item_id else location
            self.errors.append(LoadError(self._name(path), location, explain(problem)))

    @staticmethod
    def _name(path: Path) -> str:
        return f"{path.parent.name}/{path.name}" if path.parent.name in ("types", "permits") else path.name

    # -- lookups -------------------------------------------------------------

    @property
    def matchable_types(self) -> list[ProjectType]:
        return [t for t in self.types.values() if not t.block and t.id != GENERAL_TYPE_ID]

    def expand(self, type_ids: list[str]) -> list[ProjectType]:
        """The given types, the blocks they include (transitively) and the 通用 block, each once."""
        ordered: list[ProjectType] = []
        seen: set[str] = set()

        def visit(type_id: str) -> None:
            if type_id in seen or type_id not in self.types:
                return
            seen.add(type_id)
            project_type = self.types[type_id]
            ordered.append(project_type)
            for included in project_type.includes:
                visit(included)

        for type_id in [*type_ids, GENERAL_TYPE_ID]:
            visit(type_id)
        return ordered

    def suppressed_by(self, type_ids: list[str]) -> set[str]:
        """Items these types declare inapplicable to themselves (先照后证 for a 民办学校, 住改商 for a 民宿)."""
        return {item_id for type_id in type_ids if type_id in self.types for item_id in self.types[type_id].suppresses}

    def requirements_for(self, type_ids: list[str]) -> list[Requirement]:
        return _unique(t.requirements for t in self.expand(type_ids))

    def problems_for(self, type_ids: list[str]) -> list[Problem]:
        return _unique(t.problems for t in self.expand(type_ids))

    def steps_for(self, type_ids: list[str]) -> list[Step]:
        return _unique(t.steps for t in self.expand(type_ids))

    def all_requirements(self) -> list[Requirement]:
        return _unique(t.requirements for t in self.types.values())

    def all_problems(self) -> list[Problem]:
        return _unique(t.problems for t in self.types.values())

    def all_steps(self) -> list[Step]:
        return _unique(t.steps for t in self.types.values())

    def permits_for(self, type_ids: list[str]) -> list[Permit]:
        """The 事项 that the requirements and steps of these types name, in catalogue order."""
        named = {
            item.permit_id
            for project_type in self.expand(type_ids)
            for item in project_type.permit_items
            if item.permit_id
        }
        return [permit for permit_id, permit in self.permits.items() if permit_id in named]

    def with_derived_facts(self, type_ids: list[str], facts: ProjectFacts) -> ProjectFacts:
        """The facts with those that follow from them and the project's types filled in (a stated or staff value
        is kept). 特殊建设工程: a type that 第十四条 lists is one above its area threshold; a project none of whose
        types it lists is not one by its kind (the building-wide rules are left to the item's text)."""
        if facts.fire_special_project is not None or not type_ids:
            return facts
        listed = [t.fire_review for t in self.expand(type_ids) if t.fire_review is not None]
        special: bool | None
        if not listed:
            special = False
        elif facts.area_m2 is None:
            special = None
        else:
            special = any(facts.area_m2 > review.area_gt for review in listed)
        return facts if special is None else facts.model_copy(update={"fire_special_project": special})

    def find(self, item_id: str) -> tuple[str, Requirement | Problem | Step | FaqEntry | Case] | None:
        """(kind, item) of any editable item: a requirement, 高发问题, step, FAQ entry or case."""
        if item_id in self.faq:
            return "faq", self.faq[item_id]
        if item_id in self.cases:
            return "case", self.cases[item_id]
        project_type = self.types.get(item_id.split(".", 1)[0])
        for kind, name in TYPE_LISTS.items():
            for item in getattr(project_type, name, []):
                if item.id == item_id:
                    return kind, item
        return None

    def source_of(self, where: str) -> str | None:
        """The file defining an item, or the item a part belongs to (``permit.materials[2]`` → the permit's file)."""
        while where:
            if where in self.edited:
                return EDITS_FILE
            if where in self.sources:
                return self.sources[where]
            where = where.rpartition(".")[0]
        return None

    def owner_of(self, item_id: str) -> str | None:
        """The project type that defines an item (the prefix of its id), or the item it was merged into."""
        for project_type in self.types.values():
            for item in project_type.items:
                if item.id == item_id or item_id in getattr(item, "replaces", ()):
                    return project_type.id
        return None


_CJK = r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]"
_SPACE_IN_CHINESE = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def tidy(value: object) -> object:
    """Drop the spaces YAML folding leaves between Chinese characters (“救生员， 核定” → “救生员，核定”)."""
    if isinstance(value, str):
        return _SPACE_IN_CHINESE.sub("", value).strip()
    if isinstance(value, list):
        return [tidy(item) for item in value]
    if isinstance(value, dict):
        return {key: tidy(item) for key, item in value.items()}
    return value


def _in_item_list(location: tuple[int | str, ...]) -> bool:
    return len(location) > 1 and location[0] in TYPE_LISTS.values() and isinstance(location[1], int)


class _Identified(Protocol):
    id: str


Identified = TypeVar("Identified", bound=_Identified)


def _unique(groups: Iterable[Iterable[Identified]]) -> list[Identified]:
    items: list[Identified] = []
    seen: set[str] = set()
    for group in groups:
        for item in group:
            if item.id not in seen:
                seen.add(item.id)
                items.append(item)
    return items
