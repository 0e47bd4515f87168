"""要件预审: documents checked against the project's checklist (kinds, fields, findings; rule-based, no model)."""

from assistant.prereview.checks import Plan, ReadSummary
from assistant.prereview.models import (
    FIELD_LABELS,
    KIND_NAMES,
    MISMATCH,
    PASSED,
    PROBLEM,
    UNREADABLE,
    DocumentKind,
    ExtractedField,
    Finding,
)
from assistant.prereview.review import Understood, review, understand

__all__ = [
    "FIELD_LABELS",
    "KIND_NAMES",
    "MISMATCH",
    "PASSED",
    "PROBLEM",
    "UNREADABLE",
    "DocumentKind",
    "ExtractedField",
    "Finding",
    "Plan",
    "ReadSummary",
    "Understood",
    "review",
    "understand",
]
