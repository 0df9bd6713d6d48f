"""Which URLs ingestion may fetch: http/https to public addresses only, unless allowed.

Feed links and URL arguments come from outside; fetched as they are, a feed could make the
ingester read a loopback admin page, the cloud metadata service (169.254.169.254) or an intranet
host, and the API would serve the result back as an article. Every request a fetch makes (the
first and every redirect hop) is checked: the scheme must be http or https and every address the
host resolves to must be globally routable, unless the host, or a network holding the address, is
in ``ingestion.allow_hosts`` (intranet feeds, tests on 127.0.0.1).

Known limit: the check resolves the name, then httpx resolves it again to connect, so a DNS
server that answers differently the second time (DNS rebinding) is not stopped here; bind the
ingester's egress by network policy where that matters (README "Security").
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

import httpx

from stancestream.services.ingestion.errors import Refused

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UrlPolicy:
    """``check(url)`` raises ``Refused`` for a URL outside the policy (see the module doc)."""

    def __init__(self, allow_hosts: Sequence[str] = ()):
        self.hosts: set[str] = set()
        self.networks: list[Network] = []
        for entry in allow_hosts:
            try:
                self.networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                self.hosts.add(entry.strip().lower().rstrip("."))

    def allowed_address(self, addr: Address) -> bool:
        return addr.is_global or any(addr in n for n in self.networks)

    async def check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise Refused(url, f"refused: scheme {parts.scheme or '(none)'!r} (http/https only)")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise Refused(url, "refused: no host")
        if host in self.hosts:
            return
        for addr in await _addresses(host, parts.port):
            if not self.allowed_address(addr):
                raise Refused(
                    url,
                    f"refused: {host} is {_kind(addr)} address {addr}; list it in "
                    "ingestion.allow_hosts to fetch it",
                )

    def hook(self) -> Callable[[httpx.Request], Awaitable[None]]:
        """An httpx request hook: every request of a fetch, redirects included, is checked."""

        async def on_request(request: httpx.Request) -> None:
            await self.check(str(request.url))

        return on_request


async def _addresses(host: str, port: int | None) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port or 80, type=socket.SOCK_STREAM
        )
    except OSError:
        return []  # unresolvable: the fetch itself fails with the resolver's message
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _kind(addr: Address) -> str:
    if addr.is_loopback:
        return "a loopback"
    if addr.is_link_local:
        return "a link-local"
    if addr.is_private:
        return "a private"
    return "a non-public"
