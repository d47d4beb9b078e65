"""Rollups that represent a year of reach, written straight into a metrics database for the dashboard's
benchmark: `n` impressions of `calls` calls (a few get most of the reach), each call published on a day of
the last year and seen for the 60 days after, every kind and channel. The documents have the exact shape the
service writes: each (call, day, kind, channel) group goes through the service's own `increments`, scaled
by its count, and dotted paths become nested fields."""

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from boi_metrics.domain.rollups import CallDims, increments
from boi_shared.events import ImpressionRecorded

KINDS = [("search_result", "web")] * 12 + [("call_view", "web")] * 4 + [("source_click", "web")] * 2
KINDS += [("email", "email"), ("webhook", "webhook"), ("social", "social"), ("share", "web")]
TYPES = ("beca", "subvencion_fondo", "alianza_cooperacion", "premio", "curso_formacion", "voluntariado")
LIVE_DAYS = 60


def _nest(doc: dict[str, Any], dotted: str, n: int) -> None:
    *path, leaf = dotted.split(".")
    for part in path:
        doc = doc.setdefault(part, {})
    doc[leaf] = doc.get(leaf, 0) + n


def _calls(calls: int, rng: random.Random, today: datetime) -> dict[str, dict[str, Any]]:
    out = {}
    for i in range(calls):
        published = today - timedelta(days=rng.randrange(365))
        out[f"c-seed-{i:05d}"] = {
            "call_type": rng.choice(TYPES),
            "sectors": rng.sample(["educacion", "cultura", "ambiente", "salud", "ciencia"], 2),
            "ods": rng.sample(range(1, 18), 2),
            "funder": rng.choice(["ue", "bid", "onu", "embajada", "fundacion"]),
            "title": f"Convocatoria {i}",
            "status": "published",
            "version": 1,
            "published_at": published,
        }
    return out


def _groups(n: int, calls: dict[str, dict[str, Any]], rng: random.Random, today: datetime) -> Counter[Any]:
    ids = list(calls)
    groups: Counter[tuple[str, int, str, str]] = Counter()
    for _ in range(n):
        call = ids[min(int(rng.paretovariate(1.1)) - 1, len(ids) - 1)]
        back = (today - calls[call]["published_at"]).days
        day = max(back - rng.randrange(LIVE_DAYS), 0)  # days before today
        kind, channel = rng.choice(KINDS)
        groups[(call, day, kind, channel)] += 1
    return groups


def rollup_documents(
    n: int, calls_n: int, seed: int = 2026
) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The `calls` documents and the rollup documents (`call_counts`, `call_days`, `days`) of n
    impressions."""
    rng = random.Random(seed)
    today = datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)
    calls = _calls(calls_n, rng, today)
    docs: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (call, back, kind, channel), count in _groups(n, calls, rng, today).items():
        at = today - timedelta(days=back)
        event = ImpressionRecorded.model_validate(
            {"call_id": call, "kind": kind, "channel": channel, "occurred_at": at}
        )
        c = calls[call]
        dims = CallDims(c["call_type"], tuple(c["sectors"]), tuple(c["ods"]), c["funder"], c["title"])
        inc, day = increments(event, dims), at.date().isoformat()
        targets = (
            ("call_counts", call, {}, inc.call),
            ("call_days", f"{call}|{day}", {"call_id": call, "day": day}, inc.call_day),
            ("days", day, {}, inc.day),
        )
        for name, doc_id, fields, values in targets:
            doc = docs[name].setdefault(doc_id, {"_id": doc_id, **fields})
            for path, one in values.items():
                _nest(doc, path, one * count)
    for day, doc in docs["days"].items():  # unique visitors: about a third of the day's exposures
        doc["visitors"] = sum(sum(ch.values()) for ch in doc["n"].values()) // 3
    return calls, {name: list(d.values()) for name, d in docs.items()}


async def seed(mongo_url: str, database: str, n: int, calls_n: int) -> dict[str, int]:
    """Write the documents of n impressions; how many documents per collection."""
    calls, rollups = rollup_documents(n, calls_n)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        db = client[database]
        await db["calls"].insert_many([{"_id": k, **v} for k, v in calls.items()])
        for name, docs in rollups.items():
            for start in range(0, len(docs), 5_000):
                await db[name].insert_many(docs[start : start + 5_000], ordered=False)
        return {name: len(docs) for name, docs in rollups.items()}
    finally:
        await client.close()
