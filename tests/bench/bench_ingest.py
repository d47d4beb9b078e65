"""Ingest throughput end to end on the real stack: constructed RSS feeds of 10,000 items are parsed,
normalized (clean text, language, dates, deadline/funder candidates, canonical URL), deduplicated (item
states and near-duplicate signatures in a fresh MongoDB database) and published to a real Kafka with
acknowledgement. The same run then produces those very events with a bare aiokafka producer (same acks and
idempotence, bytes serialized beforehand), for comparison. Target: ≥ 1,000 items/s end to end.

The feeds are constructed here (not real data): varied Spanish and English titles and descriptions shaped
like real call announcements, each with a unique URL; a second portal's feed re-announces every 50th call
under its own URL and title (200 near-duplicates, merged into the first portal's calls).
"""

import asyncio
import random
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from boi_ingest.adapters.fetch import FeedFetcher
from boi_ingest.adapters.mongo import MongoItemStore
from boi_ingest.adapters.normalizer_pool import NormalizerPool
from boi_ingest.app import build_broker
from boi_ingest.service.ingest import ingest_all
from boi_ingest.settings import Settings
from boi_shared.events import CallIngested
from boi_shared.topics import CALLS_RAW
from tests.support.kafka import kafka_options
from tests.support.stack import session_stack

ITEMS = 10_000
DUPLICATE_EVERY = 50
"""Every 50th item re-announces the previous call under another URL and title (a near-duplicate)."""
TARGET = 1_000.0
KINDS_ES = ["Becas", "Convocatoria", "Premio", "Curso virtual", "Fondo", "Voluntariado", "Programa"]
KINDS_EN = ["Scholarships", "Call for proposals", "Award", "Online course", "Fund", "Fellowship"]
TOPICS_ES = ["maestría", "doctorado", "innovación social", "periodismo", "cooperación", "salud pública"]
TOPICS_EN = ["master's studies", "doctoral research", "climate action", "journalism", "public health"]
MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
FUNDERS = [
    "la Comisión Fulbright",
    "el Gobierno de Japón",
    "la Unión Europea",
    "ICETEX",
    "la Fundación Carolina",
]


def _name(rng: random.Random) -> str:
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(3, 5))).title()


def _call(seed: int) -> tuple[str, str]:
    """Title and HTML description of call number `seed` (Spanish two times in three)."""
    rng = random.Random(seed)
    name, year, day = _name(rng), rng.choice([2026, 2027]), rng.randint(1, 28)
    if seed % 3:
        title = f"{rng.choice(KINDS_ES)} {name} {year} – {rng.choice(TOPICS_ES)}"
        text = (
            f"<p>La convocatoria {name} {year}, financiada por {rng.choice(FUNDERS)}, apoya a personas y "
            f"organizaciones de América Latina interesadas en {rng.choice(TOPICS_ES)}. Cubre matrícula, "
            "manutención, seguro médico y pasajes. Pueden postularse profesionales con título "
            "universitario y "
            f"dos años de experiencia.</p><p>La fecha límite es el {day} de {rng.choice(MONTHS)} de {year}. "
            "Los resultados se publicarán en la página oficial.</p><script>track()</script>"
        )
    else:
        title = f"{rng.choice(KINDS_EN)} {name} {year}: {rng.choice(TOPICS_EN)}"
        text = (
            f"<p>The {name} programme, funded by the European Union, supports early-career professionals "
            f"working on {rng.choice(TOPICS_EN)}. It covers tuition, a monthly stipend and travel.</p>"
            f"<p>Applications close on March {day}, {year}. "
            "Shortlisted candidates are interviewed online.</p>"
        )
    return title, text


def _item(i: int, rng: random.Random) -> str:
    if i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:  # the previous call again, as another portal words it
        title, text = _call(i - 1)
        title = f"Convocatoria abierta: {title}"
    else:
        title, text = _call(i)
    link = f"https://portal{i % 7}.example.org/calls/{uuid.UUID(int=rng.getrandbits(128))}?utm_source=rss"
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<pubDate>Mon, {1 + i % 28:02d} Nov 2026 10:00:00 -0500</pubDate>"
        f"<description>{escape(text)}</description></item>"
    )


def constructed_feeds(main: Path, other: Path, items: int = ITEMS) -> None:
    """`items` entries over two feeds: every 50th re-announces the previous call and goes to `other`."""
    rng = random.Random(20261124)
    entries = [(i, _item(i, rng)) for i in range(items)]
    for path, chosen in (
        (main, [e for i, e in entries if i % DUPLICATE_EVERY != DUPLICATE_EVERY - 1]),
        (other, [e for i, e in entries if i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1]),
    ):
        path.write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Benchmark feed (constructed)</title><language>es</language>{''.join(chosen)}"
            "</channel></rss>",
            encoding="utf-8",
        )


async def _end_to_end(
    settings: Settings, feeds: list[Path]
) -> tuple[float, list[CallIngested], dict[str, Any]]:
    broker, publish = build_broker(settings)
    events: list[CallIngested] = []

    async def publish_and_keep(batch: Sequence[CallIngested]) -> list[BaseException | None]:
        results = await publish(batch)
        events.extend(e for e, r in zip(batch, results, strict=True) if r is None)
        return results

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url.get_secret_value())
    normalize = NormalizerPool(settings.ingest_normalize_workers)
    await broker.connect()
    try:
        store_db = settings.database_name("ingest")
        store = MongoItemStore(client, store_db)
        async with FeedFetcher(timeout=60, max_bytes=200 * 1024 * 1024) as fetcher:
            locations = [str(feed) for feed in feeds]
            await normalize.warm_up()  # started before timing, as in a service that ran before
            started = time.perf_counter()
            reports = await ingest_all(locations, fetcher, store, publish_and_keep, normalize)
            elapsed = time.perf_counter() - started
            assert all(r.errors == [] for r in reports), [r.errors for r in reports]
            assert sum(r.new + r.duplicate for r in reports) == ITEMS, [r.model_dump() for r in reports]
            reruns: dict[str, float] = {}
            # The same process (states and signatures in memory), then a restarted one (loads them).
            for label, rerun_store in (("warm", store), ("restarted", MongoItemStore(client, store_db))):
                again = time.perf_counter()
                rerun = await ingest_all(locations, fetcher, rerun_store, publish_and_keep, normalize)
                reruns[label] = ITEMS / (time.perf_counter() - again)
                assert sum(r.unchanged for r in rerun) == ITEMS, [r.model_dump() for r in rerun]
        duplicates = sum(r.duplicate for r in reports)
        extra = {"duplicates found": duplicates, **reruns}
        return elapsed, events, extra
    finally:
        normalize.close()
        await broker.stop()
        await client.drop_database(settings.database_name("ingest"))
        await client.close()


async def _raw_produce(bootstrap: str, events: list[CallIngested]) -> float:
    payloads = [(e.call_id.encode(), e.model_dump_json().encode()) for e in events]
    producer = AIOKafkaProducer(**kafka_options(bootstrap), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [await producer.send(CALLS_RAW.name, value, key=key) for key, value in payloads]
        await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="boi-bench-ingest-") as tmp, session_stack() as stack:
        feeds = [Path(tmp) / "portal_a_constructed.xml", Path(tmp) / "portal_b_constructed.xml"]
        constructed_feeds(*feeds)
        settings = Settings(
            **stack.kafka_settings(),
            mongo_url=stack.mongo_url,
            mongo_database=f"ingest_bench_{uuid.uuid4().hex[:10]}",
        )
        size = sum(f.stat().st_size for f in feeds) / 1e6
        print(f"   feeds: {ITEMS:,} items in two sources, {size:.1f} MB (constructed)", flush=True)
        elapsed, events, extra = asyncio.run(_end_to_end(settings, feeds))
        raw = asyncio.run(_raw_produce(stack.kafka_bootstrap, events[:ITEMS]))
    end_to_end, produce = ITEMS / elapsed, len(events[:ITEMS]) / raw
    print(f"   end to end (parse+normalize+dedup+publish): {end_to_end:,.0f} items/s ({elapsed:.2f}s)")
    print(f"   raw aiokafka produce of the same events:    {produce:,.0f} events/s ({raw:.2f}s)")
    print(f"   unchanged re-run, same process:             {extra['warm']:,.0f} items/s")
    print(f"   unchanged re-run, restarted (loads state):  {extra['restarted']:,.0f} items/s")
    print(f"   target ≥ {TARGET:,.0f} items/s end to end: {'met' if end_to_end >= TARGET else 'NOT met'}")
    return {
        "end-to-end items/s": end_to_end,
        "raw aiokafka produce events/s": produce,
        "unchanged re-run items/s": float(extra["warm"]),
        "unchanged re-run after restart items/s": float(extra["restarted"]),
        "near-duplicates merged": extra["duplicates found"],
    }


if __name__ == "__main__":
    main()
