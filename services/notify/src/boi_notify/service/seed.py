"""The former configuration, kept cheaply: each URL of BOI_WEBHOOK_URLS is registered at start-up if no
endpoint has it yet, named `env-<hash of the URL>`, with no filter and the secret `whsec_` + base64 of
BOI_WEBHOOK_SECRET (so the HMAC key partners already hold stays the same). Endpoints registered with
`boi partners add` are the way forward; a seeded endpoint is never changed once stored."""

import logging

from boi_notify.domain.delivery import endpoint_key
from boi_notify.domain.partners import InvalidPartner
from boi_notify.domain.signing import secret_from_key
from boi_notify.service.partners import Partners
from boi_notify.settings import Settings

log = logging.getLogger("boi.notify.partners")


class SeedRefused(RuntimeError):
    """A BOI_WEBHOOK_URLS entry that may not be registered: the service stops and says why."""


async def seed_endpoints(settings: Settings, partners: Partners) -> list[str]:
    """Names of the endpoints registered now."""
    if not settings.webhook_urls:
        return []
    key = settings.webhook_secret.get_secret_value().encode("utf-8")
    known = {e.url for e in await partners.endpoints()}
    added = []
    for url in settings.webhook_urls:
        if url in known:
            continue
        name = f"env-{endpoint_key(url)[:12]}"
        try:
            await partners.add(name, url, secret=secret_from_key(key), shown=True)
        except InvalidPartner as exc:
            if "exists already" in str(exc):
                continue
            raise SeedRefused(f"BOI_WEBHOOK_URLS: endpoint {name} refused: {exc}") from None
        log.info("endpoint registered from BOI_WEBHOOK_URLS", extra={"endpoint": name})
        added.append(name)
    return added
