"""Staff turn a corrected answer into a FAQ entry or a case: written to the KB overlay and indexed.

The overlay lives in the data dir (``<data>/kb/faq-staff.yaml``, ``cases-staff.yaml``) beside the
shipped knowledge, is validated by the same schema and grounding rules, and is written
atomically so a crash never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import yaml

from api.dossiers import Refused
from api.schemas import CaseCreate, FaqCreate
from kb.corpus import Corpus
from kb.grounding import check_basis, unsupported_quantities
from kb.knowledge import KnowledgeBase
from kb.schema import Case, FaqEntry

STAFF_PENDING = "工作人员补充的答复，法规依据待补充"
FAQ_FILE = "faq-staff.yaml"
CASES_FILE = "cases-staff.yaml"


class KnowledgeWriter:
    def __init__(self, overlay_dir: Path, corpus: Corpus, kb: Callable[[], KnowledgeBase]) -> None:
        self.overlay_dir = overlay_dir
        self.corpus = corpus
        self._kb = kb
        self._lock = threading.Lock()

    def add_faq(self, data: FaqCreate, actor: str) -> FaqEntry:
        kb = self._kb()
        basis = list(data.basis)
        for item in basis:
            if reason := check_basis(item, self.corpus):
                raise Refused(f"依据有误：{reason}")
        self._check_types(data.project_types, kb)
        entry = FaqEntry(
            id=self._new_id("faq", data.question, set(kb.faq)),
            question=data.question,
            answer=data.answer,
            project_types=data.project_types,
            basis=basis,
            basis_pending=not basis,
            pending_note=None if basis else (data.pending_note or STAFF_PENDING),
            created_by=actor,
        )
        if unsupported := unsupported_quantities(entry, self.corpus):  # as chubei kb validate checks numbers
            raise Refused(f"“{unsupported[0]}”在所引条文中找不到：请引用载明该数字的条文，或删去该数字")
        self._append(FAQ_FILE, entry.model_dump(mode="json", exclude_none=True))
        return entry

    def add_case(self, data: CaseCreate, actor: str) -> Case:
        kb = self._kb()
        self._check_types(data.project_types, kb)
        case = Case(
            id=self._new_id("case", data.title, set(kb.cases)),
            title=data.title,
            project_types=data.project_types,
            situation=data.situation,
            problems_met=data.problems_met,
            resolution=data.resolution,
            outcome=data.outcome,
            illustrative=True,
        )
        self._append(CASES_FILE, case.model_dump(mode="json", exclude_none=True))
        return case

    @staticmethod
    def _check_types(type_ids: list[str], kb: KnowledgeBase) -> None:
        unknown = [t for t in type_ids if t not in kb.types]
        if unknown:
            raise Refused(f"未知的项目类型：{'、'.join(unknown)}")

    @staticmethod
    def _new_id(prefix: str, text: str, taken: set[str]) -> str:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        candidate, n = f"{prefix}.staff_{digest}", 1
        while candidate in taken:
            n += 1
            candidate = f"{prefix}.staff_{digest}_{n}"
        assert re.fullmatch(rf"{prefix}\.[a-z0-9_]+", candidate)
        return candidate

    def retract(self, entry_id: str) -> None:
        """Take back an entry whose indexing failed, so that the request leaves nothing half-saved behind."""
        with self._lock:
            for filename in (FAQ_FILE, CASES_FILE):
                records = self._records(filename)
                kept = [record for record in records if record.get("id") != entry_id]
                if len(kept) != len(records):
                    self._write(filename, kept)

    def _append(self, filename: str, record: dict) -> None:
        with self._lock:
            self._write(filename, [*self._records(filename), record])

    def _records(self, filename: str) -> list[dict]:
        path = self.overlay_dir / filename
        return (yaml.safe_load(path.read_text(encoding="utf-8")) or []) if path.exists() else []

    def _write(self, filename: str, records: list[dict]) -> None:
        """Atomically: a crash or a full disk leaves the previous file whole and no temp file behind."""
        path = self.overlay_dir / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            tmp.replace(path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
