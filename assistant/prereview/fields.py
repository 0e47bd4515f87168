"""Key fields of a document, each with the line it was read from (rule-based, no model).

Certificates are forms: OCR often returns a label ("权利人") and its value ("张三") as two boxes, which reading
order places one after the other. A label standing alone on its line therefore takes the next line as its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from assistant.prereview.models import FIELD_LABELS, ExtractedField
from assistant.prereview.text import CN_NUMBER, normalise, number, parse_date, years_between

Line = tuple[int, str]  # (page, raw text)

_DATE = r"\d{4}[年.\-/]\d{1,2}[月.\-/]\d{1,2}日?"
_STOP = r"[,;。]"
ADDRESS_RE = re.compile(
    r"(?:房屋坐落|坐落|座落|场所地址|经营场所|营业场所|工程地址|住所|地址)(?:于|在|为|:)*(?P<v>[^,;。]+)"
)
ADDRESS_CUT_RE = re.compile(r"(?:的房屋|房屋|建筑面积|面积|用途|规划).*$")
AREA_RE = re.compile(
    r"(?:建筑面积|房屋面积|租赁面积|使用面积|面积)(?:为|约|共|计|:)*(?P<v>\d+(?:\.\d+)?)(?:平方米|平米|[mM]2?)"
)
USE_RE = re.compile(
    r"(?:规划用途|房屋用途|设计用途|用途)(?:(?:为|是|:)+(?P<v>[^,;。:]{1,12})"
    r"|(?P<w>(?:城镇)?(?:商业|住宅|办公|工业|商住|商服|营业)[^,;。:]{0,8}))"
)
FLOOR_LABEL_RE = re.compile(r"(?:所在层次|所在楼层|所在层|楼层)(?::)*(?P<v>-?\d+)")
BASEMENT_RE = re.compile(rf"(?:地下|负)(?P<v>{CN_NUMBER})层")
FLOOR_RE = re.compile(rf"(?<![共总地负])(?:第)?(?P<v>{CN_NUMBER})(?:层|楼)(?!梯|层)")
TERM_RE = re.compile(rf"(?P<a>{_DATE})(?:起)?(?:至|到|~|—|--)(?P<b>{_DATE})")
TERM_YEARS_RE = re.compile(rf"(?:租赁期限|租期|期限)(?:为|:)*(?:共|计)*(?P<v>{CN_NUMBER})年")
LESSOR_RE = re.compile(r"(?:出租方|出租人|甲方)(?:\([^)]*\))?:(?P<v>[^,;:]{2,40})")
LESSEE_RE = re.compile(r"(?:承租方|承租人|乙方)(?:\([^)]*\))?:(?P<v>[^,;:]{2,40})")
HOLDER_LABELS: dict[str, str] = {
    "property_certificate": r"权利人",
    "business_license": r"(?<![位程])名称|经营者",
    "qualification": r"姓名|持证人",
    "health_permit": r"单位名称|(?<![位程])名称",
    "fire": r"建设单位|使用单位|单位名称",
    "lease": r"承租方|承租人",
}
VALID_RE = re.compile(
    rf"(?:有效期(?:限|至)?|营业期限)(?::|为)*(?:自?{_DATE}(?:起)?(?:至|到|~|—|-))?(?P<v>{_DATE}|长期)"
)
CERTIFICATES = ("医师执业证书", "护士执业证书", "救生员", "社会体育指导员", "职业资格证书", "职业技能等级证书")
NUMBER_RES: dict[str, re.Pattern[str]] = {
    "property_certificate": re.compile(r"(?P<v>[^:]{0,16}不动产权第\d+号)"),
    "business_license": re.compile(r"统一社会信用代码:*(?P<v>[0-9A-Z]{18})"),
    "fire": re.compile(r"(?P<v>[^,;:]{0,10}[〔【\[(]?\d{4}[〕】\])]第?\d+号)"),
}
YEAR_BRACKETS_RE = re.compile(r"[〔【\[(（]?(\d{4})[〕】\])）]")
NUMBER_RE = re.compile(r"(?:证书编号|证书号|许可证号|编号|(?<!身份)证号)(?::)*(?P<v>[^,;:]{4,40})")


def extract(kind: str, lines: list[Line]) -> list[ExtractedField]:
    """The fields of a document of ``kind``; a field read nowhere is left out."""
    reader = _Reader(lines)
    fields: list[ExtractedField] = []

    def add(name: str, found: tuple[str, int, str] | None) -> None:
        if found is not None and found[0]:
            value, page, evidence = found
            fields.append(
                ExtractedField(name=name, label=FIELD_LABELS[name], value=value, evidence=evidence, page=page)
            )

    address = None
    if kind in ("lease", "property_certificate", "business_license", "fire", "health_permit", "floor_plan"):
        address = reader.find(ADDRESS_RE, _address)
        add("address", address)
    if kind in ("lease", "property_certificate", "floor_plan"):
        add("building_use", reader.find(USE_RE, _use))
        add("area_m2", reader.find(AREA_RE, lambda m: _decimal(m.group("v"))))
        add("floor", _floor(reader, address))
    if kind == "lease":
        add("lessor", reader.find(LESSOR_RE, _name))
        add("lessee", reader.find(LESSEE_RE, _name))
        term = reader.find(TERM_RE, lambda m: f"{m.group('a')}至{m.group('b')}")
        if term is not None:
            start, end = parse_date(term[0].split("至")[0]), parse_date(term[0].split("至")[1])
            if start and end and end > start:
                add("lease_start", (start.isoformat(), term[1], term[2]))
                add("lease_end", (end.isoformat(), term[1], term[2]))
                years = _decimal(str(years_between(start, end)))
                if years is not None:
                    add("lease_years", (years, term[1], term[2]))
        if not any(field.name == "lease_years" for field in fields):
            add("lease_years", reader.find(TERM_YEARS_RE, lambda m: _decimal(str(number(m.group("v")) or ""))))
    if kind in HOLDER_LABELS and kind != "lease":
        add("holder", reader.labelled(HOLDER_LABELS[kind]))
    if kind in ("property_certificate", "business_license", "qualification", "fire", "health_permit"):
        add("number", reader.find(NUMBER_RES.get(kind, NUMBER_RE), _number))
    if kind in ("business_license", "qualification", "health_permit"):
        add("valid_until", reader.find(VALID_RE, _valid))
    if kind == "qualification":
        add("certificate", reader.first_word(CERTIFICATES))
    if kind == "fire":
        add("conclusion", _conclusion(reader))
    return fields


class _Reader:
    def __init__(self, lines: list[Line]) -> None:
        self.raw = lines
        self.flat = [normalise(text) for _, text in lines]

    def _candidates(self) -> Iterator[tuple[str, int, str]]:
        """Every line alone first; then each line joined with the next (a label whose value is the next box, or a
        sentence wrapped onto the next line), so that evidence is a single line wherever one suffices."""
        for index, text in enumerate(self.flat):
            yield text, *self.raw[index]
        for index, text in enumerate(self.flat[:-1]):
            page, raw = self.raw[index]
            joined = f"{raw} {self.raw[index + 1][1]}"
            yield text + ":" + self.flat[index + 1], page, joined
            yield text + self.flat[index + 1], page, joined

    def find(
        self, pattern: re.Pattern[str], value: Callable[[re.Match[str]], str | None]
    ) -> tuple[str, int, str] | None:
        for text, page, raw in self._candidates():
            for match in pattern.finditer(text):
                found = value(match)
                if found:
                    return found, page, raw.strip()
        return None

    def labelled(self, labels: str) -> tuple[str, int, str] | None:
        pattern = re.compile(rf"(?:^|[^\w])?(?:{labels})(?:\([^)]*\))?:+(?P<v>[^,;:]{{2,40}})")
        return self.find(pattern, _name)

    def first_word(self, words: tuple[str, ...]) -> tuple[str, int, str] | None:
        """The first of ``words`` on the earliest line that has any (the title comes before the body)."""
        for index, text in enumerate(self.flat):
            for word in words:
                if word in text:
                    page, raw = self.raw[index]
                    return word, page, raw.strip()
        return None


def _decimal(text: str) -> str | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return f"{value:g}"


def _number(match: re.Match[str]) -> str | None:
    """A certificate number, with the year brackets OCR reads variously (〔 【 [ （) written as ( )."""
    return YEAR_BRACKETS_RE.sub(r"(\1)", match.group("v").strip(":")) or None


def _address(match: re.Match[str]) -> str | None:
    value = ADDRESS_CUT_RE.sub("", match.group("v")).strip(":")
    return value if re.search(r"\d|路|街|号|区|村|镇", value) and len(value) >= 4 else None


def _use(match: re.Match[str]) -> str | None:
    raw = (match.group("v") or match.group("w") or "").strip(":")
    return use_category(raw)


def use_category(raw: str) -> str | None:
    """商业 / 住宅 / 商住 / 办公 / 工业 from the words a certificate or contract uses."""
    residential = "住" in raw
    commercial = any(word in raw for word in ("商业", "商服", "营业", "商铺", "商用", "门面"))
    if residential and ("商" in raw or commercial):
        return "商住"
    if residential:
        return "住宅"
    if commercial:
        return "商业"
    if "办公" in raw:
        return "办公"
    if any(word in raw for word in ("工业", "厂房", "仓储")):
        return "工业"
    return None


def _floor(reader: _Reader, address: tuple[str, int, str] | None) -> tuple[str, int, str] | None:
    labelled = reader.find(FLOOR_LABEL_RE, lambda m: m.group("v"))
    if labelled is not None:
        return labelled
    sources = [address] if address else []
    for found in sources:
        text = normalise(found[0])
        basement = BASEMENT_RE.search(text)
        if basement and (level := number(basement.group("v"))):
            return str(-int(level)), found[1], found[2]
        above = FLOOR_RE.search(text)
        if above and (level := number(above.group("v"))):
            return str(int(level)), found[1], found[2]
    return reader.find(BASEMENT_RE, lambda m: str(-int(number(m.group("v")) or 0)) if number(m.group("v")) else None)


def _name(match: re.Match[str]) -> str | None:
    value = re.split(r"地址|住所|法定代表人|身份证|统一社会信用代码|联系电话|电话|性别", match.group("v"))[0]
    value = value.strip(":()")
    return value if len(value) >= 2 else None


def _valid(match: re.Match[str]) -> str | None:
    value = match.group("v")
    if value == "长期":
        return value
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None


def _conclusion(reader: _Reader) -> tuple[str, int, str] | None:
    for index, text in enumerate(reader.flat):
        verdict = None
        if re.search(r"不合格|不同意|不予|不符合", text):
            verdict = "不合格"
        elif re.search(r"(?:结论|意见|综上|评定)[^。]*(?:合格|同意|准予|符合)|(?:验收|检查)合格|予以备案|同意", text):
            verdict = "合格"
        if verdict:
            page, raw = reader.raw[index]
            return verdict, page, raw.strip()
    return None
