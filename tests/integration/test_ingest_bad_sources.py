"""Bad input never stops the service: hostile and broken documents served by a local HTTP server (HTML
served as a feed, a truncated answer, a slow server, mixed encodings, an empty body, an oversize body, an
XML bomb and an XXE payload) each give a clear error in their own report, while a good feed in the same
run is ingested; the XXE target's content never appears anywhere."""

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from boi_shared.ids import call_id_for
from boi_shared.topics import CALLS_RAW
from tests.integration.test_ingest_service import emitted_since, read_to_end
from tests.support.kafka import collect
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

TOKEN = f"test-token-{uuid.uuid4().hex}"
RUN = uuid.uuid4().hex[:8]
SECRET = f"TOP-SECRET-{RUN}"
GOOD = f"https://good.example/{RUN}/beca"
MIXED = f"https://mixed.example/{RUN}/"


HTML = b"<!DOCTYPE html><html><head><title>Becas</title></head><body><h1>Becas</h1></body></html>"


def rss(items: str, encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>t</title>'
    return head.encode() + items.encode(encoding) + b"</channel></rss>"


def documents(shared_data: Path, secret: Path) -> dict[str, bytes]:
    """Every document served, by path (constructed here, except the defusedxml bomb)."""
    good = rss(
        f"<item><title>Beca de prueba {RUN}</title><link>{GOOD}</link>"
        "<description>Texto.</description></item>"
    )
    mixed = rss(
        f"<item><title>Diseño {RUN}</title><link>{MIXED}a</link><description>niños</description></item>"
    )
    mixed = mixed.replace(
        b"</channel>",
        f"<item><title>Se\xf1ora</title><link>{MIXED}b</link></item></channel>".encode("latin-1"),
    )
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        f'<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title><link>{GOOD}x</link></item>'
        "</channel></rss>"
    ).encode()
    return {
        "/good.xml": good,
        "/html.xml": HTML,
        "/html-as-rss.xml": HTML,
        "/mixed.xml": mixed,
        "/empty.xml": b"",
        "/big.xml": rss("<item><title>x</title></item>" * 20_000),
        "/bomb.xml": (shared_data / "bad" / "defusedxml" / "xmlbomb.xml").read_bytes(),
        "/xxe.xml": xxe,
    }


@pytest.fixture(scope="module")
def server(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    secret = tmp_path_factory.mktemp("secret") / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    served = documents(shared_data, secret)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/truncated.xml":
                self.send_response(200)
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(served["/good.xml"][:60])
                self.close_connection = True
                return
            if self.path == "/slow.xml":
                self.send_response(200)
                self.end_headers()
                try:
                    for _ in range(50):  # one byte every 0.1 s: 5 s for a document
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
                self.close_connection = True
                return
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            kind = "text/html" if self.path == "/html.xml" else "application/rss+xml; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def ingest(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    svc = ServiceProcess(
        "ingest",
        {
            **stack.service_env(),
            "BOI_ADMIN_TOKEN": TOKEN,
            "BOI_INGEST_INTERVAL_SECONDS": "0",
            "BOI_MONGO_DATABASE": f"ingest_bad_{RUN}",
            "BOI_INGEST_SOURCES": "",
            "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1",
            "BOI_FETCH_TIMEOUT_SECONDS": "1.5",
            "BOI_FETCH_RETRIES": "1",
            "BOI_MAX_BODY_BYTES": "100000",
        },
    ).start()
    yield svc
    svc.stop()


EXPECTED = {
    "html.xml": "not a readable feed: NonXMLContentType: text/html is not an XML media type",
    "html-as-rss.xml": "not an RSS or Atom feed",
    "truncated.xml": "was cut off before its end",
    "slow.xml": "did not answer within 1.5s; try again later (after 2 attempts)",
    "empty.xml": "not an RSS or Atom feed",
    "big.xml": "larger than 100000 bytes",
    "bomb.xml": "refused: the document declares XML entities",
    "xxe.xml": "refused: the document declares XML entities",
}


async def test_each_bad_source_fails_alone_with_a_clear_reason(
    stack: StackEndpoints, ingest: ServiceProcess, server: str
) -> None:
    started = datetime.now(UTC)
    names = ["good.xml", *EXPECTED, "mixed.xml"]
    async with httpx.AsyncClient(base_url=ingest.url, timeout=120) as client:
        response = await client.post(
            "/api/ingest/run",
            json={"sources": [f"{server}/{name}" for name in names]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 200, response.text
    reports = dict(zip(names, response.json()["reports"], strict=True))
    for name, reason in EXPECTED.items():
        [error] = reports[name]["errors"]
        assert reason in error, (name, error)
        assert reports[name]["new"] == 0
    assert (reports["good.xml"]["new"], reports["good.xml"]["errors"]) == (1, [])
    mixed = reports["mixed.xml"]
    assert (mixed["new"], mixed["errors"]) == (2, [])
    assert "ill-formed feed read leniently" in mixed["warnings"][0]
    assert SECRET not in response.text

    ids = {call_id_for(GOOD), call_id_for(f"{MIXED}a"), call_id_for(f"{MIXED}b")}
    events = await collect(stack.kafka_bootstrap, CALLS_RAW.name, emitted_since(ids, started), expected=3)
    titles = sorted(e["call"]["title"] for e in events)
    assert titles == sorted([f"Beca de prueba {RUN}", f"Diseño {RUN}", "Señora"])
    leaked = await read_to_end(stack.kafka_bootstrap, lambda v: SECRET in str(v))
    assert leaked == []
    async with httpx.AsyncClient(base_url=ingest.url) as client:
        assert (await client.get("/readyz")).status_code == 200  # the service is still fine
