"""Use cases of the social outbox: drafts made when a plan is announced or a bulletin approved, edited by
a curator within each channel's limits, and marked as posted (who, when, where) — which reports a
`social` impression per call with its channel and UTM campaign. Nothing here posts anywhere."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from boi_catalog.branding import Brand
from boi_catalog.domain import social
from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.public import public_url
from boi_catalog.ports import EditorialStore, ImpressionSink
from boi_shared.events import ImpressionRecorded


class DraftRefused(ValueError):
    """The edit or the action is not allowed; the message says why, in the curator's words."""


def call_facts(call: CatalogCall, base_url: str, brand: Brand) -> social.Facts:
    return social.Facts(
        title=call.title,
        summary=call.summary,
        type_label=brand.type_label(call.call_type),
        call_type=call.call_type,
        deadline=date.fromisoformat(call.deadline) if call.deadline else None,
        colombia_eligible=call.colombia_eligible,
        funder=call.funder,
        page_url=public_url(base_url, call.call_id),
    )


def _draft(
    subject: str, title: str, call_ids: list[str], channel: str, text: str, campaign: str
) -> dict[str, Any]:
    return {
        "_id": f"{subject}:{channel}",
        "subject": subject,
        "title": social.shorten(social.plain(title), 200),
        "call_ids": call_ids,
        "channel": channel,
        "text": text,
        "campaign": campaign,
        "status": "draft",
        "created_at": datetime.now(UTC),
    }


def drafts_for_calls(
    calls: Sequence[CatalogCall], campaign: str, base_url: str, brand: Brand
) -> list[dict[str, Any]]:
    """Four drafts per call (LinkedIn, X, Instagram with its card, WhatsApp)."""
    out = []
    for call in calls:
        texts = social.call_drafts(call_facts(call, base_url, brand), campaign, brand.hashtags)
        for channel, text in texts.items():
            out.append(_draft(f"call:{call.call_id}", call.title, [call.call_id], channel, text, campaign))
    return out


def drafts_for_bulletin(
    key: str, title: str, calls: Sequence[CatalogCall], base_url: str, brand: Brand
) -> list[dict[str, Any]]:
    campaign = f"boletin-{key}"
    page = f"{base_url.rstrip('/')}/boletin/{key}"
    items = [call_facts(c, base_url, brand) for c in calls]
    texts = social.bulletin_drafts(title, page, items, campaign, brand.hashtags)
    ids = [c.call_id for c in calls]
    return [_draft(f"boletin:{key}", title, ids, ch, text, campaign) for ch, text in texts.items()]


def check_text(channel: str, text: str) -> str:
    """A curator's edit, refused when it breaks the channel's limits."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise DraftRefused("El texto está vacío.")
    if channel == "x" and social.x_length(text) > social.X_LIMIT:
        raise DraftRefused(
            f"En X caben {social.X_LIMIT} caracteres (cada enlace cuenta 23); hay {social.x_length(text)}."
        )
    if channel == "instagram":
        if len(text) > social.INSTAGRAM_LIMIT:
            raise DraftRefused(f"En Instagram caben {social.INSTAGRAM_LIMIT} caracteres; hay {len(text)}.")
        if text.count("#") > social.INSTAGRAM_HASHTAGS:
            raise DraftRefused(f"Instagram admite hasta {social.INSTAGRAM_HASHTAGS} etiquetas (#).")
    if channel == "linkedin" and len(text) > social.LINKEDIN_LIMIT:
        raise DraftRefused(f"En LinkedIn caben {social.LINKEDIN_LIMIT} caracteres; hay {len(text)}.")
    return text


async def edit_draft(store: EditorialStore, draft_id: str, text: str, user: str) -> None:
    draft = await store.get_draft(draft_id)
    if draft is None:
        raise LookupError(draft_id)
    if draft["status"] == "posted":
        raise DraftRefused("Ya se publicó: el texto publicado no se cambia.")
    await store.update_draft(
        draft_id,
        {"text": check_text(draft["channel"], text), "edited_by": user, "edited_at": datetime.now(UTC)},
    )


async def mark_posted(
    store: EditorialStore, impressions: ImpressionSink, draft_id: str, user: str, where: str, now: datetime
) -> bool:
    """Record that a person posted the draft (who, when, where: the post's address or the group's name)
    and report one `social` impression per call it shows. False when it was already marked."""
    draft = await store.get_draft(draft_id)
    if draft is None:
        raise LookupError(draft_id)
    if draft["status"] == "posted":
        return False
    where = social.shorten(social.plain(where), 300)
    if not where:
        raise DraftRefused("Indique dónde se publicó (enlace de la publicación o nombre del grupo).")
    await store.update_draft(
        draft_id, {"status": "posted", "posted_by": user, "posted_at": now, "posted_where": where}
    )
    await impressions.record(
        [
            ImpressionRecorded(
                call_id=call_id, kind="social", channel=draft["channel"], campaign=draft["campaign"]
            )
            for call_id in draft["call_ids"]
        ]
    )
    return True
