"""Use cases of the office's day: the day's plan picked from today's candidates and announced on every
channel at its hour, and the weekly bulletin proposed by score, edited and approved by a curator.

Announcing a plan emits, for each of its calls, a `CallPublished` (`updated`, changed_fields
[`announced_at`], event id derived from the call and the day: a second replica or a retry emits the same
id and subscribers de-duplicate it) and puts the call's social drafts in the outbox. A plan with a call
that was withdrawn, closed or is not approved is refused with the reason (`PlanRefused`).
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from boi_catalog.branding import Brand
from boi_catalog.domain import editorial
from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.editorial import PlanRefused, Scored
from boi_catalog.domain.public import bulletin_published, call_published
from boi_catalog.ports import Announce, CallRepository, EditorialStore, ViewCounts
from boi_catalog.service.outbox import drafts_for_bulletin, drafts_for_calls
from boi_shared.events import BulletinPublished
from boi_shared.ids import event_id_for

log = logging.getLogger("boi.catalog.editorial")
POOL = 2000  # public calls considered (the office has ~1,300 in all)


async def _public_calls(repo: CallRepository) -> list[CatalogCall]:
    return await repo.public_calls(limit=POOL)


async def announced_ids(store: EditorialStore) -> set[str]:
    return {i for plan in await store.plans("day", "announced", limit=5000) for i in plan["call_ids"]}


async def day_candidates(repo: CallRepository, store: EditorialStore, today: date) -> list[CatalogCall]:
    """Approved calls not announced yet and still open, closing soonest first, then by relevance."""
    return editorial.plan_candidates(await _public_calls(repo), today, await announced_ids(store))


async def save_day_plan(
    repo: CallRepository,
    store: EditorialStore,
    day: date,
    call_ids: list[str],
    publish_at: datetime,
    user: str,
) -> dict[str, Any]:
    """Store the day's plan (3–7 calls, in order) to be announced at `publish_at`; `PlanRefused` says
    why a plan cannot be (a call withdrawn, closed, not approved, already announced)."""
    existing = await store.get_plan("day", day.isoformat())
    if existing and existing.get("status") == "announced":
        raise PlanRefused("El plan de ese día ya se anunció.")
    stored = await repo.get_many(list(dict.fromkeys(call_ids)))
    ids = editorial.check_plan(call_ids, stored, day, await announced_ids(store))
    now = datetime.now(UTC)
    plan = {"call_ids": ids, "user": user, "at": now, "publish_at": publish_at, "status": "scheduled"}
    await store.put_plan("day", day.isoformat(), plan)
    await repo.log({"at": now, "user": user, "action": "plan_day", "key": day.isoformat(), "call_ids": ids})
    return plan


async def announce_due(
    repo: CallRepository,
    store: EditorialStore,
    announce: Announce,
    base_url: str,
    brand: Brand,
    now: datetime,
) -> list[str]:
    """Announce every scheduled plan whose hour has come; returns their days."""
    done = []
    for plan in await store.plans("day", "scheduled"):
        if editorial.due(plan["publish_at"], now):
            await announce_plan(repo, store, announce, base_url, brand, plan, now)
            done.append(plan["key"])
    return done


async def announce_plan(
    repo: CallRepository,
    store: EditorialStore,
    announce: Announce,
    base_url: str,
    brand: Brand,
    plan: dict[str, Any],
    now: datetime,
) -> None:
    key = plan["key"]
    stored = await repo.get_many(plan["call_ids"])
    calls = [stored[i] for i in plan["call_ids"] if i in stored and stored[i].is_public]
    for skipped in set(plan["call_ids"]) - {c.call_id for c in calls}:
        log.warning("planned call no longer public: not announced", extra={"call_id": skipped})
    for call in calls:
        event = call_published(call, base_url).model_copy(
            update={
                "event_id": event_id_for("announced", call.call_id, key),
                "occurred_at": now,
                "change": "updated",
                "changed_fields": ["announced_at"],
                "announced_at": plan["publish_at"],
            }
        )
        await announce(event)
    await store.add_drafts(drafts_for_calls(calls, f"plan-{key}", base_url, brand))
    announced = [c.call_id for c in calls]
    await store.put_plan(
        "day", key, {**plan, "status": "announced", "announced_at": now, "announced": announced}
    )
    await repo.log(
        {"at": now, "user": plan["user"], "action": "announce_day", "key": key, "call_ids": announced}
    )


async def propose_bulletin(
    repo: CallRepository, views: ViewCounts, today: date, *, size: int = editorial.TOP
) -> list[Scored]:
    """The week's top `size` by the documented score (`domain.editorial`): its first 5 are the proposal."""
    return editorial.propose_top(await _public_calls(repo), today, await views.views(), size)


async def save_bulletin(
    repo: CallRepository,
    store: EditorialStore,
    key: str,
    call_ids: list[str],
    title: str,
    intro: str,
    user: str,
    *,
    approve: bool,
    base_url: str,
    brand: Brand,
    announce: Callable[[BulletinPublished], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Save the week's bulletin (exactly 5 public calls, in order); approving publishes its page, PDF
    and RSS item, puts its social drafts in the outbox and hands it to notify (`announce`:
    `bulletins.published.v1`, emailed to weekly subscribers once per week however often it is approved)."""
    editorial.week_monday(key)
    ids = list(dict.fromkeys(call_ids))
    if len(ids) != editorial.TOP:
        raise PlanRefused(f"El boletín lleva exactamente {editorial.TOP} convocatorias (hay {len(ids)}).")
    stored = await repo.get_many(ids)
    for call_id in ids:
        call = stored.get(call_id)
        if call is None:
            raise PlanRefused(f"La convocatoria {call_id} no existe.")
        if not call.is_public:
            reason = editorial.STATUS_REASONS_ES.get(call.status, call.status)
            raise PlanRefused(f"«{call.title[:80]}» {reason}: quítela del boletín.")
    now = datetime.now(UTC)
    title = title.strip()[:160] or f"Boletín de la semana {key}"
    plan: dict[str, Any] = {
        "call_ids": ids,
        "title": title,
        "intro": intro.strip()[:2000],
        "user": user,
        "at": now,
    }
    previous = await store.get_plan("week", key) or {}
    approved = approve or previous.get("status") == "approved"
    plan["status"] = "approved" if approved else "draft"
    plan["approved_by"] = user if approve else previous.get("approved_by")
    plan["approved_at"] = now if approve else previous.get("approved_at")
    await store.put_plan("week", key, plan)
    await repo.log(
        {"at": now, "user": user, "action": "approve_bulletin" if approve else "edit_bulletin", "key": key}
    )
    if approve:
        calls = [stored[i] for i in ids]
        await store.add_drafts(drafts_for_bulletin(key, title, calls, base_url, brand))
        if announce is not None:
            await announce(bulletin_published(key, title, plan["intro"], calls, base_url, now))
    return plan


async def bulletin(
    repo: CallRepository, store: EditorialStore, key: str
) -> tuple[dict[str, Any], list[CatalogCall]] | None:
    """An approved bulletin and its calls in order (closed or withdrawn ones are still listed)."""
    plan = await store.get_plan("week", key)
    if plan is None or plan.get("status") != "approved":
        return None
    stored = await repo.get_many(plan["call_ids"])
    return plan, [stored[i] for i in plan["call_ids"] if i in stored]


async def bulletins(store: EditorialStore, *, limit: int = 200) -> list[dict[str, Any]]:
    """Approved bulletins, newest first (the archive and the RSS feed)."""
    return await store.plans("week", "approved", limit=limit)
