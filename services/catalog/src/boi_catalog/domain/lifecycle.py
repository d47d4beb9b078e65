"""Pure status transitions and curator edits of a call. Each returns the next state of the call (a new
`revision`) or raises `TransitionError`; none does I/O."""

from datetime import date, datetime, timedelta
from typing import Any

from boi_catalog.domain.call import (
    AI_KEYS,
    ARCHIVADA,
    CERRADA,
    CIERRA_PRONTO,
    EDITABLE_FIELDS,
    EN_REVISION,
    PUBLICADA,
    RETIRADA,
    CatalogCall,
    Change,
    stamp,
)

CLOSING_SOON_DAYS = 7
_LIST_FIELDS = {"sectors", "ods", "audience", "countries"}


class TransitionError(ValueError):
    """The action does not apply to the call in its current state (say why, in Spanish)."""


def ai_value(call: CatalogCall, field: str) -> Any:
    """What the AI proposed for `field` in the stored enrichment."""
    return call.enrichment.get(AI_KEYS.get(field, field))


def _next(call: CatalogCall, now: datetime, **changes: Any) -> CatalogCall:
    return call.model_copy(
        update={"revision": call.revision + 1, "updated_at": stamp(now), "index_pending": True, **changes}
    )


def _entry(now: datetime, user: str, action: str, **more: Any) -> dict[str, Any]:
    return {"at": stamp(now), "user": user, "action": action, **more}


def _change(call: CatalogCall, change: Change, fields: list[str]) -> dict[str, Any]:
    return {"change": change, "changed_fields": fields}


def _coerce(field: str, value: Any) -> Any:
    if field not in EDITABLE_FIELDS:
        raise TransitionError(f"El campo «{field}» no se puede editar")
    if field in _LIST_FIELDS:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise TransitionError(f"El campo «{field}» debe ser una lista")
        return [int(v) for v in value] if field == "ods" else [str(v) for v in value]
    if field == "deadline" and value:
        return date.fromisoformat(str(value)).isoformat()
    if field in ("title", "summary", "colombia_eligible") and not str(value or "").strip():
        raise TransitionError(f"El campo «{field}» no puede quedar vacío")
    return str(value).strip() if value not in (None, "") else None


def edit(call: CatalogCall, changes: dict[str, Any], user: str, now: datetime) -> CatalogCall:
    """Apply a curator's edits. Each changed field is recorded (who, when, AI value, old, new) and
    locked: a later AI re-enrichment keeps the curator's value until `accept_ai`."""
    if call.status in (RETIRADA, ARCHIVADA):
        raise TransitionError("Una convocatoria retirada o archivada no se edita")
    updates: dict[str, Any] = {}
    history = list(call.history)
    locked = dict(call.locked_fields)
    for field, raw in changes.items():
        new = _coerce(field, raw)
        old = getattr(call, field)
        if new == old:
            continue
        updates[field] = new
        locked[field] = new
        history.append(
            _entry(now, user, "edit", field=field, ai_value=ai_value(call, field), old=old, new=new)
        )
    if not updates:
        return call
    fields = list(updates)
    announce = _change(call, "updated", fields) if call.announced else {}
    return _next(call, now, **updates, **announce, locked_fields=locked, history=history)


def accept_ai(call: CatalogCall, field: str, user: str, now: datetime) -> CatalogCall:
    """Unlock `field` and take the AI's value back."""
    if field not in call.locked_fields:
        raise TransitionError(f"El campo «{field}» no tiene edición de curador")
    locked = {k: v for k, v in call.locked_fields.items() if k != field}
    new = ai_value(call, field)
    entry = _entry(now, user, "accept_ai", field=field, ai_value=new, old=getattr(call, field), new=new)
    announce = _change(call, "updated", [field]) if call.announced else {}
    return _next(call, now, **{field: new}, **announce, locked_fields=locked, history=[*call.history, entry])


def approve(call: CatalogCall, user: str, now: datetime) -> CatalogCall:
    """en_revision → publicada (also re-publishes an archived call). Approving publishes."""
    if call.status not in (EN_REVISION, ARCHIVADA, RETIRADA):
        raise TransitionError(f"La convocatoria ya está {call.status}")
    published_at = call.published_at if call.announced else stamp(now)
    return _next(
        call,
        now,
        status=PUBLICADA,
        published_at=published_at,
        announced=True,
        **_change(call, "published", []),
        history=[*call.history, _entry(now, user, "approve")],
    )


def reject(call: CatalogCall, user: str, reason: str, now: datetime) -> CatalogCall:
    """en_revision → archivada: never public."""
    if call.status != EN_REVISION:
        raise TransitionError("Solo se rechaza una convocatoria en revisión")
    entry = _entry(now, user, "reject", reason=reason)
    return _next(call, now, status=ARCHIVADA, history=[*call.history, entry])


def withdraw(call: CatalogCall, user: str, reason: str, now: datetime) -> CatalogCall:
    """A public (or closed) call → retirada: out of public search, announced as "withdrawn"."""
    if call.status not in (PUBLICADA, CIERRA_PRONTO, CERRADA):
        raise TransitionError("Solo se retira una convocatoria publicada")
    entry = _entry(now, user, "withdraw", reason=reason)
    return _next(
        call, now, status=RETIRADA, **_change(call, "withdrawn", ["status"]), history=[*call.history, entry]
    )


def expiry_status(call: CatalogCall, today: date) -> str | None:
    """The status the calendar gives a public call today, or None when it stays as it is."""
    if call.status not in (PUBLICADA, CIERRA_PRONTO) or not call.deadline:
        return None
    deadline = date.fromisoformat(call.deadline)
    if today > deadline:
        return CERRADA
    if today >= deadline - timedelta(days=CLOSING_SOON_DAYS) and call.status == PUBLICADA:
        return CIERRA_PRONTO
    return None


def expire(call: CatalogCall, status: str, now: datetime) -> CatalogCall:
    """Apply the calendar: cierra_pronto is an "updated" change, cerrada a "closed" one."""
    change: Change = "closed" if status == CERRADA else "updated"
    entry = _entry(now, "sistema", "expire", old=call.status, new=status)
    return _next(
        call, now, status=status, **_change(call, change, ["status"]), history=[*call.history, entry]
    )


def mark_link(call: CatalogCall, status: str, now: datetime) -> CatalogCall:
    """Record the official link's health; a broken link on a public call asks a curator to look."""
    reasons = list(call.review_reasons)
    if status == "broken" and "enlace_roto" not in reasons:
        reasons.append("enlace_roto")
    entry = _entry(now, "sistema", "link_check", new=status)
    return _next(call, now, link_status=status, review_reasons=reasons, history=[*call.history, entry])
