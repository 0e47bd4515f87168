"""Rate limits per client IP and per credential, with the ``limits`` library; 429 in Chinese with Retry-After.

- every ``POST /staff/login`` counts against the client IP (``login_rate``);
- a wrong staff key, an unknown operator link or a failed login counts against the client IP
  (``auth_failure_rate``); once that budget is spent, no credential from that IP is even checked until the window
  has moved on, so keys and links cannot be guessed at speed;
- each staff key or login session (``staff_rate``) and each operator link (``operator_rate``) has its own budget,
  and so has each client IP across the API (``client_rate``);
- each public assistant link has its own question budgets, stored with the link: ``rate`` for all its visitors
  together and ``visitor_rate`` for each visitor IP (defaults ``public_link_rate`` and ``public_visitor_rate``).

Credentials are counted under a hash, never stored as they are. The client IP is the connecting address; behind a
reverse proxy it comes from ``X-Forwarded-For`` only when the proxy is listed in ``trusted_proxies`` (see
``api/app.py``). Counts live in ``rate_limit_storage`` (memory by default; a Redis URI shares them between
processes).
"""

from __future__ import annotations

import hashlib
import math
import time
from functools import lru_cache

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from chubei.settings import Settings


class RateLimited(Exception):
    """Too many requests: 429 with Retry-After."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(f"{message}，请 {retry_after_s} 秒后再试")
        self.retry_after_s = retry_after_s


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def hashed(credential: str) -> str:
    return hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self._login = parse_many(settings.login_rate)
        self._failures = parse_many(settings.auth_failure_rate)
        self._staff = parse_many(settings.staff_rate)
        self._operator = parse_many(settings.operator_rate)
        self._client = parse_many(settings.client_rate)

    def login(self, ip: str) -> None:
        self._hit(self._login, ("login", ip), "登录尝试过于频繁")

    def before_credentials(self, ip: str) -> None:
        """Refuse to check any credential from an IP that has spent its failure budget."""
        for item in self._failures:
            if not self._limiter.test(item, "failures", ip):
                raise RateLimited("无效的密钥或访问链接尝试过多", self._retry_after(item, ("failures", ip)))

    def failed(self, ip: str) -> None:
        for item in self._failures:
            self._limiter.hit(item, "failures", ip)

    def staff(self, ip: str, credential: str) -> None:
        self._hit(self._client, ("client", ip), "请求过于频繁")
        self._hit(self._staff, ("staff", hashed(credential)), "该工作人员密钥的请求过于频繁")

    def operator(self, ip: str, token: str) -> None:
        self._hit(self._client, ("client", ip), "请求过于频繁")
        self._hit(self._operator, ("operator", hashed(token)), "该访问链接的请求过于频繁")

    def client(self, ip: str) -> None:
        self._hit(self._client, ("client", ip), "请求过于频繁")

    def public_question(self, ip: str, link_id: str, rate: str, visitor_rate: str) -> None:
        """A question through a public link: the visitor's budget on the link first, then the link's own."""
        self._hit(_parsed(visitor_rate), ("public-visitor", link_id, ip), "您的提问过于频繁")
        self._hit(_parsed(rate), ("public", link_id), "该咨询入口的提问已达上限")

    def _hit(self, items: list[RateLimitItem], key: tuple[str, ...], message: str) -> None:
        for item in items:
            if not self._limiter.hit(item, *key):
                raise RateLimited(message, self._retry_after(item, key))

    def _retry_after(self, item: RateLimitItem, key: tuple[str, ...]) -> int:
        stats = self._limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))


@lru_cache(maxsize=256)
def _parsed(rate: str) -> list[RateLimitItem]:
    """A link's limits, parsed once per distinct notation (they were checked when the link was saved)."""
    return parse_many(rate)
