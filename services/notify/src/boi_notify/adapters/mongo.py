"""The delivery log in MongoDB: one document per (event, endpoint), `_id = "{event_id}:{url-hash}"`."""

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from boi_notify.domain.delivery import DeliveryResult, DeliveryStatus
from boi_shared.events import CallPublished

DELIVERIES = "deliveries"


class MongoDeliveryLog:
    """`DeliveryLog` on the `deliveries` collection; single-document atomic updates only."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection

    async def is_delivered(self, delivery_id: str) -> bool:
        found = await self.collection.find_one(
            {"_id": delivery_id, "status": DeliveryStatus.DELIVERED.value}, {"_id": 1}
        )
        return found is not None

    async def record(self, delivery_id: str, event: CallPublished, result: DeliveryResult) -> None:
        now = datetime.now(UTC)
        update: dict[str, Any] = {
            "$set": {
                "event_id": str(event.event_id),
                "call_id": event.call_id,
                "version": event.version,
                "change": event.change,
                "url": result.url,
                "status": result.status.value,
                "http_status": result.http_status,
                "last_error": result.error,
                "delivered_at": result.delivered_at,
                "updated_at": now,
            },
            "$inc": {"attempts": result.attempts},
            "$setOnInsert": {"created_at": now},
        }
        try:
            # The filter never matches a delivered record, so a late duplicate (e.g. a consumer that lost
            # its partition mid-delivery) cannot overwrite "delivered" with "failed"; the upsert then
            # collides on _id, which means exactly that.
            await self.collection.update_one(
                {"_id": delivery_id, "status": {"$ne": DeliveryStatus.DELIVERED.value}},
                update,
                upsert=True,
            )
        except DuplicateKeyError:
            pass
