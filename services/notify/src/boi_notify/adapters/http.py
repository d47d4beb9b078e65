"""The webhook transport over httpx: one POST, no redirects followed, errors mapped to the domain's.
Endpoints are reached through the shared outbound guard: a URL naming a private, loopback… address is
refused unless allowlisted (BOI_OUTBOUND_ALLOWLIST)."""

import asyncio
from collections.abc import Mapping, Sequence

import httpx

from boi_notify.domain.delivery import EndpointUnreachable
from boi_shared.outbound import guarded_client

USER_AGENT = "BOI-notify/2 (+Standard Webhooks; calls.published.v1)"


def webhook_client(timeout_seconds: float, allowlist: Sequence[str] = ()) -> httpx.AsyncClient:
    """A client for partner endpoints: one timeout for connect, write and read, and the whole request cut
    at the same bound (a receiver trickling bytes); redirects not followed (they could lead anywhere)."""
    return guarded_client(
        allowlist,
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


class HttpxWebhookSender:
    """`WebhookSender` on a shared `httpx.AsyncClient` (connection pooling across deliveries)."""

    def __init__(self, client: httpx.AsyncClient, timeout_seconds: float) -> None:
        self.client = client
        self.timeout_seconds = timeout_seconds

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                response = await self.client.post(url, content=body, headers=dict(headers))
        except TimeoutError as exc:
            raise EndpointUnreachable(f"no answer within {self.timeout_seconds:g} s") from exc
        except httpx.RequestError as exc:  # connection errors, every timeout, undecodable answers
            raise EndpointUnreachable(f"{type(exc).__name__}: {exc}"[:500]) from exc
        return response.status_code
