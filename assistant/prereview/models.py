"""What 要件预审 reads from a document and what it finds when checking it against the plan."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, Field

from assistant.models import Citation

DocumentKind = Literal[
    "lease", "property_certificate", "business_license", "floor_plan", "qualification", "fire", "health_permit", "other"
]
KIND_NAMES: dict[str, str] = {
    "lease": "房屋租赁合同",
    "property_certificate": "不动产权证书（房产证）",
    "business_license": "营业执照",
    "floor_plan": "建筑平面图",
    "qualification": "资格证书（医师执业证书、救生员证、社会体育指导员证等）",
    "fire": "消防文件（验收、备案、检查意见）",
    "health_permit": "卫生许可证",
    "other": "其他材料",
}
FIELD_LABELS: dict[str, str] = {
    "address": "地址（坐落）",
    "building_use": "规划用途/房屋用途",
    "area_m2": "建筑面积（平方米）",
    "floor": "所在楼层",
    "lease_start": "租赁起始日",
    "lease_end": "租赁截止日",
    "lease_years": "租赁期限（年）",
    "lessor": "出租方",
    "lessee": "承租方",
    "holder": "持证人/权利人",
    "number": "证书编号",
    "valid_until": "有效期至",
    "certificate": "证书名称",
    "conclusion": "结论",
}

FindingStatus = Literal["预审通过（待专员确认）", "预审发现问题", "无法识别", "材料不符"]
PASSED: Final = "预审通过（待专员确认）"
PROBLEM: Final = "预审发现问题"
UNREADABLE: Final = "无法识别"
MISMATCH: Final = "材料不符"


class ExtractedField(BaseModel):
    name: str
    label: str
    value: str
    evidence: str = Field(description="读出该值的那一行原文")
    page: int = 1


class Finding(BaseModel):
    item_id: str | None = Field(description="所对应的清单条目；材料不属于任何条目时为空")
    status: FindingStatus
    message: str
    red_line: bool = False
    basis: list[Citation] = Field(default_factory=list)
