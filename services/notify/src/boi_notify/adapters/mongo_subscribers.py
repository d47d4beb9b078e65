"""People and subscriptions in MongoDB: `subscribers` ({_id: random id, email}) and `subscriptions`
({_id: hash of person+topic+frequency}). Single-document atomic updates only (FerretDB has no
transactions), and no TTL index: unconfirmed subscriptions go by a periodic sweep."""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from boi_notify.domain.records import Subscriber, Subscription
from boi_notify.domain.subscription import Frequency, Topic

SUBSCRIBERS = "subscribers"
SUBSCRIPTIONS = "subscriptions"


def _subscriber(doc: dict[str, Any]) -> Subscriber:
    days = doc.get("reminder_days")
    return Subscriber(
        id=doc["_id"],
        email=doc["email"],
        suppressed=doc.get("suppressed_at") is not None,
        reminder_days=tuple(days) if days is not None else None,
    )


def _subscription(doc: dict[str, Any]) -> Subscription:
    return Subscription(
        id=doc["_id"],
        subscriber_id=doc["subscriber_id"],
        topic=Topic.from_doc(doc["topic"]),
        frequency=Frequency(doc["frequency"]),
        confirmed=doc["status"] == "confirmed",
        created_at=doc["created_at"],
    )


class MongoSubscriberStore:
    """`SubscriberStore` on two collections of the service's database."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.people = db[SUBSCRIBERS]
        self.subs = db[SUBSCRIPTIONS]

    async def ensure_indexes(self) -> None:
        await self.people.create_index([("email", ASCENDING)], unique=True, name="email_unique")
        await self.subs.create_index([("subscriber_id", ASCENDING)], name="by_subscriber")
        await self.subs.create_index([("status", ASCENDING), ("frequency", ASCENDING)], name="by_status")

    async def subscriber(self, email: str, create: bool) -> Subscriber | None:
        found = await self.people.find_one({"email": email})
        if found is not None or not create:
            return _subscriber(found) if found else None
        doc = {"_id": secrets.token_urlsafe(12), "email": email, "suppressed_at": None}
        try:
            await self.people.insert_one(doc)
        except DuplicateKeyError:  # the same address subscribing twice at once: one person
            doc = await self.people.find_one({"email": email}) or doc
        return _subscriber(doc)

    async def by_id(self, subscriber_id: str) -> Subscriber | None:
        found = await self.people.find_one({"_id": subscriber_id})
        return _subscriber(found) if found else None

    async def add(self, subscription: Subscription) -> None:
        doc = {
            "subscriber_id": subscription.subscriber_id,
            "topic": subscription.topic.to_doc(),
            "frequency": subscription.frequency.value,
            "status": "pending",
            "created_at": subscription.created_at,
        }
        await self.subs.update_one({"_id": subscription.id}, {"$setOnInsert": doc}, upsert=True)

    async def claim_confirmation_mail(self, subscriber_id: str, now: datetime, every_seconds: float) -> bool:
        before = now - timedelta(seconds=every_seconds)
        result = await self.people.update_one(
            {
                "_id": subscriber_id,
                "$or": [{"confirmation_sent_at": None}, {"confirmation_sent_at": {"$lt": before}}],
            },
            {"$set": {"confirmation_sent_at": now}},
        )
        return result.modified_count == 1

    async def release_confirmation_mail(self, subscriber_id: str) -> None:
        await self.people.update_one({"_id": subscriber_id}, {"$set": {"confirmation_sent_at": None}})

    async def confirm(self, subscriber_id: str, consent: dict[str, Any], now: datetime) -> int:
        result = await self.subs.update_many(
            {"subscriber_id": subscriber_id, "status": "pending"},
            {"$set": {"status": "confirmed", "confirmed_at": now, "consent": consent}},
        )
        await self.people.update_one(
            {"_id": subscriber_id}, {"$set": {"suppressed_at": None, "suppressed_reason": None}}
        )
        return result.modified_count

    async def subscription(self, subscription_id: str) -> Subscription | None:
        found = await self.subs.find_one({"_id": subscription_id})
        return _subscription(found) if found else None

    async def subscriptions_of(self, subscriber_id: str) -> list[Subscription]:
        return [_subscription(d) async for d in self.subs.find({"subscriber_id": subscriber_id})]

    async def confirmed(self, frequency: str) -> list[tuple[Subscription, Subscriber]]:
        subs = [
            _subscription(d) async for d in self.subs.find({"status": "confirmed", "frequency": frequency})
        ]
        active = await self.subscribers([s.subscriber_id for s in subs])
        return [(s, person) for s in subs if (person := active.get(s.subscriber_id)) is not None]

    async def subscribers(self, ids: Sequence[str]) -> dict[str, Subscriber]:
        found: dict[str, Subscriber] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 5000):
            query = {"_id": {"$in": unique[start : start + 5000]}, "suppressed_at": None}
            async for doc in self.people.find(query):
                found[doc["_id"]] = _subscriber(doc)
        return found

    async def remove(self, subscription_id: str) -> int:
        doc = await self.subs.find_one_and_delete({"_id": subscription_id})
        if doc is None:
            return 0
        return await self.subs.count_documents({"subscriber_id": doc["subscriber_id"]})

    async def forget(self, subscriber_id: str) -> None:
        await self.subs.delete_many({"subscriber_id": subscriber_id})
        await self.people.delete_one({"_id": subscriber_id})

    async def set_reminder_days(self, subscriber_id: str, days: tuple[int, ...]) -> bool:
        result = await self.people.update_one({"_id": subscriber_id}, {"$set": {"reminder_days": list(days)}})
        return result.matched_count == 1

    async def suppress(self, subscriber_id: str, reason: str, now: datetime) -> None:
        await self.people.update_one(
            {"_id": subscriber_id}, {"$set": {"suppressed_at": now, "suppressed_reason": reason[:300]}}
        )

    async def sweep_unconfirmed(self, older_than: datetime) -> int:
        stale = {"status": "pending", "created_at": {"$lt": older_than}}
        people = {d["subscriber_id"] async for d in self.subs.find(stale, {"subscriber_id": 1})}
        deleted = (await self.subs.delete_many(stale)).deleted_count
        for subscriber_id in people:
            if await self.subs.count_documents({"subscriber_id": subscriber_id}) == 0:
                await self.people.delete_one({"_id": subscriber_id})
        return deleted

    async def tallies(self) -> list[tuple[Topic, str, bool]]:
        fields = {"_id": 0, "topic": 1, "frequency": 1, "status": 1}
        return [
            (Topic.from_doc(d["topic"]), d["frequency"], d["status"] == "confirmed")
            async for d in self.subs.find({}, fields)
        ]

    async def headcount(self) -> tuple[int, int]:
        people = await self.people.count_documents({})
        suppressed = await self.people.count_documents({"suppressed_at": {"$ne": None}})
        return people, suppressed
