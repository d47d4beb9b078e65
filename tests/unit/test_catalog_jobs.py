"""The link-health job against a local HTTP server: broken links enter the review queue, only http(s)
links are fetched, and private addresses are never fetched unless allowed."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from boi_catalog.service import curation
from boi_catalog.service.publishing import publish_enriched
from boi_catalog.service.upkeep import check_links
from tests.unit.catalog_fakes import FakeIndex, FakeRepository
from tests.unit.test_catalog_lifecycle import enriched

NOW = datetime(2026, 11, 24, tzinfo=UTC)


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        if self.path.startswith("/no-head"):
            self.send_response(405)
        else:
            self.send_response(200 if self.path.startswith("/ok") else 404)
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


async def test_broken_links_are_marked_for_review(server: str) -> None:
    repo, index = FakeRepository(), FakeIndex()
    urls = {"ok": f"{server}/ok", "gone": f"{server}/gone", "nohead": f"{server}/no-head", "js": "ftp://x/y"}
    ids = {}
    for n, (name, url) in enumerate(urls.items()):
        event = enriched(n, review=False)
        event = event.model_copy(update={"call": event.call.model_copy(update={"url": url})})
        await publish_enriched(event, repo, index, "https://boi.example.org")
        ids[name] = event.call_id

    blocked = await check_links(repo, index, now=NOW)
    assert set(blocked.values()) == {"unchecked"}  # loopback is never fetched by default

    results = await check_links(repo, index, now=NOW, allowlist=["127.0.0.1"], concurrency=2)
    assert results == {ids["ok"]: "ok", ids["gone"]: "broken", ids["nohead"]: "ok", ids["js"]: "unchecked"}
    gone = await repo.get(ids["gone"])
    assert gone is not None and gone.link_status == "broken" and "enlace_roto" in gone.review_reasons
    queue = await curation.review_queue(repo, limit=10, offset=0)
    assert [c["call_id"] for c in queue] == [ids["gone"]]
