"""A bounded, seeded schemathesis run against a running Chubei server: every operation, valid and invalid input.

Used by ``tests/test_fuzz.py``; also runnable by hand for the numbers in a closing note:
``python -m tests.fuzz http://127.0.0.1:8000 <staff key> <operator token>``.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@dataclass
class FuzzReport:
    requests: int = 0
    server_errors: int = 0
    violations: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(self.statuses.items()))
        return f"{self.requests} requests, 5xx {self.server_errors}, schema violations {self.violations} ({codes})"


def run(base_url: str, staff_key: str, operator_token: str, max_examples: int = 12, seed: int = 14) -> FuzzReport:
    """Each operation of ``/openapi.json`` in positive and negative mode, ``max_examples`` cases each, fixed seed.

    Staff operations carry the staff key; operator operations a real access link (their ``token`` is fixed), so the
    fuzzing reaches the endpoints' own input handling rather than stopping at 401.
    """
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    report = FuzzReport()
    headers = {"Authorization": f"Bearer {staff_key}"}
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            fixed = {"token": operator_token} if "token" in operation.path_parameters else None
            for mode in MODES:

                @hypothesis.seed(seed)
                @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
                @settings(
                    max_examples=max_examples, database=None, deadline=None, suppress_health_check=list(HealthCheck)
                )
                def exercise(case: schemathesis.Case) -> None:
                    response = case.call(base_url=base_url, headers=headers, session=session, timeout=120)
                    report.requests += 1
                    report.statuses[response.status_code] += 1
                    report.server_errors += response.status_code >= 500
                    try:
                        case.validate_response(response, checks=CHECKS, headers=headers)
                    except (AssertionError, FailureGroup) as failure:
                        report.violations += 1
                        lines = [line.strip() for line in str(failure).splitlines() if line.strip()]
                        report.failures[f"{case.operation.label} {response.status_code}: {' | '.join(lines[1:4])}"] += 1

                try:
                    exercise()
                except hypothesis.errors.Unsatisfiable:  # nothing to make invalid (e.g. GET /healthz)
                    continue
    return report


if __name__ == "__main__":
    found = run(*sys.argv[1:4])
    print(found.summary())
    for failure, count in found.failures.most_common():
        print(f"{count:4d}  {failure}")
