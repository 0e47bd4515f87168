"""A bounded OCR queue: a fixed number of worker threads and a cap on waiting jobs.

OCR takes about a second a page on two cores; without a bound, one 50-page scan (or ten phones uploading at once)
would take every core from chat. Jobs beyond the cap are refused at once with :class:`OcrBusy` instead of queueing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class OcrBusy(RuntimeError):
    """Too many documents are waiting to be read; the message is Chinese."""


class OcrQueue:
    def __init__(self, workers: int, max_waiting: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
        self._slots = threading.BoundedSemaphore(workers + max_waiting)

    def submit(self, job: Callable[[], T]) -> Future[T]:
        """Run ``job`` on an OCR worker; OcrBusy when the queue is full."""
        if not self._slots.acquire(blocking=False):
            raise OcrBusy("正在识别的材料较多，请一分钟后再上传")
        future = self._executor.submit(job)
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
