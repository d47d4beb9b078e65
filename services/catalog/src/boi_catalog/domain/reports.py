"""Citizen reports of a problem with a public call: the note goes to the curators' review queue and the
call stays as it is (public or closed) until a curator decides. Pure functions, no I/O."""

import re
from datetime import datetime

from boi_catalog.domain.call import VISIBLE_STATUSES, CatalogCall, stamp
from boi_catalog.domain.lifecycle import TransitionError

REPORT_REASON = "reporte_ciudadano"
MAX_NOTE = 1000
KEPT_REPORTS = 20  # the newest; older ones are dropped so a flood cannot grow the document
REPORT_KINDS = {
    "fecha": "La fecha de cierre no coincide con la fuente",
    "requisitos": "Los requisitos o la elegibilidad están mal",
    "enlace": "El enlace oficial no funciona",
    "cobro": "Piden dinero por postularse",
    "otro": "Otro problema",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReportError(ValueError):
    """The report cannot be taken as sent (its message is Spanish, fit for the citizen)."""


def clean_report(kind: str, note: str) -> tuple[str, str]:
    """The report's kind and note as stored: a known kind (else "otro"), the note without control
    characters, at most `MAX_NOTE` characters (longer: refused, never cut silently)."""
    text = _CONTROL.sub("", note.replace("\r\n", "\n")).strip()
    if len(text) > MAX_NOTE:
        raise ReportError(
            f"La nota tiene {len(text)} caracteres; el máximo es {MAX_NOTE}. Acórtala y envíala de nuevo."
        )
    if not text and kind not in REPORT_KINDS:
        raise ReportError("Cuéntanos qué problema viste: elige un motivo o escribe una nota.")
    return (kind if kind in REPORT_KINDS else "otro"), text


def add_report(call: CatalogCall, kind: str, note: str, now: datetime) -> CatalogCall:
    """Put the call in the review queue with the citizen's note. Its status and public fields do not
    change: a report never unpublishes a call by itself."""
    if call.status not in VISIBLE_STATUSES:
        raise TransitionError("Esta convocatoria no está publicada")
    report = {"at": stamp(now), "kind": kind, "note": note}
    reasons = (
        call.review_reasons if REPORT_REASON in call.review_reasons else [*call.review_reasons, REPORT_REASON]
    )
    return call.model_copy(
        update={
            "revision": call.revision + 1,
            "updated_at": stamp(now),
            "reported": True,
            "citizen_reports": [*call.citizen_reports, report][-KEPT_REPORTS:],
            "review_reasons": reasons,
        }
    )


def resolve_reports(call: CatalogCall, user: str, note: str, now: datetime) -> CatalogCall:
    """A curator has looked at the citizens' reports: the call leaves the queue (the reports stay on
    record). What to change, withdraw or keep is the curator's separate decision."""
    if not call.reported:
        raise TransitionError("La convocatoria no tiene reportes pendientes")
    entry = {"at": stamp(now), "user": user, "action": "resolve_reports", "note": note}
    return call.model_copy(
        update={
            "revision": call.revision + 1,
            "updated_at": stamp(now),
            "reported": False,
            "review_reasons": [r for r in call.review_reasons if r != REPORT_REASON],
            "history": [*call.history, entry],
        }
    )
