"""Fetch a source document: a local file under the configured roots, or an http(s) URL through httpx.

HTTP fetching is polite and defensive: an identifying User-Agent, conditional GET (ETag/Last-Modified;
a 304 is a `not_modified` document; never for a POST), at most `per_host` requests at a time to one host,
a time budget per attempt, retries with exponential backoff and jitter on 5xx, 429 and timeouts
(tenacity), a size cap counted after decompression, and no private/loopback/link-local/multicast/reserved
address unless allowlisted: the client is the shared outbound guard's (`boi_shared.outbound`), which checks
the address it actually connects to, at every redirect. A source may
declare its request (`SourceRequest`: POST with a JSON or form body, extra headers, secrets from the
environment); it goes through the same policy.
"""

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from boi_ingest.adapters.request import Prepared, SecretLookup, environment_secrets, prepare
from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.model import Document, Validators
from boi_ingest.domain.requests import SourceRequest
from boi_ingest.domain.urls import is_http_url
from boi_shared.outbound import OutboundRefused, Resolver, guarded_client, system_resolve

if TYPE_CHECKING:
    from boi_ingest.settings import Settings

USER_AGENT = "BOI-ingest/0.1 (+https://github.com/boi)"
ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
MAX_REDIRECTS = 5
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_TO_GET = frozenset({301, 302, 303})  # redirects after which a POST becomes a GET (as browsers and httpx do)


class _Transient(FetchError):
    """A failure worth another attempt (5xx, 429, timeout); the last one is reported as is."""


def _too_large(what: str, limit: int) -> FetchError:
    return FetchError(
        f"{what} is larger than {limit} bytes; if it is a legitimate feed, raise BOI_MAX_BODY_BYTES"
    )


def read_file(path: Path, max_bytes: int) -> Document:
    """A regular file, refused above `max_bytes` (checked while reading: a file can grow)."""
    try:
        if not path.exists():
            raise FetchError(f"no such file: {path} (give an existing file path or an http(s) URL)")
        if not path.is_file():
            raise FetchError(f"not a regular file: {path}")
        with path.open("rb") as fh:
            content = fh.read(max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(content) > max_bytes:
        raise _too_large(str(path), max_bytes)
    return Document(content)


class FeedFetcher:
    """Fetches documents; owns one httpx client (use `async with`).

    `file_roots`: directories local files may be read from (None: any path — the operator's own CLI);
    `allowlist`: hosts, addresses or CIDRs that may be fetched although not public; `secrets`: where the
    secret headers of declared requests are read (the environment, except the service's own settings).
    """

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int,
        allowlist: Sequence[str] = (),
        file_roots: Sequence[str | Path] | None = None,
        retries: int = 2,
        backoff: float = 1.0,
        per_host: int = 2,
        resolver: Resolver = system_resolve,
        secrets: SecretLookup | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.per_host = per_host
        self.secrets = secrets or environment_secrets()
        self.file_roots = None if file_roots is None else [Path(r).resolve() for r in file_roots]
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client = guarded_client(
            allowlist,
            resolver=resolver,
            timeout=timeout,
            follow_redirects=False,  # followed here, so every hop is checked
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        )

    @classmethod
    def from_settings(cls, settings: "Settings") -> "FeedFetcher":
        return cls(
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.max_body_bytes,
            allowlist=settings.outbound_allowlist,
            file_roots=settings.ingest_file_roots or None,
            retries=settings.fetch_retries,
            per_host=settings.fetch_per_host_limit,
        )

    async def __aenter__(self) -> "FeedFetcher":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, location: str, validators: Validators | None = None, request: SourceRequest | None = None
    ) -> Document:
        """The document at `location`, asked with the source's declared `request` (GET when None)."""
        location = location.strip()
        if is_http_url(location):
            prepared = prepare(request, self.secrets)
            if not prepared.is_post:
                return await self._fetch_http(location, validators or Validators(), prepared)
            # A POST is never conditional: no validators are sent, and none are returned to be saved.
            document = await self._fetch_http(location, Validators(), prepared)
            return dataclasses.replace(document, validators=Validators())
        if request is not None:
            raise FetchError(
                f"a request (method, body, headers) applies to an http(s) URL, not to {location[:200]!r}"
            )
        if "://" in location or location.lower().startswith("file:"):
            raise FetchError(
                f"unsupported source {location[:200]!r}: use an http(s) URL or a plain file path "
                "(file:// URLs are not accepted)"
            )
        return await asyncio.to_thread(read_file, self._local_path(location), self.max_bytes)

    def _local_path(self, location: str) -> Path:
        path = Path(location)
        if self.file_roots is None:
            return path
        resolved = path.resolve()
        if not any(resolved.is_relative_to(root) for root in self.file_roots):
            raise FetchError(
                f"refused {location[:200]}: local files are read only from BOI_INGEST_FILE_ROOTS "
                f"({', '.join(map(str, self.file_roots)) or 'none configured'})"
            )
        return resolved

    async def _fetch_http(self, url: str, validators: Validators, prepared: Prepared) -> Document:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_random_exponential(multiplier=self.backoff, max=self.backoff * 16),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    # A declared POST asks a search API (it reads, changes nothing): retried like a GET.
                    return await self._attempt(url, validators, prepared)
        except _Transient as exc:
            raise FetchError(f"{exc} (after {self.retries + 1} attempts)") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, url: str, validators: Validators, prepared: Prepared) -> Document:
        try:
            # httpx's timeout is per operation; this bounds the whole attempt (slow-drip servers).
            async with asyncio.timeout(self.timeout):
                return await self._follow(url, validators, prepared)
        except TimeoutError:
            raise _Transient(f"{url} did not answer within {self.timeout:g}s; try again later") from None
        except httpx.TimeoutException as exc:
            raise _Transient(f"{url} timed out ({type(exc).__name__}); try again later") from None
        except httpx.RemoteProtocolError as exc:
            raise FetchError(
                f"the answer of {url} was cut off before its end ({exc}); try again later"
            ) from exc
        except OutboundRefused as exc:
            raise FetchError(f"{exc} (fetching {url[:200]})") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"could not fetch {url}: {type(exc).__name__}: {exc}") from exc

    def _limit(self, url: str) -> asyncio.Semaphore:
        host = httpx.URL(url).netloc.decode("ascii", errors="replace").lower()
        return self._hosts.setdefault(host, asyncio.Semaphore(self.per_host))

    async def _follow(self, url: str, validators: Validators, prepared: Prepared) -> Document:
        conditional = {
            k: v
            for k, v in (("If-None-Match", validators.etag), ("If-Modified-Since", validators.last_modified))
            if v
        }
        method, content, current = prepared.method, prepared.content, url
        for _ in range(MAX_REDIRECTS + 1):
            headers = conditional | prepared.headers_for(current, url, with_body=content is not None)
            request = self._client.stream(method, current, headers=headers, content=content)
            async with self._limit(current), request as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    if not is_http_url(current):
                        raise FetchError(f"{url} redirects to {current[:200]!r}, which is not http(s)")
                    if response.status_code in _TO_GET:
                        method, content = "GET", None
                    continue
                return await self._read(url, response, validators)
        raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times; check the URL")

    async def _read(self, url: str, response: httpx.Response, validators: Validators) -> Document:
        status = response.status_code
        if status == 304:
            return Document(b"", base_url=str(response.url), validators=validators, not_modified=True)
        if status in _RETRY_STATUS:
            raise _Transient(f"{url} answered HTTP {status}; try again later")
        if status >= 400:
            raise FetchError(f"{url} answered HTTP {status}; check the URL")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _too_large(url, self.max_bytes)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: a gzip bomb hits the cap too
            size += len(chunk)
            if size > self.max_bytes:
                raise _too_large(url, self.max_bytes)
            chunks.append(chunk)
        return Document(
            b"".join(chunks),
            content_type=response.headers.get("content-type"),
            base_url=str(response.url),
            validators=Validators(
                etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified")
            ),
        )
