"""The error responses each group of routes can return, for the OpenAPI document (all JSON ``ErrorOut``)."""

from __future__ import annotations

from typing import Any

from api.schemas import ErrorOut

# FastAPI's ``responses=``: status code (or a range such as "4XX") to an OpenAPI response object.
Responses = dict[int | str, dict[str, Any]]


def _errors(descriptions: dict[int, str]) -> Responses:
    return {status: {"model": ErrorOut, "description": text} for status, text in descriptions.items()}


_COMMON = {
    400: "请求体无法解析（编码或格式不对）",
    413: "请求体过大",
    422: "参数有误：message 为中文说明，detail 逐个字段说明",
    429: "请求过于频繁（见 Retry-After）",
    500: "服务内部错误",
    503: "服务繁忙（见 Retry-After）或数据目录不可写",
    507: "服务器存储空间不足，操作未保存",
}
HEALTH = _errors({413: _COMMON[413], 500: _COMMON[500]})
STAFF = _errors({**_COMMON, 401: "缺少或无效的工作人员密钥", 404: "项目、事项、条文等不存在"})
ADMIN = _errors(
    {**_COMMON, 401: "缺少或无效的工作人员密钥", 403: "需要管理员权限（专员不能使用）", 404: "账号、密钥等不存在"}
)
REVIEW = {**ADMIN, **_errors({409: "修改已处理，或条目在提交之后已被修改（须按现行版本重新提交）"})}
OPERATOR = _errors({**_COMMON, 401: "访问链接无效", 403: "访问链接已撤销或已过期", 404: "记录不存在"})
PUBLIC = _errors(
    {**_COMMON, 401: "咨询链接无效（或已更换）", 403: "咨询链接已停用，或网站未获准嵌入", 404: "条文或回答不存在"}
)
