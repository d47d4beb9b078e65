"""The ingest service on the real stack against hostile sources (issue 14): a document past the parse
budget, or declaring entities, fails alone while the other sources of the run go through and the service
stays up; a source that keeps failing is backed off (a growing wait, shown by `boi sources status`) while
the others keep their schedule."""

import json
import math
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from tests.integration.test_ingest_sources_service import AUTH, CSV, api, service
from tests.support.kafka import eventually
from tests.support.stack import StackEndpoints

QUADRATIC = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss>\n<!ENTITY a "' + "A" * 8000 + '">\n<rss version="2.0"><channel>'
    "<title>t</title><item><title>Beca</title><link>https://e.org/x</link><description>"
    + "&a;" * 2500
    + "</description></item></channel></rss>"
)


def big_feed(items: int) -> str:
    body = "".join(
        f"<item><title>Beca {i}</title><link>https://e.org/c/{i}</link>"
        f"<description>{'Convocatoria abierta para estudiantes de Bogotá. ' * 20}</description></item>"
        for i in range(items)
    )
    return f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'


async def test_hostile_documents_fail_alone_and_the_service_stays_up(
    stack: StackEndpoints, tmp_path: Path
) -> None:
    big, quadratic = tmp_path / "grande.xml", tmp_path / "cuadratica.xml"
    big.write_text(big_feed(5000), encoding="utf-8")
    quadratic.write_text(QUADRATIC, encoding="utf-8")
    svc = service(stack, BOI_INGEST_PARSE_MEMORY_MB="16")
    try:
        async with api(svc) as client:
            response = await client.post(
                "/api/ingest/run", json={"sources": [str(big), str(quadratic), str(CSV)]}
            )
            by_big, by_quadratic, by_csv = response.json()["reports"]
            assert (await client.get("/healthz")).status_code == 200
    finally:
        svc.stop()
    assert by_big["errors"][0].startswith("refused: parsing the document needed more than 16 MB")
    assert by_quadratic["errors"][0].startswith("refused: the document declares XML entities")
    assert (by_csv["errors"], by_csv["new"]) == ([], 3)
    assert "Traceback" not in svc.log_file.read_text()


def sources_status(stack: StackEndpoints, database: str, source_id: str) -> dict[str, Any]:
    env = {**os.environ, **stack.service_env(), "BOI_MONGO_DATABASE": database}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "boi"), "sources", "status", source_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(done.stdout))


async def test_a_failing_source_is_backed_off_while_the_others_keep_their_schedule(
    stack: StackEndpoints,
) -> None:
    database = f"ingest_backoff_{uuid.uuid4().hex[:12]}"
    svc = service(
        stack,
        BOI_INGEST_INTERVAL_SECONDS="3600",
        BOI_SOURCES_REFRESH_SECONDS="0.2",
        BOI_MONGO_DATABASE=database,
    )
    try:
        async with httpx.AsyncClient(base_url=svc.url, headers=AUTH, timeout=120) as client:
            for source in (
                {
                    "id": "roto",
                    "type": "csv",
                    "file": "/nonexistent/roto.csv",
                    "interval_seconds": 1,
                    "jitter": 0,
                },
                {"id": "bueno", "type": "csv", "file": str(CSV), "interval_seconds": 1, "jitter": 0},
            ):
                assert (await client.post("/api/sources", json=source)).status_code == 201

            async def good_runs() -> int:
                status = (await client.get("/api/sources/bueno/status")).json()
                return int(status["totals"]["fetched"]) // 4

            # every second for the good source; the broken one, backed off, waits 1, 2, 4, 8… s
            started = time.monotonic()
            await eventually(lambda: _at_least(good_runs(), 8), timeout=300)
            broken = sources_status(stack, database, "roto")
            elapsed = time.monotonic() - started
    finally:
        svc.stop()
    failures = broken["consecutive_failures"]
    assert 2 <= failures <= math.log2(elapsed + 1) + 2, (broken, elapsed)
    assert broken["last_error"].startswith("no such file")
    wait = datetime.fromisoformat(broken["backoff_until"]) - datetime.fromisoformat(broken["last_run_at"])
    assert abs(wait.total_seconds() - 2 ** (failures - 1)) < 1.5, broken
    log = svc.log_file.read_text()
    for n in range(1, failures + 1):
        assert f"scheduled run of roto failed ({n} in a row; next attempt in {2 ** (n - 1)} s)" in log
    assert "scheduled run of bueno failed" not in log


async def _at_least(value: Any, wanted: int) -> bool:
    return int(await value) >= wanted
