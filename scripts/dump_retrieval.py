"""Dump the hybrid retriever's ranked hits for every golden question, to check that a change keeps results identical.

Usage: PYTHONPATH=$PWD .venv/bin/python scripts/dump_retrieval.py OUT.jsonl [--data-dir DIR]

One line per question (the ``question`` of every ``evals/golden/*.jsonl`` record that has one, and the
``description`` of the guidance records): the query tokens, the top dense and lexical scores, and every fused hit
in rank order with its score, both raw scores and its three ranks, floats written exactly (``repr``). The index
in ``--data-dir`` (default ``$CHUBEI_DATA_DIR`` or ``data``) is built from the shipped corpus if it is missing.
Run it before and after a change on the same data directory (an HNSW graph built again may differ), then
``cmp`` the two files.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant.retrieval import Hit
from chubei.services import Services
from chubei.settings import Settings
from evals.sets import GOLDEN_DIR


def golden_queries() -> list[str]:
    """Every golden question and plan description, in file order, without repeats."""
    seen: dict[str, None] = {}
    for path in sorted(GOLDEN_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                for field in ("question", "description"):
                    if isinstance(record.get(field), str):
                        seen.setdefault(record[field], None)
    return list(seen)


def hit_ranks(hit: Hit) -> tuple[int | None, int | None, int | None]:
    return hit.dense_rank, hit.lexical_rank, hit.knowledge_rank


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    services = Services(settings)
    services.ensure_index()
    retriever = services.retriever
    queries = golden_queries()
    started = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as handle:
        for query in queries:
            result = retriever.search(query, k=0)
            record = {
                "query": query,
                "tokens": result.tokens,
                "top_dense": repr(result.top_dense),
                "top_lexical": repr(result.top_lexical),
                "hits": [
                    [hit.chunk.id, *map(repr, (hit.score, hit.dense, hit.lexical)), *hit_ranks(hit)]
                    for hit in result.hits
                ],
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    spent = time.perf_counter() - started
    print(f"{len(queries)} queries, {services.store.count()} chunks, {spent:.1f} s → {args.out}")


if __name__ == "__main__":
    main()
