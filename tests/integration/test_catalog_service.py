"""The catalog service on the real stack: enriched calls become stored, searchable, public and announced;
replays and older versions never duplicate or regress a call; poison goes to the DLQ; shown results are
counted as impressions; the public pages escape what they show."""

import json
import random
import string
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from boi_shared.events import CallEnriched, Enrichment, RawCall, SourceRef
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.kafka import collect, eventually, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

ENRICHED = "calls.enriched.v1"
PUBLISHED = "calls.published.v1"
IMPRESSIONS = "metrics.impressions.v1"


@pytest.fixture(scope="module")
def catalog(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    svc = ServiceProcess("catalog", stack.service_env()).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def calls(stack: StackEndpoints) -> Iterator[Any]:
    client: MongoClient[dict[str, Any]] = MongoClient(stack.mongo_url)
    yield client["catalog"]["calls"]
    client.close()


def _word() -> str:
    """A made-up word that only this test's call contains (letters only, so it is one search token)."""
    return "".join(random.choices(string.ascii_lowercase, k=14))


def _enriched(
    url: str,
    *,
    version: int = 1,
    title: str = "Beca de maestría",
    deadline: date | None = date(2031, 3, 15),
    call_type: CallType = CallType.BECA,
) -> CallEnriched:
    return CallEnriched(
        call_id=call_id_for(url),
        version=version,
        call=RawCall(
            url=url,
            title=title,
            text="La embajada abre la convocatoria.\nCubre matrícula y manutención.",
            content_hash=f"h{version}",
            language="es",
            sources=[SourceRef(source_id="t", source_type="rss", item_url=url)],
        ),
        enrichment=Enrichment(
            taxonomy_version="t",
            provider="local",
            title_es=title,
            summary_es="Cubre matrícula y manutención.",
            call_type=call_type,
            colombia_eligible=Eligibility.SI,
            deadline=deadline,
            funder="Embajada de Japón",
            needs_review=False,
        ),
    )


async def _send(stack: StackEndpoints, event: CallEnriched) -> None:
    await publish(
        stack.kafka_bootstrap, ENRICHED, event.model_dump_json().encode(), key=event.call_id.encode()
    )


def _search(catalog: ServiceProcess, **params: Any) -> dict[str, Any]:
    response = httpx.get(f"{catalog.url}/api/calls", params=params, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_enriched_call_is_stored_searchable_and_announced(
    stack: StackEndpoints, catalog: ServiceProcess, calls: Any
) -> None:
    word = _word()
    event = _enriched(f"https://example.org/{uuid.uuid4()}", title=f"Beca {word} en Japón")
    await _send(stack, event)

    [announced] = await collect(stack.kafka_bootstrap, PUBLISHED, lambda v: v.get("call_id") == event.call_id)
    assert announced["change"] == "published" and announced["version"] == 1
    assert announced["call"]["title"] == f"Beca {word} en Japón"
    assert announced["call"]["deadline"] == "2031-03-15"
    assert announced["call"]["public_url"].endswith(f"/convocatorias/{event.call_id}")

    body = await eventually(lambda: (b := _search(catalog, q=word))["hits"] and b)
    assert body["query"] == word and body["total"] == 1
    [hit] = body["hits"]
    assert hit == {
        "call_id": event.call_id,
        "title": f"Beca {word} en Japón",
        "summary": "Cubre matrícula y manutención.",
        "call_type": "beca",
        "deadline": "2031-03-15",
        "colombia_eligible": "si",
        "url": event.call.url,
        "public_url": announced["call"]["public_url"],
    }
    assert _search(catalog, q=word, type="beca")["total"] == 1
    assert _search(catalog, q=word, type="premio")["total"] == 0

    [doc] = list(calls.find({"_id": event.call_id}))
    assert doc["version"] == 1 and doc["status"] == "publicada"
    assert doc["title"] == f"Beca {word} en Japón" and doc["deadline"] == "2031-03-15"
    # the AI draft is stored once: only what differs from the call's own fields (nothing here)
    assert doc["funder"] == "Embajada de Japón" and "funder" not in doc["ai"] and "enrichment" not in doc

    detail = httpx.get(f"{catalog.url}/api/calls/{event.call_id}", timeout=10)
    assert detail.status_code == 200
    assert detail.json()["call_id"] == event.call_id and detail.json()["status"] == "publicada"
    missing = httpx.get(f"{catalog.url}/api/calls/c-{'0' * 24}", timeout=10)
    assert missing.status_code == 404


async def test_replayed_event_is_stored_once_and_announced_with_the_same_id(
    stack: StackEndpoints, catalog: ServiceProcess, calls: Any
) -> None:
    event = _enriched(f"https://example.org/{uuid.uuid4()}", title=f"Premio {_word()}")
    await _send(stack, event)
    await _send(stack, event)

    announced = await collect(
        stack.kafka_bootstrap, PUBLISHED, lambda v: v.get("call_id") == event.call_id, expected=2
    )
    assert len({a["event_id"] for a in announced}) == 1
    assert announced[0] == announced[1]
    assert calls.count_documents({"_id": event.call_id}) == 1
    assert calls.count_documents({"url": event.call.url}) == 1


async def test_older_version_never_overwrites_a_newer_one(
    stack: StackEndpoints, catalog: ServiceProcess, calls: Any
) -> None:
    url = f"https://example.org/{uuid.uuid4()}"
    word = _word()
    v1 = _enriched(url, version=1, title=f"Beca {word} primera versión", deadline=None)
    v2 = _enriched(url, version=2, title=f"Beca {word} segunda versión", deadline=date(2031, 6, 30))
    await _send(stack, v1)
    await _send(stack, v2)
    await collect(
        stack.kafka_bootstrap,
        PUBLISHED,
        lambda v: v.get("call_id") == v2.call_id and v["version"] == 2,
    )
    # v1 arrives late; v2 is then replayed behind it on the same partition: once the replay is
    # announced, the late v1 has certainly been processed.
    await _send(stack, v1)
    await _send(stack, v2)
    announced = await collect(
        stack.kafka_bootstrap, PUBLISHED, lambda v: v.get("call_id") == v2.call_id, expected=3
    )
    assert [a["version"] for a in announced] == [1, 2, 2]
    assert [a["change"] for a in announced] == ["published", "updated", "updated"]
    assert announced[1]["changed_fields"] == ["title", "deadline"]

    [doc] = list(calls.find({"_id": v2.call_id}))
    assert doc["version"] == 2 and doc["title"] == f"Beca {word} segunda versión"
    # indexing follows the announcement asynchronously (batched): poll until the index caught up
    hit = await eventually(
        lambda: [h for h in _search(catalog, q=word)["hits"] if h["deadline"] == "2031-06-30"]
    )
    assert [h["title"] for h in hit] == [f"Beca {word} segunda versión"]


async def test_malformed_enriched_message_goes_to_dlq_and_next_is_processed(
    stack: StackEndpoints, catalog: ServiceProcess
) -> None:
    marker = uuid.uuid4().hex
    await publish(stack.kafka_bootstrap, ENRICHED, json.dumps({"junk": marker}).encode(), key=b"poison")
    [letter] = await collect(
        stack.kafka_bootstrap, f"{ENRICHED}.dlq", lambda v: marker in v.get("payload", "")
    )
    assert letter["error_type"] == "ValidationError"
    assert letter["consumer_group"] == "catalog"
    assert letter["original_topic"] == ENRICHED

    good = _enriched(f"https://example.org/{uuid.uuid4()}", title=f"Curso {_word()}")
    await _send(stack, good)
    await collect(stack.kafka_bootstrap, PUBLISHED, lambda v: v.get("call_id") == good.call_id)


async def test_shown_calls_are_recorded_as_impressions(
    stack: StackEndpoints, catalog: ServiceProcess
) -> None:
    word = _word()
    event = _enriched(f"https://example.org/{uuid.uuid4()}", title=f"Fondo {word}")
    await _send(stack, event)
    await eventually(lambda: _search(catalog, q=word)["hits"])  # one api impression per poll that found it

    page = httpx.get(f"{catalog.url}/", params={"q": word}, timeout=10)
    assert page.status_code == 200 and event.call_id in page.text
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"}
    view = httpx.get(f"{catalog.url}/convocatorias/{event.call_id}", headers=browser, timeout=10)
    assert view.status_code == 200
    # The site's results count once a person saw them: the page's beacon reports them.
    seen = {"events": [{"call_id": event.call_id, "kind": "search_result", "position": 0}]}
    assert (
        httpx.post(f"{catalog.url}/api/impresiones", json=seen, headers=browser, timeout=10).status_code
        == 204
    )

    def mine(kind: str, channel: str) -> Any:
        return lambda v: (
            v.get("call_id") == event.call_id and v.get("kind") == kind and v.get("channel") == channel
        )

    api = await collect(stack.kafka_bootstrap, IMPRESSIONS, mine("search_result", "api"))
    assert api[0]["position"] == 0
    web = await collect(stack.kafka_bootstrap, IMPRESSIONS, mine("search_result", "web"))
    assert web[0]["position"] == 0
    call_view = await collect(stack.kafka_bootstrap, IMPRESSIONS, mine("call_view", "web"))
    assert call_view[0]["position"] is None


async def test_pages_render_a_script_title_as_text(stack: StackEndpoints, catalog: ServiceProcess) -> None:
    word = _word()
    title = f"<script>alert('{word}')</script> Premio"
    event = _enriched(f"https://example.org/{uuid.uuid4()}", title=title, deadline=None)
    await _send(stack, event)
    await eventually(lambda: _search(catalog, q=word)["hits"])

    page = httpx.get(f"{catalog.url}/", params={"q": word}, timeout=10)
    view = httpx.get(f"{catalog.url}/convocatorias/{event.call_id}", timeout=10)
    for response in (page, view):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "<script>" not in response.text
        assert f"&lt;script&gt;alert(&#39;{word}&#39;)&lt;/script&gt; Premio" in response.text
        assert "Sin fecha de cierre" in response.text
        assert '<meta name="viewport"' in response.text
    assert "Colombia: puede postularse" in view.text
    assert f'href="{event.call.url}"' in view.text

    missing = httpx.get(f"{catalog.url}/convocatorias/c-{'0' * 24}", timeout=10)
    assert missing.status_code == 404 and "No encontramos esa convocatoria" in missing.text


async def test_ready_and_the_master_key_is_never_shown(
    stack: StackEndpoints, catalog: ServiceProcess
) -> None:
    ready = httpx.get(f"{catalog.url}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"kafka": "ok", "mongodb": "ok", "meilisearch": "ok"}
    for path in ("/readyz", "/healthz", "/", "/api/calls", "/openapi.json", "/static/site.css"):
        response = httpx.get(f"{catalog.url}{path}", timeout=10)
        assert response.status_code == 200, path
        assert stack.meili_master_key not in response.text, path
