"""Errors as clear Chinese JSON, naming the field at fault; never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.dossiers import LinkRejected, NotFound, Refused
from ingest.ocr import OcrBusy
from ingest.uploads import DocumentRejected

log = logging.getLogger(__name__)

FIELD_NAMES = {
    "question": "问题（question）",
    "description": "项目描述（description）",
    "facts": "项目事实（facts）",
    "session_id": "会话编号（session_id）",
    "project_id": "项目编号（project_id）",
    "body": "请求体",
    "file": "文件（file）",
    "kind": "材料类型（kind）",
    "decision": "处理结果（decision）",
    "fields": "采纳的字段（fields）",
}
MESSAGES = {
    "missing": "缺少必填字段",
    "json_invalid": "请求体不是合法的 JSON",
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
    "literal_error": "取值不在允许范围内",
    "extra_forbidden": "不是可识别的字段",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}


def describe(error: dict) -> tuple[str, str]:
    """(field path, Chinese message) for one pydantic error."""
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) or "body"
    message = error.get("msg", "")
    if error.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    else:
        message = MESSAGES.get(error.get("type", ""), "格式不正确")
    return field, message


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [describe(error) for error in exc.errors()]
        text = "；".join(f"{FIELD_NAMES.get(field.split('.')[0], field)}：{message}" for field, message in details)
        return JSONResponse(
            status_code=422,
            content={
                "message": f"请求参数有误：{text}",
                "detail": [{"field": field, "message": message} for field, message in details],
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "请求失败"
        if exc.status_code == 404 and message == "Not Found":
            message = "未找到请求的地址"
        elif exc.status_code == 405:
            message = "不支持该请求方法"
        return JSONResponse(status_code=exc.status_code, content={"message": message}, headers=exc.headers)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"message": str(exc)})

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(status_code=422, content={"message": str(exc)})

    @app.exception_handler(LinkRejected)
    async def link_rejected(request: Request, exc: LinkRejected) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"message": str(exc)})

    @app.exception_handler(DocumentRejected)
    async def document_rejected(request: Request, exc: DocumentRejected) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"message": str(exc)})

    @app.exception_handler(OcrBusy)
    async def ocr_busy(request: Request, exc: OcrBusy) -> JSONResponse:
        return JSONResponse(status_code=503, content={"message": str(exc)}, headers={"Retry-After": "60"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(status_code=500, content={"message": "服务内部错误，请稍后重试或联系管理员"})
