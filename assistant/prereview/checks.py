"""Checking a read document against the project's plan: findings tied to checklist items, with their basis.

Every legal basis quoted in a finding is taken from the plan itself (the item's own basis, or the validity clause
of the licence the item is a material for); nothing is cited that the knowledge base does not already cite. A
finding is a suggestion to the specialist, who confirms or overrides it: Chubei never approves a document.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from assistant.config import PrereviewConfig
from assistant.models import Citation, GuidanceResponse, RequirementOut
from assistant.prereview.models import KIND_NAMES, MISMATCH, PASSED, PROBLEM, UNREADABLE, Finding
from assistant.prereview.text import CN_NUMBER, normalise, number, years_between

# The words a checklist item's materials (or title) use for a document of each kind.
NEEDS: dict[str, tuple[str, ...]] = {
    "lease": ("租赁合同", "租赁意向书", "租赁协议"),
    "property_certificate": ("不动产权证", "房产权属证书", "产权证明", "房屋登记信息", "产权证"),
    "business_license": ("营业执照",),
    "floor_plan": ("平面图", "平面布局", "平面布置"),
    "qualification": ("救生员", "医师执业", "执业医师", "社会体育指导", "职业资格证书", "职业技能等级证书", "执业证书"),
    "fire": ("消防验收", "消防安全检查", "验收备案", "消防设计", "消防"),
    "health_permit": ("卫生许可证", "卫生许可"),
}
VALIDITY_RE = re.compile(rf"有效期(?:为|是)?(?P<v>{CN_NUMBER})年")
WHAT_CAN_BE_CHECKED = "、".join(name.split("（")[0] for kind, name in KIND_NAMES.items() if kind != "other")


class ReadSummary(BaseModel):
    """What checking needs of a read document."""

    kind: str
    fields: dict[str, str]
    chars: int


class Plan(BaseModel):
    """What checking needs of a project: the plan, the items still in it, and what is known."""

    guidance: GuidanceResponse
    active: set[str]
    facts: dict[str, object]

    @property
    def items(self) -> list[RequirementOut]:
        return [r for r in self.guidance.requirements if r.id in self.active]


def check(read: ReadSummary, requested: str | None, plan: Plan, others: list[ReadSummary], today: date,
          config: PrereviewConfig) -> list[Finding]:  # fmt: skip
    """Findings for one document; ``others`` are the project's other documents (for cross-checks)."""
    if read.chars < config.min_readable_chars:
        target = _target(plan, requested) if requested else None
        wanted = KIND_NAMES[requested] if requested else "材料"
        message = (f"未能读出文字（只识别到 {read.chars} 个字）。请把{wanted}平放在光线充足处正对拍摄，避免反光、倾斜和遮挡，"
                   "或上传原件扫描的 PDF。")  # fmt: skip
        return [Finding(item_id=target.id if target else None, status=UNREADABLE, message=message)]
    if requested and requested != read.kind:
        target = _target(plan, requested)
        seen = "无法确认是哪类材料" if read.kind == "other" else f"上传的是{KIND_NAMES[read.kind]}"
        message = f"{seen}，不是{KIND_NAMES[requested]}；请上传{KIND_NAMES[requested]}。"
        return [Finding(item_id=target.id if target else None, status=MISMATCH, message=message)]
    if read.kind == "other":
        message = (f"未能确认这是哪类材料。可预审的材料有：{WHAT_CAN_BE_CHECKED}；请上传其中一种，"
                   "其他材料请专员人工查看。")  # fmt: skip
        return [Finding(item_id=None, status=MISMATCH, message=message)]
    target = _target(plan, read.kind, read.fields.get("certificate"))
    if target is None:
        message = f"本项目的清单中没有需要{KIND_NAMES[read.kind]}的条目，已保存，请专员确认是否需要。"
        return [Finding(item_id=None, status=MISMATCH, message=message)]
    checks = _Checks(read, plan, others, today, config, target)
    return checks.run()


class _Checks:
    def __init__(self, read: ReadSummary, plan: Plan, others: list[ReadSummary], today: date,
                 config: PrereviewConfig, target: RequirementOut) -> None:  # fmt: skip
        self.read, self.plan, self.others, self.today, self.config = read, plan, others, today, config
        self.target = target
        self.fields = read.fields
        self.findings: list[Finding] = []
        self.passed: dict[str, list[str]] = {}
        self.pass_words: dict[str, tuple[str, ...]] = {}

    def run(self) -> list[Finding]:
        self._use()
        self._floor()
        self._area()
        self._lease_term()
        self._parties()
        self._address()
        self._validity()
        self._holder()
        self._conclusion()
        problems = {finding.item_id for finding in self.findings}
        said = "，".join(self.passed.get(self.target.id, [])) or self._summary()
        if self.target.id not in problems:
            self.findings.insert(
                0, self._pass(self.target, f"已收到{KIND_NAMES[self.read.kind]}（{said}），未发现与方案不符之处")
            )
        for item_id, notes in self.passed.items():
            if item_id not in problems and item_id != self.target.id:
                item = self._item(item_id)
                self.findings.append(self._pass(item, "，".join(notes), self.pass_words.get(item_id)))
        return self.findings

    # -- checks ------------------------------------------------------------------

    def _use(self) -> None:
        use = self.fields.get("building_use")
        if not use:
            return
        bans = [i for i in self.plan.items if "住宅" in i.title and re.search(r"不得|禁止|避开", i.title)]
        use_items = [i for i in self.plan.items if "用途" in i.title and i not in bans]
        planned = self.plan.facts.get("building_use")
        if "住" in use:
            types = "、".join(t.name.split("（")[0] for t in self.plan.guidance.project_types) or "该项目"
            for item in bans:
                self._problem(item, f"红线：材料载明房屋用途为“{use}”，{types}不得设在房屋用途含住宅的建筑内，此处不能办理，请另行选址",
                              red_line=True, words=("住宅",))  # fmt: skip
            if not bans:
                for item in use_items:
                    self._problem(item, f"材料载明房屋用途为“{use}”，与经营项目不符（住改商）；须先向规划部门申请依法变更用途，"
                                        "取得明确答复前不要签约、装修", words=("用途", "使用性质"))  # fmt: skip
            return
        if planned and planned != use:
            for item in use_items:
                self._problem(item, f"材料载明房屋用途为“{use}”，方案按“{planned}”生成；请专员核对并重新生成方案",
                              words=("用途",))  # fmt: skip
            return
        for item in [*bans, *use_items]:
            self.passed.setdefault(item.id, []).append(f"房屋用途为“{use}”，不含住宅，与经营项目相符")
            self.pass_words[item.id] = ("用途", "住宅")

    def _floor(self) -> None:
        floor = _int(self.fields.get("floor"))
        if floor is None:
            return
        planned = _int(self.plan.facts.get("floor"))
        if planned is not None and planned != floor:
            self._problem(self.target, f"材料载明所在楼层为 {_floor_name(floor)}，方案按 {_floor_name(planned)} 生成；"
                                       "楼层决定能否在此经营，请专员核对并重新生成方案")  # fmt: skip
        if floor <= -2:
            for item in self.plan.items:
                if "地下" in item.title and re.search(r"不得|禁止|避开|禁区", item.title):
                    self._problem(item, f"红线：材料载明所在楼层为 {_floor_name(floor)}，属法定禁设楼层，此处不能办理",
                                  red_line=True, words=("地下",))  # fmt: skip

    def _area(self) -> None:
        area = _float(self.fields.get("area_m2"))
        planned = _float(self.plan.facts.get("area_m2"))
        if area is None or planned is None or planned == 0:
            return
        if abs(area - planned) / planned > self.config.area_tolerance:
            self._problem(self.target, f"材料载明建筑面积 {area:g} 平方米，方案按 {planned:g} 平方米生成；"
                                       "面积影响消防审查、核定人数等要求，请专员核对并重新生成方案")  # fmt: skip
        else:
            self.passed.setdefault(self.target.id, []).append(f"建筑面积 {area:g} 平方米与方案一致")

    def _lease_term(self) -> None:
        if self.read.kind != "lease":
            return
        end = _date(self.fields.get("lease_end"))
        start = _date(self.fields.get("lease_start")) or self.today
        years = _float(self.fields.get("lease_years"))
        if end is not None and end < self.today:
            self._problem(self.target, f"租赁合同已于 {end.isoformat()} 到期，请提供在有效期内的租赁合同")
            return
        if end is not None:
            years = years_between(max(start, self.today), end)
        if years is None:
            return
        licence = self._licence_validity()
        if licence is None:
            self.passed.setdefault(self.target.id, []).append(f"租期约 {years:g} 年")
            return
        name, required, basis = licence
        if years < required:
            self._problem(self.target, f"租期（剩余）约 {years:g} 年，短于{name}的有效期 {required:g} 年；许可期内须有合法的经营场所，"
                                       f"建议租期不短于 {required:g} 年或在合同中约定续租", basis=basis)  # fmt: skip
        else:
            self.passed.setdefault(self.target.id, []).append(
                f"租期约 {years:g} 年，不短于{name}的有效期 {required:g} 年"
            )

    def _parties(self) -> None:
        if self.read.kind not in ("lease", "property_certificate"):
            return
        lease = self.read if self.read.kind == "lease" else self._other("lease")
        title = self.read if self.read.kind == "property_certificate" else self._other("property_certificate")
        if lease is None or title is None:
            return
        lessor, owner = lease.fields.get("lessor"), title.fields.get("holder")
        if lessor and owner and not _same_party(lessor, owner):
            self._problem(
                self.target, f"出租方“{lessor}”与不动产权证的权利人“{owner}”不一致；转租的须附产权人同意转租的书面文件"
            )

    def _address(self) -> None:
        mine = self.fields.get("address")
        if not mine or self.read.kind not in ("lease", "property_certificate"):
            return
        other_kind = "property_certificate" if self.read.kind == "lease" else "lease"
        other = self._other(other_kind)
        theirs = other.fields.get("address") if other else None
        if theirs and not _same_address(mine, theirs):
            self._problem(
                self.target, f"坐落“{mine}”与{KIND_NAMES[other_kind]}上的“{theirs}”不一致，请核对是否为同一处房屋"
            )
        elif theirs:
            self.passed.setdefault(self.target.id, []).append(f"坐落与{KIND_NAMES[other_kind]}一致")

    def _validity(self) -> None:
        until = self.fields.get("valid_until")
        expiry = _date(until)
        if expiry is None:
            return
        if expiry < self.today:
            self._problem(self.target, f"{KIND_NAMES[self.read.kind]}已于 {expiry.isoformat()} 过期，请提供在有效期内的证件",
                          words=NEEDS.get(self.read.kind, ()))  # fmt: skip
        else:
            self.passed.setdefault(self.target.id, []).append(f"有效期至 {expiry.isoformat()}")

    def _holder(self) -> None:
        if self.read.kind not in ("business_license", "health_permit", "fire"):
            return
        holder = self.fields.get("holder")
        operator = self._operator()
        if holder and operator and not _same_party(holder, operator[1]):
            self._problem(self.target, f"证件上的单位“{holder}”与本项目经营主体“{operator[1]}”（见{operator[0]}）不一致，"
                                       "不是本项目的证件")  # fmt: skip

    def _conclusion(self) -> None:
        if self.read.kind == "fire" and self.fields.get("conclusion") == "不合格":
            self._problem(self.target, "消防文件的结论为不合格（或不同意），须按意见整改并重新申请，合格前不得投入使用",
                          words=("消防",))  # fmt: skip

    # -- helpers -----------------------------------------------------------------

    def _licence_validity(self) -> tuple[str, float, list[Citation]] | None:
        """The licence the target item is a material for (else the longest-lived in the plan): name, years, basis."""
        permits = self.plan.guidance.permits
        preferred = [p for p in permits if p.id == self.target.permit_id] or list(permits)
        best: tuple[str, float, list[Citation]] | None = None
        for permit in preferred:
            if permit.validity is None:
                continue
            for citation in permit.validity.basis:
                match = VALIDITY_RE.search(normalise(citation.text))
                years = number(match.group("v")) if match else None
                if years and (best is None or years > best[1]):
                    best = (permit.name, years, [citation])
        return best

    def _operator(self) -> tuple[str, str] | None:
        """The project's operating entity as documents name it: the business licence, else the lease's lessee."""
        if self.read.kind == "business_license":
            lease = self._other("lease")
            return (KIND_NAMES["lease"], lease.fields["lessee"]) if lease and lease.fields.get("lessee") else None
        licence = self._other("business_license")
        if licence and licence.fields.get("holder"):
            return KIND_NAMES["business_license"], licence.fields["holder"]
        lease = self._other("lease")
        return (KIND_NAMES["lease"], lease.fields["lessee"]) if lease and lease.fields.get("lessee") else None

    def _other(self, kind: str) -> ReadSummary | None:
        return next((other for other in reversed(self.others) if other.kind == kind), None)

    def _item(self, item_id: str) -> RequirementOut:
        return next(item for item in self.plan.items if item.id == item_id)

    def _summary(self) -> str:
        shown = [f"{name}：{value}" for name, value in self.fields.items() if name in ("holder", "address", "number")]
        return "；".join(shown[:2]) or "已读出文字"

    def _problem(self, item: RequirementOut, message: str, red_line: bool = False, words: tuple[str, ...] = (),
                 basis: list[Citation] | None = None) -> None:  # fmt: skip
        cited = basis if basis is not None else _relevant(item, words)
        self.findings.append(Finding(item_id=item.id, status=PROBLEM, message=message, red_line=red_line, basis=cited))

    def _pass(self, item: RequirementOut, message: str, words: tuple[str, ...] | None = None) -> Finding:
        cited = _relevant(item, words or NEEDS[self.read.kind])
        return Finding(item_id=item.id, status=PASSED, message=message, basis=cited)


def _target(plan: Plan, kind: str, named: str | None = None) -> RequirementOut | None:
    """The checklist item that most plainly asks for a document of ``kind``: its words in the item's materials count
    double, in its title once; the document's own name for itself (救生员) counts most; a material of a licence
    application (an item with a 事项) wins a tie."""
    best: RequirementOut | None = None
    best_score = 0.0
    for item in plan.items:
        materials = "".join(item.materials)
        score = float(sum(2 * (word in materials) + (word in item.title) for word in NEEDS.get(kind, ())))
        if score and named and (named in item.title or named in materials):
            score += 10
        score += 0.5 * bool(score and item.permit_id)
        if score > best_score:
            best, best_score = item, score
    return best


def _relevant(item: RequirementOut, words: tuple[str, ...]) -> list[Citation]:
    """The item's own citations that mention what the finding is about; all of them if none does."""
    chosen = [citation for citation in item.basis if any(word in citation.text for word in words)]
    return chosen or list(item.basis)


def _same_party(a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    return a == b or a in b or b in a


def _same_address(a: str, b: str) -> bool:
    """Addresses agree when one contains the other once province, city and district prefixes are dropped."""

    def core(text: str) -> str:
        return re.sub(r"^(?:山东省)?(?:青岛市)?(?:[\u4e00-\u9fff]{1,3}区)?", "", normalise(text))

    a, b = core(a), core(b)
    return bool(a and b) and (a in b or b in a)


def _floor_name(floor: int) -> str:
    return f"地下{-floor}层" if floor < 0 else f"{floor}层"


def _int(value: object) -> int | None:
    try:
        return int(float(str(value))) if value is not None else None
    except ValueError:
        return None


def _float(value: object) -> float | None:
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and value != "长期" else None
    except ValueError:
        return None
