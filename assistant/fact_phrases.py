"""Project facts in plain words, to say what an answer was applied to ("距学校约150米", "位于地下二层")."""

from __future__ import annotations

from kb.facts import ProjectFacts
from kb.quantities import int_to_cn


def number(value: float) -> str:
    return f"{value:g}"


def describe(fact: str, value: object) -> str:
    match fact, value:
        case "distance_to_school_m", float() | int():
            return f"距学校约{number(value)}米"
        case "fire_special_project", bool():
            return "属于特殊建设工程" if value else "不属于特殊建设工程"
        case "fire_special_project", str():
            return value
        case "floor", int() if value < 0:
            return f"位于地下{int_to_cn(-value)}层"
        case "floor", int():
            return f"位于{number(value)}层"
        case "area_m2", float() | int():
            return f"面积约{number(value)}平方米"
        case "water_area_m2", float() | int():
            return f"泳池水面约{number(value)}平方米"
        case "rooms", int():
            return f"设{value}个包间（房间）"
        case "beds", int():
            return f"设{value}张床位"
        case "seats", int():
            return f"设{value}个座位"
        case "computers", int():
            return f"设{value}台上网电脑"
        case "dental_chairs", int():
            return f"设{value}台牙椅"
        case "capacity", int():
            return f"可容纳约{value}人"
        case "in_residential_building", bool():
            return "位于居民楼内" if value else "不在居民楼内"
        case "near_school", bool():
            return "紧邻学校" if value else "不在学校附近"
        case "near_government_office", bool():
            return "紧邻党政机关" if value else "不在党政机关附近"
        case "physician_years", float() | int():
            return f"医师注册后执业约{number(value)}年"
        case "registered_capital_wan", float() | int():
            return f"注册资本约{number(value)}万元"
        case "lease_years", float() | int():
            return f"租期约{number(value)}年" if value >= 1 else f"租期约{number(round(value * 12))}个月"
        case "building_use", str():
            return f"房屋用途为{value}"
        case "property_status", str():
            return f"房屋为{value}"
        case "serves_minors", bool():
            return "服务对象包括未成年人" if value else "不接待未成年人"
        case "has_medical_room", bool():
            return "内设医务室、护理站等医疗机构" if value else "不内设医疗机构"
        case "entity_type", str():
            return f"以{value}名义经营"
    label = (ProjectFacts.model_fields[fact].description or fact).removeprefix("是否")
    if isinstance(value, bool):
        return label if value else f"不{label}"
    return f"{label}：{value}"


def applied_to(facts: dict[str, object]) -> str:
    """ "距学校约150米、位于地下二层"."""
    return "、".join(describe(fact, value) for fact, value in facts.items())
