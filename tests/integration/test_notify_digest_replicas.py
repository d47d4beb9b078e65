"""Two `boi notify digest` runs of the same period at the same time (two replicas' schedulers firing
together) on the real FerretDB and Kafka, against an SMTP server of the test (aiosmtpd): each of 1,100
subscribers gets the period's digest exactly once, however the two runs' concurrent batches interleave."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from boi_notify.domain.subscription import Topic
from tests.support.mail import SmtpServer, smtp_server
from tests.support.notify_mail import call_event, notify_process
from tests.support.stack import StackEndpoints

DATABASE = f"notify_replicas_{uuid.uuid4().hex[:8]}"
PEOPLE = 1_100
"""Three batches of 500 in each run, so batches of both runs are in flight together."""
DAY = datetime(2031, 4, 8, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
async def db(stack: StackEndpoints) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client[DATABASE]
    await client.close()


async def _seed(db: AsyncDatabase[dict[str, Any]], domain: str) -> None:
    """Confirmed daily subscribers written as the subscription flow leaves them (1,100 double opt-ins
    through the pages would take minutes), and two calls first published that day."""
    calls = [call_event(f"Beca réplicas {n}", occurred_at=DAY) for n in range(2)]
    await db["calls"].insert_many(
        [
            {"_id": e.call_id, "version": 1, "call": e.call.model_dump(mode="json"), "previous": None,
             "status": "publicada", "first_published_at": DAY, "updated_at": DAY}
            for e in calls
        ]
    )  # fmt: skip
    people = [{"_id": f"p{n}", "email": f"r{n}@{domain}", "suppressed_at": None} for n in range(PEOPLE)]
    subs = [
        {"_id": f"s-p{n}", "subscriber_id": f"p{n}", "topic": Topic().to_doc(), "frequency": "diaria",
         "status": "confirmed", "created_at": DAY, "confirmed_at": DAY}
        for n in range(PEOPLE)
    ]  # fmt: skip
    await db["subscribers"].insert_many(people)
    await db["subscriptions"].insert_many(subs)


async def test_two_replicas_running_one_period_send_each_digest_once(
    stack: StackEndpoints, smtp: SmtpServer, db: AsyncDatabase[dict[str, Any]]
) -> None:
    domain = f"replicas-{uuid.uuid4().hex[:8]}.example.org"
    await _seed(db, domain)
    env = {**os.environ, **notify_process(stack, DATABASE, smtp_port=smtp.port).env}
    command = [str(Path(sys.executable).parent / "boi"), "notify", "digest", "--period", "diaria"]
    command += ["--fecha", DAY.date().isoformat()]
    runs = [
        await asyncio.create_subprocess_exec(
            *command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(r.communicate() for r in runs)), timeout=300)
    texts = [out.decode() for out, _ in outputs]
    assert [r.returncode for r in runs] == [0, 0], texts

    received = Counter(str(m["To"]) for m in smtp.handler.received if str(m["To"]).endswith(domain))
    assert len(received) == PEOPLE
    assert set(received.values()) == {1}, [a for a, n in received.items() if n > 1][:5]
    sent = sum(int(t.split("sent=")[1].split(",")[0].split()[0]) for t in texts if "sent=" in t)
    assert sent == PEOPLE, texts
    assert await db["mail_deliveries"].count_documents({"status": "sent"}) == PEOPLE
