"""CI gate: the golden suites must stay at or above the floors kept in evals/thresholds.json.

The floors were set from measured values. A floor may sit at most ``slack`` below the value
measured when it was set, so loosening one means also rewriting the recorded measurement —
a visible change in review, never a silent one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chubei.services import Services
from evals.runner import chubei_target, evaluate, headline

THRESHOLDS = json.loads((Path(__file__).resolve().parents[1] / "evals" / "thresholds.json").read_text(encoding="utf-8"))


def test_floors_sit_close_to_what_was_measured() -> None:
    slack = THRESHOLDS["slack"]
    for metric, rule in THRESHOLDS["metrics"].items():
        if "min" in rule:
            assert rule["min"] >= rule["measured"] - slack, f"{metric}: floor {rule['min']} loosened below measurement"
        else:
            assert rule["max"] <= rule["measured"] + slack, (
                f"{metric}: ceiling {rule['max']} loosened above measurement"
            )


@pytest.fixture(scope="module")
def scores(indexed: Services) -> dict[str, float]:
    report = evaluate([chubei_target(indexed)], indexed, show=False)
    return {metric: values["chubei"] for metric, values in headline(report).items()}


@pytest.mark.parametrize("metric", sorted(THRESHOLDS["metrics"]))
def test_metric_holds(scores: dict[str, float], metric: str) -> None:
    rule = THRESHOLDS["metrics"][metric]
    value = scores[metric]
    if "min" in rule:
        assert value >= rule["min"], f"{metric} fell to {value:.3f} (floor {rule['min']})"
    else:
        assert value <= rule["max"], f"{metric} rose to {value:.3f} (ceiling {rule['max']})"
