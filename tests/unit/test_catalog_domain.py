"""Pure catalog logic: the call of record, its search document, its public events, its presentation."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from boi_catalog.domain.call import PUBLICADA, build_catalog_call, changed_fields
from boi_catalog.domain.public import call_published, impressions, public_call, public_url
from boi_catalog.domain.search import (
    deadline_timestamp,
    public_filter,
    search_document,
    search_page,
)
from boi_catalog.web.present import deadline_label, eligibility_label, safe_href, type_label
from boi_catalog.web.query import meili_filter, meili_sort, parse
from boi_shared.events import CallEnriched, Enrichment, RawCall, SourceRef
from boi_shared.ids import call_id_for, event_id_for
from boi_shared.taxonomy import CallType, Eligibility

URL = "https://example.org/beca-japon"
NOW = datetime(2026, 11, 24, 15, 30, 0, 123456, tzinfo=UTC)
BASE = "https://boi.example.org/"


def enriched(version: int = 1, **changes: Any) -> CallEnriched:
    enrichment: dict[str, Any] = {
        "taxonomy_version": "t",
        "provider": "local",
        "title_es": "Beca de maestría en Japón",
        "summary_es": "Cubre matrícula y manutención.",
        "call_type": CallType.BECA,
        "colombia_eligible": Eligibility.SI,
        "deadline": date(2031, 3, 15),
        "deadline_tz": "America/Bogota",
        "funder": "Embajada de Japón",
        "needs_review": False,
        **changes,
    }
    return CallEnriched(
        call_id=call_id_for(URL),
        version=version,
        call=RawCall(
            url=URL,
            title="MEXT scholarship",
            text="The embassy opens the call.",
            language="en",
            content_hash=f"hash-{version}",
            sources=[SourceRef(source_id="mofa", source_type="rss", item_url=URL)],
        ),
        enrichment=Enrichment(**enrichment),
    )


def test_first_version_is_a_published_call() -> None:
    call = build_catalog_call(enriched(), None, NOW)
    assert call.call_id == call_id_for(URL) and call.version == 1
    assert call.status == PUBLICADA
    assert (call.title, call.summary, call.text) == (
        "Beca de maestría en Japón",
        "Cubre matrícula y manutención.",
        "The embassy opens the call.",
    )
    assert (call.call_type, call.deadline, call.colombia_eligible) == ("beca", "2031-03-15", "si")
    assert call.funder == "Embajada de Japón" and call.language == "en"
    assert call.sources == [{"source_id": "mofa", "source_type": "rss", "item_url": URL}]
    assert call.content_hash == "hash-1"
    assert call.enrichment["deadline"] == "2031-03-15"  # JSON-safe for BSON
    assert call.published_at == call.updated_at == NOW.replace(microsecond=123000)
    assert (call.change, call.changed_fields) == ("published", [])


def test_newer_version_is_an_update_listing_what_changed() -> None:
    first = build_catalog_call(enriched(), None, NOW)
    later = datetime(2026, 12, 1, tzinfo=UTC)
    second = build_catalog_call(enriched(2, deadline=date(2031, 4, 30), funder="JICA"), first, later)
    assert second.version == 2
    assert (second.change, second.changed_fields) == ("updated", ["deadline", "funder"])
    assert second.published_at == first.published_at and second.updated_at == later


def test_changed_fields_is_empty_for_identical_content() -> None:
    first = build_catalog_call(enriched(), None, NOW)
    fields = {name: getattr(first, name) for name in type(first).model_fields}
    assert changed_fields(first, fields) == []


def test_call_published_has_an_id_that_replays_reproduce() -> None:
    call = build_catalog_call(enriched(), None, NOW)
    event = call_published(call, BASE)
    assert event.event_id == event_id_for("published", call.call_id, 1, 0)
    assert event == call_published(call, BASE)
    assert event.change == "published" and event.version == 1
    assert event.call.public_url == f"https://boi.example.org/convocatorias/{call.call_id}"
    assert event.call.deadline == date(2031, 3, 15)
    assert event.call.call_type is CallType.BECA
    assert event.occurred_at == call.updated_at


def test_public_call_without_optional_fields() -> None:
    call = build_catalog_call(
        enriched(call_type=None, deadline=None, funder=None, colombia_eligible=Eligibility.SIN_DATO),
        None,
        NOW,
    )
    public = public_call(call, BASE)
    assert public.call_type is None and public.deadline is None and public.funder is None
    assert public.colombia_eligible is Eligibility.SIN_DATO


def test_search_document_has_sortable_timestamps() -> None:
    call = build_catalog_call(enriched(), None, NOW)
    doc = search_document(call)
    assert doc["id"] == call.call_id
    assert {"title", "summary", "text", "funder", "call_type", "status", "colombia_eligible"} <= set(doc)
    # end of 15 March 2031 in Bogotá (UTC-5) is 16 March 04:59:59 UTC
    assert doc["deadline_ts"] == int(datetime(2031, 3, 16, 4, 59, 59, tzinfo=UTC).timestamp())
    assert doc["published_ts"] == int(NOW.timestamp())


@pytest.mark.parametrize(
    ("deadline", "tz", "expected"),
    [
        (None, "America/Bogota", None),
        ("2031-03-15", None, int(datetime(2031, 3, 15, 23, 59, 59, tzinfo=UTC).timestamp())),
        ("2031-03-15", "Not/AZone", int(datetime(2031, 3, 15, 23, 59, 59, tzinfo=UTC).timestamp())),
    ],
)
def test_deadline_timestamp(deadline: str | None, tz: str | None, expected: int | None) -> None:
    assert deadline_timestamp(deadline, tz) == expected


def test_public_filter_only_lets_public_statuses_through() -> None:
    assert public_filter() == 'status IN ["publicada", "cierra_pronto"]'
    assert public_filter(closed=True) == 'status = "cerrada"'
    assert meili_filter(parse("beca", "premio"), now=0) == [public_filter(), 'call_type = "premio"']


def test_browsing_sorts_by_newest_and_a_query_by_relevance() -> None:
    assert meili_sort(parse("  ")) == ["published_ts:desc"]
    assert meili_sort(parse("beca")) is None


def test_search_page_maps_hits_with_public_links() -> None:
    hit = {
        "id": "c-1",
        "title": "T",
        "summary": "S",
        "call_type": "beca",
        "deadline": None,
        "colombia_eligible": "no",
        "url": URL,
    }
    page = search_page("beca", 7, [hit], BASE)
    assert page.total == 7 and page.query == "beca"
    assert page.hits[0].public_url == public_url(BASE, "c-1") == "https://boi.example.org/convocatorias/c-1"
    assert page.hits[0].call_type is CallType.BECA and page.hits[0].deadline is None


def test_impressions_carry_absolute_positions_and_no_personal_data() -> None:
    shown = impressions(["a", "b"], "search_result", "api", first_position=20)
    assert [(i.call_id, i.kind, i.channel, i.position) for i in shown] == [
        ("a", "search_result", "api", 20),
        ("b", "search_result", "api", 21),
    ]
    assert len({i.event_id for i in shown}) == 2
    [view] = impressions(["a"], "call_view", "web")
    assert view.position is None


def test_presentation_in_spanish() -> None:
    assert deadline_label(None) == "Sin fecha de cierre"
    assert deadline_label("2031-03-05") == "Cierre: 5 de marzo de 2031"
    assert deadline_label(date(2031, 12, 31)) == "Cierre: 31 de diciembre de 2031"
    assert type_label("subvencion") == "Subvención / fondo"
    assert type_label(None) == "Sin clasificar"
    assert eligibility_label("si") == "Colombia: puede postularse"
    assert eligibility_label(None) == eligibility_label("sin_dato")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//example.org/x", None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_links_are_rendered(url: str | None, expected: str | None) -> None:
    assert safe_href(url) == expected
