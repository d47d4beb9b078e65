"""The enrich service on the real stack: raw call in, enriched call out; poison to the DLQ."""

import json
import uuid
from collections.abc import Iterator

import pytest

from boi_shared.events import CallIngested, RawCall, SourceRef
from boi_shared.ids import call_id_for
from tests.support.kafka import collect, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints


@pytest.fixture(scope="module")
def enrich(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    svc = ServiceProcess("enrich", stack.service_env()).start()
    yield svc
    svc.stop()


def _raw(url: str, title: str, text: str) -> CallIngested:
    return CallIngested(
        call_id=call_id_for(url),
        version=1,
        call=RawCall(
            url=url,
            title=title,
            text=text,
            content_hash="h",
            language="es",
            sources=[SourceRef(source_id="t", source_type="rss", item_url=url)],
        ),
    )


async def test_raw_call_becomes_enriched_call(stack: StackEndpoints, enrich: ServiceProcess) -> None:
    event = _raw(
        f"https://example.org/{uuid.uuid4()}",
        "Beca de maestría en Japón",
        "La embajada abre la convocatoria. Cubre matrícula y manutención.",
    )
    await publish(
        stack.kafka_bootstrap, "calls.raw.v1", event.model_dump_json().encode(), key=event.call_id.encode()
    )
    [out] = await collect(
        stack.kafka_bootstrap, "calls.enriched.v1", lambda v: v.get("call_id") == event.call_id
    )
    assert out["version"] == 1
    assert out["enrichment"]["call_type"] == "beca"
    assert out["enrichment"]["provider"] == "local"  # the default chain: local only
    assert out["enrichment"]["summary_es"].strip()


async def test_malformed_raw_message_goes_to_dlq_and_next_is_processed(
    stack: StackEndpoints, enrich: ServiceProcess
) -> None:
    marker = uuid.uuid4().hex
    await publish(stack.kafka_bootstrap, "calls.raw.v1", json.dumps({"junk": marker}).encode(), key=b"poison")
    [letter] = await collect(
        stack.kafka_bootstrap, "calls.raw.v1.dlq", lambda v: marker in v.get("payload", "")
    )
    assert letter["error_type"] == "ValidationError"
    assert letter["consumer_group"] == "enrich"
    good = _raw(f"https://example.org/{uuid.uuid4()}", "Premio de periodismo", "Premia reportajes.")
    await publish(
        stack.kafka_bootstrap, "calls.raw.v1", good.model_dump_json().encode(), key=good.call_id.encode()
    )
    await collect(stack.kafka_bootstrap, "calls.enriched.v1", lambda v: v.get("call_id") == good.call_id)
