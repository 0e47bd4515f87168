"""``chubei kb export``: the current knowledge (shipped, plus what staff added and changed) written back as YAML in
the shipped layout, for the next release: one file per project type, FAQ entries and cases in the files they came
from (staff additions in ``faq-staff.yaml``/``cases-staff.yaml``), the 事项 catalogue as it is."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from kb.edits import EDITS_FILE
from kb.knowledge import KnowledgeBase


def export(kb: KnowledgeBase, out_dir: Path) -> list[Path]:
    """Write ``kb`` under ``out_dir``; the files written."""
    files: dict[str, list[Any] | dict[str, Any]] = {}
    for project_type in kb.types.values():
        files[f"types/{project_type.id}.yaml"] = _plain(project_type)
    grouped: dict[str, list[Any]] = defaultdict(list)
    for prefix, table in (("faq", kb.faq), ("cases", kb.cases), ("permits", kb.permits)):
        for item_id, item in table.items():
            source = kb.sources.get(item_id) or EDITS_FILE
            grouped[f"{prefix}-staff.yaml" if source == EDITS_FILE else source].append(_plain(item))
    files.update(grouped)
    written = []
    for name, content in sorted(files.items()):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        written.append(path)
    return written


def _plain(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
