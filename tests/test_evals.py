"""Golden sets, metrics, the baseline and the report of `chubei eval`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chubei.services import Services
from evals.metrics import ndcg_at, percentile, recall_at, reciprocal_rank
from evals.report import write_report
from evals.runner import baseline_target, chubei_target, evaluate
from evals.sets import GOLDEN_DIR, SUITES, AskCase, read_jsonl
from kb.corpus import shipped_corpus
from kb.knowledge import KnowledgeBase


@pytest.mark.parametrize("suite", list(SUITES))
def test_golden_sets_are_well_formed_and_grounded(suite: str) -> None:
    filename, model = SUITES[suite]
    cases, errors = read_jsonl(GOLDEN_DIR / filename, model)
    assert errors == [] and len(cases) >= 40
    corpus, kb = shipped_corpus(), KnowledgeBase.load()
    for case in cases:
        for ref in getattr(case, "relevant", []) + getattr(case, "sources", []):
            assert corpus.find_article(ref.doc_id, ref.article), f"{case.id}: {ref.doc_id} {ref.article}"
        for item in getattr(case, "required_items", []) + getattr(case, "expected_problems", []):
            assert kb.owner_of(item), f"{case.id}: unknown item {item}"


def test_a_malformed_case_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "ask.jsonl"
    path.write_text(
        '{"id": "a", "question": "网吧"}\n{"id": "b", "question": ""}\nnot json\n{"id": "a", "question": "x"}\n',
        encoding="utf-8",
    )
    cases, errors = read_jsonl(path, AskCase)
    assert [case.id for case in cases] == ["a", "a"]
    assert any(e.startswith("ask.jsonl:2: 字段 question") for e in errors)
    assert any(e.startswith("ask.jsonl:3: 不是合法的 JSON") for e in errors)
    assert any("ask.jsonl:4: id a 重复" in e for e in errors)


def test_eval_validate_command_passes_on_the_shipped_sets() -> None:
    chubei = Path(sys.executable).parent / "chubei"
    result = subprocess.run([str(chubei), "eval", "--validate"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "评测集格式正确" in result.stdout


def test_metrics_on_hand_computed_examples() -> None:
    ranked = [("a", "1"), ("b", "2"), ("c", "3")]
    assert recall_at(ranked, {("b", "2")}, 1) == 0.0 and recall_at(ranked, {("b", "2")}, 2) == 1.0
    assert reciprocal_rank(ranked, {("c", "3")}) == pytest.approx(1 / 3)
    assert ndcg_at(ranked, {("a", "1")}, 10) == 1.0
    assert ndcg_at(ranked, {("b", "2")}, 10) == pytest.approx(1 / 1.58496, rel=1e-4)
    assert percentile([1, 2, 3, 4], 0.5) == 2.5


def test_report_compares_chubei_with_the_langchain_baseline(indexed: Services, tmp_path: Path) -> None:
    report = evaluate([chubei_target(indexed), baseline_target(indexed)], indexed, show=False, limit=3)
    json_path, html_path = write_report(report, tmp_path / "report")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(data["targets"]) == {"chubei", "baseline"}
    assert data["headline"]["ask.citation_validity"]["chubei"] == 1.0
    assert data["headline"]["guidance.problem_recall"]["baseline"] == 0.0
    html = html_path.read_text(encoding="utf-8")
    assert "<svg" in html and "核心指标" in html and "baseline" in html and "<script" not in html


def test_eval_runs_against_a_server_over_http(server, indexed: Services) -> None:
    from evals.runner import http_target

    report = evaluate([http_target(server.url, server.key)], indexed, suites=("ask", "guidance"), show=False, limit=4)
    scores = report["targets"][f"server {server.url}"]
    assert scores["ask"]["scores"]["citation_validity"] == 1.0
    assert scores["guidance"]["scores"]["n"] == 4 and scores["guidance"]["scores"]["citation_validity"] == 1.0
