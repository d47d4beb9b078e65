"""MongoDB (FerretDB) paused longer than max.poll.interval.ms under a running catalog, on the real stack with
a FerretDB of the test's own (the session's is never paused): calls published meanwhile are stored once it
resumes, none is dead-lettered, and the consumer never leaves its group (one partition assignment in the
service's log: a consumer that exceeded the poll interval would be assigned again)."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.install import ferretdb_binary
from boi_devtools.stack.process import free_port
from boi_shared.events import CallEnriched
from tests.support.catalog_calls import enriched_fund
from tests.support.kafka import collect, eventually, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

POLL_MS = 6000


class FerretDB:
    """A FerretDB process (SQLite backend) on a free port, that can be paused (SIGSTOP) and resumed."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="boi-ferretdb-paused-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self) -> None:
        argv = [
            str(ferretdb_binary(StackConfig())),
            "--handler=sqlite",
            f"--sqlite-url=file:{self.dir}/",
            f"--listen-addr=127.0.0.1:{self.port}",
            "--telemetry=disable",
            "--debug-addr=-",
            f"--state-dir={self.dir}",
            "--log-level=warn",
        ]
        with (self.dir / "log").open("ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with MongoClient(self.url, serverSelectionTimeoutMS=500) as client:
                    client.admin.command("ping")
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("ferretdb did not start")

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def ferretdb() -> Iterator[FerretDB]:
    if not ferretdb_binary(StackConfig()).exists():
        pytest.skip("the FerretDB binary is not installed (make stack-up installs it)")
    db = FerretDB()
    db.start()
    yield db
    db.stop()
    shutil.rmtree(db.dir, ignore_errors=True)


async def _send(stack: StackEndpoints, events: list[CallEnriched]) -> None:
    for event in events:
        value = event.model_dump_json().encode()
        await publish(stack.kafka_bootstrap, "calls.enriched.v1", value, key=event.call_id.encode())


async def test_a_paused_database_loses_nothing_dead_letters_nothing_and_keeps_the_group(
    stack: StackEndpoints, ferretdb: FerretDB
) -> None:
    database = f"catalog_paused_{uuid.uuid4().hex[:8]}"
    env = {
        **stack.service_env(),
        "BOI_MONGO_URL": ferretdb.url,
        "BOI_MONGO_DATABASE": database,
        "BOI_MEILI_INDEX": f"calls_paused_{uuid.uuid4().hex[:8]}",
        "BOI_KAFKA_MAX_POLL_INTERVAL_MS": str(POLL_MS),
        "BOI_RETRY_MAX_SECONDS": "1",
        "BOI_API_RATE_PER_MINUTE": "0",
        "BOI_LINK_CHECK_INTERVAL_SECONDS": "0",
        "BOI_EXPIRY_INTERVAL_SECONDS": "0",
    }
    word = f"paused{uuid.uuid4().hex[:10]}"
    before, during = (
        [enriched_fund("paused", n, word) for n in range(3)],
        [enriched_fund("paused", n, word) for n in range(3, 8)],
    )
    ids = {e.call_id for e in before + during}
    svc = ServiceProcess("catalog", env).start()
    client: MongoClient[dict[str, Any]] = MongoClient(ferretdb.url, serverSelectionTimeoutMS=5000)
    calls = client[database]["calls"]

    def stored() -> int:
        return calls.count_documents({"_id": {"$in": list(ids)}})

    def log_lines(text: str) -> int:
        return svc.log_file.read_text().count(text)

    try:
        await _send(stack, before)
        await eventually(lambda: stored() == 3, timeout=120)
        assert log_lines("assigned to partitions") == 1

        ferretdb.signal(signal.SIGSTOP)
        paused_at = time.monotonic()
        try:
            await _send(stack, during)
            # the outage lasts well past the poll interval, while the catalog keeps retrying
            await eventually(
                lambda: time.monotonic() - paused_at > 2.5 * POLL_MS / 1000 and log_lines("retrying in") >= 3,
                timeout=120,
            )
        finally:
            ferretdb.signal(signal.SIGCONT)

        await eventually(lambda: stored() == 8, timeout=120)
        await collect(
            stack.kafka_bootstrap, "calls.published.v1", lambda v: v.get("call_id") in ids, expected=8
        )
        assert log_lines("assigned to partitions") == 1, "the consumer left its group during the outage"
        with pytest.raises(AssertionError):  # nothing of these calls on the dead-letter topic
            await collect(
                stack.kafka_bootstrap, "calls.enriched.v1.dlq", lambda v: v.get("key") in ids, timeout=5
            )
    finally:
        svc.stop()
        client.drop_database(database)
        client.close()
