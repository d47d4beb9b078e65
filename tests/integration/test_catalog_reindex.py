"""`boi catalog reindex` on the real stack: the index is rebuilt from MongoDB into a new index and swapped
in, while searches keep answering throughout; the temporary index is gone afterwards."""

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import meilisearch
import pytest
from pymongo import MongoClient
from typer.testing import CliRunner

from boi_catalog.adapters.documents import to_document
from boi_catalog.adapters.meili_settings import INDEX_SETTINGS
from boi_catalog.cli import app
from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.search import public_filter, search_document
from tests.support.catalog_calls import catalog_call
from tests.support.stack import StackEndpoints

N = 3000


def _call(n: int, word: str) -> CatalogCall:
    return catalog_call(
        f"c-reindex-{n:06d}",
        status="publicada" if n % 10 else "en_revision",
        url=f"https://example.org/{n}",
        title=f"Beca {word} {n}",
        text="Texto de la convocatoria " * 20,
    )


@pytest.fixture
def names(stack: StackEndpoints) -> Iterator[dict[str, str]]:
    suffix = uuid.uuid4().hex[:8]
    yield {"database": f"catalog_reindex_{suffix}", "index": f"calls_reindex_{suffix}"}
    with MongoClient(stack.mongo_url) as client:
        client.drop_database(f"catalog_reindex_{suffix}")
    meilisearch.Client(stack.meili_url, stack.meili_master_key).delete_index(f"calls_reindex_{suffix}")


def test_reindex_rebuilds_from_mongodb_and_swaps_without_downtime(
    stack: StackEndpoints, names: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    word = f"reidx{uuid.uuid4().hex[:8]}"
    calls = [_call(n, word) for n in range(N)]
    with MongoClient(stack.mongo_url) as client:
        client[names["database"]]["calls"].insert_many([to_document(c) for c in calls])
    # the live index holds a stale subset (as after an outage or a settings change)
    meili = meilisearch.Client(stack.meili_url, stack.meili_master_key)
    meili.wait_for_task(meili.create_index(names["index"], {"primaryKey": "id"}).task_uid)
    live = meili.index(names["index"])
    meili.wait_for_task(live.update_settings(INDEX_SETTINGS).task_uid)
    meili.wait_for_task(live.add_documents([search_document(c) for c in calls[:100]]).task_uid)

    failures: list[Any] = []
    answered = 0
    done = threading.Event()

    def search_throughout() -> None:
        nonlocal answered
        body = {"q": word, "filter": public_filter(), "limit": 1}
        headers = {"Authorization": f"Bearer {stack.meili_master_key}"}
        while not done.is_set():
            r = httpx.post(f"{stack.meili_url}/indexes/{names['index']}/search", json=body, headers=headers)
            if r.status_code != 200 or r.json()["estimatedTotalHits"] == 0:
                failures.append((r.status_code, r.text[:200]))
            answered += 1

    for key, value in {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": names["database"],
        "BOI_MEILI_INDEX": names["index"],
    }.items():
        monkeypatch.setenv(key, value)
    searcher = threading.Thread(target=search_throughout)
    searcher.start()
    try:
        result = CliRunner().invoke(app, ["reindex", "--batch-size", "1000"])
    finally:
        done.set()
        searcher.join()
    assert result.exit_code == 0, result.output
    assert f"Reindexed {N} calls" in result.output
    assert answered > 0 and failures == []

    stats = live.get_stats()
    assert stats.number_of_documents == N
    settings = live.get_settings()
    assert settings["filterableAttributes"] == INDEX_SETTINGS["filterableAttributes"]
    assert settings["facetSearch"] is False
    public = live.search("", {"filter": public_filter(), "limit": 0, "facets": ["status"]})
    assert public["facetDistribution"]["status"] == {"publicada": N - N // 10}
    leftovers = [i.uid for i in meili.get_indexes({"limit": 1000})["results"]]
    assert not [uid for uid in leftovers if uid.startswith(f"{names['index']}_rebuild_")]
