"""The project facts that change a plan, and the question to ask when one is unknown.

Requirements and problems in the knowledge base state conditions on these names
(see :class:`kb.schema.Condition`); the profiler in ``assistant/profiling.py`` fills them
from an operator's own words; staff may override any of them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PropertyStatus = Literal["自有", "租赁"]
BuildingUse = Literal["商业", "住宅", "工业", "办公", "其他"]
EntityType = Literal["公司", "个体工商户", "民办非企业单位", "其他"]


class ProjectFacts(BaseModel):
    """Facts about a planned project. ``None`` means unknown."""

    model_config = ConfigDict(extra="forbid")

    area_m2: float | None = Field(None, ge=0, description="建筑/营业面积（平方米）")
    water_area_m2: float | None = Field(None, ge=0, description="游泳池水面面积（平方米）")
    floor: int | None = Field(None, description="所在楼层，地下为负数（地下一层 = -1）")
    in_residential_building: bool | None = Field(None, description="是否位于居民楼（住宅楼）内，含楼上有住户的底商")
    in_residential_area: bool | None = Field(None, description="是否位于居民住宅区（小区）内或紧邻")
    distance_to_school_m: float | None = Field(None, ge=0, description="与最近的中小学校的距离（米）")
    near_school: bool | None = Field(None, description="是否紧邻学校（未给出距离时）")
    near_hospital: bool | None = Field(None, description="是否紧邻医院")
    rooms: int | None = Field(None, ge=0, description="包间/客房/房间数")
    beds: int | None = Field(None, ge=0, description="床位数")
    seats: int | None = Field(None, ge=0, description="座位数")
    computers: int | None = Field(None, ge=0, description="上网电脑（终端）台数")
    dental_chairs: int | None = Field(None, ge=0, description="牙椅数")
    capacity: int | None = Field(None, ge=0, description="可容纳人数")
    property_status: PropertyStatus | None = Field(None, description="房屋自有还是租赁")
    has_property_certificate: bool | None = Field(None, description="是否已取得不动产权证（产权证）")
    building_use: BuildingUse | None = Field(None, description="房屋规划（登记）用途")
    has_pool: bool | None = Field(None, description="是否设置游泳池")
    has_xray: bool | None = Field(None, description="是否配置X射线等放射诊疗设备")
    has_injection: bool | None = Field(None, description="是否开展注射、输液")
    has_laser: bool | None = Field(None, description="是否开展激光、光电类项目")
    has_surgery: bool | None = Field(None, description="是否开展手术类项目")
    serves_food: bool | None = Field(None, description="是否提供餐饮")
    provides_breakfast: bool | None = Field(None, description="是否提供早餐")
    provides_lodging: bool | None = Field(None, description="是否提供住宿")
    sells_alcohol: bool | None = Field(None, description="是否销售酒水")
    has_elevator: bool | None = Field(None, description="是否使用电梯（含自动扶梯）")
    has_boiler: bool | None = Field(None, description="是否使用锅炉、压力容器等特种设备")
    is_chain_branch: bool | None = Field(None, description="是否为连锁品牌的分店")
    entity_type: EntityType | None = Field(None, description="经营主体类型")
    foreign_investment: bool | None = Field(None, description="是否外商投资")
    rural: bool | None = Field(None, description="是否位于农村/乡村")
    serves_minors: bool | None = Field(None, description="服务对象是否包括未成年人")

    def known(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)


FACT_NAMES: frozenset[str] = frozenset(ProjectFacts.model_fields)

# Where the premises are decides whether a project can be licensed there at all: asked first.
LOCATION: frozenset[str] = frozenset(
    {"has_pool", "floor", "in_residential_building", "in_residential_area", "distance_to_school_m", "near_school",
     "near_hospital"}
)  # fmt: skip

# Facts to settle before a lease is signed: asked next when they are unknown.
BEFORE_LEASE: frozenset[str] = frozenset(
    {
        "has_pool", "floor", "in_residential_building", "in_residential_area", "distance_to_school_m", "near_school",
        "near_hospital", "building_use", "has_property_certificate", "property_status", "area_m2", "water_area_m2",
        "has_xray", "has_injection", "has_laser", "has_surgery", "provides_lodging", "serves_food", "rural",
    }
)  # fmt: skip

# Asked when an unknown fact decides whether an item of the plan applies.
FACT_QUESTIONS: dict[str, str] = {
    "area_m2": "经营场所的建筑面积大约多少平方米？",
    "water_area_m2": "游泳池水面面积多大（平方米）？",
    "floor": "场所位于第几层？是否在地下？",
    "in_residential_building": "场所是否在居民楼（住宅楼）内，楼上是否有住户？",
    "in_residential_area": "场所是否位于居民小区内或紧邻居民住宅？",
    "distance_to_school_m": "距离最近的中小学校大约多少米？",
    "near_school": "附近是否有中小学校？",
    "near_hospital": "附近是否有医院？",
    "rooms": "计划设置多少个包间/客房？",
    "beds": "计划设置多少张床位？",
    "seats": "计划设置多少个座位？",
    "computers": "计划设置多少台上网电脑？",
    "dental_chairs": "计划设置几台牙椅？",
    "capacity": "场所最多可容纳多少人？",
    "property_status": "房屋是自有还是租赁？",
    "has_property_certificate": "房屋是否已取得不动产权证（产权证）？",
    "building_use": "房屋的规划用途是什么（商业、住宅、办公、工业）？",
    "has_pool": "是否设置游泳池？",
    "has_xray": "是否配置X光机、CT、牙片机等放射设备？",
    "has_injection": "是否开展注射、输液？",
    "has_laser": "是否开展激光、光电类美容项目？",
    "has_surgery": "是否开展手术类项目？",
    "serves_food": "是否同时提供餐饮？",
    "provides_breakfast": "是否为住客提供早餐？",
    "provides_lodging": "是否提供住宿？",
    "sells_alcohol": "是否销售酒水？",
    "has_elevator": "场所是否使用电梯或自动扶梯？",
    "has_boiler": "是否使用锅炉、压力容器（如热水锅炉、储气罐）？",
    "is_chain_branch": "是否为连锁品牌的分店？",
    "entity_type": "打算以公司还是个体工商户名义经营？",
    "foreign_investment": "是否有外商投资？",
    "rural": "是否位于农村地区？",
    "serves_minors": "服务对象是否包括未成年人？",
}
