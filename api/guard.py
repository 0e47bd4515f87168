"""Route classes that check the caller before FastAPI reads and parses the request body.

FastAPI reads the body before it resolves any dependency, so a dependency cannot stop a keyless client from
having its body parsed and validated (or a bad operator link from getting a 422 about its body instead of a 401).
These routes authenticate first, count the attempt against the rate limits, and leave the result in
``request.state`` for the ``Staff`` and ``OperatorProject`` dependencies.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from api.auth import authenticate_operator, authenticate_public, authenticate_staff, check_admin

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class StaffRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            request.state.staff = await run_in_threadpool(authenticate_staff, request)
            return await handler(request)

        return guarded


class AdminRoute(APIRoute):
    """Staff routes that only a 管理员 may use: a 专员 gets the 403 before the body is read."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            identity = await run_in_threadpool(authenticate_staff, request)
            request.state.staff = check_admin(identity)
            return await handler(request)

        return guarded


class OperatorRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            token = request.path_params["token"]
            request.state.project_id = await run_in_threadpool(authenticate_operator, request, token)
            return await handler(request)

        return guarded


class PublicRoute(APIRoute):
    """A visitor's request through a public assistant link: the link is checked before the body is read."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            token = request.path_params["token"]
            request.state.public_link = await run_in_threadpool(authenticate_public, request, token)
            return await handler(request)

        return guarded
