"""The webhook transport over httpx: one POST, no redirects followed, errors mapped to the domain's.
Endpoints are reached through the shared outbound guard: a URL naming a private, loopback… address is
refused unless allowlisted (BOI_OUTBOUND_ALLOWLIST)."""

from collections.abc import Mapping, Sequence

import httpx

from boi_notify.domain.delivery import EndpointUnreachable
from boi_shared.outbound import guarded_client

USER_AGENT = "BOI-notify/1 (+calls.published.v1 webhooks)"


def webhook_client(timeout_seconds: float, allowlist: Sequence[str] = ()) -> httpx.AsyncClient:
    """A client for partner endpoints: one timeout for connect, write and read; redirects not followed."""
    return guarded_client(
        allowlist,
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


class HttpxWebhookSender:
    """`WebhookSender` on a shared `httpx.AsyncClient` (connection pooling across deliveries)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            response = await self.client.post(url, content=body, headers=dict(headers))
        except httpx.RequestError as exc:  # connection errors, every timeout, undecodable answers
            raise EndpointUnreachable(f"{type(exc).__name__}: {exc}"[:500]) from exc
        return response.status_code
