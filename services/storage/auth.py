"""Optional bearer-token authentication for the API and web view (a pure ASGI middleware).

With ``storage.api_token`` set, every request but ``/health`` (for probes) needs the token: as
``Authorization: Bearer <token>`` (scripts, Prometheus), or as the ``stancestream_token`` cookie
that a browser gets by opening any page once with ``?token=<token>`` (the web view and its live
stream, which cannot send headers). Without a token the API is open, and then it must listen on
loopback only: ``require_token_beyond_loopback`` refuses to start otherwise.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

COOKIE = "stancestream_token"
OPEN_PATHS = frozenset({"/health"})


class TokenRequired(RuntimeError):
    """The API would listen beyond loopback without a token."""


def require_token_beyond_loopback(host: str, token: str | None) -> None:
    """Refuse an open API on a non-loopback address (0.0.0.0, a LAN address, a name)."""
    if token:
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise TokenRequired(
            f"the API would listen on {host} with no token: set STANCESTREAM_STORAGE__API_TOKEN "
            "(clients then send 'Authorization: Bearer <token>'), or bind 127.0.0.1"
        )


class BearerToken:
    """Lets a request through when it carries the token (see the module doc), else 401."""

    def __init__(self, app: Any, token: str):
        self.app = app
        self.token = token.encode()

    def _ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.token)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode(errors="replace") for k, v in scope["headers"]}
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        cookie: SimpleCookie = SimpleCookie()
        with contextlib.suppress(CookieError):  # a malformed Cookie header is no cookie
            cookie.load(headers.get("cookie", ""))
        query = dict(parse_qsl(scope.get("query_string", b"").decode(errors="replace")))
        if self._ok(bearer) or (COOKIE in cookie and self._ok(cookie[COOKIE].value)):
            await self.app(scope, receive, send)
            return
        if self._ok(query.get("token")):  # a browser's first visit: keep it in a cookie
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            where = scope["path"] + (f"?{rest}" if rest else "")
            cookie_value = f"{COOKIE}={self.token.decode()}; HttpOnly; SameSite=Strict; Path=/"
            headers_out = [(b"location", where.encode()), (b"set-cookie", cookie_value.encode())]
            await _respond(send, 303, b"", headers_out)
            return
        await _respond(
            send,
            401,
            b'{"detail":"authentication required: send Authorization: Bearer <token>"}',
            [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
        )


async def _respond(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
