"""Errors in OpenAI's shape (``{"error": {"message", "type", "param", "code"}}``) with Chinese messages,
so that SDKs raise their usual exceptions (AuthenticationError, BadRequestError, NotFoundError…)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse

from api.openai_compat.schemas import ErrorBody, ErrorDetail

PREFIX = "/v1"
TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}
CODES = {401: "invalid_api_key", 403: "permission_denied", 404: "not_found", 429: "rate_limit_exceeded"}


class OpenAIError(Exception):
    """Raised by the OpenAI-compatible routes; rendered as OpenAI's error body."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code


def is_openai_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_response(status: int, message: str, param: str | None = None, code: str | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:  # fmt: skip
    detail = ErrorDetail(message=message, type=TYPES.get(status, "server_error"), param=param,
                         code=code or CODES.get(status))  # fmt: skip
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(status_code=status, content=ErrorBody(error=detail).model_dump(), headers=headers)
