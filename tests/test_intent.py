"""What a question asks, in operators' words: the intent decides how the answer is composed."""

from __future__ import annotations

import pytest

from assistant.intent import Intent, detect_intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("坐诊的医生要啥资历？", Intent.CONDITIONS),
        ("申请设置门诊部，什么情况下会不批？", Intent.CONDITIONS),
        ("质量保证金要交多少？", Intent.NUMBER),
        ("申请卫生许可证要交哪些材料？", Intent.MATERIALS),
        ("两个证哪个先到期？", Intent.COMPARISON),
        ("诊所自己的证以外还得额外跑什么？", Intent.LIST),
        ("游泳馆墙上必须挂出来哪些东西？", Intent.LIST),
        ("网吧和KTV离学校的距离要求有什么区别？", Intent.COMPARISON),
        ("幼儿园能不能提前教小学的拼音？", Intent.FEASIBILITY),
        ("申请上网服务经营要满足哪些基本条件？", Intent.CONDITIONS),
        ("开KTV到底要过哪几道硬杠杠？", Intent.CONDITIONS),  # 提前 of a curriculum, not of a deadline
        ("演出要提前几天报批？", Intent.DEADLINE),
        ("酒店八千平，是不是一定得做消防设计审查？", Intent.FEASIBILITY),
        ("执照下来了，是不是就可以开门了？", Intent.FEASIBILITY),
        ("锅炉的使用登记等过了年再办来得及吗？", Intent.DEADLINE),
        ("申请交上去了，审批那边最多能拖几天？", Intent.DEADLINE),
        ("个体户执照当天就能拿吗？", Intent.DEADLINE),
        ("去办卫生许可证得带点啥？", Intent.MATERIALS),
    ],
)
def test_the_intent_of_a_question(question: str, intent: Intent) -> None:
    assert detect_intent(question) == intent
