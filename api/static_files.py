"""Fingerprinted /static URLs: a content hash in the query, so browsers may keep a file for a year.

The hashes are computed once when the app starts. A page asks for ``/static/css/base.css?v=<hash>``; a request
whose ``v`` is the file's current hash is answered as immutable, anything else (no ``v``, or an old one from a
page cached before a release) with ``no-cache``, so a stale URL never pins a stale file for a year.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PREFIX = "/static"


class StaticAssets:
    """The content hash of every file under a static directory, read once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hashes = {
            path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }

    def url(self, path: str) -> str:
        """The URL templates use for a static file (``static_url('css/base.css')``); unknown files fail loudly."""
        return f"{PREFIX}/{path}?v={self.hashes[path]}"


class FingerprintedStatic(StaticFiles):
    """StaticFiles that marks a fingerprinted request immutable for ``max_age_s`` seconds."""

    def __init__(self, assets: StaticAssets, max_age_s: int) -> None:
        super().__init__(directory=assets.directory)
        self.assets = assets
        self.max_age_s = max_age_s

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            version = QueryParams(scope.get("query_string", b"")).get("v")
            current = self.assets.hashes.get(Path(path).as_posix())
            fingerprinted = version is not None and version == current
            response.headers["Cache-Control"] = (
                f"public, max-age={self.max_age_s}, immutable" if fingerprinted else "no-cache"
            )
        return response


ASSETS = StaticAssets(Path(__file__).parent / "static")
