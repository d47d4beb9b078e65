"""Who is a person and which visitor id they have today, from one request, storing nothing about them.

Known crawlers and headless browsers (the maintained `crawlerdetect` list, which includes HeadlessChrome,
curl and HTTP libraries) and requests without a user agent are not counted. For everyone else the visitor
id is the daily-salted hash of `domain.visits`; the address and user agent are used for the hash and
forgotten.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from crawlerdetect import CrawlerDetect
from fastapi import Request

from boi_catalog.domain.visits import clean_token, utc_day, visitor_id
from boi_catalog.ports import VisitorSalts
from boi_shared.events import ImpressionRecorded
from boi_shared.web import parse_networks, request_client

# utm_medium of a link → the channel the impression is counted on.
CHANNELS = {"email": "email", "correo": "email", "social": "social", "webhook": "webhook", "api": "api"}


@dataclass(frozen=True)
class Visit:
    """A counted visit: its visitor id (None when no salt store is configured) and its attribution."""

    visitor_id: str | None
    channel: str = "web"
    channel_detail: str | None = None
    utm_campaign: str | None = None

    def impression(self, call_id: str, kind: str, position: int | None = None) -> ImpressionRecorded:
        return ImpressionRecorded.model_validate(
            {
                "call_id": call_id,
                "kind": kind,
                "channel": self.channel,
                "channel_detail": self.channel_detail,
                "utm_campaign": self.utm_campaign,
                "visitor_id": self.visitor_id,
                "position": position,
            }
        )


def attribution(
    source: str | None, medium: str | None, campaign: str | None
) -> tuple[str, str | None, str | None]:
    """(channel, detail, campaign) from a link's UTM values (unknown media count as web)."""
    channel = CHANNELS.get((medium or "").strip().lower(), "web")
    return channel, clean_token(source, lower=True, max_length=40), clean_token(campaign)


class Visits:
    """Decides whether a request counts and makes its `Visit`."""

    def __init__(self, site: str, salts: VisitorSalts | None, trusted_proxies: Iterable[str] = ()) -> None:
        self.site = site
        self.salts = salts
        self.trusted = parse_networks(trusted_proxies)
        self._detector = CrawlerDetect()

    def is_bot(self, user_agent: str) -> bool:
        return not user_agent.strip() or bool(self._detector.isCrawler(user_agent))

    async def visit(self, request: Request, **utm: str | None) -> Visit | None:
        """None for a crawler or headless browser: nothing is counted for it."""
        user_agent = request.headers.get("user-agent", "")
        if self.is_bot(user_agent):
            return None
        vid = None
        if self.salts is not None:
            address = request_client(request, self.trusted)  # behind BOI_TRUSTED_PROXIES: the visitor's
            vid = visitor_id(await self.salts.salt_for(utc_day()), address, user_agent, self.site)
        return Visit(vid, *attribution(utm.get("utm_source"), utm.get("utm_medium"), utm.get("utm_campaign")))
