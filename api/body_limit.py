"""Request body size limit, enforced before authentication and before anything parses the body.

Starlette's ``RequestBodyLimitMiddleware`` only looks when the body is read (after our credential check) and
answers in English plain text; this one answers a declared ``Content-Length`` over the limit at once, without
calling the app, and stops a body sent without one (chunked) as soon as it passes the limit. Either way the
client gets a 413 with a Chinese JSON message. Paths under ``/documents`` (file uploads) have their own limit.
"""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_message(limit: int) -> str:
    return f"请求体过大：上限为 {limit / 1_000_000:g} MB，请精简内容或分批提交"


class BodyTooLarge(HTTPException):
    """Raised while reading a streamed body; FastAPI passes HTTP errors through its body parsing unchanged."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes

    def limit_for(self, path: str) -> int:
        return self.upload_max_bytes if "/documents" in path else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = json.dumps({"message": too_large_message(limit)}, ensure_ascii=False).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close"), (b"cache-control", b"no-store")]  # fmt: skip
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
