"""Redelivery end to end: the metrics consumer group is rewound to where the test began, so the service
reads every impression of the test again; the counts must not move."""

import uuid
from typing import Any

import httpx

from boi_metrics import SERVICE
from boi_shared.events import ImpressionRecorded
from boi_shared.topics import IMPRESSIONS
from tests.support.kafka import eventually, publish
from tests.support.metrics import rewind_group, topic_end
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints


async def _impress(stack: StackEndpoints, call_id: str) -> None:
    event = ImpressionRecorded(call_id=call_id, kind="search_result")
    await publish(
        stack.kafka_bootstrap, IMPRESSIONS.name, event.model_dump_json().encode(), key=call_id.encode()
    )


async def _total_reaches(svc: ServiceProcess, call_id: str, total: int) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=svc.url) as client:
            response = await client.get(f"/api/metrics/calls/{call_id}")
        body: dict[str, Any] | None = response.json() if response.status_code == 200 else None
        return body if body and body["total"] >= total else None

    result: dict[str, Any] = await eventually(reached, timeout=90)
    return result


async def test_rereading_the_topic_does_not_count_twice(stack: StackEndpoints) -> None:
    env = {**stack.service_env(), "BOI_MONGO_DATABASE": f"metrics_redeliver_{uuid.uuid4().hex[:8]}"}
    call = f"c-{uuid.uuid4().hex[:24]}"
    mark = await topic_end(stack.kafka_bootstrap)
    await rewind_group(stack.kafka_bootstrap, SERVICE, mark)
    first = ServiceProcess(SERVICE, env).start()
    try:
        for _ in range(5):
            await _impress(stack, call)
        assert (await _total_reaches(first, call, 5))["total"] == 5
    finally:
        first.stop()

    await rewind_group(stack.kafka_bootstrap, SERVICE, mark)
    again = ServiceProcess(SERVICE, env).start()
    try:
        # Same key, same partition: once this sixth impression is counted, the replay of the first
        # five (earlier offsets of that partition) is behind us.
        await _impress(stack, call)
        counts = await _total_reaches(again, call, 6)
        assert counts["total"] == 6
        assert counts["by_kind"] == {"search_result": 6}
    finally:
        again.stop()
    log = again.log_file.read_text()
    assert "impression already counted, skipped" in log
