"""The catalog's use cases on in-memory fakes of its ports: versions, replays and stale events."""

from datetime import UTC, date, datetime

from boi_catalog.service.public import find_public_call
from boi_catalog.service.publishing import publish_enriched
from boi_shared.events import CallEnriched, Enrichment, RawCall, SourceRef
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType
from tests.unit.catalog_fakes import FakeIndex, FakeRepository

URL = "https://example.org/premio"
BASE = "https://boi.example.org"


def enriched(version: int, title: str, deadline: date | None = None) -> CallEnriched:
    return CallEnriched(
        call_id=call_id_for(URL),
        version=version,
        call=RawCall(
            url=URL,
            title=title,
            text="Premia reportajes.",
            content_hash=f"h{version}",
            sources=[SourceRef(source_id="s", source_type="rss", item_url=URL)],
        ),
        enrichment=Enrichment(
            taxonomy_version="t",
            provider="local",
            title_es=title,
            summary_es="Premia reportajes.",
            call_type=CallType.PREMIO,
            deadline=deadline,
            needs_review=False,
        ),
    )


T1 = datetime(2026, 1, 1, tzinfo=UTC)
T2 = datetime(2026, 2, 1, tzinfo=UTC)


async def test_new_then_newer_version() -> None:
    repo, index = FakeRepository(), FakeIndex()
    first = await publish_enriched(enriched(1, "Premio"), repo, index, BASE, now=T1)
    second = await publish_enriched(enriched(2, "Premio de periodismo"), repo, index, BASE, now=T2)
    assert first is not None and first.change == "published"
    assert second is not None and second.change == "updated" and second.changed_fields == ["title"]
    assert repo.outcomes == ["new", "updated"]
    assert index.documents[call_id_for(URL)]["title"] == "Premio de periodismo"


async def test_replay_reindexes_and_re_emits_the_same_event() -> None:
    repo, index = FakeRepository(), FakeIndex()
    event = enriched(1, "Premio")
    first = await publish_enriched(event, repo, index, BASE, now=T1)
    again = await publish_enriched(event, repo, index, BASE, now=T2)
    assert again == first
    assert repo.outcomes == ["new"] and index.writes == 2  # a replay writes nothing, re-indexes
    assert repo.calls[event.call_id].updated_at == T1


async def test_older_version_is_ignored_without_side_effects() -> None:
    repo, index = FakeRepository(), FakeIndex()
    await publish_enriched(enriched(2, "Nuevo"), repo, index, BASE, now=T2)
    late = await publish_enriched(enriched(1, "Viejo"), repo, index, BASE, now=T2)
    assert late is None
    assert repo.outcomes == ["new"] and index.writes == 1
    assert repo.calls[call_id_for(URL)].title == "Nuevo"


async def test_withdrawn_calls_are_not_public() -> None:
    repo, index = FakeRepository(), FakeIndex()
    await publish_enriched(enriched(1, "Premio"), repo, index, BASE, now=T1)
    call_id = call_id_for(URL)
    assert await find_public_call(repo, call_id) is not None
    repo.calls[call_id] = repo.calls[call_id].model_copy(update={"status": "retirada"})
    assert await find_public_call(repo, call_id) is None
    assert await find_public_call(repo, "c-unknown") is None
