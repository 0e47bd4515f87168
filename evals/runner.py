"""``chubei eval``: the golden suites against Chubei (in process or over HTTP) and the LangChain baseline,
scored per split (dev for tuning, test reported, holdout only for a release note)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from tqdm import tqdm

from assistant.answering import AskContext
from assistant.models import AskResponse, GuidanceResponse
from assistant.project_context import ProjectContext
from chubei.services import Services
from evals.ask_suite import run_ask, score_ask, timed
from evals.guidance_suite import run_guidance, score_guidance
from evals.retrieval_suite import Ranker, rankers, run_retrieval
from evals.sets import AskCase, load_suite

SUITES = ("retrieval", "ask", "guidance")


@dataclass
class Target:
    """Something that answers like Chubei: its article ranking, its ask (with history and project) and its plans."""

    name: str
    rank: dict[str, Ranker]
    ask: Callable[[AskCase], tuple[AskResponse, float]]
    plan: Callable[[str, dict], GuidanceResponse]


def chubei_target(services: Services) -> Target:
    def ask(case: AskCase) -> tuple[AskResponse, float]:
        context = AskContext()
        if case.project is not None:
            plan = services.guide.plan(case.project.description, case.project.facts or None)
            context.project = ProjectContext.from_plan(plan, description=case.project.description)
        for question in case.history:
            context.history.append(services.assistant.ask(question, context).turn())
        return timed(lambda: services.assistant.ask(case.question, context).response("eval"))

    return Target("chubei", rankers(services.retriever), ask, lambda d, f: services.guide.plan(d, f or None))


def http_target(url: str, key: str) -> Target:
    """A running server, through the same API contracts that users and integrations use."""
    client = httpx.Client(base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=120)

    def post(body: dict) -> AskResponse:
        response = client.post("/api/v1/ask", json=body)
        response.raise_for_status()
        return AskResponse.model_validate(response.json())

    def ask(case: AskCase) -> tuple[AskResponse, float]:
        body: dict = {}
        if case.project is not None:
            created = client.post("/api/v1/projects", json={
                "name": f"评测 {case.id}", "description": case.project.description, "specialist_name": "评测",
                "facts": case.project.facts or None})  # fmt: skip
            if created.status_code == 422:  # the server would not open this project: ask without it
                pass
            else:
                created.raise_for_status()
                body["project_id"] = created.json()["id"]
        for question in case.history:
            body["session_id"] = post({**body, "question": question}).session_id
        return timed(lambda: post({**body, "question": case.question}))

    def plan(description: str, facts: dict) -> GuidanceResponse:
        response = client.post("/api/v1/guidance", json={"description": description, "facts": facts or None})
        response.raise_for_status()
        return GuidanceResponse.model_validate(response.json())

    def cited(question: str) -> list[tuple[str, str]]:
        return list(dict.fromkeys((c.doc_id, c.article) for c in post({"question": question}).citations))

    return Target(f"server {url}", {"hybrid": cited}, ask, plan)


def baseline_target(services: Services) -> Target:
    from evals.baseline import LangchainBaseline

    baseline = LangchainBaseline(services.embedder, services.corpus, services.kb, services.settings,
                                 passages=services.settings.answer.max_citations)  # fmt: skip
    baseline.calibrate(load_suite("ask", ("dev",)))
    baseline.calibrate_plans(load_suite("guidance", ("dev",)))

    def ranked(question: str) -> list[tuple[str, str]]:
        return list(
            dict.fromkeys((d.metadata["doc_id"], d.metadata["article"]) for d in baseline.retrieve(question, 10))
        )

    def ask(case: AskCase) -> tuple[AskResponse, float]:
        context = case.project.description if case.project else ""
        return timed(lambda: baseline.ask(case.question, case.history, context))

    return Target("baseline", {"hybrid": ranked}, ask, baseline.plan)


def _progress(cases: list, label: str, show: bool) -> Iterable:
    return tqdm(cases, desc=label, unit="例", disable=not show, leave=False)


def evaluate(
    targets: list[Target],
    services: Services,
    suites: Iterable[str] = SUITES,
    splits: tuple[str, ...] = ("dev", "test"),
    show: bool = True,
    limit: int | None = None,
) -> dict:
    """Rows and per-split scores for every target and suite (the first ``limit`` cases of each, if given)."""
    started = time.monotonic()
    report: dict = {"started": datetime.now(UTC).isoformat(), "splits": list(splits),
                    "parameters": run_parameters(services), "targets": {}}  # fmt: skip
    for target in targets:
        result: dict = {}
        for suite in suites:
            cases = load_suite(suite, splits)[:limit]
            label = f"{target.name}·{suite}"
            if suite == "retrieval":
                result["retrieval"] = {}
                for mode, ranker in target.rank.items():
                    scores, ranked = run_retrieval(list(_progress(cases, f"{label}·{mode}", show)), ranker, mode)
                    by_split = {"all": scores.model_dump()}
                    for split in splits:
                        part = [c for c in cases if c.split == split]
                        if part:
                            by_split[split] = run_retrieval(part, ranker, mode)[0].model_dump()
                    result["retrieval"][mode] = {"scores": by_split, "rows": [r.model_dump() for r in ranked]}
            elif suite == "ask":
                answered = run_ask(_progress(cases, label, show), target.ask, services.corpus)
                result["ask"] = {"scores": _per_split(answered, splits, score_ask),
                                 "rows": [r.model_dump() for r in answered]}  # fmt: skip
            else:
                planned = run_guidance(_progress(cases, label, show), target.plan, services.kb, services.corpus)
                result["guidance"] = {"scores": _per_split(planned, splits, score_guidance),
                                      "rows": [r.model_dump() for r in planned]}  # fmt: skip
        report["targets"][target.name] = result
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def run_parameters(services: Services) -> dict:
    """Every setting that shapes what is retrieved and answered, so that each report states what it ran with."""
    settings = services.settings
    retrieval = ("embedder", "candidates", "rrf_k", "vector_ef_search", "scope_min_dense", "scope_min_lexical",
                 "scope_min_dense_named")  # fmt: skip
    return {**{name: getattr(settings, name) for name in retrieval}, "answer": settings.answer.model_dump()}


def _per_split(rows: list, splits: tuple[str, ...], score: Callable) -> dict[str, dict]:
    scores = {"all": score(rows).model_dump()}
    for split in splits:
        part = [row for row in rows if row.split == split]
        if part:
            scores[split] = score(part).model_dump()
    return scores


HEADLINE = {
    "retrieval": ["recall_at_1", "recall_at_5", "mrr"],
    "ask": ["answer_accuracy", "key_facts_in_200", "must_contain_accuracy", "source_accuracy", "citation_precision",
            "citation_validity", "refusal_rate", "false_refusal_rate", "followup_accuracy", "project_accuracy",
            "median_length", "p90_length", "median_citations", "p95_ms"],
    "guidance": ["type_accuracy", "required_item_recall", "must_not_precision", "item_precision", "problem_recall",
                 "red_line_recall", "false_red_lines", "permit_recall", "material_recall", "stage_accuracy",
                 "unrelated_type_violations", "out_of_scope_accuracy", "median_requirements", "p90_requirements",
                 "citation_validity", "p95_ms"],
}  # fmt: skip


def headline(report: dict) -> dict[str, dict[str, dict[str, float | None]]]:
    """metric → split → target → value: the numbers a reader compares, split by split."""
    table: dict[str, dict[str, dict[str, float | None]]] = {}
    for name, result in report["targets"].items():
        for suite, metrics in HEADLINE.items():
            if suite not in result:
                continue
            per_split = result[suite]["hybrid"]["scores"] if suite == "retrieval" else result[suite]["scores"]
            for split, scores in per_split.items():
                for metric in metrics:
                    table.setdefault(f"{suite}.{metric}", {}).setdefault(split, {})[name] = scores.get(metric)
    return table
