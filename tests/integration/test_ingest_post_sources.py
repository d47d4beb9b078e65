"""JSON APIs asked with POST, against a real HTTP server on 127.0.0.1 shaped like Grants.gov `search2` and
the EU Funding & Tenders search: `boi sources try` and a registered source in the running service send the
declared method, body and headers, the answer goes through the shipped mapping, and the API key taken from
an environment variable appears in no log, no registry listing and no output."""

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from boi_shared.topics import CALLS_RAW
from tests.support.kafka import collect
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
GRANTS = (FIXTURES / "grants_gov_search2_constructed.json").read_bytes()
KEY = f"grants-key-{uuid.uuid4().hex}"
BODY = {"keyword": "international", "oppStatuses": "forecasted|posted", "rows": 100}
EU_QUERY = {"bool": {"must": [{"terms": {"type": ["1", "2", "8"]}}]}}
OFFLINE = {"BOI_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "BOI_MONGO_URL": "mongodb://127.0.0.1:9"}


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FundingApis(BaseHTTPRequestHandler):
    """POST-only search endpoints: Grants.gov (the key required) and EU F&T (a sample file, if given)."""

    received: ClassVar[list[Received]] = []
    eu_sample: ClassVar[bytes | None] = None

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.received.append(Received("GET", self.path, dict(self.headers), b""))
        self._send(405, b'{"errorcode": 405, "msg": "POST only"}', Allow="POST")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append(Received("POST", self.path, dict(self.headers), body))
        if self.path == "/v1/api/search2":
            if self.headers.get("X-Api-Key") != KEY:
                self._send(401, b'{"errorcode": 401, "msg": "missing or wrong key"}')
            else:
                self._send(200, GRANTS, **{"Content-Type": "application/json", "ETag": '"g1"'})
        elif self.path.startswith("/search-api/prod/rest/search?") and self.eu_sample is not None:
            self._send(200, self.eu_sample, **{"Content-Type": "application/json"})
        else:
            self._send(404, b"{}")


@pytest.fixture(scope="module")
def apis() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FundingApis)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def boi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "boi"), "sources", *args]
    return subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def posts_to(path: str) -> list[Received]:
    return [r for r in FundingApis.received if r.path.startswith(path)]


GRANTS_OPTIONS = [
    "--method",
    "POST",
    "--body",
    json.dumps(BODY),
    "--header",
    "Accept: application/json",
    "--header-from-env",
    "X-Api-Key=BOI_GRANTS_GOV_KEY",
]


def test_try_posts_the_declared_body_and_headers(apis: str) -> None:
    env = {**OFFLINE, "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1", "BOI_GRANTS_GOV_KEY": KEY}
    done = boi("try", f"{apis}/v1/api/search2", *GRANTS_OPTIONS, env=env)
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in done.stdout.splitlines()]
    assert [c["url"] for c in calls] == [
        f"https://www.grants.gov/search-results-detail/{n}" for n in (359901, 359902, 359903)
    ]
    assert calls[0]["text"].startswith("Opportunity DOS-BOG-27-001 (synopsis, posted).")
    posted = posts_to("/v1/api/search2")[-1]
    assert posted.method == "POST" and json.loads(posted.body) == BODY
    assert posted.headers["Content-Type"] == "application/json"
    assert (posted.headers["Accept"], posted.headers["X-Api-Key"]) == ("application/json", KEY)
    assert posted.headers["User-Agent"].startswith("BOI-ingest/")
    assert KEY not in done.stdout + done.stderr

    unset = boi("try", f"{apis}/v1/api/search2", *GRANTS_OPTIONS, env={**env, "BOI_GRANTS_GOV_KEY": ""})
    assert unset.returncode == 1 and len(unset.stderr.splitlines()) == 1
    assert "BOI_GRANTS_GOV_KEY, which is not set" in unset.stderr
    on_rss = boi("try", f"{apis}/v1/api/search2", "--type", "rss", "--method", "POST", env=env)
    assert on_rss.returncode == 1
    assert on_rss.stderr.startswith("error: method POST is allowed only for json_api sources")


def test_try_the_eu_search_with_a_multipart_query(apis: str, shared_data: Path) -> None:
    sample = shared_data / "api/eu_funding_tenders_search_response.json"
    if not sample.is_file():
        pytest.skip(f"{sample} not found")
    FundingApis.eu_sample = sample.read_bytes()  # read in place
    url = f"{apis}/search-api/prod/rest/search?apiKey=SEDIA&text=***&pageSize=100&pageNumber=1"
    form = ["--form", f"query={json.dumps(EU_QUERY)}", "--form", 'languages=["en"]']
    env = {**OFFLINE, "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1"}
    done = boi("try", url, "--method", "POST", *form, "--mapping", "eu_funding_tenders", env=env)
    assert done.returncode == 0, done.stderr
    [call] = [json.loads(line) for line in done.stdout.splitlines()]
    assert call["language"] == "en" and call["title"].startswith("Software Engineering for AI")
    posted = posts_to("/search-api/prod/rest/search?apiKey=SEDIA&text=***&pageSize=100")[-1]
    assert posted.method == "POST" and posted.headers["Content-Type"].startswith("multipart/form-data")
    query_part = f'name="query"\r\nContent-Type: application/json\r\n\r\n{json.dumps(EU_QUERY)}'
    assert query_part.encode() in posted.body and b'name="languages"' in posted.body


def from_source(source_id: str, since: datetime) -> Any:
    def predicate(value: dict[str, Any]) -> bool:
        occurred = value.get("occurred_at")
        return (
            isinstance(occurred, str)
            and datetime.fromisoformat(occurred) >= since
            and any(s["source_id"] == source_id for s in value["call"]["sources"])
        )

    return predicate


async def test_a_registered_post_source_runs_in_the_service(apis: str, stack: StackEndpoints) -> None:
    token = f"test-token-{uuid.uuid4().hex}"
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": f"ingest_post_{uuid.uuid4().hex[:12]}",
        "BOI_ADMIN_TOKEN": token,
        "BOI_INGEST_INTERVAL_SECONDS": "0",
        "BOI_INGEST_SOURCES": "",
        "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1",
        "BOI_GRANTS_GOV_KEY": KEY,
        "BOI_LOG_LEVEL": "DEBUG",
    }
    source_id = f"grants-gov-{uuid.uuid4().hex[:8]}"
    url = f"{apis}/v1/api/search2"
    added = boi(
        "add", source_id, url, "--type", "json_api", "--mapping", "grants_gov", *GRANTS_OPTIONS, env=env
    )
    assert added.returncode == 0 and added.stdout.startswith(f"added {source_id} (json_api"), added.stderr
    svc = ServiceProcess("ingest", env).start()
    started = datetime.now(UTC)
    try:
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=svc.url, headers=auth, timeout=120) as client:
            [first] = (await client.post("/api/ingest/run")).json()["reports"]
            assert (first["source_id"], first["new"], first["errors"]) == (source_id, 3, [])
            [second] = (await client.post("/api/ingest/run")).json()["reports"]
            assert (second["unchanged"], second["not_modified"]) == (3, False)
            registered = (await client.get(f"/api/sources/{source_id}")).text
    finally:
        svc.stop()
    events = await collect(stack.kafka_bootstrap, CALLS_RAW.name, from_source(source_id, started), expected=3)
    assert {e["call"]["sources"][0]["source_type"] for e in events} == {"json_api"}
    assert {e["call"]["url"] for e in events} == {
        f"https://www.grants.gov/search-results-detail/{n}" for n in (359901, 359902, 359903)
    }
    runs = posts_to("/v1/api/search2")[-2:]
    assert [r.method for r in runs] == ["POST", "POST"] and all(json.loads(r.body) == BODY for r in runs)
    assert all(r.headers["X-Api-Key"] == KEY for r in runs)
    assert "If-None-Match" not in runs[1].headers  # a POST is never conditional

    listed, status = boi("list", env=env), boi("status", source_id, env=env)
    assert listed.returncode == 0 and listed.stdout.startswith(f"{source_id}\tjson_api\tenabled\t{url}")
    assert '"env": "BOI_GRANTS_GOV_KEY"' in registered.replace('":"', '": "')
    log = svc.log_file.read_text()
    assert "HTTP Request: POST" in log  # the service logged at DEBUG
    for output in (listed.stdout, listed.stderr, status.stdout, added.stdout, added.stderr, registered, log):
        assert KEY not in output
