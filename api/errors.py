"""Errors as clear Chinese JSON, naming the field at fault; never a traceback."""

from __future__ import annotations

import errno
import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core import ErrorDetails
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.dossiers import LinkRejected, NotFound, Refused
from api.knowledge_changes import ChangeConflict, ChangeRefused
from api.openai_compat.errors import OpenAIError, error_response, is_openai_path
from api.rate_limit import RateLimited
from api.work_limit import Busy
from ingest.ocr import OcrBusy
from ingest.uploads import DocumentRejected

log = logging.getLogger(__name__)

FIELD_NAMES = {
    "question": "问题（question）",
    "description": "项目描述（description）",
    "facts": "项目事实（facts）",
    "session_id": "会话编号（session_id）",
    "project_id": "项目编号（project_id）",
    "model": "模型（model）",
    "messages": "消息（messages）",
    "stream": "流式输出（stream）",
    "stream_options": "流式选项（stream_options）",
    "n": "回答个数（n）",
    "limit": "每页条数（limit）",
    "offset": "起始位置（offset）",
    "username": "用户名（username）",
    "display_name": "姓名（display_name）",
    "role": "角色（role）",
    "password": "密码（password）",
    "active": "启用状态（active）",
    "label": "密钥用途（label）",
    "q": "搜索词（q）",
    "body": "请求体",
    "file": "文件（file）",
    "kind": "材料类型（kind）",
    "decision": "处理结果（decision）",
    "fields": "采纳的字段（fields）",
    "item": "条目（item）",
    "reason": "修改原因（reason）",
    "note": "审核意见（note）",
    "version": "版本（version）",
    "feedback_id": "反馈编号（feedback_id）",
    "change_id": "修改记录编号（change_id）",
    "item_id": "条目编号（item_id）",
    "status": "状态（status）",
    "allowed_origins": "允许嵌入的网站（allowed_origins）",
    "rate": "该链接的提问上限（rate）",
    "visitor_rate": "每位访客的提问上限（visitor_rate）",
}
MESSAGES = {
    "missing": "缺少必填字段",
    "json_invalid": "不是合法的 JSON",
    "string_type": "应为文本",
    "dict_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "literal_error": "取值不在允许范围内",
    "extra_forbidden": "不是可识别的字段",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}


def describe(error: ErrorDetails) -> tuple[str, str]:
    """(field path, Chinese message) for one pydantic error."""
    if error.get("type") == "json_invalid":
        position = error.get("loc", ("body", 0))[-1]
        return "body", f"请求体不是合法的 JSON（第 {position} 个字符附近有误）"
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) if error.get("type") != "json_invalid" else ""  # its location is a byte offset
    field = field or "body"
    message = error.get("msg", "")
    if error.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    else:
        message = MESSAGES.get(error.get("type", ""), "格式不正确")
    return field, message


def reply(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """``{"message"}``, or OpenAI's error shape on the OpenAI-compatible paths (``/v1/…``)."""
    if is_openai_path(request.url.path):
        return error_response(status, message, headers=headers)
    return JSONResponse(status_code=status, content={"message": message}, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [describe(error) for error in exc.errors()]
        text = "；".join(f"{FIELD_NAMES.get(field.split('.')[0], field)}：{message}" for field, message in details)
        if is_openai_path(request.url.path):  # OpenAI answers a bad body with 400
            param = details[0][0] if details and details[0][0] != "body" else None
            return error_response(400, f"请求参数有误：{text}", param=param)
        return JSONResponse(
            status_code=422,
            content={
                "message": f"请求参数有误：{text}",
                "detail": [{"field": field, "message": message} for field, message in details],
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail: object = exc.detail  # str for Starlette's own errors, anything for FastAPI's HTTPException subclass
        message = detail if isinstance(detail, str) else "请求失败"
        if exc.status_code == 404 and message == "Not Found":
            message = "未找到请求的地址"
        elif exc.status_code == 405:
            message = "不支持该请求方法"
        elif exc.status_code == 400 and message == "There was an error parsing the body":
            message = unparsable_body(exc.__cause__)
        return reply(request, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(OpenAIError)
    async def openai_error(request: Request, exc: OpenAIError) -> JSONResponse:
        return error_response(exc.status, exc.message, param=exc.param, code=exc.code)

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return reply(request, 429, str(exc), headers={"Retry-After": str(exc.retry_after_s)})

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> JSONResponse:
        return reply(request, 503, str(exc), headers={"Retry-After": str(exc.retry_after_s)})

    @app.exception_handler(OSError)
    async def os_error(request: Request, exc: OSError) -> JSONResponse:
        return storage_error(request, exc, STORAGE_ERRNOS.get(exc.errno or 0))

    @app.exception_handler(OperationalError)
    async def database_error(request: Request, exc: OperationalError) -> JSONResponse:
        return storage_error(request, exc, database_failure(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return reply(request, 404, str(exc))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return reply(request, 422, str(exc))

    @app.exception_handler(ChangeRefused)
    async def change_refused(request: Request, exc: ChangeRefused) -> JSONResponse:
        detail = [{"field": field, "message": message} for field, message in exc.problems]
        return JSONResponse(status_code=422, content={"message": f"未通过知识库校验：{exc}", "detail": detail})

    @app.exception_handler(ChangeConflict)
    async def change_conflict(request: Request, exc: ChangeConflict) -> JSONResponse:
        return reply(request, 409, str(exc))

    @app.exception_handler(LinkRejected)
    async def link_rejected(request: Request, exc: LinkRejected) -> JSONResponse:
        return reply(request, exc.status, str(exc))

    @app.exception_handler(DocumentRejected)
    async def document_rejected(request: Request, exc: DocumentRejected) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"message": str(exc)})

    @app.exception_handler(OcrBusy)
    async def ocr_busy(request: Request, exc: OcrBusy) -> JSONResponse:
        return JSONResponse(status_code=503, content={"message": str(exc)}, headers={"Retry-After": "60"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return internal_error(request)


def internal_error(request: Request) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    return reply(request, 500, "服务内部错误，请稍后重试或联系管理员")


def unparsable_body(cause: BaseException | None) -> str:
    """FastAPI's one English message for every body it could not read, told apart by its cause."""
    if isinstance(cause, UnicodeDecodeError):
        return "请求体无法解析：不是 UTF-8 编码的文本，请以 UTF-8 发送 JSON"
    if isinstance(cause, ValueError):
        return "请求体无法解析：表单数据格式不正确"
    return "请求体无法解析：请发送 JSON（Content-Type: application/json）"


# A write that failed for want of space, or because the data directory may not be written.
NO_SPACE = (507, "服务器存储空间不足，本次操作没有保存。请管理员清理数据目录 {data_dir} 所在的磁盘后重试")
READ_ONLY = (503, "数据目录 {data_dir} 不可写（只读或权限不足），本次操作没有保存。请管理员检查该目录的权限和挂载方式")
STORAGE_ERRNOS = {errno.ENOSPC: NO_SPACE, errno.EDQUOT: NO_SPACE, errno.EFBIG: NO_SPACE,
                  errno.EACCES: READ_ONLY, errno.EPERM: READ_ONLY, errno.EROFS: READ_ONLY}  # fmt: skip
SQLITE_FULL, SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN = 13, 8, 3, 14
PG_DISK_FULL = "53100"


def database_failure(exc: OperationalError) -> tuple[int, str] | None:
    """Disk full and read-only errors from SQLite (result codes) and PostgreSQL (SQLSTATE)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary == SQLITE_FULL:
            return NO_SPACE
        if primary in (SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN):
            return READ_ONLY
        return None
    return NO_SPACE if getattr(exc.orig, "sqlstate", None) == PG_DISK_FULL else None


def storage_error(request: Request, exc: Exception, failure: tuple[int, str] | None) -> JSONResponse:
    if failure is None:
        return internal_error(request)
    log.error("storage error on %s: %s", request.url.path, exc)
    status, message = failure
    data_dir = request.app.state.settings.data_dir
    return reply(request, status, message.format(data_dir=data_dir))
