"""QR codes for operator links (segno: pure Python, PNG and SVG without image libraries).

The quiet zone is the standard four modules: phone cameras and decoders miss codes printed with less.
"""

from __future__ import annotations

import io

import segno

QUIET_ZONE = 4


def qr_png(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


def qr_svg(url: str, scale: int = 6) -> str:
    """An SVG with a viewBox and no fixed size, so that it scales to its box instead of being clipped."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=False, svgns=True, omitsize=True
    )
    return buffer.getvalue().decode("utf-8")
