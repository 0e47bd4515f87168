"""The ``chubei`` command line: thin wrappers over the services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.staff_cli import staff_app
from chubei.services import Services
from chubei.settings import get_settings
from kb.cli import kb_app
from kb.corpus import shipped_corpus
from kb.export import export
from kb.grounding import shipped_problems
from kb.knowledge import DATA_DIR, KnowledgeBase

app = typer.Typer(help="Chubei 筹备期审批辅导：知识库与智能助手", no_args_is_help=True, add_completion=False)
app.add_typer(kb_app, name="kb")
cache_app = typer.Typer(help="嵌入缓存", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
app.add_typer(staff_app, name="staff")
gate_app = typer.Typer(help="评测门槛（evals/thresholds.json，只能追加）", no_args_is_help=True)
app.add_typer(gate_app, name="gate")


def _services() -> Services:
    return Services(get_settings(), show_progress=True)


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="文件或目录（PDF/DOCX/HTML/Markdown/TXT）")] = None,
) -> None:
    """索引文件或目录；不给路径时索引随产品发布的法规语料和知识库。未变化的文件会跳过。"""
    services = _services()
    report = services.indexer.ingest_paths(paths) if paths else services.ensure_index()
    for warning in report.warnings:
        typer.echo(f"提示：{warning}", err=True)
    for failure in report.failed:
        typer.echo(f"失败：{failure}", err=True)
    typer.echo(report.summary())
    if report.failed and report.files == len(report.failed):
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题")],
    session: Annotated[str | None, typer.Option("--session", help="会话名：同一会话中的追问结合上文理解")] = None,
    project: Annotated[str | None, typer.Option("--project", help="项目 id：结合该项目的事实和方案回答")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 API 响应体（JSON）")] = False,
) -> None:
    """提问，例如：chubei ask "网吧离学校要多远？"；追问：chubei ask "那KTV呢？" --session s1"""
    from api.conversations import Conversations
    from api.db.engine import Database
    from api.dossiers import Dossiers, NotFound, Refused, project_context
    from api.keys import app_secret
    from api.links import LinkSigner
    from assistant.answering import AskContext
    from assistant.models import AskRequest

    try:
        request = AskRequest(question=question, session_id=f"cli-{session}" if session else None, project_id=project)
    except ValueError as error:
        typer.echo(f"问题有误：{_first_error(error)}", err=True)
        raise typer.Exit(2) from None
    services = _services()
    services.ensure_index()
    database = Database(services.settings.sqlalchemy_url)
    conversations = Conversations(database)
    try:
        context = None
        if project:
            signer = LinkSigner(app_secret(services.settings))
            dossiers = Dossiers(database, services.guide.plan, signer, "", services.settings.token_ttl_days)
            context = project_context(dossiers.get(project))
        turns = services.settings.answer.history_turns
        history = conversations.history(request.session_id, project, "staff", turns)
        answer = services.assistant.ask(request.question, AskContext(history, context))
        session_id, _ = conversations.record(request.session_id, project, "staff", request.question, answer)
    except (NotFound, Refused) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    if as_json:
        body = answer.response(session_id.removeprefix("cli-"))
        typer.echo(json.dumps(body.model_dump(exclude_none=True), ensure_ascii=False, indent=2))
        return
    if answer.understood_as:
        typer.echo(f"（理解为：{answer.understood_as}）")
    typer.echo(answer.text)
    if answer.citations:
        typer.echo("\n依据：")
    for number, citation in enumerate(answer.citations, start=1):
        version = f"，{citation.version_date}" if citation.version_date else ""
        typer.echo(
            f"  [{number}] 《{citation.title}》{citation.article}（{citation.level or '文件'}{version}）：“{citation.text}”"
        )
    if answer.notice:
        typer.echo(f"\n{answer.notice}")


@app.command()
def guide(
    description: Annotated[str, typer.Argument(help="项目描述，经营者的原话即可")],
    fact: Annotated[list[str] | None, typer.Option("--fact", help="覆盖事实，如 --fact floor=-1")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 API 响应体（JSON）")] = False,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="另存为 Markdown 方案")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="另存为 PDF 方案")] = None,
) -> None:
    """生成项目方案：硬性要求清单（按维度）、高发问题、办理流程、相似案例。"""
    from assistant.models import GuidanceRequest
    from assistant.plan_document import to_markdown, to_pdf

    try:
        request = GuidanceRequest(description=description, facts=_parse_facts(fact or []))
    except ValueError as error:
        typer.echo(f"输入有误：{_first_error(error)}", err=True)
        raise typer.Exit(2) from None
    services = _services()
    services.ensure_index()
    plan = services.guide.plan(request.description, request.facts)
    if as_json:
        typer.echo(plan.model_dump_json(indent=2))
    else:
        typer.echo(to_markdown(plan))
    if markdown:
        markdown.write_text(to_markdown(plan), encoding="utf-8")
        typer.echo(f"已保存 {markdown}", err=True)
    if pdf:
        pdf.write_bytes(to_pdf(plan))
        typer.echo(f"已保存 {pdf}", err=True)


def _parse_facts(pairs: list[str]) -> dict[str, object] | None:
    """``floor=-1`` → {"floor": -1}; values are read as JSON when they parse (numbers, true/false)."""
    facts: dict[str, object] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"事实应写成 名称=值，如 floor=-1（收到：{pair}）", param_hint="--fact")
        try:
            facts[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            facts[name.strip()] = raw
    return facts or None


@kb_app.command("export")
def kb_export(
    out: Annotated[Path, typer.Option("--out", help="输出目录（按 kb/data 的结构写入）")] = Path("kb-export"),
) -> None:
    """把当前知识库（随产品发布的 + 工作人员新增和修改的）写回 YAML，供下一次发布替换 kb/data。"""
    settings = get_settings()
    kb = KnowledgeBase.load(overlay_dir=settings.kb_overlay_dir)
    written = export(kb, out)
    edited = len(kb.edited)
    typer.echo(
        f"已写入 {len(written)} 个文件到 {out}（含工作人员修改 {edited} 条）；核对后可替换 kb/data 并运行 chubei kb validate"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
) -> None:
    """启动 HTTP 服务（API、经营者聊天页、工作人员页面）。首次启动会建立索引。"""
    import uvicorn

    from api.app import create_app
    from api.keys import ensure_staff_key, key_file
    from chubei.datadir import DataDirError, check_writable, explain

    settings = get_settings()
    problems = shipped_problems(DATA_DIR, shipped_corpus())
    if problems:
        typer.echo(f"随产品发布的知识库有 {len(problems)} 处错误，服务未启动（文件 条目（字段）：原因）：", err=True)
        for problem in problems:
            typer.echo(f"  ✗ {problem}", err=True)
        typer.echo("请改正后再启动；chubei kb validate 可单独检查。", err=True)
        raise typer.Exit(1)
    try:
        check_writable(settings.data_dir)
        services = Services(settings, show_progress=True)
        report = services.ensure_index()
        services.warm_up()
        _, new_key = ensure_staff_key(settings)
        application = create_app(settings, services)
    except DataDirError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    except OSError as error:
        typer.echo(explain(settings.data_dir, error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"索引就绪：{report.summary()}")
    if new_key:
        typer.echo(f"已生成工作人员密钥（保存在 {key_file(settings)}）：{new_key}")
    host, port = host or settings.host, port or settings.port
    typer.echo(f"Chubei 已启动：http://{host}:{port}/  （API 文档 /api/docs）")
    if application.state.accounts.active_admins() == 0:
        typer.echo("还没有管理员账号。创建第一个管理员（会提示输入密码）：")
        typer.echo("  chubei staff add <用户名> --name <姓名> --role 管理员")
        typer.echo("之后在 /staff/login 用账号登录；在此之前可用上面的工作人员密钥登录。")
    if not settings.public_base_url:
        typer.echo(
            "提示：未设置 CHUBEI_PUBLIC_BASE_URL，二维码使用工作人员访问本服务的地址；若是 127.0.0.1，手机无法打开。"
        )
    # The client address is taken from X-Forwarded-For only by the app, and only from CHUBEI_TRUSTED_PROXIES.
    uvicorn.run(application, host=host, port=port, log_level="warning", proxy_headers=False)


@app.command("eval")
def eval_command(
    suite: Annotated[str, typer.Option(help="retrieval | ask | guidance | all")] = "all",
    out: Annotated[Path, typer.Option(help="报告目录")] = Path("reports/latest"),
    url: Annotated[str | None, typer.Option(help="评测运行中的服务（而非进程内）")] = None,
    key: Annotated[str | None, typer.Option(help="--url 时使用的工作人员密钥", envvar="CHUBEI_EVAL_KEY")] = None,
    split: Annotated[
        str, typer.Option(help="dev、test、dev,test 或 holdout（留出集只为发布说明评分，须写 --note）")
    ] = "dev,test",
    note: Annotated[str | None, typer.Option(help="评分留出集的原因（记入 evals/holdout/FROZEN.json）")] = None,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="同时评测 LangChain 基线")] = True,
    gate: Annotated[bool, typer.Option("--gate", help="按 evals/thresholds.json 检查 dev 和 test 的门槛")] = False,
    validate: Annotated[bool, typer.Option("--validate", help="只检查评测集格式与留出集冻结状态")] = False,
    calibrate: Annotated[bool, typer.Option("--calibrate", help="在 dev 上标定超范围阈值并在 test 上报告")] = False,
) -> None:
    """评测：对黄金集运行检索、问答、方案三套评测，按数据划分输出 report.json 与 report.html。"""
    from evals.sets import SPLITS, holdout_problems, load_suite

    if validate:
        _validate_golden()
        return
    splits = tuple(part.strip() for part in split.split(",") if part.strip())
    if not splits or any(part not in SPLITS for part in splits):
        raise typer.BadParameter("应为 dev、test、dev,test 或 holdout", param_hint="--split")
    if "holdout" in splits and not note:
        raise typer.BadParameter("留出集只在发布说明时评分一次：请用 --note 写明原因", param_hint="--note")
    if "holdout" in splits and (problems := holdout_problems()):
        raise typer.BadParameter("留出集与冻结记录不一致：" + "；".join(problems), param_hint="--split")
    services = _services()
    services.ensure_index()
    if calibrate:
        from evals.calibrate import calibrate as fit
        from evals.calibrate import score_points

        points = score_points(load_suite("ask"), load_suite("retrieval"), services.retriever, services.scope)
        result = fit(points)
        typer.echo(result.model_dump_json(indent=2))
        typer.echo(f"设置：CHUBEI_SCOPE_MIN_DENSE={result.min_dense} CHUBEI_SCOPE_MIN_LEXICAL={result.min_lexical}")
        return
    from evals.report import write_report
    from evals.runner import SUITES as ALL
    from evals.runner import baseline_target, chubei_target, evaluate, headline, http_target

    if suite not in (*ALL, "all"):
        raise typer.BadParameter("应为 retrieval、ask、guidance 或 all", param_hint="--suite")
    if url and not key:
        raise typer.BadParameter("评测服务时需要工作人员密钥", param_hint="--key")
    targets = [http_target(url, key) if url and key else chubei_target(services)]
    if baseline:
        targets.append(baseline_target(services))
    suites = ALL if suite == "all" else (suite,)
    report = evaluate(targets, services, suites, splits)
    verdicts = None
    if gate:
        from evals.gate import check_gate, load_thresholds

        verdicts = check_gate(report, load_thresholds())
        report["gate"] = [v.model_dump() for v in verdicts]
    json_path, html_path = write_report(report, out)
    for metric, per_split in headline(report).items():
        for part, values in per_split.items():
            shown = "  ".join(f"{name}={value:.3f}" for name, value in values.items() if value is not None)
            typer.echo(f"{metric:<40}{part:<8}{shown}")
    typer.echo(f"用时 {report['seconds']} 秒；报告：{html_path}（{json_path.name}）")
    if "holdout" in splits:
        _record_holdout(report, note or "")
    if verdicts is not None:
        failed = [v for v in verdicts if not v.passed]
        for verdict in failed:
            typer.echo(f"✗ 门槛未达到：{verdict.describe()}", err=True)
        if failed:
            raise typer.Exit(1)
        typer.echo(f"✓ {len(verdicts)} 项门槛全部达到")


def _validate_golden() -> None:
    from evals.sets import GOLDEN_DIR, HOLDOUT_DIR, SUITES, holdout_problems, read_jsonl, suite_files

    problems = [
        error
        for name, (_, model) in SUITES.items()
        for folder in (GOLDEN_DIR, HOLDOUT_DIR)
        for path in suite_files(name, folder)
        for error in read_jsonl(path, model)[1]
    ]
    problems += holdout_problems()
    for problem in problems:
        typer.echo(f"✗ {problem}")
    if problems:
        raise typer.Exit(1)
    typer.echo("✓ 评测集格式正确，留出集与冻结记录一致")


def _record_holdout(report: dict, note: str) -> None:
    import subprocess
    from datetime import date

    from evals.runner import headline
    from evals.sets import record_holdout_scoring

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    summary = {
        metric: values.get("holdout", {}).get("chubei")
        for metric, values in headline(report).items()
        if values.get("holdout", {}).get("chubei") is not None
    }
    record_holdout_scoring(summary, note, date.today().isoformat(), commit or "unknown")
    typer.echo("已在 evals/holdout/FROZEN.json 记录本次留出集评分")


@cache_app.command("build")
def cache_build() -> None:
    """为随产品发布的语料、知识库和评测基线重建嵌入缓存文件（kb/embeddings/<模型>.npz）。"""
    from evals.baseline import baseline_documents
    from ingest.shipped import build_shipped_cache

    services = _services()
    baseline = [document.page_content for document in baseline_documents(services.corpus)]
    path, total, fresh = build_shipped_cache(services.embedder, extra=baseline)
    typer.echo(f"已写入 {path}：{total} 条向量（新嵌入 {fresh} 条）")


def _first_error(error: ValueError) -> str:
    """The Chinese message of the first problem, as the API would report it."""
    from api.errors import describe

    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error)
    field, message = describe(errors()[0])
    return f"{field}：{message}"


@gate_app.command("show")
def gate_show() -> None:
    """列出现行门槛及其设定原因。"""
    from evals.gate import load_thresholds

    thresholds = load_thresholds()
    for (split, metric), bound in sorted(thresholds.in_force().items()):
        rule = f"≥ {bound.min}" if bound.min is not None else f"≤ {bound.max}"
        typer.echo(f"{split:<5} {metric:<36} {rule:<10} 实测 {bound.measured}（{bound.date}：{bound.reason}）")
    problems = thresholds.broken_links()
    for problem in problems:
        typer.echo(f"✗ {problem}", err=True)
    if problems:
        raise typer.Exit(1)


@gate_app.command("set")
def gate_set(
    split: Annotated[str, typer.Option(help="dev 或 test")],
    metric: Annotated[str, typer.Option(help="如 ask.key_facts_in_200")],
    measured: Annotated[float, typer.Option(help="设定时的实测值")],
    reason: Annotated[str, typer.Option(help="为什么设定或改变这个门槛（写入记录）")],
    minimum: Annotated[float | None, typer.Option("--min", help="下限")] = None,
    maximum: Annotated[float | None, typer.Option("--max", help="上限")] = None,
) -> None:
    """追加一条门槛记录（带日期、原因和实测值）；旧记录不能修改。"""
    from datetime import date

    from pydantic import ValidationError

    from evals.gate import Bound, load_thresholds, save_thresholds

    if (minimum is None) == (maximum is None):
        raise typer.BadParameter("请给出 --min 或 --max 之一", param_hint="--min/--max")
    try:
        bound = Bound.model_validate({"date": date.today().isoformat(), "split": split, "metric": metric,
                                      "min": minimum, "max": maximum, "measured": measured, "reason": reason})  # fmt: skip
    except ValidationError as error:
        typer.echo(f"输入有误：{_first_error(error)}", err=True)
        raise typer.Exit(2) from None
    thresholds = load_thresholds()
    thresholds.append(bound)
    save_thresholds(thresholds)
    typer.echo(f"已记录：{split} {metric} {'≥ ' + str(minimum) if minimum is not None else '≤ ' + str(maximum)}")
