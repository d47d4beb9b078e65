"""The call lifecycle on the real stack: a call needing review waits (stored, not public) until a curator
approves it; a curator's edit survives a later AI re-enrichment; replayed and out-of-order versions never
regress a call nor announce it twice with different ids; a withdrawn call leaves public search."""

import random
import string
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from boi_catalog.adapters.meili import MeiliSearchIndex
from boi_catalog.adapters.mongo import MongoCallRepository
from boi_catalog.service import curation
from boi_catalog.service.indexing import DirectIndexer
from boi_shared.events import CallEnriched, CallPublished, Enrichment, RawCall, SourceRef
from boi_shared.ids import call_id_for
from tests.support.kafka import collect, eventually, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

PUBLISHED = "calls.published.v1"


@pytest.fixture(scope="module")
def catalog(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    # the test polls the API: no rate limit (the limiter has its own tests)
    svc = ServiceProcess("catalog", {**stack.service_env(), "BOI_API_RATE_PER_MINUTE": "0"}).start()
    yield svc
    svc.stop()


@pytest.fixture
async def ports(stack: StackEndpoints) -> AsyncIterator[tuple[MongoCallRepository, MeiliSearchIndex]]:
    repo = MongoCallRepository(stack.mongo_url, "catalog")
    index = MeiliSearchIndex(stack.meili_url, stack.meili_master_key, "calls")
    yield repo, index
    await index.close()
    await repo.close()


def _word() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=14))


def _enriched(url: str, version: int, title: str, *, review: bool, funder: str = "F") -> CallEnriched:
    return CallEnriched(
        call_id=call_id_for(url),
        version=version,
        call=RawCall(
            url=url,
            title=title,
            text="Convocatoria abierta.",
            content_hash=f"h{version}",
            sources=[SourceRef(source_id="t", source_type="rss", item_url=url)],
        ),
        enrichment=Enrichment(
            taxonomy_version="t",
            provider="local",
            title_es=title,
            summary_es="Resumen.",
            deadline=date(2031, 5, 1),
            funder=funder,
            needs_review=review,
        ),
    )


async def _send(stack: StackEndpoints, *events: CallEnriched) -> None:
    for event in events:
        await publish(
            stack.kafka_bootstrap,
            "calls.enriched.v1",
            event.model_dump_json().encode(),
            key=event.call_id.encode(),
        )


def _titles(catalog: ServiceProcess, word: str) -> list[str]:
    r = httpx.get(f"{catalog.url}/api/calls", params={"q": word}, timeout=10)
    assert r.status_code == 200, r.text
    return [h["title"] for h in r.json()["hits"]]


async def test_review_edit_approve_and_edit_survives_re_enrichment(
    stack: StackEndpoints, catalog: ServiceProcess, ports: Any
) -> None:
    repo, index = ports
    announced: list[CallPublished] = []

    async def announce(event: CallPublished) -> None:
        announced.append(event)

    word = _word()
    url = f"https://example.org/{uuid.uuid4()}"
    v1 = _enriched(url, 1, f"Beca {word} IA", review=True)
    await _send(stack, v1)
    stored = await eventually(lambda: repo.get(v1.call_id))
    assert stored.status == "en_revision" and stored.version == 1
    queue = await curation.review_queue(repo, limit=500, offset=0)
    assert v1.call_id in {c["call_id"] for c in queue}
    assert _titles(catalog, word) == []  # not public while in review
    # the service indexes the draft (not public); wait for it, so our writes come after its own
    # (index writes of two processes are not ordered by revision: see the closing note)
    draft = {"q": word, "filter": 'status = "en_revision"', "limit": 1}

    async def draft_indexed() -> bool:
        return bool((await index.search_raw(draft))["hits"])

    await eventually(draft_indexed, timeout=180)

    writer = DirectIndexer(repo, index)
    edit = {"title": f"Beca {word} curada"}
    await curation.edit_call(repo, writer, announce, v1.call_id, edit, "ana", base_url=catalog.url)
    await curation.approve(repo, writer, announce, v1.call_id, "ana", base_url=catalog.url)
    assert [a.change for a in announced] == ["published"]
    await eventually(lambda: _titles(catalog, word) == [f"Beca {word} curada"], timeout=180)

    # AI re-enrichment: a new funder is taken, the curated title is kept
    v2 = _enriched(url, 2, f"Beca {word} IA dos", review=True, funder="Nuevo fondo")
    await _send(stack, v2)
    [update] = await collect(
        stack.kafka_bootstrap, PUBLISHED, lambda v: v.get("call_id") == v1.call_id, timeout=120
    )
    assert update["change"] == "updated" and update["version"] == 2
    assert "title" not in update["changed_fields"] and "funder" in update["changed_fields"]
    assert update["call"]["title"] == f"Beca {word} curada" and update["call"]["status"] == "publicada"

    # late v1 and a replayed v2: nothing regresses, the replay re-announces the same event
    await _send(stack, v1, v2)
    again = await collect(
        stack.kafka_bootstrap, PUBLISHED, lambda v: v.get("call_id") == v1.call_id, expected=2, timeout=120
    )
    assert len(again) == 2 and again[0]["event_id"] == again[1]["event_id"]
    stored = await repo.get(v1.call_id)
    assert stored is not None and (stored.version, stored.title) == (2, f"Beca {word} curada")
    assert stored.funder == "Nuevo fondo" and "title" in stored.locked_fields

    # as above: let the service finish indexing what it wrote (no pending marker left for the call)
    async def service_indexed() -> bool:
        return v1.call_id not in {c.call_id for c in await repo.pending(limit=10_000)}

    await eventually(service_indexed, timeout=180)
    await curation.withdraw(repo, writer, announce, v1.call_id, "admin", "vencida", base_url=catalog.url)
    assert announced[-1].change == "withdrawn"
    await eventually(lambda: _titles(catalog, word) == [])
    assert (await curation.audit_log(repo, limit=50))[0]["action"] == "withdraw"


async def test_out_of_order_and_replayed_versions(
    stack: StackEndpoints, catalog: ServiceProcess, ports: Any
) -> None:
    repo, _ = ports
    word = _word()
    url = f"https://example.org/{uuid.uuid4()}"
    v1, v2, v3 = (_enriched(url, n, f"Premio {word} v{n}", review=False) for n in (1, 2, 3))
    await _send(stack, v3, v1, v2, v3, v1)
    await _send(stack, v3)  # a marker behind the rest on the same partition
    announced = await collect(
        stack.kafka_bootstrap, PUBLISHED, lambda v: v.get("call_id") == v1.call_id, expected=3, timeout=120
    )
    assert [a["version"] for a in announced] == [3, 3, 3]
    assert len({a["event_id"] for a in announced}) == 1 and announced[0]["change"] == "published"
    stored = await repo.get(v1.call_id)
    assert stored is not None and stored.version == 3 and stored.title == f"Premio {word} v3"
    await eventually(lambda: _titles(catalog, word) == [f"Premio {word} v3"])
