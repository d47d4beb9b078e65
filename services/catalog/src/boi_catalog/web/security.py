"""Response headers of the site's pages (a strict Content-Security-Policy). The rate limit of every public
route is `boi_shared.ratelimit` (installed by `service_app(..., rate_limited=True)`), re-exported here."""

from urllib.parse import urlsplit

from boi_shared.ratelimit import LIMITED_ES, RateLimiter, RateLimitMiddleware
from boi_shared.web import BASE_HEADERS, csp

__all__ = ["LIMITED_ES", "RateLimitMiddleware", "RateLimiter", "origin", "security_headers"]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def security_headers(connect_origin: str = "", form_origin: str = "") -> dict[str, str]:
    """Only the site's own files; scripts from 'self' only (never inline); the browser may talk to
    Meilisearch (`connect_origin`) and nothing else, and post forms to the site and notify (`form_origin`)."""
    return {
        "Content-Security-Policy": csp(connect=[connect_origin], form=[form_origin]),
        "X-Content-Type-Options": BASE_HEADERS["x-content-type-options"],
        "Referrer-Policy": BASE_HEADERS["referrer-policy"],
    }
