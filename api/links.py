"""Operator access links: ``/c/<link id>.<signature>``. Unguessable (HMAC-SHA256 with the app secret),
revocable and expiring (state kept in ``access_links``); the token itself is never stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit


class LinkSigner:
    """Signs link ids for one purpose: an operator link's token never passes as a public link's, nor the reverse."""

    def __init__(self, secret: bytes, purpose: str = "operator-link") -> None:
        self._secret = secret
        self._purpose = purpose

    @staticmethod
    def new_id() -> str:
        return secrets.token_hex(8)

    def token(self, link_id: str) -> str:
        return f"{link_id}.{self._signature(link_id)}"

    def link_id(self, token: str) -> str | None:
        """The link id a token was issued for, or None when the signature does not match."""
        link_id, dot, signature = token.partition(".")
        if not dot or not link_id or len(token) > 120:
            return None
        return link_id if hmac.compare_digest(signature, self._signature(link_id)) else None

    def _signature(self, link_id: str) -> str:
        digest = hmac.new(self._secret, f"{self._purpose}:{link_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def absolute(url: str, base: str) -> str:
    """Links are relative when no public base URL is configured; make one absolute for a QR code."""
    return url if url.startswith(("http://", "https://")) else base.rstrip("/") + url


LOOPBACK_WARNING = (
    "二维码里的地址是本机地址（{host}），{who}的手机打不开。"
    "请把 CHUBEI_PUBLIC_BASE_URL 设为对外地址（如 https://chubei.example.gov.cn）后重新生成链接。"
)


def loopback_warning(url: str, who: str = "经营者") -> str | None:
    """Why ``who``'s phone cannot open this link (it points at this machine), or None when it can."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return LOOPBACK_WARNING.format(host=host, who=who)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return LOOPBACK_WARNING.format(host=host, who=who) if address.is_loopback or address.is_unspecified else None
