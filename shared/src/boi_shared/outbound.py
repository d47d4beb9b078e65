"""The one outbound guard (SSRF): every HTTP request BOI makes to an address it was given (feeds, official
links, partner webhooks) goes through `guarded_client`, whose network backend resolves the host ONCE,
refuses it unless every address is public (or allowlisted), and connects to exactly that address. TLS
still verifies and sends SNI for the host name, and the Host header is the URL's. Because the check sits
where the socket is opened, it applies to every redirect hop and every new connection, and a DNS answer
that changes between a check and the connect (DNS rebinding) cannot slip past: there is no second lookup.

Refused: private, loopback, link-local, multicast, reserved, unspecified, CGNAT (100.64.0.0/10),
IPv6 unique-local, and IPv4 addresses embedded in IPv6 (mapped, 6to4, Teredo, NAT64) that are any of those.
`allowlist` (the `BOI_OUTBOUND_ALLOWLIST` setting) holds host names and addresses/CIDRs that are allowed
anyway: local test servers, intranet sources.
"""

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]
ALLOWLIST_SETTING = "BOI_OUTBOUND_ALLOWLIST"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(httpx.ConnectError):
    """The destination is not a public address and is not allowlisted: nothing was sent to it."""


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (system resolver, off the event loop), in the resolver's order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (see the module docstring for what is refused)."""
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        return is_public(inner)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


class Allowlist:
    """Host names and networks that may be reached although not public."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.hosts: set[str] = set()
        self.networks: list[Network] = []
        for entry in (e.strip().lower() for e in entries):
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.hosts.add(entry.rstrip("."))

    def has_host(self, host: str) -> bool:
        return host.rstrip(".").lower() in self.hosts

    def allows(self, ip: IPAddress) -> bool:
        return is_public(ip) or any(ip in net for net in self.networks if net.version == ip.version)


class OutboundGuard:
    """Decides which address a connection to `host` may use: resolve once, check every answer."""

    def __init__(self, allowlist: Sequence[str] = (), resolver: Resolver = system_resolve) -> None:
        self.allowlist = Allowlist(allowlist)
        self._resolve = resolver

    async def addresses(self, host: str, port: int) -> list[str]:
        """The checked addresses to connect to, in order; raises `OutboundRefused`."""
        name = host.strip("[]").rstrip(".").lower()
        try:
            literal: IPAddress | None = ipaddress.ip_address(name)
        except ValueError:
            literal = None
        if literal is not None:
            found = [literal]
        else:
            try:
                found = [ipaddress.ip_address(a) for a in await self._resolve(name, port)]
            except (OSError, ValueError) as exc:
                raise httpx.ConnectError(f"could not resolve {name}: {exc}; check the URL") from None
            if not found:
                raise httpx.ConnectError(f"could not resolve {name}; check the URL")
        if literal is None and self.allowlist.has_host(name):
            return [str(ip) for ip in found]
        for ip in found:
            if not self.allowlist.allows(ip):
                shown = f"{ip}," if literal is not None else f"{name}: it resolves to {ip},"
                raise OutboundRefused(
                    f"refused {shown} a private, loopback, link-local, multicast or reserved address; "
                    f"if this destination is trusted, add it to {ALLOWLIST_SETTING}"
                )
        return [str(ip) for ip in found]


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard returned."""

    def __init__(self, guard: OutboundGuard) -> None:
        self.guard = guard
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.guard.addresses(host, port)
        last: Exception | None = None
        for address in addresses:  # the checked answers only; the host name is never looked up again
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundRefused(f"refused unix socket {path}")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_transport(
    guard: OutboundGuard, *, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through `guard` (no proxies from the environment:
    a proxy would make the connect address the proxy's)."""
    transport = httpx.AsyncHTTPTransport(verify=verify, trust_env=False)
    limits = httpx.Limits()
    # httpx has no parameter for a network backend: build its connection pool the way it does, with ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_GuardedBackend(guard),
    )
    return transport


def guarded_client(
    allowlist: Sequence[str] = (), *, resolver: Resolver = system_resolve, **client_options: Any
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for untrusted destinations; `client_options` go to the client
    (timeout, headers, follow_redirects…). Environment proxies are not used."""
    guard = OutboundGuard(allowlist, resolver)
    return httpx.AsyncClient(transport=guarded_transport(guard), trust_env=False, **client_options)
