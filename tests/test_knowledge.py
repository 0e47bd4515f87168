"""The curated knowledge: schema, references and grounding of every item, enforced on the shipped data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kb.corpus import shipped_corpus
from kb.grounding import grounded_items, unsupported_quantities, validate
from kb.knowledge import KnowledgeBase
from kb.schema import DIMENSIONS

KB = KnowledgeBase.load()
CORPUS = shipped_corpus()
REQUIRED_TYPES = [
    "swimming", "fitness", "high_risk_sports", "clinic", "dental_clinic", "medical_beauty", "ktv", "arcade",
    "internet_cafe", "script_escape", "performance_venue", "hotel", "homestay", "travel_agency", "catering",
    "elderly_care", "training_institution", "general",
]  # fmt: skip


def test_shipped_knowledge_validates_without_a_single_issue() -> None:
    assert [str(issue) for issue in validate(KB, CORPUS)] == []


@pytest.mark.parametrize(
    ("where", "item"), grounded_items(KB), ids=lambda value: value if isinstance(value, str) else ""
)
def test_every_item_quotes_the_law_or_says_its_basis_is_pending(where: str, item) -> None:
    assert item.basis or (item.basis_pending and item.pending_note)
    for basis in item.basis:
        assert CORPUS.quote_found(basis.doc_id, basis.article, basis.quote), f"{where}: {basis.doc_id} {basis.article}"
    assert unsupported_quantities(item, CORPUS) == []


@pytest.mark.parametrize("type_id", REQUIRED_TYPES)
def test_each_required_project_type_has_requirements_problems_and_steps(type_id: str) -> None:
    assert type_id in KB.types
    requirements = KB.requirements_for([type_id])
    assert len({r.dimension for r in requirements}) >= 4
    assert KB.problems_for([type_id]) and KB.steps_for([type_id])
    assert {r.dimension for r in requirements} <= set(DIMENSIONS)


def test_location_rules_are_requirements() -> None:
    bans = next(r for r in KB.types["entertainment"].requirements if r.id == "entertainment.property.location_bans")
    assert any(b.doc_id == "yule-changsuo-guanli-tiaoli" and b.article == "第七条" for b in bans.basis)
    school = next(r for r in KB.requirements_for(["internet_cafe"]) if r.id == "internet_cafe.property.school_distance")
    assert any("200米" in b.quote for b in school.basis)


def test_the_seed_case_is_real_and_everything_else_is_labelled_illustrative() -> None:
    seed = KB.cases["case.shibei_fitness_pool_rongque"]
    assert seed.illustrative is False and seed.source and "容缺受理" in seed.resolution
    assert all(case.illustrative for case in KB.cases.values() if case.id != seed.id)


def write_general(directory: Path, requirement: str) -> Path:
    types = directory / "types"
    types.mkdir(parents=True)
    header = "id: general\nname: 通用要求\ncategory: 通用\nblock: true\ndescription: 测试\nrequirements:\n"
    (types / "general.yaml").write_text(header + requirement, encoding="utf-8")
    return directory


def test_an_invented_quote_or_number_gets_a_readable_report(tmp_path: Path) -> None:
    invented = """  - id: general.fire.invented
    dimension: 消防
    title: 编造的要求
    detail: 必须在30日内取得消防许可
    basis:
      - {doc_id: xiaofang-fa, article: 第十五条, quote: 公众聚集场所必须在三十日内取得许可}
"""
    issues = [str(issue) for issue in validate(KnowledgeBase.load(write_general(tmp_path, invented)), CORPUS)]
    assert any(i.startswith("general.fire.invented: 引文不是《中华人民共和国消防法》第十五条的原文") for i in issues)
    assert any(i.startswith("general.fire.invented: “30日”在所引条文中找不到") for i in issues)


def test_an_item_without_basis_must_say_its_basis_is_pending(tmp_path: Path) -> None:
    bare = """  - id: general.other.no_basis
    dimension: 其他
    title: 没有依据也没说待补充
    detail: 随便写的
"""
    issues = [str(issue) for issue in validate(KnowledgeBase.load(write_general(tmp_path, bare)), CORPUS)]
    # The file, the item and the field: enough to find it without searching.
    assert (
        "types/general.yaml: general.other.no_basis（requirements.0） 没有 basis 时必须标注 basis_pending: true"
        in issues
    )


def test_kb_validate_command_exits_zero_on_the_shipped_data() -> None:
    chubei = Path(sys.executable).parent / "chubei"
    result = subprocess.run([str(chubei), "kb", "validate"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "知识库校验通过" in result.stdout
    stats = subprocess.run([str(chubei), "kb", "stats"], capture_output=True, text=True, check=False)
    assert "依据待补充" in stats.stdout and "游泳场所" in stats.stdout
