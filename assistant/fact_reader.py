"""Reading project facts from an operator's own words (水面400平, 地下一层, 离小学150米, 房本还没下来…).

Rules are deliberately plain regular expressions: deterministic, explainable (each fact
keeps the words it came from) and easy for staff to extend. A negation just before a
cue (没有泳池, 不做注射) turns a yes-fact into a no.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kb.quantities import NUMBER, parse_number

NEGATION = re.compile(r"(不|没|无|未|非|免|别)[^，。；,;]{0,3}$")
AREA_UNIT = r"(?:平方米|平方|平米|平|㎡|m²|m2|个平方)"
_TOTAL = re.compile(r"共|总|合计")  # 每间两台，一共四十台: the total wins
SCHOOL = r"(?:学校|小学|中学|初中|高中|幼儿园|校园|校门|学校大门)"


@dataclass(frozen=True)
class FactReading:
    fact: str
    value: object
    evidence: str


def read_facts(text: str) -> list[FactReading]:
    """Every fact the text states, first reading of each fact wins."""
    readings: dict[str, FactReading] = {}
    for reader in READERS:
        for reading in reader(text):
            readings.setdefault(reading.fact, reading)
    return list(readings.values())


# -- helpers -------------------------------------------------------------------


def _negated(text: str, start: int) -> bool:
    return bool(NEGATION.search(text[max(0, start - 5) : start]))


def _flag(fact: str, cues: str, negative_cues: str | None = None) -> Callable[[str], list[FactReading]]:
    """A yes/no fact: yes when a cue appears un-negated, no when negated or a negative cue appears."""
    pattern = re.compile(cues, re.I)
    negative = re.compile(negative_cues, re.I) if negative_cues else None

    def read(text: str) -> list[FactReading]:
        if negative is not None and (match := negative.search(text)):
            return [FactReading(fact, False, match.group(0))]
        for match in pattern.finditer(text):
            said = not _negated(text, match.start()) and not _NEGATED_AFTER.match(text, match.end())
            return [FactReading(fact, said, _around(text, match))]
        return []

    return read


# "周边也没有学校和医院", "附近没有学校": a place said not to be there, the negation inside the phrase.
_NOT_THERE = re.compile(r"没|无|不(?!远)")


def _there(text: str, match: re.Match[str]) -> bool:
    return not _negated(text, match.start()) and not _NOT_THERE.search(match.group(0))


def _nearby(fact: str, pattern: str) -> Callable[[str], list[FactReading]]:
    """A place near the premises (医院, 机关): yes when named nearby, no when said not to be there."""
    compiled = re.compile(pattern)

    def read(text: str) -> list[FactReading]:
        match = compiled.search(text)
        return [FactReading(fact, _there(text, match), _around(text, match))] if match else []

    return read


# A thing named, then refused in the same clause: "吃的喝的一概不卖", "拍片的机器先不买", "早饭也不管".
_NEGATED_AFTER = re.compile(
    r"[^，。；,;！？!?]{0,5}?(?:一概|都|全|也|先|暂时|暂)?(?:不|没)(?:卖|提供|做|管|设|供|含|买|配|上|搞|弄)"
)


def _around(text: str, match: re.Match[str], width: int = 6) -> str:
    return text[max(0, match.start() - width) : match.end() + 2].strip("，。；,; ")


def _count(fact: str, *patterns: str) -> Callable[[str], list[FactReading]]:
    """A count: each pattern captures the number as group ``n``."""
    compiled = [re.compile(pattern, re.I) for pattern in patterns]

    def read(text: str) -> list[FactReading]:
        readings = []
        for pattern in compiled:
            for match in pattern.finditer(text):
                value = parse_number(match.group("n"))
                if value is not None:
                    total = bool(_TOTAL.search(text[max(0, match.start() - 3) : match.start("n")]))
                    readings.append((not total, match.start(), FactReading(fact, int(value), match.group(0))))
        return [min(readings, key=lambda r: r[:2])[2]] if readings else []

    return read


# -- areas, floors, distances --------------------------------------------------

_AREA = re.compile(rf"(?P<n>{NUMBER})\s*{AREA_UNIT}")
_WATER = re.compile(r"水面|水域|池面|泳池面积|池子")


def read_areas(text: str) -> list[FactReading]:
    readings: list[FactReading] = []
    for match in _AREA.finditer(text):
        value = parse_number(match.group("n"))
        if value is None:
            continue
        before = text[max(0, match.start() - 8) : match.start()]
        fact = "water_area_m2" if _WATER.search(before) else "area_m2"
        if all(reading.fact != fact for reading in readings):
            readings.append(FactReading(fact, value, _around(text, match)))
    return readings


_BASEMENT = re.compile(r"(?:地下|负|B)\s*(?P<n>[一二三四五六七八九\d])\s*(?:层|楼|F)?", re.I)
_FLOOR = re.compile(rf"(?P<n>{NUMBER})\s*(?:楼|层|F)(?!楼|高|的(?:楼|建筑)|建筑|小楼|房子|别墅)", re.I)
_GROUND = re.compile(r"一楼|首层|底层|临街|沿街|门头房|一层底商|底商")
_TAKEN = re.compile(r"租|开|做|弄|搞|打算|准备|想|我们|整层|看中|盘下")


def _clause_of(text: str, match: re.Match[str]) -> str:
    start = max(text.rfind(mark, 0, match.start()) for mark in "，。；,;")
    ends = [i for i in (text.find(mark, match.end()) for mark in "，。；,;") if i != -1]
    return text[start + 1 : min(ends, default=len(text))]


def read_floor(text: str) -> list[FactReading]:
    if match := _BASEMENT.search(text):
        return [FactReading("floor", -int(parse_number(match.group("n")) or 1), match.group(0))]
    if match := re.search(r"半地下|地下室|地下", text):
        return [FactReading("floor", -1, match.group(0))]
    floors = []
    for match in _FLOOR.finditer(text):
        if re.search(r"共|整栋|整幢|栋|一共", text[max(0, match.start() - 3) : match.start()]):
            continue
        value = parse_number(match.group("n"))
        if value is not None and 1 <= value <= 100:
            floors.append((int(value), match))
    if floors:  # "一楼是门头房，二楼我想整层租下来": the floor taken, not the ones described around it
        value, match = next(((v, m) for v, m in floors if _TAKEN.search(_clause_of(text, m))), floors[0])
        return [FactReading("floor", value, match.group(0))]
    if match := _GROUND.search(text):
        return [FactReading("floor", 1, match.group(0))]
    return []


# "有个小学，走过去也就一百五十米左右": the distance may come in the next clause, said as a walk or a gap.
_HOW_FAR = r"(?:走过去|走路|步行|过去|离|距离?|相距|隔|大概|大约|差不多|也就|不到|约)"
_SCHOOL_DISTANCE = [
    re.compile(rf"{SCHOOL}[^，。；,;]{{0,12}}?(?P<n>{NUMBER})\s*(?:米|m)", re.I),
    re.compile(rf"(?P<n>{NUMBER})\s*(?:米|m)[^，。；,;]{{0,8}}{SCHOOL}", re.I),
    re.compile(
        rf"{SCHOOL}[^，。；,;]{{0,8}}[，,][^，。；,;]{{0,4}}{_HOW_FAR}[^，。；,;]{{0,6}}?(?P<n>{NUMBER})\s*(?:米|m)",
        re.I,
    ),
    # "有所小学，我拿手机地图量了下大概一百三十米": a measured distance in the next clause, naming no other place
    re.compile(
        rf"{SCHOOL}[^，。；,;]{{0,8}}[，,](?![^，。；,;]*(?:医院|政府|机关|地铁|车站|商场|公园|小区))"
        rf"[^，。；,;]{{0,10}}(?:量|测|算|查)[^，。；,;]{{0,8}}?(?P<n>{NUMBER})\s*(?:米|m)",
        re.I,
    ),
]
# Next to it, across the road from it, facing it.
NEARBY = r"(?:旁边|隔壁|对面|斜对面|对过|附近|门口|边上|周边|挨着|紧挨|紧邻|隔(?:一|了)?条(?:马路|街|路|道)|正对)"
_NEAR_SCHOOL = re.compile(rf"{SCHOOL}[^，。；,;]{{0,4}}{NEARBY}|{NEARBY}[^，。；,;]{{0,4}}{SCHOOL}")


def read_school(text: str) -> list[FactReading]:
    """The nearest school decides ("小学350米，不过楼后面五十米就有个幼儿园": 50 m)."""
    distances = [
        (value, match.group(0))
        for pattern in _SCHOOL_DISTANCE
        for match in pattern.finditer(text)
        if (value := parse_number(match.group("n"))) is not None
    ]
    if distances:
        value, evidence = min(distances, key=lambda pair: pair[0])
        return [FactReading("distance_to_school_m", value, evidence), FactReading("near_school", value < 200, evidence)]
    if match := _NEAR_SCHOOL.search(text):
        return [FactReading("near_school", _there(text, match), match.group(0))]
    if match := re.search(rf"(?:远离|离|距)[^，。；,;]{{0,3}}{SCHOOL}[^，。；,;]{{0,3}}(?:很远|较远|挺远)", text):
        return [FactReading("near_school", False, match.group(0))]
    return []


_RESIDENTIAL_BUILDING = re.compile(
    r"居民楼|住宅楼|居住楼|楼上(?:是|有|全是|都是)?(?:住户|居民|人家)|楼上住人|住宅底商|小区底商|商住楼|底商|住宅楼底|单元楼|"
    r"楼上楼下(?:都)?(?:住着|有|是)?(?:人|住户|居民|人家)|"
    r"(?:往上|以上|楼上|上面)[^，。；,;]{0,4}(?:住着|住的是|住了|住)[^，。；,;]{0,2}(?:人家|住户|居民|人)"
)
_NOT_RESIDENTIAL = re.compile(r"商场|购物中心|综合体|写字楼|办公楼|独栋|独立建筑|酒店内|宾馆内|厂房|商业楼")


def read_residential(text: str) -> list[FactReading]:
    readings = []
    if match := _RESIDENTIAL_BUILDING.search(text):
        readings.append(FactReading("in_residential_building", not _negated(text, match.start()), match.group(0)))
    elif match := _NOT_RESIDENTIAL.search(text):
        readings.append(FactReading("in_residential_building", False, match.group(0)))
    if match := re.search(r"小区|住宅区|居民区|社区里|居住区", text):
        readings.append(FactReading("in_residential_area", not _negated(text, match.start()), match.group(0)))
    return readings


_GOVERNMENT = r"(?:政府|党委|区委|市委|人大|政协|法院|检察院|机关|街道办)"
_NEAR_GOVERNMENT = rf"{_GOVERNMENT}[^，。；,;]{{0,4}}{NEARBY}|{NEARBY}[^，。；,;]{{0,8}}{_GOVERNMENT}"


# -- people ----------------------------------------------------------------------

# "在三甲医院干了八年", "执业4年", "当了六年大夫": years of practice, said of a doctor. A clause without a
# medical word ("房子租了五年") says nothing about it.
_MEDICAL_CLAUSE = re.compile(
    r"执业|行医|临床|医生|医师|大夫|坐诊|医院|卫生院|卫生服务中心|医疗机构|诊所|门诊|科室|主治|住院医"
)
_YEARS = re.compile(
    rf"(?:执业|行医|临床|干|做|工作|上班|当|从医|坐诊)[^，。；,;]{{0,6}}?(?:了|过)?\s*(?P<n>{NUMBER})\s*(?:多)?年|"
    rf"(?P<m>{NUMBER})\s*年(?:多)?(?:的)?(?:执业|临床|行医|从医|工作)(?:经验|经历|年限)?"
)

_RULE_WORDS = re.compile(r"要|须|需|得|应当|应该|规定|要求|是不是|是否")
_SHORT_OF = re.compile(r"不到|不满|没满|未满|不足|差")  # 执业不满五年: short of five


def read_physician_years(text: str) -> list[FactReading]:
    for clause in re.split(r"[，。；,;！？!?]", text):
        if not _MEDICAL_CLAUSE.search(clause):
            continue
        for match in _YEARS.finditer(clause):
            if _RULE_WORDS.search(clause[max(0, match.start() - 6) : match.start()]):
                continue  # "要执业满三年对吧": the rule asked about, not the doctor's own years
            value = parse_number(match.group("n") or match.group("m"))
            if value is not None and value <= 60:
                short = _SHORT_OF.search(clause[max(0, match.start() - 2) : match.end()])
                return [FactReading("physician_years", value - 0.5 if short else value, match.group(0))]
    return []


# -- money and terms -----------------------------------------------------------

# "注册资本打算二十万", "拿30万注册个公司", "出资五十万": the capital the operator plans. A number after a rule word
# or a floor ("注册资本要不少于30万吗", "至少三十万") is the rule asked about, not the plan.
_CAPITAL = re.compile(
    rf"(?:注册资本|注册资金|资本金|出资)(?:金额)?(?:打算|准备|计划|想|是|只有|有|就|才|定为?|写|认缴|实缴|为|正好|刚好|大概|约|差不多|一共)*(?:个)?"
    rf"(?P<n>{NUMBER})\s*万|(?P<m>{NUMBER})\s*万(?:元)?(?:的)?(?:注册资本|注册资金|资本金)|(?P<k>{NUMBER})\s*万(?:元)?注册(?:个|一个)?公司"
)
_FLOOR_WORDS = re.compile(r"不少于|不低于|至少|最少|最低|起码|以上|要求|须|得|应当|规定")


def read_capital(text: str) -> list[FactReading]:
    for match in _CAPITAL.finditer(text):
        if _FLOOR_WORDS.search(text[max(0, match.start() - 4) : match.end() + 2]):
            continue
        value = parse_number(match.group("n") or match.group("m") or match.group("k"))
        if value is not None:
            return [FactReading("registered_capital_wan", value, match.group(0))]
    return []


# "租期只签半年", "房东只肯签一年的合同", "合同签了五年", "租了三个月": the term of the lease for the premises.
_LEASE = re.compile(
    rf"(?:租期|租约|租赁合同|合同)(?:只|就|才|是|为|一共|只肯|只愿意|签了?|定了?|打算|准备)*(?P<a>{NUMBER}|半)\s*(?P<ua>年|个月|月)|"
    rf"(?:签|租)(?:了)?(?P<b>{NUMBER}|半)\s*(?P<ub>年|个月)(?:的)?(?:合同|租约|租期)?"
)


def read_lease_years(text: str) -> list[FactReading]:
    for clause in re.split(r"[，。；,;！？!?]", text):
        if not re.search(r"租|合同|房东", clause):
            continue
        for match in _LEASE.finditer(clause):
            if _FLOOR_WORDS.search(clause[max(0, match.start() - 4) : match.end() + 2]):
                continue  # "租期要不少于1年吗": the rule asked about
            amount, unit = (match.group("a"), match.group("ua")) if match.group("a") else (match.group("b"),
                                                                                             match.group("ub"))  # fmt: skip
            value = 0.5 if amount == "半" else parse_number(amount)
            if value is None or (unit == "年" and value > 70):
                continue
            years = value if unit == "年" else value / 12
            return [FactReading("lease_years", round(years, 2), match.group(0))]
    return []


# -- property ------------------------------------------------------------------

_NO_CERTIFICATE = re.compile(
    r"(?:没有|没|无|未取得|还没|尚未|正在办|在办|办理中)[^，。；,;]{0,4}(?:房产证|产权证|房本|不动产权证|不动产证)|"
    r"(?:房产证|产权证|房本|不动产权证|不动产证)[^，。；,;]{0,6}(?:没下来|未下来|还没|没有|没办|未办|在办|正在办|办理中|不全|缺)"
)
_HAS_CERTIFICATE = re.compile(
    r"(?:有|已取得|已办|齐全)[^，。；,;]{0,3}(?:房产证|产权证|房本|不动产权证)|(?:产权证|房本|房产证)齐全"
)


def read_property(text: str) -> list[FactReading]:
    readings = []
    if match := re.search(r"租(?:的|了|赁|下|用|个|一|间|套|块)|承租|房东|租金|月租|年租|转租|租期|共享办公", text):
        readings.append(FactReading("property_status", "租赁", match.group(0)))
    elif match := re.search(r"自有|自己的(?:房|楼|铺|店面|地)|(?:是|归)(?:我|我们|咱们|俺们?)(?:家)?自己(?:家)?的|自己家的|"
                            r"自家|名下|宅基地|自建|自己盖|买的|买了|自购|产权(?:是|归)(?:我|自己)", text):  # fmt: skip
        readings.append(FactReading("property_status", "自有", match.group(0)))
    if match := _NO_CERTIFICATE.search(text):
        readings.append(FactReading("has_property_certificate", False, match.group(0)))
    elif match := _HAS_CERTIFICATE.search(text):
        readings.append(FactReading("has_property_certificate", True, match.group(0)))
    if match := re.search(
        r"住宅(?:改|性质|用途)|(?:房本|房产证|产权证|用途)[^，。；,;]{0,6}(?:写的|写着|登记的?|是)(?:是)?住宅|"
        r"(?:本来|原来)?就是住宅|民房|居民房|自建房|宅基地|住宅楼里|住宅里|家里|(?:一|两|三|四)居室|"
        # a flat (not a shop) in a residential building: "在居民楼里租了两套房子"
        r"(?:居民楼|住宅楼|小区|单元楼)[^，。；,;]{0,8}(?:租|买)[^，。；,;]{0,4}套(?:房子|房|住宅|单元)",
        text,
    ):
        if not _negated(text, match.start()):  # "不在住宅楼里" says nothing of what the premises are
            readings.append(FactReading("building_use", "住宅", match.group(0)))
    elif match := re.search(r"厂房|仓库|工业用地|工业厂房", text):
        readings.append(FactReading("building_use", "工业", match.group(0)))
    elif match := re.search(r"写字楼|办公楼|办公用房", text):
        readings.append(FactReading("building_use", "办公", match.group(0)))
    elif match := re.search(r"商铺|商业用房|门面|门市|商场|购物中心|商业综合体|沿街商铺|底商|门头房", text):
        readings.append(FactReading("building_use", "商业", match.group(0)))
    return readings


# -- entity --------------------------------------------------------------------


def read_entity(text: str) -> list[FactReading]:
    if match := re.search(r"个体户|个体工商户|个体经营", text):
        return [FactReading("entity_type", "个体工商户", match.group(0))]
    if match := re.search(r"民办非企业|民非|社会服务机构", text):
        return [FactReading("entity_type", "民办非企业单位", match.group(0))]
    if match := re.search(
        r"有限公司|公司名义|注册(?:了|好)?(?:一家|个)?公司|公司(?:已经|已)?注册|以公司|集团|股份公司|(?:我们|我|咱们?)公司",
        text,
    ):
        return [FactReading("entity_type", "公司", match.group(0))]
    return []


READERS: list[Callable[[str], list[FactReading]]] = [
    read_areas,
    read_floor,
    read_school,
    read_residential,
    read_property,
    read_entity,
    read_physician_years,
    read_capital,
    _flag("sells_prepaid_cards", r"预付卡|储值卡|会员卡|充值卡|办卡|充值|次卡|年卡|季卡|月卡"),
    read_lease_years,
    _flag(
        "has_medical_room",
        r"医务室|护理站|卫生室|医养结合|(?:内设|附设|设立?|带|配)(?:了|个|一个)?(?:小)?(?:诊所|门诊部?|医疗机构|护理院)",
        r"(?:不设|没有|不带|不搞|不做)[^，。；,;]{0,2}(?:医务室|护理站|卫生室|医疗机构)|(?:和|与|跟)[^，。；,;]{0,8}医院[^，。；,;]{0,4}(?:签约|合作)",
    ),
    _nearby("near_hospital", rf"医院[^，。；,;]{{0,4}}{NEARBY}|{NEARBY}[^，。；,;]{{0,8}}医院"),
    _nearby("near_government_office", _NEAR_GOVERNMENT),
    _count(
        "rooms",
        rf"(?P<n>{NUMBER})\s*(?:个|间)?\s*(?:小|大|豪华|独立)?(?:包间|包厢|包房|客房|房间|间房|套房(?!子)|间客房)",
    ),
    _count("beds", rf"(?P<n>{NUMBER})\s*(?:张|个)?\s*(?:床位|张床)", rf"床位\s*(?P<n>{NUMBER})"),
    _count("seats", rf"(?P<n>{NUMBER})\s*(?:个)?\s*(?:座位|餐位|位子|座)(?!机)"),
    _count(
        "computers",
        rf"(?P<n>{NUMBER})\s*(?:台|个)\s*(?:电脑|机器|机子|主机|机位|终端)",
        rf"(?P<n>{NUMBER})\s*机位",
        rf"(?:一共|总共|共)\s*(?P<n>{NUMBER})\s*台",
    ),
    _count("dental_chairs", rf"(?P<n>{NUMBER})\s*(?:台|张|个)\s*牙椅"),
    _count("capacity", rf"(?:容纳|可坐|能坐|能装|接待)\s*(?P<n>{NUMBER})\s*(?:人|位|名)"),
    _flag(
        "has_pool",
        r"泳池|游泳池|游泳馆|恒温池|儿童池|戏水池|水上乐园|游泳",
        r"(?:不带|不含|没有|不设|无|不建|不做)[^，。；,;]{0,2}(?:泳池|游泳池|游泳)",
    ),
    _flag("has_xray", r"X光|x光|X射线|牙片机|牙片|CBCT|CT|DR|全景机|拍片|放射|射线装置"),
    _flag(
        "has_injection",
        r"注射|打.{0,2}针|输.{0,2}液|点滴|吊瓶|挂水|[^\s，。]{1,2}针剂|玻尿酸|肉毒|瘦脸针|水光针|溶脂针|静脉",
    ),
    _flag("has_laser", r"激光|光子|热玛吉|超声刀|光电|射频|点阵|脱毛|祛斑"),
    _flag("has_surgery", r"手术|动刀|开刀|双眼皮|隆鼻|吸脂|隆胸|拉皮|抽脂|切开|缝合"),
    _flag(
        "serves_food",
        r"餐饮|餐厅|供餐|配餐|食堂|做饭|饭菜|农家饭|管饭|供饭|吃饭|堂食|小吃|卖吃|吃的喝的|零食|点心|果盘|茶点|茶水|"
        r"轻食|简餐|盒饭|快餐|饮料|饮品|奶茶|咖啡|自助餐|餐吧|烧烤|面条|炸串",
    ),
    _flag("has_diving", r"潜水|水肺|自由潜|气瓶"),
    _flag("has_skiing", r"滑雪|雪场|雪道"),
    _flag("has_water_rides", r"滑道|水滑梯|造浪|漂流|水上乐园"),
    _flag("tcm", r"中医|针灸|推拿|中药|艾灸|拔罐|正骨|理疗馆", r"西医|(?<!中医)(?:全科|内科|儿科|妇科|皮肤科)"),
    _flag("is_disco", r"迪厅|迪吧|蹦迪|夜店|迪斯科|舞厅|夜总会"),
    _flag("provides_breakfast", r"早餐|早饭|早点", r"不含早|无早|不带早"),
    _flag("provides_lodging", r"住宿|过夜|留宿|可以住|住一晚|入住|客房|床铺|睡觉|宿舍"),
    _flag("sells_alcohol", r"酒水|卖酒|售酒|啤酒|洋酒|酒吧|红酒"),
    _flag("has_elevator", r"电梯|扶梯|升降机|观光梯"),
    _flag("has_boiler", r"锅炉|压力容器|储气罐|燃气锅炉|热水锅炉|蒸汽|空压机|气瓶"),
    _flag("is_chain_branch", r"连锁|分店|加盟|直营|品牌店|第[二三四五六七八九十\d]+家店|新店"),
    _flag("foreign_investment", r"外资|外商|港资|台资|澳资|中外合资|外国投资|境外投资"),
    _flag("rural", r"农村|乡村|村里|村子|农家|渔家|渔村|山里|村集体|宅基地"),
    _flag(
        "serves_minors",
        r"(?<!大)学生|儿童|少儿|小孩|孩子|小朋友|青少年|未成年|亲子|幼儿|宝宝|"
        # an age under 18 said of someone ("17岁的小姑娘", "十六七的孩子"), not a rule's bound (16岁以下)
        r"(?<![\d一二三四五六七八九十])(?:1[0-7]|十[一二三四五六七]?|十[五六]七|[1-9一二三四五六七八九])\s*周?岁(?!以[上下]|以后|前)",
        r"只(?:做|接|接待|服务|招待|收|对)成年人|成年人的生意|成人专属",
    ),
]
