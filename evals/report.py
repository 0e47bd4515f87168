"""report.json and a self-contained report.html (inline CSS and SVG, no external assets), split by split."""

from __future__ import annotations

import itertools
import json
import statistics
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from evals.gate import load_thresholds
from evals.metrics import percentile
from evals.runner import headline

TEMPLATES = Path(__file__).parent / "templates"
COLORS = ["#1f5fa8", "#c8891c", "#6a8f3c", "#8a4f9e"]
LOWER_IS_BETTER = ("p95_ms", "p50_ms", "false_refusal_rate", "unrelated_type_violations", "median_length",
                   "p90_length", "median_citations", "false_red_lines", "median_requirements", "p90_requirements")  # fmt: skip
WORST = 25


def write_report(report: dict, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    report = {**report, "headline": headline(report)}
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    html = env.get_template("report.html").render(
        report=report,
        targets=list(report["targets"]),
        splits=[*report["splits"], "all"] if len(report["splits"]) > 1 else report["splits"],
        headline=report["headline"],
        lower_is_better=LOWER_IS_BETTER,
        plan_sizes=plan_sizes(report),
        thresholds=load_thresholds().log,
        latency_chart=Markup(histogram(latencies(report))),
        worst=worst_cases(report),
    )
    html_path.write_text(html, encoding="utf-8")
    return json_path, html_path


def plan_sizes(report: dict) -> list[dict]:
    """Requirements per plan, by expected project type: median and p90 (Chubei)."""
    chubei: dict[str, Any] = report["targets"].get("chubei") or next(iter(report["targets"].values()), {})
    sizes: dict[str, list[int]] = defaultdict(list)
    for row in chubei.get("guidance", {}).get("rows", []):
        if row["expected_types"] and not row["out_of_scope_expected"]:
            sizes["+".join(sorted(row["expected_types"]))].append(row["listed"])
    return [
        {"types": types, "plans": len(values), "median": statistics.median(values),
         "p90": percentile([float(v) for v in values], 0.9), "max": max(values)}
        for types, values in sorted(sizes.items())
    ]  # fmt: skip


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


def latencies(report: dict) -> dict[str, list[float]]:
    return {name: [row["ms"] for row in result["ask"]["rows"]] for name, result in report["targets"].items()
            if "ask" in result}  # fmt: skip


def worst_cases(report: dict) -> dict[str, list[dict]]:
    chubei: dict[str, Any] = report["targets"].get("chubei") or next(iter(report["targets"].values()), {})
    worst: dict[str, list[dict]] = {}
    if "retrieval" in chubei:
        rows = [r for r in chubei["retrieval"]["hybrid"]["rows"] if not r["rank"] or r["rank"] > 1]
        worst["retrieval"] = sorted(rows, key=lambda r: -(r["rank"] or 999))[:WORST]
    if "ask" in chubei:
        worst["ask"] = [r for r in chubei["ask"]["rows"] if not r["correct"]][:WORST]
    if "guidance" in chubei:
        rows = [r for r in chubei["guidance"]["rows"] if r["missing_items"] or r["unrelated_items"] or r["must_not_listed"]
                or not r["out_of_scope_ok"] or r["missing_problems"] or r["permits_missing"]]  # fmt: skip
        worst["guidance"] = rows[:WORST]
    return worst
