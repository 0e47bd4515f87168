"""The project facts that change a plan, and the question to ask when one is unknown.

Requirements and problems in the knowledge base state conditions on these names
(see :class:`kb.schema.Condition`); the profiler in ``assistant/profiling.py`` fills them
from an operator's own words; staff may override any of them.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

PropertyStatus = Literal["自有", "租赁"]
BuildingUse = Literal["商业", "住宅", "工业", "办公", "其他"]
EntityType = Literal["公司", "个体工商户", "民办非企业单位", "其他"]


class ProjectFacts(BaseModel):
    """Facts about a planned project. ``None`` means unknown."""

    model_config = ConfigDict(extra="forbid")

    area_m2: float | None = Field(
        None, ge=0, description="建筑/营业面积（平方米）", json_schema_extra={"unit": "平方米"}
    )
    water_area_m2: float | None = Field(
        None, ge=0, description="游泳池水面面积（平方米）", json_schema_extra={"unit": "平方米"}
    )
    floor: int | None = Field(
        None,
        description="所在楼层（地下为负数，地下一层 = -1）",
        json_schema_extra={"hint": "地下为负数，地下一层填 -1"},
    )
    in_residential_building: bool | None = Field(None, description="是否位于居民楼（住宅楼）内，含楼上有住户的底商")
    in_residential_area: bool | None = Field(None, description="是否位于居民住宅区（小区）内或紧邻")
    distance_to_school_m: float | None = Field(
        None, ge=0, description="与最近的中小学校的距离（米）", json_schema_extra={"unit": "米"}
    )
    near_school: bool | None = Field(None, description="是否紧邻学校（未给出距离时）")
    near_hospital: bool | None = Field(None, description="是否紧邻医院")
    near_government_office: bool | None = Field(
        None, description="是否紧邻党政机关（政府、党委、人大、政协、法院、检察院等机关）"
    )
    rooms: int | None = Field(None, ge=0, description="包间/客房/房间数", json_schema_extra={"unit": "间"})
    beds: int | None = Field(None, ge=0, description="床位数", json_schema_extra={"unit": "张"})
    seats: int | None = Field(None, ge=0, description="座位数", json_schema_extra={"unit": "个"})
    computers: int | None = Field(None, ge=0, description="上网电脑（终端）台数", json_schema_extra={"unit": "台"})
    dental_chairs: int | None = Field(None, ge=0, description="牙椅数", json_schema_extra={"unit": "台"})
    capacity: int | None = Field(None, ge=0, description="可容纳人数", json_schema_extra={"unit": "人"})
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
    has_diving: bool | None = Field(None, description="是否开展潜水项目（含潜水池、气瓶）")
    has_skiing: bool | None = Field(None, description="是否开展滑雪项目")
    has_water_rides: bool | None = Field(None, description="是否设滑道、造浪池等水上游乐设施")
    tcm: bool | None = Field(None, description="是否以中医药服务为主（中医诊所）")
    physician_years: float | None = Field(
        None,
        ge=0,
        description="举办诊所的医师注册后在医疗卫生机构执业的年限",
        json_schema_extra={"unit": "年"},
    )
    sells_prepaid_cards: bool | None = Field(None, description="是否发行会员卡、储值卡等预付卡")
    has_medical_room: bool | None = Field(None, description="是否内设医务室、护理站等医疗机构（医养结合）")
    registered_capital_wan: float | None = Field(None, ge=0, description="注册资本", json_schema_extra={"unit": "万元"})
    lease_years: float | None = Field(None, ge=0, description="营业用房的租期", json_schema_extra={"unit": "年"})
    is_disco: bool | None = Field(None, description="是否为迪厅、夜店类舞厅（不是包间式KTV）")
    fire_special_project: bool | None = Field(
        None, description="是否属于特殊建设工程（施工前须消防设计审查；一般按场所类型和总建筑面积推定）"
    )

    def known(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)


FACT_NAMES: frozenset[str] = frozenset(ProjectFacts.model_fields)

# Where the premises are decides whether a project can be licensed there at all: asked first.
LOCATION: frozenset[str] = frozenset(
    {"has_pool", "floor", "in_residential_building", "in_residential_area", "distance_to_school_m", "near_school",
     "near_hospital", "near_government_office"}
)  # fmt: skip

# Facts to settle before a lease is signed: asked next when they are unknown.
BEFORE_LEASE: frozenset[str] = frozenset(
    {
        "has_pool", "floor", "in_residential_building", "in_residential_area", "distance_to_school_m", "near_school",
        "near_hospital", "near_government_office", "building_use", "has_property_certificate", "property_status", "area_m2", "water_area_m2",
        "has_xray", "has_injection", "has_laser", "has_surgery", "provides_lodging", "serves_food", "rural",
        "physician_years", "lease_years",
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
    "near_government_office": "附近是否有政府、法院等党政机关？",
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
    "has_diving": "是否开展潜水项目（潜水池、气瓶充装）？",
    "has_skiing": "是否开展滑雪项目？",
    "has_water_rides": "是否设置滑道、造浪池等水上游乐设施？",
    "tcm": "是否以中医药服务（中药、针灸、推拿）为主？",
    "physician_years": "举办诊所的医师注册后在医疗机构执业满几年？",
    "sells_prepaid_cards": "是否打算发行会员卡、储值卡（预付卡）？",
    "has_medical_room": "是否内设医务室、护理站等医疗机构，还是与周边医院签约合作？",
    "registered_capital_wan": "注册资本打算定多少万元？",
    "lease_years": "营业用房的租期签几年？",
    "is_disco": "是迪厅、夜店类舞厅，还是包间式KTV？（舞厅选“是”）",
    "fire_special_project": "是否属于须先做消防设计审查的特殊建设工程？",
}

# Facts the product works out from others rather than asks: when one decides an item, the question asked is
# about the fact it comes from (whether a 特殊建设工程 follows from the area of a KTV, so the area is asked).
DERIVED_FROM: dict[str, str] = {"fire_special_project": "area_m2"}

# Known facts that make a question moot: asking it would contradict or repeat what is already known
# ("是否为住客提供早餐？" once 住宿 = 否). ``None`` as the value means "whatever is known".
MOOT_WHEN: dict[str, tuple[tuple[str, object], ...]] = {
    "provides_breakfast": (("provides_lodging", False), ("serves_food", False)),
    "water_area_m2": (("has_pool", False),),
    "near_school": (("distance_to_school_m", None),),
    "in_residential_area": (("in_residential_building", True),),
}


def is_moot(fact: str, facts: ProjectFacts) -> bool:
    """Whether the known facts already answer (or rule out) the question about ``fact``."""
    for other, value in MOOT_WHEN.get(fact, ()):
        known = getattr(facts, other)
        if known is not None and (value is None or known == value):
            return True
    return False


FactKind = Literal["number", "integer", "boolean", "choice"]


class FactForm(BaseModel):
    """How to ask for one fact in a form: label, control kind, unit, allowed values."""

    @property
    def label_with_unit(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label

    name: str
    label: str
    kind: FactKind
    unit: str | None = None
    options: list[str] = Field(default_factory=list)
    hint: str | None = None
    question: str


def _form(name: str) -> FactForm:
    field = ProjectFacts.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    kinds = [arg for arg in get_args(field.annotation) if arg is not type(None)]
    options = [str(o) for kind in kinds for o in get_args(kind)]
    kind: FactKind = "choice" if options else "boolean" if bool in kinds else "integer" if int in kinds else "number"
    label = re.sub(r"（[^）]*）$", "", field.description or name)
    unit, hint = extra.get("unit"), extra.get("hint")
    return FactForm(name=name, label=label, kind=kind, unit=str(unit) if unit else None, options=options,
                    hint=str(hint) if hint else None, question=FACT_QUESTIONS[name])  # fmt: skip


FACT_FORMS: dict[str, FactForm] = {name: _form(name) for name in ProjectFacts.model_fields}

# Words that show a question is about the premises as a whole ("这个铺子能签吗？"): every location fact applies.
SITE_TOPIC = r"签约|签合同|能签|租下|租这|定金|铺子|铺面|门面|位置|地段|地方|选址|房子|场地|能开吗|能不能开|开得了|开不了|这里|这儿"

# Words that ask for the project as a whole to be judged ("以我个人名义办，够条件吗？", "我们这样能拿到许可吗？"):
# every fact the project has applies, so a deal breaker among them is said first.
PROJECT_JUDGED = (
    r"够条件|条件够|够格|符合条件|符不符合|达不达标|(?:我|我们|咱)(?:这样|这种情况|这情况|现在这样|这条件)|"
    r"像我(?:们)?这样|以我(?:个人)?(?:的)?名义|(?:会不会|有没有)(?:什么)?问题"
)

# Words that show a question is about a fact, so that a project chat applies the project's value of it
# ("离学校这么近有问题吗？" is about distance_to_school_m). Regular expressions.
# Equipment that brings in 事项 of its own (放射诊疗许可, 特种设备使用登记): "这台机器" in a project is one of these.
EQUIPMENT = ("has_xray", "has_elevator", "has_boiler")

FACT_TOPICS: dict[str, str] = {
    "distance_to_school_m": r"学校|小学|中学|初中|高中|校门|校园|学生",
    "near_school": r"学校|小学|中学|初中|高中|校门|校园",
    "near_hospital": r"医院",
    "near_government_office": r"机关|政府|法院|检察院|人大|政协|区委|市委",
    "physician_years": r"几年|年限|执业满|干了|工作了|经验|资历",
    "floor": r"楼层|地下|负[一二三四1234]|地下室|几楼|几层|(?:这|那|本|该|一)层|[一二三四五六七八九十\d]+楼|[一二三四五六七八九十\d]+层|楼上|楼下|底商",
    "in_residential_building": r"居民楼|住宅楼|楼上住|住户|居民|底商|单元楼",
    "in_residential_area": r"小区|住宅区|居民区|社区",
    "area_m2": r"面积|平米|平方|多大|规模",
    "water_area_m2": r"水面|泳池面积|池子多大",
    "has_pool": r"泳池|游泳|水池",
    "has_xray": r"拍片|X光|x光|牙片|CT|放射|射线|DR|影像",
    "has_injection": r"注射|打针|输液|针剂|玻尿酸|肉毒|水光",
    "has_laser": r"激光|光子|光电|射频",
    "has_surgery": r"手术|双眼皮|隆鼻|吸脂|开刀",
    "serves_food": r"餐|吃|饭|食品|小吃|饮品|饮料|后厨|厨房|做菜",
    "provides_breakfast": r"早餐|早饭|早点",
    "provides_lodging": r"住宿|过夜|住人|客房",
    "sells_alcohol": r"酒水|卖酒|酒吧",
    "has_elevator": r"电梯|扶梯",
    "has_boiler": r"锅炉|压力容器|储气罐",
    "fire_special_project": r"消防设计|审图|送审|消防审查|审消防|特殊建设工程|消防验收|消防图纸|图纸.{0,6}消防|"
    r"(?:装修|施工|动工|开工)(?:前|之前|以前).{0,8}消防|消防.{0,10}(?:装修|施工|动工|开工)(?:前|之前|以前)",
    "entity_type": r"个体|公司|主体|名义",
    "sells_prepaid_cards": r"预付卡|储值卡|会员卡|充值卡|办卡|充值|次卡|年卡",
    "has_medical_room": r"医务室|护理站|卫生室|医养结合|内设.{0,4}(?:诊所|门诊|医疗)|看病|医疗服务",
    "registered_capital_wan": r"注册资本|注册资金|资本金|出资",
    "lease_years": r"租期|租约|签几年|租多久|租几年|合同.{0,6}(?:年|月)|半年",
    "building_use": r"用途|住宅|房产证|房本|产权证|商住",
    "has_property_certificate": r"房产证|房本|产权证|不动产",
    "rooms": r"包间|包厢|房间|客房",
    "beds": r"床位|床",
    "computers": r"电脑|机器|终端|机位",
    "dental_chairs": r"牙椅",
    "capacity": r"人数|容纳|多少人",
    "serves_minors": r"未成年|孩子|学生|小孩|儿童|青少年",
    "is_chain_branch": r"连锁|分店|加盟",
    "foreign_investment": r"外资|外商",
    "rural": r"农村|村里|乡村",
}
