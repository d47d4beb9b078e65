"""Writes of the call of record shared by the use cases: compare-and-set on `revision`, and the
announcement of a change the public saw."""

from collections.abc import Callable

from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.public import call_published
from boi_catalog.ports import Announce, CallRepository, ConflictError

CAS_ATTEMPTS = 20


async def write_call(
    repository: CallRepository,
    call_id: str,
    step: Callable[[CatalogCall | None], CatalogCall | None],
) -> CatalogCall | None:
    """Read the call, compute its next state with `step` (None: nothing to write) and store it with a
    compare-and-set on its revision, re-reading on a conflict with a concurrent writer."""
    for _ in range(CAS_ATTEMPTS):
        previous = await repository.get(call_id)
        call = step(previous)
        if call is None:
            return None
        try:
            await repository.save(call, previous.revision if previous else None)
        except ConflictError:
            continue
        return call
    raise ConflictError(f"{call_id}: too many concurrent writers")


async def announce_if_public(call: CatalogCall, announce: Announce, public_base_url: str) -> None:
    """Emit the call's last change when the public saw it (public now, or just closed/withdrawn)."""
    if call.is_public or call.change in ("closed", "withdrawn"):
        await announce(call_published(call, public_base_url))
