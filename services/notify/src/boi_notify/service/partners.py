"""Admin use cases of partner endpoints (`boi partners …` and the console's page): register with a checked
URL and filter and a new secret shown once, list, rotate the secret (both signatures sent while the old one
lasts), disable, enable, replay deliveries since a date, read the delivery log."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from boi_notify.domain.partners import Endpoint, InvalidPartner, check_name, parse_filter
from boi_notify.domain.signing import new_secret
from boi_notify.ports import EndpointStore, RetryPublisher, WebhookDeliveries
from boi_shared.events import WebhookRetryDue
from boi_shared.ids import event_id_for
from boi_shared.outbound import OutboundGuard

MAX_URL_LENGTH = 2000


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class UrlRules:
    """`allow_http` only for tests and local development (BOI_WEBHOOK_ALLOW_HTTP)."""

    guard: OutboundGuard
    allow_http: bool = False


class Partners:
    def __init__(
        self,
        store: EndpointStore,
        deliveries: WebhookDeliveries,
        retries: RetryPublisher,
        rules: UrlRules,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.deliveries = deliveries
        self.retries = retries
        self.rules = rules
        self.now = now

    async def add(
        self, name: str, url: str, filters: Sequence[str] = (), secret: str | None = None, shown: bool = False
    ) -> Endpoint:
        """The new endpoint with its secret; InvalidPartner with the reason otherwise. `shown`: the caller
        prints the secret now (a terminal); otherwise `take_secret` prints it once later."""
        check_name(name)
        wanted = parse_filter(filters)
        url = await self.check_url(url)
        endpoint = Endpoint(name, url, secret or new_secret(), wanted, secret_shown=shown)
        if not await self.store.add(endpoint, self.now()):
            raise InvalidPartner(f"an endpoint named {name!r} exists already")
        return endpoint

    async def check_url(self, url: str) -> str:
        """The URL when BOI may post to it: https (http only when allowed), a host that resolves to public
        addresses (or allowlisted ones), no credentials in it. Checked again at every connection."""
        url = url.strip()
        if len(url) > MAX_URL_LENGTH:
            raise InvalidPartner(f"the URL is longer than {MAX_URL_LENGTH} characters")
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and self.rules.allow_http):
            raise InvalidPartner("the URL must start with https:// (http is allowed only in local tests)")
        if not parts.hostname:
            raise InvalidPartner("the URL has no host")
        if parts.username or parts.password:
            raise InvalidPartner("the URL may not carry a user or password; put a token in the path instead")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            await self.rules.guard.addresses(parts.hostname, port)
        except httpx.ConnectError as exc:  # OutboundRefused: a private address; or no DNS answer
            raise InvalidPartner(str(exc)) from None
        except ValueError as exc:
            raise InvalidPartner(f"the URL is not valid: {exc}") from None
        return url

    async def endpoints(self) -> list[Endpoint]:
        return await self.store.all()

    async def get(self, name: str) -> Endpoint:
        endpoint = await self.store.get(name)
        if endpoint is None:
            raise InvalidPartner(f"no endpoint named {name!r}; `boi partners list` shows them")
        return endpoint

    async def rotate(self, name: str, overlap: timedelta, shown: bool) -> Endpoint:
        """A new secret; the old one keeps signing too (a second signature) for `overlap`."""
        endpoint = await self.get(name)
        secret, until = new_secret(), self.now() + overlap
        await self.store.set_secret(name, secret, endpoint.secret, until, shown)
        return replace(endpoint, secret=secret, previous_secret=endpoint.secret, previous_until=until)

    async def take_secret(self, name: str) -> str:
        """The secret of an endpoint registered or rotated in the console, once: a second call is refused."""
        await self.get(name)
        secret = await self.store.take_secret(name)
        if secret is None:
            raise InvalidPartner(
                f"the secret of {name!r} was shown already; `boi partners rotate {name}` makes a new one"
            )
        return secret

    async def set_enabled(self, name: str, enabled: bool) -> None:
        await self.get(name)
        reason = None if enabled else "disabled by an admin"
        await self.store.set_enabled(name, enabled, reason, self.now())

    async def replay(self, name: str, since: datetime) -> int:
        """Sends the endpoint's deliveries recorded since `since` again (same webhook-id each: the partner
        de-duplicates); how many."""
        endpoint = await self.get(name)
        if not endpoint.enabled:
            raise InvalidPartner(f"endpoint {name!r} is disabled; enable it first")
        now = self.now()
        ids = await self.deliveries.reopen(name, since, now)
        await self.retries.publish(
            [
                WebhookRetryDue(
                    event_id=event_id_for("webhook-replay", i, now.isoformat()),
                    call_id=call_id,
                    delivery_id=i,
                    endpoint=name,
                    attempt=1,
                    due_at=now,
                )
                for i, call_id in ids
            ]
        )
        return len(ids)

    async def log(self, name: str, limit: int = 50) -> list[dict[str, Any]]:
        await self.get(name)
        return await self.deliveries.log(name, limit)
