"""A bound on expensive work (questions, plans, re-indexing) so cheap requests stay fast under saturation.

Answers and plans are CPU-bound and run in worker threads; without a bound, 45 concurrent questions fill the
thread pool and ``/healthz``, pages and item updates queue behind them for a minute. At most ``concurrency``
expensive requests run at once; up to ``queue`` more wait up to ``wait_s`` seconds for a slot; any beyond that,
or any that waited too long, are told to come back later (503 with ``Retry-After``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request


class Busy(Exception):
    """Every slot is taken and the queue is full, or the wait ran out: 503 with Retry-After."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"服务繁忙：正在处理的问答和方案请求已满，请 {retry_after_s} 秒后重试")
        self.retry_after_s = retry_after_s


class WorkLimiter:
    def __init__(self, concurrency: int, queue: int, wait_s: float, retry_after_s: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._queue = queue
        self._wait_s = wait_s
        self._retry_after_s = retry_after_s
        self._waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the block; raises :class:`Busy` without running it when none comes in time."""
        if self._slots.locked() and self._waiting >= self._queue:
            raise Busy(self._retry_after_s)
        self._waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self._wait_s)
        except TimeoutError:
            raise Busy(self._retry_after_s) from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()


def work_limiter(request: Request) -> WorkLimiter:
    return request.app.state.work


Work = Annotated[WorkLimiter, Depends(work_limiter)]
