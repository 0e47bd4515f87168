"""CI gate: dev and test are checked separately against floors that can only move with a dated reason.

The bounds live in ``evals/thresholds.json`` as an append-only, hash-chained log (see ``evals/gate.py``).
"""

from __future__ import annotations

import pytest

from chubei.services import Services
from evals.gate import GATED_SPLITS, Bound, Thresholds, check_gate, load_thresholds
from evals.runner import chubei_target, evaluate

THRESHOLDS = load_thresholds()


def test_the_threshold_log_is_unbroken_and_every_bound_says_why() -> None:
    assert THRESHOLDS.broken_links() == []
    for bound in THRESHOLDS.log:
        assert bound.split in GATED_SPLITS and (bound.min is None) != (bound.max is None), bound
        assert len(bound.reason) >= 4 and bound.date


def test_an_edited_or_removed_entry_breaks_the_chain() -> None:
    log = Thresholds()
    for value in (0.8, 0.85):
        log.append(Bound(date="2026-12-03", split="dev", metric="ask.key_facts_in_200", min=value, measured=value + 0.02,
                         reason="初次设定（实测）"))  # fmt: skip
    assert log.broken_links() == []
    loosened = log.model_copy(deep=True)
    loosened.log[0].min = 0.5  # lowered without a new entry
    assert loosened.broken_links()
    removed = log.model_copy(deep=True)
    del removed.log[0]
    assert removed.broken_links()


def test_every_split_is_gated_on_accuracy_padding_and_bloat() -> None:
    gated = {(bound.split, bound.metric) for bound in THRESHOLDS.log}
    for split in GATED_SPLITS:
        for metric in ("ask.key_facts_in_200", "ask.citation_precision", "ask.median_length", "ask.refusal_rate",
                       "ask.false_refusal_rate", "guidance.required_item_recall", "guidance.must_not_precision",
                       "guidance.median_requirements"):  # fmt: skip
            assert (split, metric) in gated, f"{split} {metric} has no bound"


@pytest.fixture(scope="module")
def report(indexed: Services) -> dict:
    return evaluate([chubei_target(indexed)], indexed, splits=GATED_SPLITS, show=False)


def test_dev_and_test_hold_their_bounds(report: dict) -> None:
    failed = [verdict.describe() for verdict in check_gate(report, THRESHOLDS) if not verdict.passed]
    assert failed == []
