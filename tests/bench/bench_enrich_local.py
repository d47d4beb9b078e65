"""Throughput of the offline `local` provider, single process: 1,000 real-shaped calls.

The calls are built from the 30 real texts in ../shared/data/calls (read in place; BOI_SHARED_DATA moves
it), or from the repository's demo feed when that folder is absent, with varied titles and URLs. The
provider is pure and single-threaded, so calls/s per core is the calls/s figure. Target: ≥ 200 calls/s.
"""

import asyncio
import os
import re
import time
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

from boi_enrich.adapters.local import LocalProvider
from boi_enrich.adapters.memory import MemoryCostLedger, MemoryEnrichmentCache
from boi_enrich.domain.local import enrich_local
from boi_enrich.service import ProviderChain
from boi_shared.events import RawCall, SourceRef
from boi_shared.ids import content_hash

REPO = Path(__file__).resolve().parents[2]
SHARED_CALLS = Path(os.environ.get("BOI_SHARED_DATA", REPO.parent / "shared" / "data")) / "calls"
DEMO_FEED = REPO / "deploy" / "local" / "src" / "boi_devtools" / "demo" / "convocatorias-demo.xml"
COUNT = 1000
TARGET = 200.0
VARIANTS = ("", " – convocatoria {n}", " (edición {n})", ": abierta la convocatoria", " | Call {n}")


def real_texts() -> list[tuple[str, str, str, str]]:
    """(url, language, title, text) of each real call: `URL:` and `LANG:` lines, then the text."""
    found = []
    for path in sorted(SHARED_CALLS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        url = re.search(r"^URL:\s*(\S+)", raw, re.M)
        lang = re.search(r"^LANG:\s*(\S+)", raw, re.M)
        body = "\n".join(line for line in raw.splitlines() if not re.match(r"^(URL|LANG):", line)).strip()
        title = next((line.strip() for line in body.splitlines() if line.strip()), path.stem)
        found.append(
            (
                url.group(1) if url else f"https://example.org/{path.stem}",
                lang.group(1) if lang else "es",
                title,
                body,
            )
        )
    return found


def demo_texts() -> list[tuple[str, str, str, str]]:
    root = ET.parse(DEMO_FEED).getroot()  # our own constructed feed
    found = []
    for item in root.iter("item"):
        text = unescape(re.sub(r"<[^>]+>", " ", item.findtext("description") or ""))
        found.append(
            (item.findtext("link") or "", "es", item.findtext("title") or "", " ".join(text.split()))
        )
    return found


def build_calls(count: int = COUNT) -> tuple[list[RawCall], str]:
    texts, origin = (
        (real_texts(), f"{SHARED_CALLS} (30 real texts)")
        if SHARED_CALLS.is_dir()
        else (demo_texts(), f"{DEMO_FEED.name} (demo feed)")
    )
    calls = []
    for n in range(count):
        url, lang, title, text = texts[n % len(texts)]
        variant_title = title + VARIANTS[n % len(VARIANTS)].format(n=2026 + n % 3)
        variant_url = f"{url.split('#')[0]}{'&' if '?' in url else '?'}v={n}"
        calls.append(
            RawCall(
                url=variant_url,
                title=variant_title,
                text=text,
                language=lang,
                content_hash=content_hash(variant_title, text),
                sources=[SourceRef(source_id="bench", source_type="manual", item_url=variant_url)],
            )
        )
    return calls, origin


def time_provider(calls: list[RawCall]) -> float:
    for call in calls[:20]:  # warm-up: regex compilation, caches
        enrich_local(call)
    started = time.perf_counter()
    for call in calls:
        enrich_local(call)
    return len(calls) / (time.perf_counter() - started)


def time_chain(calls: list[RawCall]) -> float:
    chain = ProviderChain([LocalProvider()], cache=MemoryEnrichmentCache(), ledger=MemoryCostLedger())

    async def run() -> float:
        started = time.perf_counter()
        for call in calls:
            await chain.enrich(call)
        return len(calls) / (time.perf_counter() - started)

    return asyncio.run(run())


def main() -> dict[str, float | str]:
    calls, origin = build_calls()
    provider_rate = time_provider(calls)
    chain_rate = time_chain(calls)
    print(f"   {len(calls)} calls from {origin}; rules enrich_local; {os.cpu_count()} cores, 1 used")
    print(f"   local provider: {provider_rate:,.0f} calls/s = {provider_rate:,.0f} calls/s per core")
    print(f"   through the chain (injection check included): {chain_rate:,.0f} calls/s")
    verdict = "meets" if chain_rate >= TARGET else "BELOW"
    print(f"   target ≥ {TARGET:.0f} calls/s per core: {verdict}")
    return {
        "local provider calls/s": provider_rate,
        "local calls/s per core": provider_rate,
        "chain calls/s per core": chain_rate,
        "target calls/s per core": TARGET,
        "provider": "enrich_local",
    }


if __name__ == "__main__":
    main()
