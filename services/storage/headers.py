"""Security headers on every API and web-view response (a pure ASGI middleware, so streamed
responses such as the live stances pass through untouched)."""

from __future__ import annotations

from typing import Any

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    # the web view is plain files from this server: scripts only from here, no framing
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'none'"
    ),
}


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to each HTTP response that does not set them itself."""

    def __init__(self, app: Any):
        self.app = app
        self._raw = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in self._raw if k not in have
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
