"""要件预审 measured on generated documents: kind accuracy, field accuracy per field, problems caught and false problems,
OCR seconds per page (p50/p95) and peak memory.

Usage: .venv/bin/python -m bench.prereview [--renderings clean,photo,scan]
Each case (an ordinary document or one with a planted problem) is rendered as a clean PNG, a photographed-style JPEG
(tilted, blurred, noisy) and a scanned PDF (the photo in a PDF without a text layer), and read with the real OCR;
findings are checked against real plans (a KTV and a pool). Needs fonts-noto-cjk. About 5–10 s per document on two
busy cores (index build first, about 30 s).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.prereview import PROBLEM, Plan, ReadSummary, review, understand
from assistant.prereview.text import normalise
from chubei.services import Services
from chubei.settings import Settings
from tests import samples

TODAY = date(2026, 12, 3)
KTV = "在市北区辽宁路商场三楼开一家KTV，面积450平米，租赁"
POOL = "健身会所带25米恒温泳池，水面400平，租的商场四楼"
ADDRESS = "青岛市市北区辽宁路88号3层301室"
OWNER, OPERATOR = "青岛市北商业管理有限公司", "青岛欢唱娱乐有限公司"


@dataclass
class Case:
    sample: samples.Sample
    plan: str  # "ktv" or "pool"
    problem: bool  # a problem is planted: a correct review reports one


def cases() -> list[Case]:
    lease = samples.lease
    return [
        Case(lease(ADDRESS, "商业", "450.5", "2026年1月1日", "2031年12月31日", OWNER, OPERATOR), "ktv", False),
        Case(lease(ADDRESS, "商业", "450.5", "2026年7月1日", "2027年6月30日", OWNER, OPERATOR), "ktv", True),
        Case(
            lease("青岛市市北区延吉路12号2层", "城镇住宅", "380", "2026年3月1日", "2032年2月28日", "李建国", OPERATOR),
            "ktv",
            True,
        ),
        Case(
            samples.property_certificate(OWNER, "鲁（2024）青岛市不动产权第0012345号", ADDRESS, "商业服务", "450.50"),
            "ktv",
            False,
        ),
        Case(
            samples.property_certificate(
                "李建国", "鲁（2023）青岛市不动产权第0456789号", "青岛市市北区延吉路12号2层", "城镇住宅", "380"
            ),
            "ktv",
            True,
        ),
        Case(samples.business_license(OPERATOR, "91370203MA3XYZ1234", ADDRESS, "长期"), "ktv", False),
        Case(
            samples.business_license("青岛别家娱乐有限公司", "91370203MA3ABC5678", ADDRESS, "2045年6月17日"),
            "ktv",
            True,
        ),
        Case(samples.qualification("救生员", "王海", "1912000000300123", "2028年6月30日"), "pool", False),
        Case(samples.qualification("救生员", "刘洋", "1912000000300456", "2025年6月30日"), "pool", True),
        Case(samples.qualification("社会体育指导员", "陈静", "2137020000100789", "2029年12月31日"), "pool", False),
        Case(samples.fire(OPERATOR, ADDRESS, "青建消验字〔2026〕第0012号", True), "ktv", False),
        Case(samples.fire(OPERATOR, ADDRESS, "青建消验字〔2026〕第0013号", False), "ktv", True),
        Case(samples.health_permit(OPERATOR, ADDRESS, "青卫公证字〔2026〕第0203001号", "2030年1月1日"), "ktv", False),
        Case(samples.health_permit(OPERATOR, ADDRESS, "青卫公证字〔2021〕第0203002号", "2025年1月1日"), "ktv", True),
        Case(samples.floor_plan("三层", "450.5"), "ktv", False),
        Case(samples.floor_plan("三层", "620"), "ktv", True),
        Case(samples.other(), "ktv", False),
    ]


def render(case: Case, rendering: str, seed: int) -> bytes:
    image = samples.render(case.sample, serif=seed % 2 == 1)
    if rendering == "clean":
        return samples.png(image)
    photo = samples.photographed(image, seed)
    return samples.jpeg(photo) if rendering == "photo" else samples.scanned_pdf(photo)


def same(name: str, expected: str, got: str | None) -> bool:
    if got is None:
        return False
    if name == "area_m2":
        return abs(float(expected) - float(got)) < 0.01
    canon = str.maketrans({"〔": "(", "〕": ")", "（": "(", "）": ")"})
    return normalise(expected).translate(canon) == normalise(got).translate(canon)


def rss_mb() -> float:
    """Resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(renderings: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        services = Services(Settings(data_dir=Path(tmp) / "data"))
        services.ensure_index()
        plans = {}
        for name, description in (("ktv", KTV), ("pool", POOL)):
            guidance = services.guide.plan(description)
            plans[name] = Plan(guidance=guidance, active={r.id for r in guidance.requirements}, facts=guidance.facts)
        before_ocr = rss_mb()
        config = services.settings.prereview
        reader = services.document_reader
        # The operator's documents as already on file: the lease names the operating company.
        on_file = [
            ReadSummary(kind="lease", fields={"lessee": OPERATOR, "lessor": OWNER, "address": ADDRESS}, chars=500)
        ]

        kinds_right = Counter()
        by_kind = Counter()
        confusions: list[str] = []
        fields_right: dict[str, list[bool]] = defaultdict(list)
        caught = missed = false_problems = clean_docs = 0
        seconds_per_page: list[float] = []
        documents = 0
        for index, case in enumerate(cases()):
            for rendering in renderings:
                data = render(case, rendering, seed=index)
                started = time.perf_counter()
                read = reader.read(data, f"{case.sample.name}.{rendering}")
                elapsed = time.perf_counter() - started
                if read.ocr:
                    seconds_per_page.append(elapsed / len(read.pages))
                understood = understand([(p.number, line) for p in read.pages for line in p.lines], config)
                documents += 1
                by_kind[case.sample.kind] += 1
                if understood.kind == case.sample.kind:
                    kinds_right[case.sample.kind] += 1
                else:
                    confusions.append(f"{case.sample.name}/{rendering} → {understood.kind}")
                got = {f.name: f.value for f in understood.fields}
                for name, expected in case.sample.expected.items():
                    fields_right[name].append(same(name, expected, got.get(name)))
                    if not fields_right[name][-1]:
                        confusions.append(
                            f"field {name} of {case.sample.name}/{rendering}: {expected!r} read as {got.get(name)!r}"
                        )
                others = on_file if case.sample.kind != "lease" else []
                findings = review(understood, None, plans[case.plan], others, TODAY, config)
                problem = any(f.status == PROBLEM for f in findings)
                if case.problem:
                    caught += problem
                    missed += not problem
                else:
                    clean_docs += 1
                    false_problems += problem
                    if problem:
                        confusions.append(f"false problem {case.sample.name}/{rendering}: "
                                          f"{[f.message for f in findings if f.status == PROBLEM]}")  # fmt: skip
                if case.problem and not problem:
                    confusions.append(f"missed problem {case.sample.name}/{rendering}: {got}")

        print(f"documents: {documents} ({len(by_kind)} kinds incl. other; renderings: {', '.join(renderings)})")
        right = sum(kinds_right.values())
        print(f"kind accuracy: {right}/{documents} = {right / documents:.1%}")
        for kind, total in sorted(by_kind.items()):
            print(f"  {kind}: {kinds_right[kind]}/{total}")
        print("field accuracy:")
        for name, results in sorted(fields_right.items()):
            print(f"  {name}: {sum(results)}/{len(results)} = {sum(results) / len(results):.1%}")
        all_fields = [r for results in fields_right.values() for r in results]
        print(f"  all fields: {sum(all_fields)}/{len(all_fields)} = {sum(all_fields) / len(all_fields):.1%}")
        planted = caught + missed
        print(f"problems caught: {caught}/{planted}; false problems on clean documents: {false_problems}/{clean_docs}")
        if seconds_per_page:
            ordered = sorted(seconds_per_page)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(f"OCR seconds per page: p50 {statistics.median(ordered):.2f}, p95 {p95:.2f} "
                  f"(n={len(ordered)}, {config.ocr_threads} threads, detector side {config.ocr_det_side_len})")  # fmt: skip
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"RSS: {before_ocr:.0f} MB with the index and plans loaded, before any OCR; {rss_mb():.0f} MB after; "
              f"peak {peak:.0f} MB")  # fmt: skip
        for line in confusions:
            print("  !", line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--renderings", default="clean,photo,scan")
    args = parser.parse_args()
    run(args.renderings.split(","))
