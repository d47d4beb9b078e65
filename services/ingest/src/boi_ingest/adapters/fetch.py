"""Fetch a source document: a local file, or an http(s) URL through httpx (time budget, size cap)."""

import asyncio
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.model import Document
from boi_ingest.domain.urls import is_http_url

USER_AGENT = "BOI-ingest/0.1 (+https://github.com/boi)"
ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


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
    """Fetches documents; owns one httpx client (use `async with`)."""

    def __init__(self, *, timeout: float, max_bytes: int, client: httpx.AsyncClient | None = None) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._client = client or httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
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

    async def fetch(self, location: str) -> Document:
        location = location.strip()
        if is_http_url(location):
            return await self._fetch_http(location)
        if location.lower().startswith("file://"):
            location = url2pathname(urlsplit(location).path)
        elif "://" in location:
            raise FetchError(f"unsupported source {location[:200]!r}: use a file path or an http(s) URL")
        return await asyncio.to_thread(read_file, Path(location), self.max_bytes)

    async def _fetch_http(self, url: str) -> Document:
        try:
            # httpx's timeout is per operation; this bounds the whole fetch (slow-drip servers).
            async with asyncio.timeout(self.timeout):
                return await self._download(url)
        except TimeoutError as exc:
            raise FetchError(f"{url} did not answer within {self.timeout:g}s; try again later") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"could not fetch {url}: {type(exc).__name__}: {exc}") from exc

    async def _download(self, url: str) -> Document:
        async with self._client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(f"{url} answered HTTP {response.status_code}; check the URL")
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
            )
