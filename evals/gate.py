"""The CI quality gate: per-split floors (and ceilings) that cannot move without a dated reason.

``evals/thresholds.json`` is an append-only log. Each entry sets one bound for one metric on one
split, with the date, the reason and the value measured when it was set; the bounds in force are
the last entry for each (split, metric). Every entry carries a hash chained to the one before, so
an edited or deleted entry fails the test that verifies the chain: a bound can only move by adding
an entry that says why (``chubei eval-gate set``), and the report shows the whole log.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

THRESHOLDS = Path(__file__).parent / "thresholds.json"
GATED_SPLITS = ("dev", "test")


class Bound(BaseModel):
    date: str
    split: Literal["dev", "test"]
    metric: str = Field(description="suite.metric, e.g. ask.key_facts_in_200")
    min: float | None = None
    max: float | None = None
    measured: float
    reason: str = Field(min_length=4)
    chain: str = ""

    def payload(self) -> str:
        return json.dumps(self.model_dump(exclude={"chain"}), ensure_ascii=False, sort_keys=True)


class Thresholds(BaseModel):
    about: str = ""
    log: list[Bound] = Field(default_factory=list)

    def in_force(self) -> dict[tuple[str, str], Bound]:
        bounds: dict[tuple[str, str], Bound] = {}
        for entry in self.log:
            bounds[(entry.split, entry.metric)] = entry
        return bounds

    def broken_links(self) -> list[str]:
        """Entries whose hash does not follow from the entries before them (edited, reordered or removed)."""
        problems, previous = [], ""
        for number, entry in enumerate(self.log, start=1):
            expected = chain_hash(previous, entry)
            if entry.chain != expected:
                problems.append(f"第{number}条（{entry.split} {entry.metric}）的链式哈希不符：记录被改动或删除过")
            previous = entry.chain
        return problems

    def append(self, entry: Bound) -> None:
        entry.chain = chain_hash(self.log[-1].chain if self.log else "", entry)
        self.log.append(entry)


class Verdict(BaseModel):
    split: str
    metric: str
    value: float | None
    min: float | None
    max: float | None
    passed: bool

    def describe(self) -> str:
        bound = f"≥ {self.min}" if self.min is not None else f"≤ {self.max}"
        return f"{self.split} {self.metric} = {self.value} （门槛 {bound}）"


def chain_hash(previous: str, entry: Bound) -> str:
    return hashlib.sha256((previous + entry.payload()).encode("utf-8")).hexdigest()


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    return Thresholds.model_validate_json(path.read_text(encoding="utf-8"))


def save_thresholds(thresholds: Thresholds, path: Path = THRESHOLDS) -> None:
    path.write_text(thresholds.model_dump_json(indent=2) + "\n", encoding="utf-8")


def metric_value(report: dict, split: str, metric: str, target: str = "chubei") -> float | None:
    suite, name = metric.split(".", 1)
    result = report["targets"].get(target, {}).get(suite)
    if result is None:
        return None
    scores = result["hybrid"]["scores"] if suite == "retrieval" else result["scores"]
    return scores.get(split, {}).get(name)


def check_gate(report: dict, thresholds: Thresholds, target: str | None = None) -> list[Verdict]:
    target = target or next(iter(report["targets"]))
    verdicts = []
    for (split, metric), bound in sorted(thresholds.in_force().items()):
        value = metric_value(report, split, metric, target)
        passed = (
            value is not None
            and (bound.min is None or value >= bound.min)
            and (bound.max is None or value <= bound.max)
        )
        verdicts.append(Verdict(split=split, metric=metric, value=value, min=bound.min, max=bound.max, passed=passed))
    return verdicts
