"""Canonical URLs: the same call reached through tracking links or fragments gets one URL (and one id)."""

from urllib.parse import unquote, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "ref", "igshid"})
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def is_http_url(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://"))


def _is_tracking(pair: str) -> bool:
    key = unquote(pair.partition("=")[0]).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _split_host_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):  # IPv6 literal: [::1]:8080
        host, _, rest = hostport.partition("]")
        return f"{host}]", rest.removeprefix(":")
    host, _, port = hostport.partition(":")
    return host, port


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, default port, fragment and tracking parameters removed.

    The rest of the query is kept byte for byte and in order (re-encoding it could break the link).
    Raises ValueError for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip().replace(" ", "%20"))
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    userinfo, _, hostport = parts.netloc.rpartition("@")
    host, port = _split_host_port(hostport.lower())
    if not host:
        raise ValueError(f"URL without a host: {url[:200]!r}")
    if port and (not port.isdigit() or int(port) > 65535):
        raise ValueError(f"URL with an invalid port: {url[:200]!r}")
    netloc = host if not port or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))
