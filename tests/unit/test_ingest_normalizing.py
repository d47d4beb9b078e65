"""Normalization in worker processes gives what the service process computes, and survives a dead worker."""

import os
import signal
from datetime import date

from boi_ingest.adapters.normalizer_pool import NormalizerPool
from boi_ingest.domain.model import FeedItem
from boi_ingest.domain.normalize import normalize_all, normalize_here

ITEMS = [
    FeedItem(
        call_id=f"c{i}",
        url=f"https://example.org/{i}",
        item_url=f"https://example.org/{i}",
        title=title,
        text=text,
        content_hash=str(i),
    )
    for i, (title, text) in enumerate(
        [
            (
                "Becas Chevening 2027",
                "Financiado por el Gobierno del Reino Unido. La fecha límite es el 15 de febrero de 2027.",
            ),
            ("Call for proposals", "Funded by the European Union. Applications close on March 3, 2027."),
            ("Premio", ""),
        ]
    )
]


async def test_workers_find_what_the_service_process_finds() -> None:
    pool = NormalizerPool(1)
    try:
        found = await pool._in_workers(ITEMS)
        assert pool._pool is not None  # really in a worker
        assert await pool(ITEMS * 40) == normalize_all(ITEMS * 40)
    finally:
        pool.close()
    assert found == normalize_all(ITEMS) == await normalize_here(ITEMS)
    assert [(f.language, f.funder_candidates) for f in found] == [
        ("es", ["Gobierno del Reino Unido"]),
        ("en", ["European Union"]),
        (None, []),
    ]
    assert [[c.date for c in f.deadline_candidates] for f in found] == [
        [date(2027, 2, 15)],
        [date(2027, 3, 3)],
        [],
    ]


async def test_a_dead_worker_costs_nothing_but_time() -> None:
    pool = NormalizerPool(1)
    try:
        await pool.warm_up()
        assert pool._pool is not None
        for pid in list(pool._pool._processes):  # the worker dies (killed, out of memory…)
            os.kill(pid, signal.SIGKILL)
        assert await pool._in_workers(ITEMS) == normalize_all(ITEMS)  # done here, the pool restarted
        assert pool._pool is None
        assert await pool._in_workers(ITEMS) == normalize_all(ITEMS)
        assert pool._pool is not None
    finally:
        pool.close()
