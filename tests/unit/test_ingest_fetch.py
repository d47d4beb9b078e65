"""The fetch adapter against a real local HTTP server and real files: size cap, time budget, errors."""

import gzip
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from boi_ingest.adapters.fetch import USER_AGENT, FeedFetcher
from boi_ingest.domain.errors import FetchError

FEED = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
CAP = 1000


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []

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
        if self.path == "/feed.xml":
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
    async with FeedFetcher(timeout=1.0, max_bytes=CAP) as f:
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
    assert (await fetcher.fetch(feed.as_uri())).content == FEED
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
