"""Refuse fetching private, loopback, link-local, multicast and reserved addresses (SSRF), unless the host
or a network is allowlisted (BOI_INGEST_FETCH_ALLOWLIST). Every address the host resolves to is checked, and
the fetcher checks again at every redirect.

What this does not stop: a DNS answer that changes between this check and httpx's own resolution (DNS
rebinding). Deployments that must rule that out also filter egress at the network.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from boi_ingest.domain.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (system resolver, off the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


class AddressGuard:
    """Checks a URL's host before it is fetched; `allowlist` holds host names, addresses and CIDRs."""

    def __init__(self, allowlist: Sequence[str] = (), resolver: Resolver = resolve) -> None:
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in (e.strip().lower() for e in allowlist):
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.hosts.add(entry.rstrip("."))
        self._resolve = resolver

    def _allowed(self, ip: IPAddress) -> bool:
        return _is_public(ip) or any(ip in net for net in self.networks if net.version == ip.version)

    async def check(self, url: str) -> None:
        """Raise FetchError if the URL's host is, or resolves to, an address that is not allowed."""
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise FetchError(f"refused {url[:200]}: no host")
        if host in self.hosts:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(f"refused {url[:200]}: {exc}") from None
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%")[0]) for a in await self._resolve(host, port)]
            except OSError as exc:
                raise FetchError(f"could not resolve {host}: {exc}; check the URL") from None
        if not addresses:
            raise FetchError(f"could not resolve {host}; check the URL")
        for ip in addresses:
            if not self._allowed(ip):
                raise FetchError(
                    f"refused {url[:200]}: {host} resolves to {ip}, a private, loopback, link-local, "
                    "multicast or reserved address; if this source is trusted, add the host or its network "
                    "to BOI_INGEST_FETCH_ALLOWLIST"
                )
