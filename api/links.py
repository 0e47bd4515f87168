"""Operator access links: ``/c/<link id>.<signature>``. Unguessable (HMAC-SHA256 with the app secret),
revocable and expiring (state kept in ``access_links``); the token itself is never stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


class LinkSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

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
        digest = hmac.new(self._secret, f"operator-link:{link_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def absolute(url: str, base: str) -> str:
    """Links are relative when no public base URL is configured; make one absolute for a QR code."""
    return url if url.startswith(("http://", "https://")) else base.rstrip("/") + url
