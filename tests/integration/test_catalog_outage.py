"""Meilisearch outage and recovery, on the real stack with a Meilisearch of the test's own (the session's
is never stopped): while it is down, enriched calls keep flowing into MongoDB (marked `index_pending`)
and are announced, the partition keeps moving; once it is back they become searchable."""

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.install import meili_binary
from boi_devtools.stack.process import free_port
from tests.support.catalog_calls import enriched_fund
from tests.support.kafka import collect, eventually, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

KEY = "outage-test-master-key-0123456789"


class Meili:
    """A Meilisearch process on a free port, stoppable and restartable on the same data."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="boi-meili-outage-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        argv = [str(meili_binary(StackConfig())), "--db-path", str(self.dir / "data.ms")]
        argv += ["--http-addr", f"127.0.0.1:{self.port}", "--no-analytics", "--env", "production"]
        with (self.dir / "log").open("ab") as log:
            self.proc = subprocess.Popen(
                argv, env={**os.environ, "MEILI_MASTER_KEY": KEY}, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("meilisearch did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def meili() -> Iterator[Meili]:
    if not meili_binary(StackConfig()).exists():
        pytest.skip("the Meilisearch binary is not installed (make stack-up installs it)")
    m = Meili()
    m.start()
    yield m
    m.stop()
    shutil.rmtree(m.dir, ignore_errors=True)


def _hits(svc: ServiceProcess, word: str) -> int:
    response = httpx.get(f"{svc.url}/api/calls", params={"q": word, "limit": 50}, timeout=10)
    return len(response.json()["hits"]) if response.status_code == 200 else -1


async def test_calls_flow_while_meilisearch_is_down_and_are_indexed_when_it_returns(
    stack: StackEndpoints, meili: Meili
) -> None:
    database = f"catalog_outage_{uuid.uuid4().hex[:8]}"
    env = {
        **stack.service_env(),
        "BOI_MEILI_URL": meili.url,
        "BOI_MEILI_MASTER_KEY": KEY,
        "BOI_MONGO_DATABASE": database,
        "BOI_INDEX_SWEEP_SECONDS": "1",
        "BOI_API_RATE_PER_MINUTE": "0",
    }
    svc = ServiceProcess("catalog", env).start()
    client: MongoClient[dict[str, Any]] = MongoClient(stack.mongo_url)
    calls = client[database]["calls"]
    word = f"outage{uuid.uuid4().hex[:10]}"
    events = [enriched_fund("outage", n, word) for n in range(5)]
    ids = {e.call_id for e in events}
    try:
        meili.stop()
        for event in events:
            await publish(
                stack.kafka_bootstrap,
                "calls.enriched.v1",
                event.model_dump_json().encode(),
                key=event.call_id.encode(),
            )
        # stored and announced although the index is down: the partition is not blocked
        await collect(
            stack.kafka_bootstrap, "calls.published.v1", lambda v: v.get("call_id") in ids, expected=5
        )
        markers = client[database]["index_pending"]
        assert await eventually(
            lambda: {p.split(":")[0] for m in markers.find() for p in m["calls"].split()} >= ids
        )
        assert calls.count_documents({"_id": {"$in": list(ids)}}) == 5
        assert httpx.get(f"{svc.url}/api/calls", params={"q": word}, timeout=10).status_code == 503

        meili.start()
        await eventually(lambda: _hits(svc, word) == 5, timeout=60)
        await eventually(lambda: markers.count_documents({}) == 0)
    finally:
        svc.stop()
        client.drop_database(database)
        client.close()
