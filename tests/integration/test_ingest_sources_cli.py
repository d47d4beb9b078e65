"""`boi sources …` as an operator runs it (the installed console script): `try` on every kind of sample
without Kafka or MongoDB, one-line failures, and the registry commands against the stack's MongoDB."""

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.stack import StackEndpoints

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
HTML_MAPPING = json.dumps(
    {
        "item": "article.call",
        "title": "h2",
        "text": ".summary",
        "published_at": "time@datetime",
        "base_url": "https://convocatorias.example.org/listado",
    }
)
# Nothing listens there: `try` must not need Kafka or MongoDB.
OFFLINE = {"BOI_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "BOI_MONGO_URL": "mongodb://127.0.0.1:9"}


def boi(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "boi"), "sources", *args]
    return subprocess.run(
        command,
        env={**os.environ, **(env or OFFLINE)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def calls_of(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in done.stdout.splitlines()]
    for call in calls:
        assert call["call_id"].startswith("c-") and call["url"].startswith("http") and call["title"]
        if call["published_at"]:
            datetime.fromisoformat(call["published_at"])
    return calls


def test_try_the_real_eu_sample(shared_data: Path) -> None:
    [call] = calls_of(boi("try", str(shared_data / "api/eu_funding_tenders_search_response.json")))
    assert call["language"] == "en" and call["title"].startswith("Software Engineering for AI")
    assert call["sources"][0]["source_type"] == "json_api"
    assert call["deadline_candidates"] == [{"date": "2025-10-02", "sentence": "Deadline: 2025-10-02."}]


def test_try_the_real_challenge_gov_sample(shared_data: Path) -> None:
    calls = calls_of(boi("try", str(shared_data / "api/challenge_gov_challenges_2021-07-13.json")))
    assert len(calls) == 36 and {c["language"] for c in calls} == {"en"}
    assert calls[0]["published_at"] == "2021-02-04T22:43:41.854498Z"


def test_try_the_real_atom_feed(shared_data: Path) -> None:
    calls = calls_of(boi("try", str(shared_data / "feeds/mauritius_govmu_scholarships_atom_2024-04-25.xml")))
    assert len(calls) == 20 and calls[0]["sources"][0]["source_type"] == "atom"


def test_try_constructed_fixtures(tmp_path: Path) -> None:
    grants = calls_of(
        boi("try", str(FIXTURES / "grants_gov_search2_constructed.json"), "--mapping", "grants_gov")
    )
    assert grants[0]["url"] == "https://www.grants.gov/search-results-detail/359901"
    listing = calls_of(
        boi("try", str(FIXTURES / "convocatorias_listado_constructed.html"), "--mapping", HTML_MAPPING)
    )
    assert [c["language"] for c in listing] == ["es", "es", "es"]
    assert listing[0]["deadline_candidates"][0]["date"] == "2027-02-15"
    csv = boi("try", str(FIXTURES / "convocatorias_historicas_cp1252_constructed.csv"))
    assert [c["title"] for c in calls_of(csv)][2] == "Premio de periodismo «Señal»"
    assert "not UTF-8" in csv.stderr

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Título", "Enlace", "Fecha de cierre"])
    sheet.append(["Beca de verano (construida)", "https://e.org/verano", datetime(2027, 3, 1)])
    path = tmp_path / "historico.xlsx"
    book.save(path)
    [call] = calls_of(boi("try", str(path), "--language", "es"))
    assert call["language"] == "es" and call["text"] == "Deadline: 2027-03-01."


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["bad/defusedxml/xmlbomb.xml"], "error: refused: the document declares XML entities"),
        (["bad/defusedxml/external.xml"], "error: refused: the document declares XML entities"),
        (
            ["api/eu_funding_tenders_search_response.json", "--mapping", "grants_gov"],
            "error: mapping field 'items': path 'data.oppHits' not found in the document",
        ),
        (["api/challenge_gov_challenges_2021-07-13.json", "--type", "csv"], "error: mapping field 'title'"),
        (["nowhere/missing.xml"], "error: no such file"),
    ],
)
def test_try_fails_with_one_line(shared_data: Path, args: list[str], reason: str) -> None:
    done = boi("try", str(shared_data / args[0]), *args[1:])
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith(reason), done.stderr


def test_try_a_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('[{"name": "Premio", "details_url": "https://e.org/p"', encoding="utf-8")
    done = boi("try", str(path), "--mapping", "challenge_gov")
    assert done.returncode == 1 and done.stderr.startswith("error: not valid JSON")
    assert len(done.stderr.splitlines()) == 1


def test_registry_commands(stack: StackEndpoints) -> None:
    env = {**stack.service_env(), "BOI_MONGO_DATABASE": f"ingest_cli_{uuid.uuid4().hex[:12]}"}
    csv = str(FIXTURES / "convocatorias_historicas_cp1252_constructed.csv")
    added = boi(
        "add", "historico", csv, "--language", "es", "--tag", "historico", "--interval", "86400", env=env
    )
    assert added.returncode == 0 and added.stdout.startswith("added historico (csv"), added.stderr
    again = boi("add", "historico", csv, env=env)
    assert again.returncode == 1 and again.stderr == "error: a source with id 'historico' already exists\n"
    bad = boi("add", "eu", "https://e.org/api", "--type", "json_api", env=env)
    assert bad.returncode == 1 and "needs a mapping" in bad.stderr
    assert boi("disable", "historico", env=env).stdout == "disabled historico\n"
    listed = boi("list", env=env).stdout.split("\t")
    assert listed[:4] == ["historico", "csv", "disabled", csv]
    [status] = [json.loads(line) for line in boi("status", "historico", env=env).stdout.splitlines()]
    assert status["enabled"] is False and status["totals"]["new"] == 0 and status["last_error"] is None
    assert boi("remove", "historico", env=env).returncode == 0
    gone = boi("status", "historico", env=env)
    assert gone.returncode == 1 and "no source with id 'historico'" in gone.stderr
    down = boi("list", env={**env, "BOI_MONGO_URL": "mongodb://127.0.0.1:9"})
    assert down.returncode == 2 and "is MongoDB up?" in down.stderr


@pytest.fixture(scope="module")
def fixtures_server() -> Iterator[str]:
    """The fixtures directory over HTTP on 127.0.0.1 (a private address: fetching it needs the allowlist)."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(FIXTURES))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_try_a_url(fixtures_server: str) -> None:
    url = f"{fixtures_server}/convocatorias_listado_constructed.html"
    mapping = json.dumps({"item": "article.call", "title": "h2", "text": ".summary"})
    allowed = {**OFFLINE, "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1"}
    calls = calls_of(boi("try", url, "--mapping", mapping, env=allowed))
    assert calls[0]["url"] == f"{fixtures_server}/convocatorias/beca-maestria-japon"  # resolved on the URL
    refused = boi("try", url, "--mapping", mapping)
    assert refused.returncode == 1 and len(refused.stderr.splitlines()) == 1, refused.stderr
