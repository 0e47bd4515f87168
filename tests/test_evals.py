"""Golden sets, the frozen holdout, metrics that punish padding, the fair baseline and the report of `chubei eval`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.models import AskResponse, Citation
from chubei.services import Services
from evals.ask_suite import score_ask, score_case
from evals.matching import found, found_early
from evals.metrics import ndcg_at, percentile, recall_at, reciprocal_rank
from evals.report import write_report
from evals.runner import baseline_target, chubei_target, evaluate
from evals.sets import GOLDEN_DIR, HOLDOUT_DIR, SUITES, AskCase, all_case_ids, holdout_problems, load_suite, read_jsonl
from kb.corpus import shipped_corpus
from kb.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("suite", list(SUITES))
def test_golden_sets_are_well_formed_and_grounded(suite: str) -> None:
    cases = load_suite(suite, ("dev", "test"))
    assert len(cases) >= 40 and {c.split for c in cases} == {"dev", "test"}
    corpus, kb = shipped_corpus(), KnowledgeBase.load()
    for case in cases:
        for ref in getattr(case, "relevant", []) + getattr(case, "sources", []):
            assert corpus.find_article(ref.doc_id, ref.article), f"{case.id}: {ref.doc_id} {ref.article}"
        for item in getattr(case, "required_items", []) + getattr(case, "expected_problems", []):
            assert item.startswith("kw:") or kb.owner_of(item), f"{case.id}: unknown item {item}"


def test_the_holdout_is_frozen_and_read_only_when_asked_for() -> None:
    assert holdout_problems() == []
    assert all(case.split != "holdout" for case in load_suite("ask"))
    assert any(case.split == "holdout" for case in load_suite("ask", ("holdout",)))


def test_a_changed_holdout_file_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import evals.sets as sets

    copy = tmp_path / "holdout"
    copy.mkdir()
    for path in HOLDOUT_DIR.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(sets, "HOLDOUT_DIR", copy)
    monkeypatch.setattr(sets, "FROZEN", copy / "FROZEN.json")
    assert sets.holdout_problems() == []
    with (copy / "ask.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert any("ask.jsonl" in problem for problem in sets.holdout_problems())


def test_no_code_lexicon_or_knowledge_names_a_golden_case() -> None:
    ids = all_case_ids()
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    offenders = []
    for folder in ("assistant", "api", "chubei", "ingest", "kb", "evals"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".yaml", ".txt", ".js", ".html", ".json") or "corpus" in path.parts:
                continue
            if path.is_relative_to(GOLDEN_DIR) or path.is_relative_to(HOLDOUT_DIR):
                continue
            for match in pattern.finditer(path.read_text(encoding="utf-8", errors="ignore")):
                before = path.read_text(encoding="utf-8")[max(0, match.start() - 1) : match.start()]
                if not re.match(r"[\w-]", before):
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


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


def test_scoring_the_holdout_needs_a_note() -> None:
    chubei = Path(sys.executable).parent / "chubei"
    result = subprocess.run([str(chubei), "eval", "--split", "holdout"], capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "note" in (result.stdout + result.stderr)


def test_key_facts_are_read_as_numbers_and_only_early_ones_count() -> None:
    assert found("30日|30天", "自收到申请之日起三十日内作出决定")
    assert found("200米", "中学、小学校园周围二百米范围内")
    assert not found("20日", "应当在二十五日内")
    answer = "不能。" + "说明" * 120 + "二百米"
    assert found("200米", answer) and not found_early("200米", answer)


def test_padding_lowers_precision_and_raises_length() -> None:
    case = AskCase(id="x", question="网吧离学校要多远？", key_facts=["200米"],
                   sources=[{"doc_id": "d", "article": "第九条"}])  # fmt: skip
    right = Citation(doc_id="d", title="t", article="第九条", text="校园周围200米范围内不得设立。")
    padding = Citation(doc_id="e", title="t", article="第二条", text="本条例所称公共场所包括游泳场（馆）。")
    lean = score_case(case, AskResponse(answer="不能，200米内不得设立。", citations=[right], out_of_scope=False,
                                         session_id="s"), 10.0, shipped_corpus())  # fmt: skip
    padded = score_case(case, AskResponse(answer="不能，200米内不得设立。" + "。" * 500, citations=[right, padding],
                                           out_of_scope=False, session_id="s"), 10.0, shipped_corpus())  # fmt: skip
    assert lean.correct and padded.correct
    lean_scores, padded_scores = score_ask([lean]), score_ask([padded])
    assert lean_scores.citation_precision == 1.0 and padded_scores.citation_precision == 0.5
    assert padded_scores.median_length > lean_scores.median_length


def test_metrics_on_hand_computed_examples() -> None:
    ranked = [("a", "1"), ("b", "2"), ("c", "3")]
    assert recall_at(ranked, {("b", "2")}, 1) == 0.0 and recall_at(ranked, {("b", "2")}, 2) == 1.0
    assert reciprocal_rank(ranked, {("c", "3")}) == pytest.approx(1 / 3)
    assert ndcg_at(ranked, {("a", "1")}, 10) == 1.0
    assert ndcg_at(ranked, {("b", "2")}, 10) == pytest.approx(1 / 1.58496, rel=1e-4)
    assert percentile([1, 2, 3, 4], 0.5) == 2.5


def test_report_has_every_split_beside_the_baseline(indexed: Services, tmp_path: Path) -> None:
    report = evaluate([chubei_target(indexed), baseline_target(indexed)], indexed, show=False, limit=8)
    json_path, html_path = write_report(report, tmp_path / "report")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(data["targets"]) == {"chubei", "baseline"}
    validity = data["headline"]["ask.citation_validity"]
    assert set(validity) >= {"dev", "all"} and validity["all"]["chubei"] == 1.0
    assert data["parameters"]["vector_ef_search"] == indexed.settings.vector_ef_search
    assert data["parameters"]["answer"]["max_citations"] == indexed.settings.answer.max_citations
    html = html_path.read_text(encoding="utf-8")
    assert "核心指标（按数据划分）" in html and "baseline" in html and "<script" not in html
    assert "answer.max_citations" in html


def test_the_baseline_cites_true_articles_and_can_refuse(indexed: Services) -> None:
    from evals.baseline import LangchainBaseline, baseline_documents

    documents = baseline_documents(indexed.corpus)
    corpus = indexed.corpus
    assert all(corpus.quote_found(d.metadata["doc_id"], d.metadata["article"], d.page_content) for d in documents)
    baseline = LangchainBaseline(indexed.embedder, corpus, indexed.kb, indexed.settings, passages=3)
    threshold = baseline.calibrate(load_suite("ask", ("dev",)))
    assert 0.5 < threshold < 1
    assert baseline.ask("帮我写一首关于大海的诗").out_of_scope
    baseline.threshold = 0.0
    answer = baseline.ask("网吧离学校要多远？")
    assert 1 <= len(answer.citations) <= 3 and not answer.out_of_scope
    assert all(corpus.quote_found(c.doc_id, c.article, c.text) for c in answer.citations)
    plan = baseline.plan("游泳馆，水面400平方米")
    assert plan.requirements and plan.common_problems


def test_eval_runs_against_a_server_over_http(server, indexed: Services) -> None:
    from evals.runner import http_target

    report = evaluate([http_target(server.url, server.key)], indexed, suites=("ask", "guidance"), show=False, limit=6)
    scores = report["targets"][f"server {server.url}"]
    assert scores["ask"]["scores"]["all"]["citation_validity"] == 1.0
    assert (
        scores["guidance"]["scores"]["all"]["n"] == 6
        and scores["guidance"]["scores"]["all"]["citation_validity"] == 1.0
    )
