"""What the catalog tells the world about a call: public links, `CallPublished`, impressions, and the
hand-off of an approved weekly bulletin (`BulletinPublished`)."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from boi_catalog.domain.call import CatalogCall
from boi_shared.events import (
    BulletinCall,
    BulletinPublished,
    CallPublished,
    ImpressionRecorded,
    PublicCall,
)
from boi_shared.ids import event_id_for
from boi_shared.taxonomy import CallType, Eligibility

ImpressionKind = Literal["search_result", "call_view"]


def public_url(base_url: str, call_id: str) -> str:
    """The call's page on the public site."""
    return f"{base_url.rstrip('/')}/convocatorias/{call_id}"


def public_call(call: CatalogCall, base_url: str) -> PublicCall:
    return PublicCall(
        url=call.url,
        public_url=public_url(base_url, call.call_id),
        title=call.title,
        summary=call.summary,
        call_type=CallType(call.call_type) if call.call_type else None,
        deadline=date.fromisoformat(call.deadline) if call.deadline else None,
        colombia_eligible=Eligibility(call.colombia_eligible),
        funder=call.funder,
        language=call.language,
        status=call.status,
        sectors=list(call.sectors),
        ods=list(call.ods),
    )


def call_published(call: CatalogCall, base_url: str) -> CallPublished:
    """The change to announce. The event id depends only on (call, version, revision), so re-emitting
    it after a crash or a replay yields the same id and subscribers de-duplicate it."""
    return CallPublished(
        event_id=event_id_for("published", call.call_id, call.version, call.revision),
        occurred_at=call.updated_at,
        call_id=call.call_id,
        version=call.version,
        change=call.change,
        changed_fields=call.changed_fields,
        call=public_call(call, base_url),
    )


def impressions(
    call_ids: Sequence[str], kind: ImpressionKind, channel: str, first_position: int = 0
) -> list[ImpressionRecorded]:
    """One impression per call shown; `position` is the absolute rank in the result list."""
    return [
        ImpressionRecorded(
            call_id=call_id,
            kind=kind,
            channel=channel,
            position=first_position + i if kind == "search_result" else None,
        )
        for i, call_id in enumerate(call_ids)
    ]


def bulletin_published(
    week: str, title: str, intro: str, calls: list[CatalogCall], base_url: str, approved_at: datetime
) -> BulletinPublished:
    """The hand-off of an approved bulletin (notify emails it to weekly subscribers). Its event id depends
    on (week, approval time): approving again is a new event; consumers act once per week."""
    base = base_url.rstrip("/")
    return BulletinPublished(
        event_id=event_id_for("bulletin", week, approved_at.isoformat()),
        occurred_at=approved_at,
        week=week,
        title=title,
        intro=intro,
        public_url=f"{base}/boletin/{week}",
        pdf_url=f"{base}/boletin/{week}.pdf",
        calls=[BulletinCall(call_id=c.call_id, call=public_call(c, base_url)) for c in calls],
    )
