"""Curation use cases (the console's back end): review queue, edits with history, approve / reject /
withdraw and the audit log (the day's plan and the weekly bulletin: `editorial`).

Each function receives its ports: `repo` (`CallRepository`), `indexer` (`Indexer`: the service's index
queue, or `indexing.DirectIndexer`) and `publish` (announces a `CallPublished` on calls.published.v1;
None: do not announce), and `base_url` (the public site) so announced calls carry their public link.
A state that does not allow the action raises `TransitionError` (its message is Spanish, fit for the
curator); an unknown call raises `LookupError`.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from boi_catalog.domain import lifecycle
from boi_catalog.domain.call import (
    EDITABLE_FIELDS,
    CatalogCall,
)
from boi_catalog.domain.lifecycle import ai_value
from boi_catalog.ports import Announce, CallRepository, Indexer
from boi_catalog.service.writes import announce_if_public, write_call

log = logging.getLogger("boi.catalog.curation")


class CallView(dict[str, Any]):
    """A dict that also reads as attributes (`view["title"]` and `view.title`), for templates."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def call_view(call: CatalogCall) -> dict[str, Any]:
    """The call as the console shows it: every editable field with the AI's value, its evidence
    sentence and confidence, and whether a curator's edit locks it."""
    evidence = call.enrichment.get("evidence") or {}
    fields = {}
    for name in EDITABLE_FIELDS:
        ev = evidence.get({"title": "title_es", "summary": "summary_es"}.get(name, name)) or {}
        fields[name] = {
            "value": getattr(call, name),
            "ai_value": ai_value(call, name),
            "evidence": ev.get("sentence"),
            "confidence": ev.get("confidence"),
            "locked": name in call.locked_fields,
        }
    doc = call.model_dump(mode="json")
    return CallView(doc, fields=fields, provider=call.enrichment.get("provider"))


async def review_queue(repo: CallRepository, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Calls waiting for a curator: `en_revision`, public calls whose official link is broken, and
    visible calls a citizen reported (`service.reports`)."""
    return [call_view(c) for c in await repo.awaiting_review(limit=limit, offset=offset)]


async def get_call(repo: CallRepository, call_id: str) -> dict[str, Any] | None:
    """One call in any status, as the console shows it."""
    call = await repo.get(call_id)
    return call_view(call) if call is not None else None


async def _act(
    repo: CallRepository,
    indexer: Indexer,
    publish: Announce | None,
    call_id: str,
    user: str,
    action: str,
    step: Callable[[CatalogCall], CatalogCall],
    base_url: str,
    **details: Any,
) -> dict[str, Any]:
    def apply(previous: CatalogCall | None) -> CatalogCall | None:
        if previous is None:
            raise LookupError(call_id)
        following = step(previous)
        return following if following is not previous else None

    call = await write_call(repo, call_id, apply)
    if call is None:  # nothing changed
        stored = await repo.get(call_id)
        assert stored is not None
        return call_view(stored)
    now = datetime.now(UTC)
    await repo.log({"at": now, "user": user, "action": action, "call_id": call_id, **details})
    await indexer.submit([call])
    if publish is not None and action != "reject":
        await announce_if_public(call, publish, base_url)
    return call_view(call)


async def edit_call(
    repo: CallRepository,
    indexer: Indexer,
    publish: Announce | None,
    call_id: str,
    changes: dict[str, Any],
    user: str,
    *,
    base_url: str,
) -> dict[str, Any]:
    """Apply a curator's edits (history: who, when, field, AI value, old, new); each edited field is
    locked against later AI re-enrichment until `accept_ai`. A public call's edit is announced."""
    step = lambda c: lifecycle.edit(c, changes, user, datetime.now(UTC))  # noqa: E731
    return await _act(repo, indexer, publish, call_id, user, "edit", step, base_url, fields=sorted(changes))


async def accept_ai(
    repo: CallRepository,
    indexer: Indexer,
    publish: Announce | None,
    call_id: str,
    field: str,
    user: str,
    *,
    base_url: str,
) -> dict[str, Any]:
    """Unlock `field` and take the AI's value back (later re-enrichments update it again)."""
    step = lambda c: lifecycle.accept_ai(c, field, user, datetime.now(UTC))  # noqa: E731
    return await _act(repo, indexer, publish, call_id, user, "accept_ai", step, base_url, field=field)


async def approve(
    repo: CallRepository,
    indexer: Indexer,
    publish: Announce | None,
    call_id: str,
    user: str,
    *,
    base_url: str,
) -> dict[str, Any]:
    """en_revision → publicada: indexed for the public and announced as "published"."""
    step = lambda c: lifecycle.approve(c, user, datetime.now(UTC))  # noqa: E731
    return await _act(repo, indexer, publish, call_id, user, "approve", step, base_url)


async def reject(
    repo: CallRepository,
    indexer: Indexer,
    publish: Announce | None,
    call_id: str,
    user: str,
    reason: str,
    *,
    base_url: str,
) -> dict[str, Any]:
    """en_revision → archivada: never public, nothing announced."""
    step = lambda c: lifecycle.reject(c, user, reason, datetime.now(UTC))  # noqa: E731
    return await _act(repo, indexer, publish, call_id, user, "reject", step, base_url, reason=reason)


async def withdraw(
    repo: CallRepository,
    indexer: Indexer,
    publish: Announce | None,
    call_id: str,
    user: str,
    reason: str,
    *,
    base_url: str,
) -> dict[str, Any]:
    """A published call → retirada: out of public search, announced as "withdrawn"."""
    step = lambda c: lifecycle.withdraw(c, user, reason, datetime.now(UTC))  # noqa: E731
    return await _act(repo, indexer, publish, call_id, user, "withdraw", step, base_url, reason=reason)


async def audit_log(repo: CallRepository, *, limit: int = 100) -> list[dict[str, Any]]:
    """The latest curator and system actions, newest first: at, user, action, call_id, details."""
    return await repo.audit_log(limit=limit)
