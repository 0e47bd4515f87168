"""What has been ingested: one row per source file, so re-runs skip unchanged files.

A row is written as ``indexing`` before the store is touched and ``done`` after, so a run
killed midway is completed by the next one. ``generation`` increases with every change to
the store; the BM25 index records the generation it was built from.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


class IngestState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        with self._db:
            self._db.execute(
                """CREATE TABLE IF NOT EXISTS sources (
                    source TEXT PRIMARY KEY, content_hash TEXT, doc_id TEXT, title TEXT,
                    chunks INTEGER, status TEXT, updated_at REAL)"""
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")

    def bind(self, store_identity: str, fingerprint: str) -> None:
        """Forget everything when the store or the way chunks are made has changed."""
        if self._meta("store") != store_identity or self._meta("fingerprint") != fingerprint:
            with self._db:
                self._db.execute("DELETE FROM sources")
            self._set_meta("store", store_identity)
            self._set_meta("fingerprint", fingerprint)
            self.bump()

    def is_current(self, source: str, content_hash: str) -> bool:
        row = self._db.execute("SELECT content_hash, status FROM sources WHERE source = ?", (source,)).fetchone()
        return row is not None and row == (content_hash, "done")

    def start(self, source: str, content_hash: str, doc_id: str, title: str) -> None:
        self.bump()
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, 0, 'indexing', ?)",
                (source, content_hash, doc_id, title, time.time()),
            )

    def finish(self, source: str, chunks: int) -> None:
        with self._db:
            self._db.execute(
                "UPDATE sources SET status = 'done', chunks = ?, updated_at = ? WHERE source = ?",
                (chunks, time.time(), source),
            )

    @property
    def generation(self) -> int:
        return int(self._meta("generation") or 0)

    def bump(self) -> None:
        self._set_meta("generation", str(self.generation + 1))

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
