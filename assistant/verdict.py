"""能不能: the verdict a yes/no question gets, when the answering sentence settles it.

Only the safe cases are decided: the sentence forbids (不得, 禁止…) or allows only on a condition
(经批准后方可…) an action the question also names, or the answer leads with a 高发问题 — a curated
description of the mistake the question is asking whether it may make. Anything else — a sentence
that already opens with a verdict, a permission, an exception — is left to the sentence itself.
"""

from __future__ import annotations

import re

from kb.lexical import Tokenizer

_OPENS_WITH_VERDICT = re.compile(r"^(?:不能|不可以|不行|不得|可以|能|需要|不需要|要办|不用|无需|必须|应当|须|是|不是)")
_FORBIDS = re.compile(r"(?:不得|禁止|严禁|不能|不可以|不予|不允许)(?P<action>[^，。；,;]{2,30})")
_ONLY_AFTER = re.compile(r"(?:经|取得|办理|报经)[^，。；,;]{0,20}(?:后|之后)方可(?P<action>[^，。；,;]{2,30})|"
                         r"(?:方可|才能|才可以)(?P<action2>[^，。；,;]{2,30})")  # fmt: skip
# "要不要先报审查？" asks about a duty, not a permission: 不得施工 then means 需要, never 不能.
_ASKS_NEED = re.compile(
    r"要不要|需不需要|是否(?:需要|要|必须)|用不用|得不得|必须.{0,8}吗|需要.{0,12}吗|要.{0,10}吗|还得.{0,8}吗|"
    r"(?:也|还|都|是不是)(?:得|要|需要).{0,12}[吗么]|是不是(?:也|还|都)?(?:得|要|需要)"
)
# "行不行", "可以吗": asks for permission to do something (a 高发问题 then says it is the mistake). "会不会有问题",
# "有没有时间限制" do not: a mistake says nothing about them.
_ASKS_PERMISSION = re.compile(
    r"能不能|能否|可不可以|可以吗|可以不|可以吧|能吗|行不行|行吗|行不|行吧|允许|让不让|合规|合法|违规|违法|没问题吧|"
    r"能.{0,10}吗|可以.{0,10}吗|能[^，。；？?]{0,10}不[？?]?$"
)
_DUTY = re.compile(r"应当|必须|须|未经.{0,30}不得|方可|才能")
_NO_DUTY = re.compile(r"无需|不需要|不必|免于|免办|不适用")
_PERMITS = re.compile(r"可以考虑|可以开|可以办|允许|不在禁区|不属于|除外|(?<!不)可以(?:采用|申请|先|直接)")


def verdict(question: str, lead: str, tokenizer: Tokenizer, mistake: bool = False, duty: bool = False) -> str | None:
    """ "不能。" when the lead forbids what the question asks to do; "需要。" when the question asks whether it
    has to (要不要, 需不需要) and the lead makes it a duty; None when it cannot be said safely.
    ``mistake``: the lead describes a 高发问题 (doing it, or skipping the duty, is the mistake); ``duty``: it is a
    requirement the facts stated make apply."""
    if _OPENS_WITH_VERDICT.match(lead.strip()) or _PERMITS.search(lead):
        return None
    if _ASKS_NEED.search(question):
        return "需要。" if (mistake or duty or _DUTY.search(lead)) and not _NO_DUTY.search(lead) else None
    if not _ASKS_PERMISSION.search(question):
        return None  # 不能 answers a request for permission, never "有没有时间限制"
    if mistake:
        return "不能。"
    asked = {t for t in tokenizer.query_tokens(question) if len(t) >= 2}
    for pattern in (_FORBIDS, _ONLY_AFTER):
        for match in pattern.finditer(lead):
            action = match.group("action") if "action" in match.groupdict() and match.group("action") else None
            action = action or match.groupdict().get("action2") or ""
            if asked & set(tokenizer.query_tokens(action)):
                return "不能。"
    return None


def asks_need(question: str) -> bool:
    """Whether the question asks if something has to be done (要不要, 还要送审吗), not whether it may be."""
    return bool(_ASKS_NEED.search(question))
