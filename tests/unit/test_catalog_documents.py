"""The stored form of a call: empty values are left out and come back from the model's types; the AI
draft keeps only what differs from the call's fields."""

from datetime import UTC, date, datetime

from boi_catalog.adapters.documents import from_document, to_document, update_of
from boi_catalog.domain.call import build_catalog_call
from boi_shared.events import CallEnriched, Enrichment, RawCall, SourceRef
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
URL = "https://example.org/beca"


def _call(**enrichment: object):  # type: ignore[no-untyped-def]
    event = CallEnriched(
        call_id=call_id_for(URL),
        version=1,
        call=RawCall(
            url=URL,
            title="Beca",
            text="Texto.",
            content_hash="h1",
            sources=[SourceRef(source_id="s", source_type="rss", item_url=URL)],
        ),
        enrichment=Enrichment(
            taxonomy_version="t", provider="local", title_es="Beca", summary_es="Resumen.", **enrichment
        ),
    )
    call = build_catalog_call(event, None, NOW, auto_publish=True)
    return call.model_copy(update={"index_pending": False})  # a marker of its own, not in the document


def test_empty_values_are_not_stored_and_come_back() -> None:
    call = _call(call_type=CallType.BECA, deadline=date(2027, 1, 31))
    doc = to_document(call)
    assert doc["_id"] == call.call_id
    assert not [v for v in doc.values() if v is None or v == []]
    assert "history" not in doc and "audience" not in doc and "amount" not in doc["ai"]
    assert from_document(doc) == call


def test_the_ai_draft_keeps_only_what_differs_from_the_call() -> None:
    call = _call(call_type=CallType.BECA, deadline=date(2027, 1, 31), funder="Fundación", sectors=["salud"])
    doc = to_document(call)
    # an unedited call: the draft repeats every value, so none is stored twice
    assert doc["ai"] == {"taxonomy_version": "t", "provider": "local", "needs_review": True}
    assert from_document(doc) == call
    # a curator's edit: the call holds the human value, the draft the AI's
    edited = call.model_copy(update={"title": "Beca editada", "deadline": None, "sectors": []})
    doc = to_document(edited)
    assert (doc["title"], doc["ai"]["title_es"]) == ("Beca editada", "Beca")
    assert doc["ai"]["deadline"] == "2027-01-31" and doc["ai"]["sectors"] == ["salud"]
    assert from_document(doc) == edited
    # the AI left a value empty that the call has: kept as empty, not read as the call's
    filled = _call().model_copy(update={"deadline": "2027-05-01", "audience": ["jovenes"]})
    doc = to_document(filled)
    assert doc["ai"]["deadline"] is None and doc["ai"]["audience"] == []
    assert from_document(doc).enrichment["deadline"] is None
    assert from_document(doc) == filled


def test_documents_with_the_whole_draft_still_read_and_lose_it_on_update() -> None:
    call = _call(call_type=CallType.BECA, funder="Fundación")
    old = {k: v for k, v in to_document(call).items() if k != "ai"}
    old["enrichment"] = {k: v for k, v in call.enrichment.items() if v is not None and v != [] and v != {}}
    assert from_document(old) == call
    assert "enrichment" in update_of(to_document(from_document(old)))["$unset"]


def test_a_call_with_values_everywhere_round_trips() -> None:
    call = _call(sectors=["educacion"], ods=[4], countries=["CO"], funder="Fundación", amount=1000)
    call = call.model_copy(update={"locked_fields": {"title": "Beca editada"}, "history": [{"action": "x"}]})
    assert from_document(to_document(call)) == call


def test_an_update_unsets_the_fields_that_became_empty() -> None:
    edited = _call().model_copy(update={"locked_fields": {"title": "Beca editada"}, "link_status": "broken"})
    update = update_of(to_document(edited.model_copy(update={"locked_fields": {}, "link_status": None})))
    assert {"locked_fields", "link_status"} <= set(update["$unset"])
    assert not set(update["$unset"]) & set(update["$set"])
    assert "_id" not in update["$set"]
