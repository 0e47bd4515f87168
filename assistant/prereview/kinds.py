"""Which kind of document this is, from words on it: weighted keywords, counted once each, double in the title."""

from __future__ import annotations

from assistant.prereview.models import DocumentKind
from assistant.prereview.text import normalise

# (keyword, weight). A keyword in the first lines (the title block) counts double.
KEYWORDS: dict[DocumentKind, tuple[tuple[str, float], ...]] = {
    "lease": (
        ("租赁合同", 3),
        ("租赁协议", 3),
        ("租赁意向书", 3),
        ("出租方", 2),
        ("承租方", 2),
        ("租赁期限", 2),
        ("租金", 1),
        ("出租人", 1.5),
        ("承租人", 1.5),
    ),
    "property_certificate": (
        ("不动产权证书", 3),
        ("不动产权第", 3),
        ("房屋所有权证", 3),
        ("房产证", 2),
        ("权利人", 1.5),
        ("共有情况", 1.5),
        ("权利性质", 1.5),
        ("不动产单元号", 2),
        ("权利类型", 1.5),
    ),
    "business_license": (
        ("营业执照", 3),
        ("统一社会信用代码", 2),
        ("经营范围", 1.5),
        ("法定代表人", 1),
        ("登记机关", 1),
        ("成立日期", 1),
        ("注册资本", 1),
        ("营业期限", 1),
        ("经营者", 0.5),
    ),
    "floor_plan": (
        ("平面图", 3),
        ("平面布置", 2),
        ("图例", 1.5),
        ("图号", 1.5),
        ("比例", 1),
        ("轴线", 1),
        ("安全出口", 0.5),
        ("设计单位", 1),
    ),
    "qualification": (
        ("医师执业证书", 3),
        ("救生员", 3),
        ("社会体育指导员", 3),
        ("职业资格证书", 2),
        ("职业技能等级证书", 2),
        ("执业证书", 2),
        ("资格证书", 2),
        ("证书编号", 1),
        ("执业类别", 1.5),
        ("职业(工种)", 1),
        ("等级", 0.5),
    ),
    "fire": (
        ("消防", 1.5),
        ("验收", 1),
        ("备案凭证", 2),
        ("消防安全检查", 2),
        ("意见书", 2),
        ("消防救援", 2),
        ("特殊建设工程", 1.5),
        ("建设工程消防", 2),
    ),
    "health_permit": (("卫生许可证", 3), ("公共场所卫生", 2), ("许可项目", 1.5), ("卫生许可", 2), ("卫生健康", 1)),
}
TITLE_LINES = 3


def recognise(lines: list[str], min_score: float) -> tuple[DocumentKind, float]:
    """The best-scoring kind and its score; ``other`` when no kind reaches ``min_score``."""
    flat = [normalise(line) for line in lines]
    title = "".join(flat[:TITLE_LINES])
    body = "".join(flat)
    scores = {
        kind: sum(weight * (2 if word in title else 1) for word, weight in words if word in body)
        for kind, words in KEYWORDS.items()
    }
    kind, score = max(scores.items(), key=lambda pair: pair[1])
    return (kind, score) if score >= min_score else ("other", score)
