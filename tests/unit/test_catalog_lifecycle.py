"""The call lifecycle and curation use cases on in-memory fakes: review queue, approve / reject /
withdraw, curator edits locked against re-enrichment, the calendar, plans and the audit log."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from boi_catalog.domain.lifecycle import TransitionError, expiry_status
from boi_catalog.service import curation
from boi_catalog.service.publishing import publish_enriched
from boi_catalog.service.upkeep import expire_calls, reindex_pending
from boi_shared.events import CallEnriched, Enrichment, Evidence, RawCall, SourceRef
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType
from tests.unit.catalog_fakes import Announcements, FakeIndex, FakeRepository

BASE = "https://boi.example.org"
T1 = datetime(2026, 1, 1, tzinfo=UTC)


def enriched(n: int = 0, version: int = 1, *, review: bool = True, **changes: Any) -> CallEnriched:
    url = f"https://example.org/call-{n}"
    fields: dict[str, Any] = {
        "taxonomy_version": "t",
        "provider": "local",
        "title_es": f"Beca {n}",
        "summary_es": "Cubre matrícula.",
        "call_type": CallType.BECA,
        "deadline": date(2031, 3, 15),
        "funder": "Fundación",
        "evidence": {"title_es": Evidence(sentence="Se abre la beca.", confidence=0.4)},
        "needs_review": review,
        **changes,
    }
    return CallEnriched(
        call_id=call_id_for(url),
        version=version,
        call=RawCall(
            url=url,
            title="t",
            text="x",
            content_hash=f"h{version}",
            sources=[SourceRef(source_id="s", source_type="rss", item_url=url)],
        ),
        enrichment=Enrichment(**fields),
    )


@pytest.fixture
def ports() -> tuple[FakeRepository, FakeIndex, Announcements]:
    return FakeRepository(), FakeIndex(), Announcements()


async def test_a_call_needing_review_waits_in_the_queue_until_approved(ports: Any) -> None:
    repo, index, announced = ports
    event = enriched()
    assert await publish_enriched(event, repo, index, BASE, now=T1) is None
    [queued] = await curation.review_queue(repo, limit=10, offset=0)
    assert queued["status"] == "en_revision" and queued.call_id == event.call_id
    title = queued["fields"]["title"]
    assert (title["ai_value"], title["evidence"], title["confidence"]) == ("Beca 0", "Se abre la beca.", 0.4)
    assert index.documents[event.call_id]["status"] == "en_revision"  # indexed, not public

    view = await curation.approve(repo, index, announced, event.call_id, "ana", base_url=BASE)
    assert view["status"] == "publicada"
    [published] = announced
    assert published.change == "published" and published.call.status == "publicada"
    assert published.call.public_url == f"{BASE}/convocatorias/{event.call_id}"
    assert index.documents[event.call_id]["status"] == "publicada"
    assert await curation.review_queue(repo, limit=10, offset=0) == []
    with pytest.raises(TransitionError):
        await curation.approve(repo, index, announced, event.call_id, "ana", base_url=BASE)
    [entry] = await curation.audit_log(repo, limit=10)
    assert (entry["user"], entry["action"], entry["call_id"]) == ("ana", "approve", event.call_id)


async def test_no_review_needed_or_auto_publish_publishes_directly(ports: Any) -> None:
    repo, index, _ = ports
    direct = await publish_enriched(enriched(1, review=False), repo, index, BASE, now=T1)
    auto = await publish_enriched(enriched(2), repo, index, BASE, now=T1, auto_publish=True)
    assert direct is not None and direct.change == "published"
    assert auto is not None and auto.call.status == "publicada"


async def test_curator_edit_survives_re_enrichment_until_accepted(ports: Any) -> None:
    repo, index, announced = ports
    event = enriched(review=False)
    await publish_enriched(event, repo, index, BASE, now=T1)
    view = await curation.edit_call(
        repo,
        index,
        announced,
        event.call_id,
        {"title": "Beca corregida", "ods": "4, 5"},
        "ana",
        base_url=BASE,
    )
    assert view["title"] == "Beca corregida" and view["ods"] == [4, 5]
    assert view["fields"]["title"]["locked"] and view["fields"]["title"]["ai_value"] == "Beca 0"
    history = [h for h in view["history"] if h["action"] == "edit"]
    assert sorted((h["field"], h["user"], str(h["old"]), str(h["new"])) for h in history) == [
        ("ods", "ana", "[]", "[4, 5]"),
        ("title", "ana", "Beca 0", "Beca corregida"),
    ]
    assert announced[-1].change == "updated" and set(announced[-1].changed_fields) == {"title", "ods"}

    again = enriched(version=2, review=False, title_es="Beca IA nueva", funder="Otra")
    update = await publish_enriched(again, repo, index, BASE, now=T1)
    assert update is not None and update.changed_fields == ["funder"]
    stored = await repo.get(event.call_id)
    assert stored is not None and stored.title == "Beca corregida" and stored.funder == "Otra"

    await curation.accept_ai(repo, index, announced, event.call_id, "title", "ana", base_url=BASE)
    stored = await repo.get(event.call_id)
    assert stored is not None and stored.title == "Beca IA nueva" and "title" not in stored.locked_fields
    with pytest.raises(TransitionError):
        await curation.edit_call(repo, index, announced, event.call_id, {"status": "x"}, "ana", base_url=BASE)


async def test_reject_archives_silently_and_withdraw_announces(ports: Any) -> None:
    repo, index, announced = ports
    a, b = enriched(1), enriched(2, review=False)
    await publish_enriched(a, repo, index, BASE, now=T1)
    await publish_enriched(b, repo, index, BASE, now=T1)
    assert (await curation.reject(repo, index, announced, a.call_id, "ana", "duplicada", base_url=BASE))[
        "status"
    ] == "archivada"
    assert announced == []
    assert (await curation.withdraw(repo, index, announced, b.call_id, "admin", "fraude", base_url=BASE))[
        "status"
    ] == "retirada"
    [withdrawn] = announced
    assert withdrawn.change == "withdrawn" and withdrawn.call.status == "retirada"
    assert index.documents[b.call_id]["status"] == "retirada"
    # a later re-enrichment never brings a withdrawn call back
    assert await publish_enriched(enriched(2, 2, review=False), repo, index, BASE, now=T1) is None
    with pytest.raises(LookupError):
        await curation.approve(repo, index, announced, "c-missing", "ana", base_url=BASE)


async def test_the_calendar_closes_calls(ports: Any) -> None:
    repo, index, announced = ports
    event = enriched(review=False, deadline=date(2031, 3, 15))
    await publish_enriched(event, repo, index, BASE, now=T1)
    assert await expire_calls(repo, index, announced, BASE, date(2031, 3, 7)) == []
    [soon] = await expire_calls(repo, index, announced, BASE, date(2031, 3, 8))
    assert soon.status == "cierra_pronto" and announced[-1].change == "updated"
    assert await expire_calls(repo, index, announced, BASE, date(2031, 3, 15)) == []
    [closed] = await expire_calls(repo, index, announced, BASE, date(2031, 3, 16))
    assert closed.status == "cerrada" and announced[-1].change == "closed"
    assert announced[-1].changed_fields == ["status"]
    assert len({a.event_id for a in announced}) == 2
    assert expiry_status(closed, date(2032, 1, 1)) is None


async def test_pending_sweep(ports: Any) -> None:
    repo, index, _ = ports
    ids = []
    for n in range(6):
        event = enriched(n, review=False)
        await publish_enriched(event, repo, index, BASE, now=T1)
        ids.append(event.call_id)
    assert await reindex_pending(repo, index) == 6  # the fake indexer does not mark them indexed


async def test_a_batch_has_the_outcome_of_its_events_in_order(ports: Any) -> None:
    from boi_catalog.service.publishing import publish_enriched_batch

    repo, index, _ = ports
    a1, a2, b1, c1 = (
        enriched(1, 1, review=False),
        enriched(1, 2, review=False),
        enriched(2),
        enriched(3, review=False),
    )
    await publish_enriched(c1, repo, index, BASE, now=T1)
    changes = await publish_enriched_batch([a2, b1, a1, c1, a2], repo, index, BASE, now=T1)
    # a: v2 published, late v1 ignored, v2 replayed; b: in review (silent); c: replayed
    assert [(c.call_id, c.version, c.change) for c in changes] == [
        (a2.call_id, 2, "published"),
        (a2.call_id, 2, "published"),
        (c1.call_id, 1, "published"),
    ]
    assert changes[0].event_id == changes[1].event_id
    assert (await repo.get(b1.call_id)).status == "en_revision"  # type: ignore[union-attr]
    assert {a2.call_id, b1.call_id, c1.call_id} <= set(index.documents)
