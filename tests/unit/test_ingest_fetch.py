"""The fetch adapter against a real local HTTP server and real files: size cap, time budget, errors,
conditional GET, retries with backoff, the per-host limit, refused addresses and file roots."""

import asyncio
import gzip
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from boi_ingest.adapters.fetch import USER_AGENT, FeedFetcher
from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.model import Validators

FEED = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
CAP = 1000
LAST = "Wed, 21 Oct 2026 07:28:00 GMT"


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []
    hits: dict[str, int] = {}
    in_flight = 0
    max_in_flight = 0
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        with Handler.lock:
            Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
            hits = Handler.hits[self.path]
        if self.path == "/cached.xml":
            if self.headers.get("If-None-Match") == '"v1"' or self.headers.get("If-Modified-Since") == LAST:
                self._send(304, b"")
            else:
                self._send(200, FEED, ETag='"v1"', Last_Modified=LAST)
        elif self.path.startswith("/flaky-"):  # /flaky-503-2: answers 503 twice, then the feed
            _, status, failures = self.path.split("-")[:3]
            if hits <= int(failures):
                self._send(int(status), b"busy", Retry_After="0")
            else:
                self._send(200, FEED)
        elif self.path.startswith("/held"):
            with Handler.lock:
                Handler.in_flight += 1
                Handler.max_in_flight = max(Handler.max_in_flight, Handler.in_flight)
            time.sleep(0.2)
            with Handler.lock:
                Handler.in_flight -= 1
            self._send(200, FEED)
        elif self.path == "/truncated":  # promises more than it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Length", "500")
            self.end_headers()
            self.wfile.write(FEED[:30])
            self.close_connection = True
        elif self.path == "/to-private":
            self._send(302, b"", Location=f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml")
        elif self.path == "/feed.xml":
            self._send(200, FEED, Content_Type="application/rss+xml; charset=utf-8")
        elif self.path == "/moved":
            self._send(302, b"", Location="/feed.xml")
        elif self.path == "/declared-big":
            self.send_response(200)
            self.send_header("Content-Length", str(CAP * 10))
            self.end_headers()
        elif self.path == "/undeclared-big":  # no Content-Length: read until the connection closes
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * CAP * 5)
            self.close_connection = True
        elif self.path == "/gzip-bomb":
            self._send(200, gzip.compress(b"\0" * CAP * 100), Content_Encoding="gzip")
        elif self.path == "/slow":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(40):  # drips one byte every 0.1 s: each read is "on time"
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            self.close_connection = True
        else:
            self._send(404, b"not here")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
async def fetcher() -> AsyncIterator[FeedFetcher]:
    async with FeedFetcher(timeout=1.0, max_bytes=CAP, allowlist=["127.0.0.1"], retries=0) as f:
        yield f


async def test_http_feed_is_fetched_with_an_identifying_user_agent(server: str, fetcher: FeedFetcher) -> None:
    doc = await fetcher.fetch(f"{server}/feed.xml")
    assert doc.content == FEED
    assert doc.content_type == "application/rss+xml; charset=utf-8"
    assert doc.base_url == f"{server}/feed.xml"
    assert Handler.seen_agents[-1] == USER_AGENT == "BOI-ingest/0.1 (+https://github.com/boi)"


async def test_redirects_are_followed_and_the_final_url_is_the_base(
    server: str, fetcher: FeedFetcher
) -> None:
    doc = await fetcher.fetch(f"{server}/moved")
    assert doc.content == FEED and doc.base_url == f"{server}/feed.xml"


@pytest.mark.parametrize("path", ["/declared-big", "/undeclared-big", "/gzip-bomb"])
async def test_bodies_over_the_cap_are_refused(server: str, fetcher: FeedFetcher, path: str) -> None:
    with pytest.raises(FetchError, match=f"larger than {CAP} bytes.*BOI_MAX_BODY_BYTES"):
        await fetcher.fetch(f"{server}{path}")


async def test_http_errors_and_time_budget(server: str, fetcher: FeedFetcher) -> None:
    with pytest.raises(FetchError, match="answered HTTP 404; check the URL"):
        await fetcher.fetch(f"{server}/nothing")
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 1s"):
        await fetcher.fetch(f"{server}/slow")
    assert time.monotonic() - started < 3.0


async def test_unreachable_host_is_a_fetch_error(fetcher: FeedFetcher) -> None:
    with pytest.raises(FetchError, match=re.escape("could not fetch http://127.0.0.1:9/feed")):
        await fetcher.fetch("http://127.0.0.1:9/feed")


async def test_local_files(tmp_path: Path, fetcher: FeedFetcher) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(FEED)
    assert (await fetcher.fetch(str(feed))).content == FEED
    with pytest.raises(FetchError, match="file:// URLs are not accepted"):
        await fetcher.fetch(feed.as_uri())
    with pytest.raises(FetchError, match="no such file"):
        await fetcher.fetch(str(tmp_path / "missing.xml"))
    with pytest.raises(FetchError, match="not a regular file"):
        await fetcher.fetch(str(tmp_path))
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * (CAP + 1))
    with pytest.raises(FetchError, match="larger than"):
        await fetcher.fetch(str(big))
    with pytest.raises(FetchError, match="unsupported source 'ftp://"):
        await fetcher.fetch("ftp://example.org/feed.xml")


async def test_conditional_get_remembers_etag_and_last_modified(server: str, fetcher: FeedFetcher) -> None:
    first = await fetcher.fetch(f"{server}/cached.xml")
    assert first.content == FEED and not first.not_modified
    assert (first.validators.etag, first.validators.last_modified) == ('"v1"', LAST)
    again = await fetcher.fetch(f"{server}/cached.xml", first.validators)
    assert again.not_modified and again.content == b"" and again.validators == first.validators
    only_date = await fetcher.fetch(f"{server}/cached.xml", Validators(last_modified=LAST))
    assert only_date.not_modified


@pytest.mark.parametrize(("status", "failures"), [(503, 2), (429, 1), (500, 1)])
async def test_transient_answers_are_retried_with_backoff(server: str, status: int, failures: int) -> None:
    path = f"/flaky-{status}-{failures}-{uuid.uuid4().hex[:6]}"
    async with FeedFetcher(
        timeout=1.0, max_bytes=CAP, allowlist=["127.0.0.1"], retries=2, backoff=0.01
    ) as fetcher:
        assert (await fetcher.fetch(f"{server}{path}")).content == FEED
    assert Handler.hits[path] == failures + 1


async def test_retries_give_up_with_the_last_reason(server: str) -> None:
    path = f"/flaky-503-9-{uuid.uuid4().hex[:6]}"
    async with FeedFetcher(
        timeout=1.0, max_bytes=CAP, allowlist=["127.0.0.1"], retries=2, backoff=0.01
    ) as fetcher:
        with pytest.raises(FetchError, match=r"answered HTTP 503; try again later \(after 3 attempts\)"):
            await fetcher.fetch(f"{server}{path}")
    assert Handler.hits[path] == 3


async def test_a_404_is_not_retried(server: str) -> None:
    path = f"/missing-{uuid.uuid4().hex[:6]}"
    async with FeedFetcher(timeout=1.0, max_bytes=CAP, allowlist=["127.0.0.1"], retries=3) as fetcher:
        with pytest.raises(FetchError, match="HTTP 404"):
            await fetcher.fetch(f"{server}{path}")
    assert Handler.hits[path] == 1


async def test_requests_to_one_host_are_limited(server: str) -> None:
    Handler.max_in_flight = 0
    async with FeedFetcher(timeout=5.0, max_bytes=CAP, allowlist=["127.0.0.1"], per_host=2) as fetcher:
        docs = await asyncio.gather(*(fetcher.fetch(f"{server}/held-{i}") for i in range(6)))
    assert all(d.content == FEED for d in docs)
    assert Handler.max_in_flight == 2


async def test_truncated_answer_is_a_clear_error(server: str, fetcher: FeedFetcher) -> None:
    with pytest.raises(FetchError, match="was cut off before its end"):
        await fetcher.fetch(f"{server}/truncated")


async def test_loopback_is_refused_unless_allowlisted(server: str) -> None:
    async with FeedFetcher(timeout=1.0, max_bytes=CAP) as strict:
        with pytest.raises(FetchError, match=r"refused 127\.0\.0\.1, a private.*BOI_OUTBOUND_ALLOWLIST"):
            await strict.fetch(f"{server}/feed.xml")
        with pytest.raises(FetchError, match=r"refused localhost: it resolves to 127\.0\.0\.1"):
            await strict.fetch(server.replace("127.0.0.1", "localhost") + "/feed.xml")


async def test_a_redirect_to_a_private_address_is_refused(server: str) -> None:
    # The first hop is allowed by host name; the redirect goes to an address that is not.
    async with FeedFetcher(timeout=1.0, max_bytes=CAP, allowlist=["localhost"]) as fetcher:
        with pytest.raises(FetchError, match=r"refused 127\.0\.0\.1"):
            await fetcher.fetch(server.replace("127.0.0.1", "localhost") + "/to-private")
        assert (await fetcher.fetch(server.replace("127.0.0.1", "localhost") + "/feed.xml")).content == FEED


async def test_local_files_only_under_the_configured_roots(tmp_path: Path) -> None:
    root, outside = tmp_path / "feeds", tmp_path / "private"
    root.mkdir()
    outside.mkdir()
    (root / "ok.xml").write_bytes(FEED)
    (outside / "secret.xml").write_bytes(b"secret")
    (root / "link.xml").symlink_to(outside / "secret.xml")
    async with FeedFetcher(timeout=1.0, max_bytes=CAP, file_roots=[root]) as fetcher:
        assert (await fetcher.fetch(str(root / "ok.xml"))).content == FEED
        for escaping in (outside / "secret.xml", root / ".." / "private" / "secret.xml", root / "link.xml"):
            with pytest.raises(FetchError, match="read only from BOI_INGEST_FILE_ROOTS") as caught:
                await fetcher.fetch(str(escaping))
            assert "secret" not in str(caught.value).replace("secret.xml", "")
        with pytest.raises(FetchError, match="file:// URLs are not accepted"):
            await fetcher.fetch((root / "ok.xml").as_uri())
