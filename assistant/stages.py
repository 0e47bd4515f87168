"""When in the 筹备期 an item matters: 签约前必查 / 装修施工前 / 开业前 / 开业后.

An item may say so itself (``stage`` in the knowledge); otherwise the stage follows from what it is:
a red line or a premises rule is checked before the lease, the 事项 it obtains has its own stage,
design, fit-out and equipment rules come before fit-out, staff and hygiene before opening, and the
rules of running the business after opening.
"""

from __future__ import annotations

import re

from kb.schema import Permit, Problem, Requirement, Step

_BEFORE_LEASE = re.compile(r"选址|咨询|预审|签约|租赁合同|看房|位置|周边|禁区|确认是否|是否属于|目录|政策")
_BEFORE_FITOUT = re.compile(
    r"设计|装修|施工|改造|结构|荷载|图纸|材料|防火分隔|隔断|机房|排烟|环评|环境影响|布局|厨房|燃气|气瓶"
)
_AFTER_OPENING = re.compile(
    r"营业时间|不得接纳|禁入|登记(?:上网|住宿)|实名|留存|记录|巡查|年度报告|公示|悬挂|张贴|定期|每年|延续|换证|变更"
)


def stage_of(item: Requirement | Problem | Step, permits: dict[str, Permit]) -> str:
    if item.stage is not None:
        return item.stage
    permit_id = getattr(item, "permit_id", None)
    if permit_id and permit_id in permits:
        return permits[permit_id].stage
    if getattr(item, "red_line", False):
        return "before_lease"
    dimension = getattr(item, "dimension", "其他")
    text = item.title
    if _BEFORE_LEASE.search(text):
        return "before_lease"
    if isinstance(item, Step):
        return "before_fitout" if _BEFORE_FITOUT.search(text) else "before_opening"
    if dimension in ("房产", "主体"):
        return "before_fitout" if _BEFORE_FITOUT.search(text) else "before_lease"
    if dimension in ("消防", "设备", "环保"):
        return "before_fitout" if _BEFORE_FITOUT.search(text) or dimension == "设备" else "before_opening"
    if dimension in ("人员", "卫生"):  # 每年检测并公示 recurs once open; the rest is ready before opening
        return "after_opening" if _AFTER_OPENING.search(text) else "before_opening"
    return "after_opening" if _AFTER_OPENING.search(text) else "before_opening"
