"""Citizen reports use cases: a visitor reports a problem with a public call (back to the review queue with
the note, still public), and a curator marks the reports as dealt with. Ports as in `curation`."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from boi_catalog.domain import reports
from boi_catalog.domain.call import CatalogCall
from boi_catalog.ports import CallRepository, Indexer
from boi_catalog.service.curation import call_view
from boi_catalog.service.writes import write_call


async def _write(
    repo: CallRepository, indexer: Indexer, call_id: str, step: Callable[[CatalogCall], CatalogCall]
) -> CatalogCall:
    def apply(previous: CatalogCall | None) -> CatalogCall | None:
        if previous is None:
            raise LookupError(call_id)
        return step(previous)

    call = await write_call(repo, call_id, apply)
    assert call is not None
    await indexer.submit([call])
    return call


async def report_call(repo: CallRepository, indexer: Indexer, call_id: str, kind: str, note: str) -> None:
    """Record a citizen's report (`kind`, `note` ≤ 1,000 characters; `ReportError` otherwise) and put the
    call in the review queue. Nothing is announced: nothing public changed. The audit log records the
    action, not the note (a citizen may type personal data despite being asked not to)."""
    kind, note = reports.clean_report(kind, note)
    now = datetime.now(UTC)
    await _write(repo, indexer, call_id, lambda c: reports.add_report(c, kind, note, now))
    await repo.log(
        {"at": now, "user": "ciudadano", "action": "citizen_report", "call_id": call_id, "kind": kind}
    )


async def resolve_reports(
    repo: CallRepository, indexer: Indexer, call_id: str, user: str, note: str = ""
) -> dict[str, Any]:
    """The curator has dealt with the call's reports: it leaves the review queue."""
    now = datetime.now(UTC)
    call = await _write(repo, indexer, call_id, lambda c: reports.resolve_reports(c, user, note[:500], now))
    await repo.log({"at": now, "user": user, "action": "resolve_reports", "call_id": call_id})
    return call_view(call)
