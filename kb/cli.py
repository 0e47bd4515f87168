"""``chubei kb …``: validate the knowledge, show its statistics, read an article."""

from __future__ import annotations

import typer

from kb.corpus import shipped_corpus
from kb.grounding import validate
from kb.knowledge import KnowledgeBase

kb_app = typer.Typer(help="知识库：校验、统计、查条文", no_args_is_help=True)


@kb_app.command("validate")
def validate_command() -> None:
    """校验知识库的结构与依据（每条引文须为语料原文）。有问题时以非零状态退出。"""
    kb = KnowledgeBase.load()
    issues = validate(kb, shipped_corpus())
    for issue in issues:
        typer.echo(f"✗ {issue}")
    items = len(kb.all_requirements()) + len(kb.all_problems()) + len(kb.all_steps())
    if issues:
        typer.echo(f"共 {len(issues)} 个问题（{len(kb.types)} 个类型，{items} 个条目）", err=True)
        raise typer.Exit(1)
    typer.echo(f"✓ 知识库校验通过：{len(kb.types)} 个类型，{items} 个条目，{len(kb.cases)} 个案例")


@kb_app.command("article")
def article_command(doc_id: str, label: str) -> None:
    """打印语料中某一条的原文，如：chubei kb article yule-changsuo-guanli-tiaoli 第七条"""
    regulation = shipped_corpus().get(doc_id)
    article = regulation.article(label) if regulation else None
    if regulation is None or article is None:
        typer.echo(f"找不到 {doc_id} {label}", err=True)
        raise typer.Exit(1)
    typer.echo(f"《{regulation.title}》{label}（{article.path}）\n{article.text}")


@kb_app.command("stats")
def stats_command(as_json: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """统计：各类型各维度的条目数、有依据与依据待补充的数量。"""
    import json

    from kb.stats import knowledge_stats

    stats = knowledge_stats(KnowledgeBase.load())
    if as_json:
        typer.echo(json.dumps(stats.model_dump(), ensure_ascii=False, indent=2))
        return
    typer.echo(stats.as_text())
