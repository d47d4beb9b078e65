"""Public searches on Meilisearch, and the short-lived tenant tokens browsers search with.

The server searches over httpx **without keep-alive** (a keep-alive connection stalls ~40 ms on responses
over ~2 KB here, see docs/architecture.md). Browsers get a tenant token signed with
the index's search-only key (`adapters.meili_admin.public_search_key`) whose rules restrict every search to
published calls, cached here for half its life; the master key never leaves the server.
"""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from boi_catalog.domain.search import public_filter
from boi_catalog.web.query import SearchParams, meili_body
from boi_shared.errors import TransientError

# () → (uid, key) of the index's search-only API key (`adapters.meili_admin.public_search_key`)
SearchKey = Callable[[], Awaitable[tuple[str, str]]]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tenant_token(api_key_uid: str, api_key: str, index_uid: str, filter_: str, expires_at: int) -> str:
    """A Meilisearch tenant token: an HS256 JWT signed with a search-only key whose search rules Meilisearch
    adds to every search made with it (`filter_`), whatever the browser sends. Written here (15 lines)
    because the client library insists on uuid4 key uids and ours are stable uuid5 ones."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"searchRules": {index_uid: {"filter": filter_}}, "apiKeyUid": api_key_uid, "exp": expires_at}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(api_key.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


@dataclass(frozen=True)
class Found:
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]


@dataclass(frozen=True)
class BrowserSearch:
    """What the browser needs to search Meilisearch directly."""

    url: str
    index: str
    token: str
    expires_at: int


class PublicSearch:
    def __init__(self, url: str, master_key: str, index_uid: str, public_url: str, ttl: int) -> None:
        self.index_uid = index_uid
        # Never the internal `url`: without a public address (a proxy) browsers get no Meilisearch URL.
        self.public_url = public_url.rstrip("/")
        self._ttl = ttl
        headers = {"Authorization": f"Bearer {master_key}"} if master_key else {}
        self._http = httpx.AsyncClient(
            base_url=url, headers=headers, timeout=5.0, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self._token: BrowserSearch | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> "PublicSearch":
        return cls(
            settings.meili_url,
            settings.meili_master_key.get_secret_value(),
            settings.meili_index,
            settings.meili_public_url,
            settings.search_token_ttl_seconds,
        )

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.post(path, json=body)
        except httpx.TransportError as exc:
            raise TransientError(f"Meilisearch unavailable: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429):
            raise TransientError(f"Meilisearch answered {response.status_code}")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def search(self, params: SearchParams, *, facets: bool = True) -> Found:
        data = await self._post(f"/indexes/{self.index_uid}/search", meili_body(params, facets=facets))
        return Found(
            total=int(data.get("totalHits", data.get("estimatedTotalHits", 0))),
            hits=list(data.get("hits", [])),
            facets=dict(data.get("facetDistribution") or {}),
        )

    async def browser_search(self, search_key: SearchKey) -> BrowserSearch:
        """A tenant token restricted to published calls, reused until half its life has passed."""
        now = int(time.time())
        if self._token is None or self._token.expires_at - now < self._ttl // 2:
            uid, key = await search_key()
            expires = now + self._ttl
            token = tenant_token(uid, key, self.index_uid, public_filter(), expires)
            self._token = BrowserSearch(self.public_url, self.index_uid, token, expires)
        return self._token

    async def close(self) -> None:
        await self._http.aclose()
