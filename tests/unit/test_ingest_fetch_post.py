"""The fetch adapter sends a source's declared request to a real local HTTP server: POST with its JSON or
form body and headers, the same safety as GET (refused addresses, size cap, retries resending the body,
User-Agent), no conditional GET for a POST, secrets only to the declared origin and never in a log."""

import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from boi_ingest.adapters.fetch import USER_AGENT, FeedFetcher
from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.model import Validators
from boi_ingest.domain.requests import EnvValue, HttpMethod, SourceRequest
from boi_ingest.domain.sources import SourceConfig
from boi_ingest.service.sources import ingest_config
from tests.unit.test_ingest_usecase import FakeStore, Publisher

SECRET = f"key-{uuid.uuid4().hex}"
ANSWER = b'{"errorcode": 0, "data": {"oppHits": []}}'
GRANTS = (
    Path(__file__).resolve().parents[1] / "fixtures/ingest/grants_gov_search2_constructed.json"
).read_bytes()
CAP = 4000
SEARCH = SourceRequest(
    method=HttpMethod.POST,
    body={"keyword": "beca", "oppStatuses": "forecasted|posted", "rows": 100},
    headers={"Accept": "application/json", "X-Api-Key": EnvValue(env="BOI_TEST_GRANTS_KEY")},
)
PLAIN = SourceRequest(method=HttpMethod.POST, body={"keyword": "beca"})


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    port: int


class Handler(BaseHTTPRequestHandler):
    seen: list[Seen] = []
    hits: dict[str, int] = {}
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _record(self) -> int:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Handler.lock:
            port = self.server.server_address[1]
            Handler.seen.append(Seen(self.command, self.path, dict(self.headers), body, int(port)))
            Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
            return Handler.hits[self.path]

    def do_GET(self) -> None:
        self._record()
        if self.path.startswith("/search"):
            self._send(405, b"POST only", Allow="POST")
        else:
            self._send(200, ANSWER, Content_Type="application/json")

    def do_POST(self) -> None:
        hits = self._record()
        if self.path == "/grants/search2":
            self._send(200, GRANTS, Content_Type="application/json", ETag='"g1"')
        elif self.path.startswith("/search"):
            self._send(200, ANSWER, Content_Type="application/json", ETag='"v1"', Last_Modified="x")
        elif self.path.startswith("/flaky-"):  # /flaky-3-<id>: 503 three times, then the answer
            if hits <= int(self.path.split("-")[1]):
                self._send(503, b"busy")
            else:
                self._send(200, ANSWER)
        elif self.path == "/keep":
            self._send(307, b"", Location="/search")
        elif self.path == "/see-other":
            self._send(303, b"", Location="/got")
        elif self.path.startswith("/elsewhere-"):
            self._send(307, b"", Location=f"http://127.0.0.1:{self.path.split('-')[1]}/search")
        elif self.path == "/big":
            self._send(200, b"x" * (CAP + 1))
        elif self.path == "/denied":
            self._send(401, b"wrong key")
        else:
            self._send(404, b"not here")


def _serve() -> tuple[ThreadingHTTPServer, str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    """Two servers: two origins on 127.0.0.1 (different ports)."""
    (one, url), (two, other) = _serve(), _serve()
    yield url, other
    for httpd in (one, two):
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(servers: tuple[str, str]) -> str:
    return servers[0]


@pytest.fixture
async def fetcher() -> AsyncIterator[FeedFetcher]:
    secrets = {"BOI_TEST_GRANTS_KEY": SECRET}.get
    async with FeedFetcher(
        timeout=2.0, max_bytes=CAP, allowlist=["127.0.0.1"], retries=0, secrets=secrets
    ) as fetcher:
        yield fetcher


def last(path: str) -> Seen:
    return [s for s in Handler.seen if s.path == path][-1]


async def test_a_post_carries_its_body_headers_and_user_agent(server: str, fetcher: FeedFetcher) -> None:
    path = f"/search-{uuid.uuid4().hex[:6]}"
    doc = await fetcher.fetch(f"{server}{path}", request=SEARCH)
    assert doc.content == ANSWER and doc.content_type == "application/json"
    seen = last(path)
    assert seen.method == "POST"
    assert json.loads(seen.body) == {"keyword": "beca", "oppStatuses": "forecasted|posted", "rows": 100}
    assert seen.headers["Content-Type"] == "application/json"
    assert (seen.headers["Accept"], seen.headers["X-Api-Key"]) == ("application/json", SECRET)
    assert seen.headers["User-Agent"] == USER_AGENT


async def test_a_post_is_never_conditional(server: str, fetcher: FeedFetcher) -> None:
    path = f"/search-{uuid.uuid4().hex[:6]}"
    doc = await fetcher.fetch(f"{server}{path}", Validators(etag='"v1"', last_modified="x"), SEARCH)
    assert not doc.validators and not doc.not_modified  # the answer's ETag is not kept either
    assert "If-None-Match" not in last(path).headers and "If-Modified-Since" not in last(path).headers


async def test_a_form_is_sent_as_multipart_with_json_parts(server: str, fetcher: FeedFetcher) -> None:
    path = f"/search-{uuid.uuid4().hex[:6]}"
    form = SourceRequest(method=HttpMethod.POST, form={"query": {"bool": {"must": []}}, "languages": ["en"]})
    await fetcher.fetch(f"{server}{path}?apiKey=SEDIA&text=***&pageSize=100&pageNumber=1", request=form)
    seen = [s for s in Handler.seen if s.path.startswith(path)][-1]
    assert seen.method == "POST" and seen.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="query"\r\nContent-Type: application/json\r\n\r\n{"bool": {"must": []}}' in seen.body


async def test_a_get_with_declared_headers(server: str, fetcher: FeedFetcher) -> None:
    asks = SourceRequest(
        headers={"Accept": "application/json", "X-Api-Key": EnvValue(env="BOI_TEST_GRANTS_KEY")}
    )
    await fetcher.fetch(f"{server}/listing.json", request=asks)
    seen = last("/listing.json")
    assert (seen.method, seen.body, seen.headers["Accept"], seen.headers["X-Api-Key"]) == (
        "GET",
        b"",
        "application/json",
        SECRET,
    )


async def test_transient_answers_resend_the_same_post(server: str) -> None:
    path = f"/flaky-2-{uuid.uuid4().hex[:6]}"
    async with FeedFetcher(
        timeout=2.0, max_bytes=CAP, allowlist=["127.0.0.1"], retries=2, backoff=0.01, secrets={}.get
    ) as fetcher:
        doc = await fetcher.fetch(f"{server}{path}", request=PLAIN)
    assert doc.content == ANSWER
    attempts = [s for s in Handler.seen if s.path == path]
    assert [s.method for s in attempts] == ["POST"] * 3 and len({s.body for s in attempts}) == 1


async def test_redirects_keep_or_drop_the_post_and_the_secret(
    servers: tuple[str, str], fetcher: FeedFetcher
) -> None:
    server, other = servers
    await fetcher.fetch(f"{server}/keep", request=SEARCH)  # 307: same method, body and origin
    kept = [s for s in Handler.seen if s.path == "/search"][-1]
    assert kept.method == "POST" and json.loads(kept.body)["keyword"] == "beca"
    assert kept.headers["X-Api-Key"] == SECRET
    await fetcher.fetch(f"{server}/see-other", request=SEARCH)  # 303: a GET without the body
    got = last("/got")
    assert (got.method, got.body) == ("GET", b"") and "Content-Type" not in got.headers
    other_port = int(other.rsplit(":", 1)[1])
    await fetcher.fetch(f"{server}/elsewhere-{other_port}", request=SEARCH)  # 307 to another origin
    moved = [s for s in Handler.seen if s.port == other_port][-1]
    assert moved.method == "POST" and "X-Api-Key" not in moved.headers  # the secret stays home
    assert moved.headers["Accept"] == "application/json"


async def test_same_safety_as_get(server: str, fetcher: FeedFetcher) -> None:
    with pytest.raises(FetchError, match=f"larger than {CAP} bytes"):
        await fetcher.fetch(f"{server}/big", request=SEARCH)
    with pytest.raises(FetchError, match="answered HTTP 401; check the URL"):
        await fetcher.fetch(f"{server}/denied", request=SEARCH)
    async with FeedFetcher(timeout=1.0, max_bytes=CAP, retries=0, secrets={}.get) as strict:
        with pytest.raises(FetchError, match=r"refused .*loopback"):
            await strict.fetch(f"{server}/search", request=PLAIN)
    with pytest.raises(FetchError, match=r"applies to an http\(s\) URL"):
        await fetcher.fetch("grants.json", request=SEARCH)


async def test_the_secret_never_reaches_a_log_or_an_error(
    server: str, fetcher: FeedFetcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    # A service's create_app run earlier in the session (catalog, enrich) sets httpx's own level to WARNING.
    caplog.set_level(logging.DEBUG, logger="httpx")
    errors: list[str] = []
    await fetcher.fetch(f"{server}/search", request=SEARCH)
    for path in ("/denied", "/big", "/nothing"):
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(f"{server}{path}", request=SEARCH)
        errors.append(str(caught.value))
    async with FeedFetcher(timeout=1.0, max_bytes=CAP, allowlist=["127.0.0.1"], retries=0) as unset:
        with pytest.raises(FetchError, match="BOI_TEST_GRANTS_KEY, which is not set") as caught:
            await unset.fetch(f"{server}/search", request=SEARCH)
        errors.append(str(caught.value))
    assert "HTTP Request: POST" in caplog.text  # the logs were captured
    assert SECRET not in caplog.text and not any(SECRET in e for e in errors)


async def test_a_registered_post_source_is_fetched_with_its_request_and_read_by_its_mapping(
    server: str, fetcher: FeedFetcher
) -> None:
    config = SourceConfig(
        id="grants-gov", type="json_api", url=f"{server}/grants/search2", mapping="grants_gov", request=SEARCH
    )
    log: list[str] = []
    store, publish = FakeStore(log), Publisher(log)
    first = await ingest_config(config, fetcher, store, publish)
    assert (first.fetched, first.new, first.errors) == (3, 3, [])
    assert publish.events[0].call.url == "https://www.grants.gov/search-results-detail/359901"
    assert store.fetch_state == {}  # the answer's ETag is not kept for a POST
    again = await ingest_config(config, fetcher, store, publish)
    assert (again.unchanged, again.not_modified) == (3, False)
    posts = [s for s in Handler.seen if s.path == "/grants/search2"]
    assert [s.method for s in posts] == ["POST", "POST"] and "If-None-Match" not in posts[1].headers
    assert json.loads(posts[1].body)["oppStatuses"] == "forecasted|posted"
