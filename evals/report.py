"""report.json and a self-contained report.html (inline CSS and SVG charts, no external assets)."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from html import escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from evals.runner import headline

TEMPLATES = Path(__file__).parent / "templates"
COLORS = ["#1f5fa8", "#c8891c", "#6a8f3c", "#8a4f9e"]
LOWER_IS_BETTER = ("p95_ms", "p50_ms", "false_refusal_rate", "unrelated_type_violations")


def write_report(report: dict, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    report = {**report, "headline": headline(report)}
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    html = env.get_template("report.html").render(
        report=report,
        targets=list(report["targets"]),
        headline=report["headline"],
        lower_is_better=LOWER_IS_BETTER,
        rate_chart=Markup(rate_chart(report["headline"], list(report["targets"]))),
        type_charts=[(title, Markup(bar_chart(values))) for title, values in per_type(report)],
        latency_chart=Markup(histogram(latencies(report))),
        worst=worst_cases(report),
    )
    html_path.write_text(html, encoding="utf-8")
    return json_path, html_path


def rate_chart(table: dict[str, dict[str, float]], targets: list[str]) -> str:
    """Grouped horizontal bars for every 0–1 metric, one colour per target (in report order)."""
    rows = [(metric, values) for metric, values in table.items() if all(0 <= v <= 1 for v in values.values())
            and not metric.endswith(("_ms", "violations"))]  # fmt: skip
    bar, gap, label_w, width = 12, 10, 260, 420
    height = len(rows) * (bar * len(targets) + gap) + 30
    parts = [f'<svg viewBox="0 0 {label_w + width + 60} {height}" class="chart" role="img" aria-label="各项指标">']
    y = 10
    for metric, values in rows:
        parts.append(f'<text x="0" y="{y + bar * len(targets) / 2 + 4}" class="lbl">{escape(metric)}</text>')
        for index, target in enumerate(targets):
            value = values.get(target)
            if value is None:
                continue
            w = value * width
            color = COLORS[index % len(COLORS)]
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{color}"/>')
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 3}" class="val">{value:.2f}</text>')
            y += bar
        y += gap
    legend_x = label_w
    for index, target in enumerate(targets):
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{COLORS[index % len(COLORS)]}"/>'
        )
        parts.append(f'<text x="{legend_x + 14}" y="{height - 5}" class="val">{escape(target)}</text>')
        legend_x += 120
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(values: dict[str, float]) -> str:
    items = sorted(values.items(), key=lambda kv: kv[1])
    bar, label_w, width = 16, 150, 360
    height = len(items) * (bar + 4) + 10
    parts = [f'<svg viewBox="0 0 {label_w + width + 50} {height}" class="chart" role="img">']
    for index, (name, value) in enumerate(items):
        y = 5 + index * (bar + 4)
        color = "#1f5fa8" if value >= 0.9 else "#c8891c" if value >= 0.7 else "#b33a3a"
        parts.append(f'<text x="0" y="{y + 12}" class="lbl">{escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{value * width:.1f}" height="{bar}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + value * width + 4:.1f}" y="{y + 12}" class="val">{value:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(samples: dict[str, list[float]]) -> str:
    values = [v for series in samples.values() for v in series]
    if not values:
        return ""
    top = max(values)
    edges = [0, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000, max(top, 1000) + 1]
    width, height, pad = 560, 180, 30
    slot = (width - pad) / (len(edges) - 1)
    counts = {name: [sum(lo <= v < hi for v in series) for lo, hi in itertools.pairwise(edges)]
              for name, series in samples.items()}  # fmt: skip
    peak = max(max(c) for c in counts.values()) or 1
    parts = [f'<svg viewBox="0 0 {width} {height + 40}" class="chart" role="img" aria-label="延迟分布">']
    series_w = (slot - 4) / max(len(counts), 1)
    for s_index, (name, bins) in enumerate(counts.items()):
        color = COLORS[s_index % len(COLORS)]
        for index, count in enumerate(bins):
            h = count / peak * height
            x = pad + index * slot + s_index * series_w
            parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{series_w:.1f}" height="{h:.1f}" fill="{color}">'
                         f"<title>{escape(name)} {count}</title></rect>")  # fmt: skip
    for index, (lo, hi) in enumerate(itertools.pairwise(edges)):
        label = f"{lo}-{hi}" if index < len(edges) - 2 else f"≥{lo}"
        parts.append(f'<text x="{pad + index * slot:.1f}" y="{height + 14}" class="tick">{label}</text>')
    parts.append(f'<text x="{pad}" y="{height + 32}" class="val">毫秒（每题）；'
                 + "；".join(f"{escape(n)}={COLORS[i % len(COLORS)]}" for i, n in enumerate(counts)) + "</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def per_type(report: dict) -> list[tuple[str, dict[str, float]]]:
    charts = []
    chubei = report["targets"].get("chubei", {})
    if "guidance" in chubei:
        found, required = defaultdict(int), defaultdict(int)
        for row in chubei["guidance"]["rows"]:
            for type_id in row["expected_types"] or ["(超范围)"]:
                found[type_id] += row["found"]
                required[type_id] += row["required"]
        charts.append(("方案：各类型必备条目召回率", {t: found[t] / required[t] for t in required if required[t]}))
    if "retrieval" in chubei:
        hits, total = defaultdict(int), defaultdict(int)
        for row in chubei["retrieval"]["hybrid"]["rows"]:
            tag = row["tags"][0] if row["tags"] else "其他"
            total[tag] += 1
            hits[tag] += bool(row["rank"] and row["rank"] <= 5)
        charts.append(("检索：各领域 recall@5", {t: hits[t] / total[t] for t in total}))
    return charts


def latencies(report: dict) -> dict[str, list[float]]:
    return {
        name: [row["ms"] for row in result["ask"]["rows"]]
        for name, result in report["targets"].items()
        if "ask" in result
    }


def worst_cases(report: dict, limit: int = 15) -> dict[str, list[dict]]:
    chubei = report["targets"].get("chubei") or next(iter(report["targets"].values()), {})
    worst: dict[str, list[dict]] = {}
    if "retrieval" in chubei:
        rows = [r for r in chubei["retrieval"]["hybrid"]["rows"] if not r["rank"] or r["rank"] > 1]
        worst["retrieval"] = sorted(rows, key=lambda r: -(r["rank"] or 999))[:limit]
    if "ask" in chubei:
        rows = [r for r in chubei["ask"]["rows"] if r["expected_out_of_scope"] != r["out_of_scope"]
                or r["contains_ok"] is False or r["source_ok"] is False or r["invalid_citations"]]  # fmt: skip
        worst["ask"] = rows[:limit]
    if "guidance" in chubei:
        rows = [r for r in chubei["guidance"]["rows"] if r["missing_items"] or r["unrelated_items"]
                or not r["out_of_scope_ok"] or r["missing_problems"]]  # fmt: skip
        worst["guidance"] = sorted(rows, key=lambda r: -(len(r["missing_items"]) + 3 * len(r["unrelated_items"])))[
            :limit
        ]
    return worst
