"""What the public site and API read from the source of truth."""

from boi_catalog.domain.call import VISIBLE_STATUSES, CatalogCall
from boi_catalog.ports import CallRepository


async def find_public_call(repository: CallRepository, call_id: str) -> CatalogCall | None:
    """A call the public may see, read from the source of truth."""
    call = await repository.get(call_id)
    return call if call is not None and call.status in VISIBLE_STATUSES else None
