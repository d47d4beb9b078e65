"""The load driver: constructed RSS feeds written at a steady rate and ingested through ingest's API,
every fifth call changed later and some withdrawn by a curator; it remembers what each call must end as."""

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

from boi_catalog.web.present import MONTHS_ES
from boi_shared.ids import call_id_for


@dataclass
class Item:
    n: int
    link: str
    version: int = 1
    withdrawn: bool = False
    withdraw_tried: bool = False
    written_at: float = 0.0
    searchable_at: float | None = None

    @property
    def call_id(self) -> str:
        return call_id_for(self.link)

    @property
    def title(self) -> str:
        suffix = f" (revisión {self.version})" if self.version > 1 else ""
        return f"Beca de cooperación número {self.n}{suffix}"

    @property
    def deadline(self) -> date:
        return date.today() + timedelta(days=60 + (self.n % 200) + 7 * (self.version - 1))

    def rss(self) -> str:
        d = self.deadline
        text = (
            f"Convocatoria construida para la prueba de fallos, número {self.n}. Becas de maestría en "
            f"cooperación internacional para profesionales de Colombia. La fecha límite para postularse es "
            f"el {d.day} de {MONTHS_ES[d.month - 1]} de {d.year}."
        )
        return (
            f"<item><title>{escape(self.title)}</title><link>{escape(self.link)}</link>"
            f"<guid>{escape(self.link)}</guid><description>{escape(text)}</description>"
            f"<pubDate>{format_datetime(datetime(2026, 12, 1, tzinfo=UTC))}</pubDate></item>"
        )


@dataclass
class LoadDriver:
    """Writes `calls` new items at `rate` per second into feeds of `per_feed` items and asks ingest to
    run each changed feed (retrying while ingest is down); then changes every fifth item."""

    folder: Path
    ingest_url: Callable[[], str]
    admin_token: str
    seed: int
    calls: int
    rate: float
    per_feed: int = 500
    items: list[Item] = field(default_factory=list)
    runs_failed: int = 0
    _pending: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.items = [
            Item(n, f"https://chaos.example.org/{self.seed}/convocatoria/{n}") for n in range(self.calls)
        ]

    def feed_path(self, k: int) -> Path:
        return self.folder / f"feed-{k:04d}.xml"

    def _write_feed(self, k: int, upto: int) -> None:
        chunk = self.items[k * self.per_feed : min((k + 1) * self.per_feed, upto)]
        body = "".join(item.rss() for item in chunk)
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Fuente de prueba {k}</title><link>https://chaos.example.org/{self.seed}/{k}</link>"
            f"<description>Construida para make chaos</description>{body}</channel></rss>"
        )
        tmp = self.feed_path(k).with_suffix(".tmp")
        tmp.write_text(xml, encoding="utf-8")
        tmp.replace(self.feed_path(k))  # ingest never reads a half-written feed
        self._pending.add(k)

    async def feed_new(self) -> None:
        """New items at a steady rate, one tick a second."""
        written, tick, start = 0, 0, time.monotonic()
        while written < self.calls:
            tick += 1
            upto = min(self.calls, int(tick * self.rate))
            now = time.time()
            for item in self.items[written:upto]:
                item.written_at = now
            for k in range(written // self.per_feed, (upto - 1) // self.per_feed + 1):
                self._write_feed(k, upto)
            written = upto
            await asyncio.sleep(max(0.0, start + tick - time.monotonic()))

    async def change_every_fifth(self) -> None:
        for item in self.items[::5]:
            item.version += 1
        for k in range((self.calls - 1) // self.per_feed + 1):
            self._write_feed(k, self.calls)

    async def run_pending_forever(self) -> None:
        """Ask ingest to run every feed written since its last successful run, retrying failures."""
        async with httpx.AsyncClient(timeout=120) as client:
            while True:
                if not self._pending:
                    await asyncio.sleep(0.2)
                    continue
                batch = sorted(self._pending)
                self._pending.difference_update(batch)
                try:
                    response = await client.post(
                        f"{self.ingest_url()}/api/ingest/run",
                        json={"sources": [str(self.feed_path(k)) for k in batch]},
                        headers={"Authorization": f"Bearer {self.admin_token}"},
                    )
                    ok = response.status_code == 200 and not any(
                        r.get("error") for r in response.json().get("reports", [])
                    )
                except (httpx.HTTPError, ValueError):
                    ok = False
                if not ok:
                    self.runs_failed += 1
                    self._pending.update(batch)
                    await asyncio.sleep(1.0)

    @property
    def idle(self) -> bool:
        return not self._pending

    def pick_withdrawals(self, count: int) -> list[Item]:
        unchanged = [item for item in self.items if item.version == 1]
        chosen = random.Random(self.seed).sample(unchanged, min(count, len(unchanged)))
        return chosen
