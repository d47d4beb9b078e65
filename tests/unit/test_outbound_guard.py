"""The one outbound guard (SSRF) against real local HTTP servers, through the three callers that use it:
ingest's fetcher, the catalog's link checker and notify's webhook sender.

Two servers run: an "inside" one on 127.0.0.1 (what an attacker wants reached) and an "outside" one on
127.0.0.2 (a stand-in for a public site, allowlisted where a test needs it to be reachable), which
redirects to the inside one. DNS rebinding is simulated by a resolver (socket.getaddrinfo) that answers
a public address first and the inside address afterwards."""

import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from boi_catalog.service.publishing import publish_enriched
from boi_catalog.service.upkeep import check_links
from boi_ingest.adapters.fetch import FeedFetcher
from boi_ingest.domain.errors import FetchError
from boi_notify.adapters.http import HttpxWebhookSender, webhook_client
from boi_notify.domain.delivery import EndpointUnreachable
from tests.unit.catalog_fakes import FakeIndex, FakeRepository
from tests.unit.test_catalog_lifecycle import enriched

NOW = datetime(2026, 11, 24, tzinfo=UTC)
FEED = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
PUBLIC = "93.184.216.34"


@dataclass
class Server:
    host: str
    port: int
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)
    redirect_to: str = ""

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


def _serve(host: str) -> Iterator[Server]:
    box: list[Server] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: bool) -> None:
            server = box[0]
            server.seen.append((self.path, self.headers.get("Host", "")))
            if self.path.startswith("/redirect") and server.redirect_to:
                self.send_response(302)
                self.send_header("Location", server.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            if body:
                self.wfile.write(FEED)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._answer(True)

    httpd = ThreadingHTTPServer((host, 0), Handler)
    httpd.daemon_threads = True
    box.append(Server(host, httpd.server_address[1]))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield box[0]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def inside() -> Iterator[Server]:
    yield from _serve("127.0.0.1")


@pytest.fixture
def outside(inside: Server) -> Iterator[Server]:
    for server in _serve("127.0.0.2"):
        server.redirect_to = inside.url("/secret")
        yield server


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch, outside: Server) -> str:
    """`portal.test` answers a public address the first time it is looked up, then 127.0.0.2."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host  # anyio asks with IDNA bytes
        if name != "portal.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = PUBLIC if len(lookups) == 1 else outside.host
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return outside.url("/redirect", host="portal.test")


# --- holes that were open before the shared guard (each failed on 0413950) -------------------------


async def test_ingest_never_connects_to_a_rebound_address(
    rebinding: str, inside: Server, outside: Server
) -> None:
    async with FeedFetcher(timeout=1.0, max_bytes=10_000, retries=0) as fetcher:
        with pytest.raises(FetchError):
            await fetcher.fetch(rebinding)
    assert outside.seen == [] and inside.seen == []


async def test_link_checker_never_reaches_an_internal_address(rebinding: str, inside: Server) -> None:
    repo, index = FakeRepository(), FakeIndex()
    event = enriched(1, review=False)
    event = event.model_copy(update={"call": event.call.model_copy(update={"url": rebinding})})
    await publish_enriched(event, repo, index, "https://boi.example.org")
    await check_links(repo, index, now=NOW, link_timeout=1.0)
    assert inside.seen == []


async def test_webhooks_to_a_name_of_a_loopback_address_are_refused(inside: Server) -> None:
    async with webhook_client(1.0) as client:
        with pytest.raises(EndpointUnreachable, match="refused"):
            await HttpxWebhookSender(client, 1.0).post(inside.url("/hook", host="localhost"), b"{}", {})
    assert inside.seen == []


# --- the guard itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        (PUBLIC, True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.5", False),
        ("169.254.169.254", False),  # cloud metadata endpoint
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),
        ("100.64.0.1", False),  # CGNAT
        ("192.0.2.1", False),  # documentation
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),  # unique local
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    from boi_shared.outbound import is_public

    assert is_public(ipaddress.ip_address(address)) is public


async def test_every_resolved_address_is_checked_and_only_those_are_used(inside: Server) -> None:
    from boi_shared.outbound import guarded_client

    table = {"feeds.example": ["127.0.0.1"], "mixed.example": [PUBLIC, "10.0.0.1"]}

    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]

    async with guarded_client(resolver=resolve, timeout=1.0) as strict:
        for host in ("feeds.example", "mixed.example"):
            with pytest.raises(httpx.ConnectError, match="refused"):
                await strict.get(inside.url("/", host=host))
        with pytest.raises(httpx.ConnectError, match=r"could not resolve nowhere\.example"):
            await strict.get("http://nowhere.example/")
    async with guarded_client(["127.0.0.0/8"], resolver=resolve, timeout=1.0) as allowed:
        # connected to the address the guard resolved (the system resolver does not know this name),
        # with the URL's host in the Host header
        assert (await allowed.get(inside.url("/pinned", host="feeds.example"))).content == FEED
    assert inside.seen == [("/pinned", f"feeds.example:{inside.port}")]


async def test_allowlist_takes_hosts_and_networks() -> None:
    from boi_shared.outbound import OutboundGuard, OutboundRefused

    table = {"intranet.example": ["10.0.0.7"], "other.example": ["10.9.0.1"]}

    async def resolve(host: str, port: int) -> list[str]:
        return table[host]

    guard = OutboundGuard(["intranet.example", "10.8.0.0/16", " "], resolve)
    assert await guard.addresses("intranet.example", 80) == ["10.0.0.7"]
    assert await guard.addresses("10.8.3.4", 80) == ["10.8.3.4"]
    with pytest.raises(OutboundRefused, match=r"other\.example: it resolves to 10\.9\.0\.1"):
        await guard.addresses("other.example", 80)


async def test_allowlist_by_host_name(inside: Server) -> None:
    from boi_shared.outbound import guarded_client

    async with guarded_client(["localhost"], timeout=1.0) as client:
        assert (await client.get(inside.url("/by-name", host="localhost"))).status_code == 200
        with pytest.raises(httpx.ConnectError, match=r"refused 127\.0\.0\.1"):
            await client.get(inside.url("/by-address"))


async def test_a_redirect_to_an_internal_address_is_refused_by_every_caller(
    outside: Server, inside: Server
) -> None:
    from boi_shared.outbound import guarded_client

    allow_outside = [f"{outside.host}/32"]
    async with guarded_client(allow_outside, timeout=1.0, follow_redirects=True) as client:
        assert (await client.get(outside.url("/plain"))).status_code == 200
        with pytest.raises(httpx.ConnectError, match=r"refused 127\.0\.0\.1"):
            await client.get(outside.url("/redirect"))
    async with FeedFetcher(timeout=1.0, max_bytes=10_000, retries=0, allowlist=allow_outside) as fetcher:
        assert (await fetcher.fetch(outside.url("/feed"))).content == FEED
        with pytest.raises(FetchError, match=r"refused 127\.0\.0\.1.*BOI_OUTBOUND_ALLOWLIST"):
            await fetcher.fetch(outside.url("/redirect"))

    repo, index = FakeRepository(), FakeIndex()
    ids = {}
    for n, path in enumerate(("/plain", "/redirect")):
        event = enriched(n, review=False)
        event = event.model_copy(update={"call": event.call.model_copy(update={"url": outside.url(path)})})
        await publish_enriched(event, repo, index, "https://boi.example.org")
        ids[path] = event.call_id
    results = await check_links(repo, index, now=NOW, link_timeout=1.0, allowlist=allow_outside)
    assert results == {ids["/plain"]: "ok", ids["/redirect"]: "unchecked"}
    assert inside.seen == []


async def test_allowlisted_webhook_endpoints_are_delivered(inside: Server) -> None:
    async with webhook_client(1.0, allowlist=["127.0.0.1"]) as client:
        assert await HttpxWebhookSender(client, 1.0).post(inside.url("/hook"), b"{}", {}) == 200
    assert [path for path, _ in inside.seen] == ["/hook"]
