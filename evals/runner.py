"""``chubei eval``: the golden suites against Chubei (in process or over HTTP) and the LangChain baseline."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from tqdm import tqdm

from assistant.models import AskResponse, GuidanceResponse
from chubei.services import Services
from evals.ask_suite import run_ask
from evals.guidance_suite import run_guidance
from evals.retrieval_suite import Ranker, rankers, run_retrieval
from evals.sets import load_suite

SUITES = ("retrieval", "ask", "guidance")


@dataclass
class Target:
    """Something that answers like Chubei: its article ranking, its ask and its guidance."""

    name: str
    rank: dict[str, Ranker]
    ask: Callable[[str], AskResponse]
    plan: Callable[[str, dict], GuidanceResponse]


def chubei_target(services: Services) -> Target:
    def ask(question: str) -> AskResponse:
        answer = services.assistant.ask(question)
        return AskResponse(answer=answer.text, citations=answer.citations, out_of_scope=answer.out_of_scope,
                           session_id="eval")  # fmt: skip

    return Target("chubei", rankers(services.retriever), ask, lambda d, f: services.guide.plan(d, f or None))


def http_target(url: str, key: str) -> Target:
    """A running server; its article ranking is the order of the citations of its answer."""
    client = httpx.Client(base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=120)

    def ask(question: str) -> AskResponse:
        response = client.post("/api/v1/ask", json={"question": question})
        response.raise_for_status()
        return AskResponse.model_validate(response.json())

    def plan(description: str, facts: dict) -> GuidanceResponse:
        response = client.post("/api/v1/guidance", json={"description": description, "facts": facts or None})
        response.raise_for_status()
        return GuidanceResponse.model_validate(response.json())

    def cited(question: str) -> list[tuple[str, str]]:
        return list(dict.fromkeys((c.doc_id, c.article) for c in ask(question).citations))

    return Target(f"server {url}", {"hybrid": cited}, ask, plan)


def baseline_target(services: Services) -> Target:
    from evals.baseline import LangchainBaseline

    baseline = LangchainBaseline(services.embedder, services.corpus, services.kb, services.settings)

    def ranked(question: str) -> list[tuple[str, str]]:
        return list(
            dict.fromkeys((d.metadata["doc_id"], d.metadata["article"]) for d in baseline.retrieve(question, 10))
        )

    return Target("baseline", {"hybrid": ranked}, baseline.ask, baseline.plan)


def _progress(cases: list, label: str, show: bool) -> Iterable:
    return tqdm(cases, desc=label, unit="例", disable=not show, leave=False)


def evaluate(
    targets: list[Target],
    services: Services,
    suites: Iterable[str] = SUITES,
    split: str | None = None,
    show: bool = True,
    limit: int | None = None,
) -> dict:
    """Scores and per-case rows for every target and suite (the first ``limit`` cases of each, if given)."""
    started = time.monotonic()
    report: dict = {"started": datetime.now(UTC).isoformat(), "split": split or "all", "targets": {}}
    for target in targets:
        result: dict = {}
        for suite in suites:
            cases = [c for c in load_suite(suite) if split is None or c.split == split][:limit]
            label = f"{target.name}·{suite}"
            if suite == "retrieval":
                modes = {}
                for mode, ranker in target.rank.items():
                    scores, rows = run_retrieval(list(_progress(cases, f"{label}·{mode}", show)), ranker, mode)
                    modes[mode] = {"scores": scores.model_dump(), "rows": [r.model_dump() for r in rows]}
                result["retrieval"] = modes
            elif suite == "ask":
                scores, rows = run_ask(list(_progress(cases, label, show)), target.ask, services.corpus)
                result["ask"] = {"scores": scores.model_dump(), "rows": [r.model_dump() for r in rows]}
            else:
                scores, rows = run_guidance(
                    list(_progress(cases, label, show)), target.plan, services.kb, services.corpus
                )
                result["guidance"] = {"scores": scores.model_dump(), "rows": [r.model_dump() for r in rows]}
        report["targets"][target.name] = result
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def headline(report: dict) -> dict[str, dict[str, float]]:
    """The few numbers a reader compares: metric → {target: value}."""
    table: dict[str, dict[str, float]] = {}
    picks = {
        "retrieval": ["recall_at_1", "recall_at_5", "mrr", "ndcg_at_10"],
        "ask": ["must_contain_accuracy", "source_accuracy", "citation_validity", "refusal_rate", "false_refusal_rate", "p95_ms"],
        "guidance": ["required_item_recall", "item_precision", "problem_recall", "unrelated_type_violations",
                     "out_of_scope_accuracy", "citation_validity", "p95_ms"],
    }  # fmt: skip
    for name, result in report["targets"].items():
        for suite, metrics in picks.items():
            if suite not in result:
                continue
            scores = result[suite]["hybrid"]["scores"] if suite == "retrieval" else result[suite]["scores"]
            for metric in metrics:
                table.setdefault(f"{suite}.{metric}", {})[name] = scores[metric]
    return table
