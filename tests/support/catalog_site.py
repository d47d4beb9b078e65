"""The catalog as a real process on the session stack, with its own Meilisearch index, console users and
a set of published calls: shared by the web integration tests and the browser tests."""

import random
import secrets
import string
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from boi_catalog.web.auth import hash_password
from boi_shared.events import CallEnriched, Enrichment, Evidence, RawCall, SourceRef
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.kafka import eventually, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

ADMIN = ("ana", "clave-de-ana-123")
CURATOR = ("carlos", "clave-de-carlos-456")


def word() -> str:
    """A made-up word only one test's calls contain (letters only: one search token)."""
    return "".join(random.choices(string.ascii_lowercase, k=12))


def enriched(
    title: str,
    *,
    call_type: CallType = CallType.BECA,
    deadline: date | None = None,
    eligible: Eligibility = Eligibility.SI,
    language: str = "es",
    needs_review: bool = False,
    url: str | None = None,
) -> CallEnriched:
    url = url or f"https://example.org/{uuid.uuid4()}"
    return CallEnriched(
        call_id=call_id_for(url),
        version=1,
        call=RawCall(
            url=url,
            title=title,
            text=f"{title}.\nLa convocatoria cubre matrícula y manutención.",
            content_hash=uuid.uuid4().hex,
            language=language,
            sources=[SourceRef(source_id="t", source_type="rss", item_url=url)],
        ),
        enrichment=Enrichment(
            taxonomy_version="t",
            provider="local",
            title_es=title,
            summary_es=f"Resumen de {title}.",
            call_type=call_type,
            colombia_eligible=eligible,
            deadline=deadline,
            funder="Agencia de prueba",
            language=language,
            evidence={"deadline": Evidence(sentence="Cierra pronto.", confidence=0.9)},
            needs_review=needs_review,
        ),
    )


def days(n: int) -> date:
    return date.today() + timedelta(days=n)


@dataclass
class Site:
    svc: ServiceProcess
    stack: StackEndpoints
    index: str
    sent: list[CallEnriched] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.svc.url

    async def publish(self, *events: CallEnriched, expect_searchable: bool = True) -> None:
        for event in events:
            await publish(
                self.stack.kafka_bootstrap,
                "calls.enriched.v1",
                event.model_dump_json().encode(),
                key=event.call_id.encode(),
            )
            self.sent.append(event)
        if expect_searchable:
            ids = {e.call_id for e in events}
            await eventually(lambda: ids <= self.searchable_ids(), timeout=60)

    def searchable_ids(self) -> set[str]:
        response = httpx.get(f"{self.url}/api/calls", params={"limit": 50, "sort": "recientes"}, timeout=10)
        return {h["call_id"] for h in response.json()["hits"]} if response.status_code == 200 else set()

    def api(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", params=params, timeout=10)


def users_env() -> str:
    # Few iterations: the hash format carries them, and tests need not spend seconds on each login.
    return ",".join(
        f"{name}:{role}:{hash_password(password, iterations=1000)}"
        for (name, password), role in ((ADMIN, "admin"), (CURATOR, "curator"))
    )


@contextmanager
def catalog_site(stack: StackEndpoints, **env: str) -> Iterator[Site]:
    index = f"calls_web_{uuid.uuid4().hex[:8]}"
    svc = ServiceProcess(
        "catalog",
        {
            **stack.service_env(),
            "BOI_MEILI_INDEX": index,
            "BOI_CATALOG_AUTO_PUBLISH": "true",
            "BOI_CONSOLE_USERS": users_env(),
            "BOI_SESSION_SECRET": secrets.token_urlsafe(32),
            "BOI_API_RATE_PER_MINUTE": "6000",
            "BOI_API_RATE_BURST": "1000",
            "BOI_EXPIRY_INTERVAL_SECONDS": "2",
            **env,
        },
    ).start()
    try:
        yield Site(svc, stack, index)
    finally:
        svc.stop()


# A person's phone browser: the site does not count crawlers or headless browsers (HeadlessChrome).
PERSON_UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile"
