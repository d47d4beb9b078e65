"""The catalog's adapters against the real engines: version-guarded upserts on the MongoDB protocol,
index settings and synonyms in Meilisearch, and outages surfacing as transient errors."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import meilisearch
import pytest
from pymongo import MongoClient

from boi_catalog.adapters.meili import MeiliSearchIndex
from boi_catalog.adapters.mongo import MongoCallRepository
from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.search import public_filter, search_document
from boi_catalog.web.public_search import PublicSearch
from boi_catalog.web.query import CARD_ATTRIBUTES, parse
from boi_devtools.stack.process import free_port
from boi_shared.errors import PermanentError, TransientError
from tests.support.catalog_calls import catalog_call
from tests.support.stack import StackEndpoints

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _call(call_id: str, version: int, title: str, call_type: str = "beca") -> CatalogCall:
    return catalog_call(
        call_id,
        version=version,
        title=title,
        call_type=call_type,
        funder="Fundación Ejemplo",
        content_hash=f"h{version}",
        enrichment={"deadline_tz": "America/Bogota"},
        published_at=NOW,
        updated_at=NOW,
        change="published" if version == 1 else "updated",
    )


@pytest.fixture
async def repository(stack: StackEndpoints) -> AsyncIterator[MongoCallRepository]:
    database = f"catalog_test_{uuid.uuid4().hex[:8]}"
    repo = MongoCallRepository(stack.mongo_url, database)
    yield repo
    await repo.close()
    with MongoClient(stack.mongo_url) as client:
        client.drop_database(database)


async def test_the_repository_answers_in_the_language_of_the_domain(repository: MongoCallRepository) -> None:
    calls = [
        catalog_call("c-review", status="en_revision"),
        catalog_call("c-broken", link_status="broken", deadline="2026-11-28"),
        catalog_call("c-reported", status="cerrada", reported=True),
        catalog_call("c-soon", status="cierra_pronto", deadline="2026-11-30"),
        catalog_call("c-open", deadline="2031-01-31"),
        catalog_call("c-gone", status="retirada", reported=True, deadline="2026-11-01"),
    ]
    assert await repository.insert_many(calls) == {c.call_id for c in calls}
    queue = {c.call_id for c in await repository.awaiting_review(limit=100)}
    assert queue == {c.call_id for c in calls if c.awaits_curator} == {"c-review", "c-broken", "c-reported"}
    public = {c.call_id for c in await repository.public_calls(limit=100)}
    assert public == {c.call_id for c in calls if c.is_public} == {"c-broken", "c-soon", "c-open"}
    closing = {c.call_id for c in await repository.public_closing_by(date(2026, 11, 30), limit=100)}
    assert closing == {"c-broken", "c-soon"}
    assert await repository.count() == len(calls)


@pytest.fixture
async def index(stack: StackEndpoints) -> AsyncIterator[MeiliSearchIndex]:
    uid = f"calls_test_{uuid.uuid4().hex[:8]}"
    idx = MeiliSearchIndex(stack.meili_url, stack.meili_master_key, uid)
    await idx.apply_settings()
    yield idx
    await idx.close()
    meilisearch.Client(stack.meili_url, stack.meili_master_key).delete_index(uid)


async def test_upsert_outcomes_never_let_an_older_version_win(repository: MongoCallRepository) -> None:
    assert await repository.ping()
    assert await repository.upsert(_call("c-a", 2, "v2")) == "new"
    assert await repository.upsert(_call("c-a", 2, "v2")) == "same"
    assert await repository.upsert(_call("c-a", 1, "v1")) == "stale"
    assert await repository.upsert(_call("c-a", 3, "v3")) == "updated"
    assert await repository.upsert(_call("c-a", 2, "v2")) == "stale"
    stored = await repository.get("c-a")
    assert stored is not None and (stored.version, stored.title) == (3, "v3")
    assert stored.published_at == NOW  # round-trips as an aware datetime
    assert await repository.get("c-missing") is None


async def test_a_field_that_becomes_empty_is_cleared(
    repository: MongoCallRepository, stack: StackEndpoints
) -> None:
    # Empty values are not stored (FerretDB pays per field): an update must unset them, not keep the old.
    first = _call("c-e", 1, "v1").model_copy(
        update={"locked_fields": {"title": "v1"}, "link_status": "broken"}
    )
    await repository.save(first, None)
    emptied = first.model_copy(
        update={"revision": 1, "locked_fields": {}, "link_status": None, "funder": None}
    )
    await repository.save(emptied, 0)
    stored = await repository.get("c-e")
    assert stored is not None
    assert (stored.locked_fields, stored.link_status, stored.funder) == ({}, None, None)
    with MongoClient(stack.mongo_url) as client:
        raw = client[repository.database_name]["calls"].find_one({"_id": "c-e"})
    assert raw is not None and not {"locked_fields", "link_status", "funder", "history"} & set(raw)
    # Calls stored before empty values were left out (every field present) still read the same.
    with MongoClient(stack.mongo_url) as client:
        full = {"_id": "c-old", **first.model_dump(exclude={"call_id", "index_pending"})}
        client[repository.database_name]["calls"].insert_one(full)
    old = await repository.get("c-old")
    assert old is not None and old.locked_fields == {"title": "v1"} and old.history == []


async def test_pending_markers_survive_a_restart_in_both_stored_forms(
    repository: MongoCallRepository, stack: StackEndpoints
) -> None:
    fresh = [_call(f"c-p{n}", 1, f"p{n}").model_copy(update={"index_pending": True}) for n in range(3)]
    assert await repository.insert_many(fresh) == {"c-p0", "c-p1", "c-p2"}
    with MongoClient(stack.mongo_url) as client:
        markers = client[repository.database_name]["index_pending"]
        (marker,) = markers.find()
        assert marker["calls"] == "c-p0:0 c-p1:0 c-p2:0"  # one string: FerretDB decodes it cheaply
        # a marker left by a version that stored a list of {"id", "rev"}
        await repository.save(_call("c-old", 1, "old"), None)
        markers.insert_one({"_id": "m-old", "calls": [{"id": "c-old", "rev": 0}]})

    # another process (a restart) finds both, and clears them once indexed
    restarted = MongoCallRepository(stack.mongo_url, repository.database_name)
    try:
        pending = await restarted.pending(limit=1000)
        assert sorted(c.call_id for c in pending) == ["c-old", "c-p0", "c-p1", "c-p2"]
        assert all(c.index_pending for c in pending)
        await restarted.mark_indexed([("c-p0", 0), ("c-p1", 0), ("c-old", 0)])
        # a marker goes once all its calls are indexed: the old one now, the new one with c-p2
        assert "c-old" not in {c.call_id for c in await restarted.pending(limit=1000)}
        await restarted.mark_indexed([("c-p2", 0)])
        assert await restarted.pending(limit=1000) == []
    finally:
        await restarted.close()


async def test_index_settings_filters_and_synonyms(index: MeiliSearchIndex, stack: StackEndpoints) -> None:
    master_key = stack.meili_master_key
    await index.apply_settings()  # idempotent
    await index.index(
        [
            search_document(_call("c-1", 1, "Beca para artistas")),
            search_document(_call("c-2", 1, "Premio de periodismo", call_type="premio")),
            search_document(_call("c-3", 1, "Beca retirada").model_copy(update={"status": "retirada"})),
        ]
    )
    search = PublicSearch(index.url, master_key, index.uid, "", 60)  # the site's and API's search
    try:
        english = await search.search(parse("scholarship"), facets=False)
        assert [h["id"] for h in english.hits] == ["c-1"]
        assert set(english.hits[0]) <= set(CARD_ATTRIBUTES)
        award = await search.search(parse("award"), facets=False)
        assert [h["id"] for h in award.hits] == ["c-2"]
        typo = await search.search(parse("periodsmo"), facets=False)
        assert [h["id"] for h in typo.hits] == ["c-2"]
        browse = await search.search(parse(""), facets=False)
        assert {h["id"] for h in browse.hits} == {"c-1", "c-2"} and browse.total == 2
    finally:
        await search.close()
    assert await index.health()


async def test_rejected_documents_are_permanent_errors_and_a_bad_key_is_transient(
    index: MeiliSearchIndex, stack: StackEndpoints
) -> None:
    bad_id = {**search_document(_call("c-1", 1, "Beca")), "id": "no spaces allowed"}
    with pytest.raises(PermanentError, match="invalid_document_id"):
        await index.index([bad_id])  # accepted, then failed by the task
    with pytest.raises(PermanentError, match="invalid_index_uid"):
        await index.enqueue([search_document(_call("c-1", 1, "Beca"))], uid="not a valid uid!")
    wrong_key = MeiliSearchIndex(stack.meili_url, "not-the-key", index.uid)
    try:
        with pytest.raises(TransientError, match="HTTP 403"):
            await wrong_key.enqueue([search_document(_call("c-1", 1, "Beca"))])
    finally:
        await wrong_key.close()


async def test_unreachable_engines_are_transient_errors() -> None:
    port = free_port()
    repo = MongoCallRepository(f"mongodb://127.0.0.1:{port}/", "catalog", timeout_ms=300)
    idx = MeiliSearchIndex(f"http://127.0.0.1:{port}", "key", "calls", timeout=1)
    try:
        with pytest.raises(TransientError):
            await repo.get("c-a")
        with pytest.raises(TransientError):
            await repo.upsert(_call("c-a", 1, "v1"))
        with pytest.raises(TransientError):
            await idx.search_raw({"q": "beca", "filter": public_filter(), "limit": 1})
        with pytest.raises(TransientError):
            await idx.index([search_document(_call("c-a", 1, "v1"))])
        with pytest.raises(TransientError):
            await idx.apply_settings(wait_seconds=0)
    finally:
        await idx.close()
        await repo.close()
