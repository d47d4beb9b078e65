"""Meilisearch administration: the public search-only key (the web layer signs browsers' tenant tokens with
it, `web.public_search.tenant_token`), and the zero-downtime rebuild of the index (build a new index, swap it
in, drop the old one)."""

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from meilisearch.errors import MeilisearchApiError

from boi_catalog.adapters.meili import MeiliSearchIndex
from boi_shared.errors import TransientError

_KEY_NAMESPACE = uuid.UUID("0b6c2d1e-7a53-4f5e-9c1d-3e2f4a5b6c7d")


def search_key_uid(index_uid: str) -> str:
    """A stable uid for the index's search-only key, so creating it again finds the same key."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"boi-public-search:{index_uid}"))


async def public_search_key(index: MeiliSearchIndex) -> tuple[str, str]:
    """(uid, key) of a key that may only search the index, created once via the keys API. On its own it
    can see every status: hand browsers a tenant token signed with it (`web.public_search.tenant_token`),
    never this key or the master key."""
    uid = search_key_uid(index.uid)
    try:
        key = await index.run(index.client.get_key, uid)
    except TransientError:
        raise
    except Exception:  # not found: create it (a concurrent creator makes us read it again)
        options = {
            "uid": uid,
            "name": f"boi-public-search-{index.uid}",
            "description": "BOI public site: search only, published calls via tenant tokens",
            "actions": ["search"],
            "indexes": [index.uid],
            "expiresAt": None,
        }
        try:
            key = await index.run(index.client.create_key, options)
        except Exception:
            key = await index.run(index.client.get_key, uid)
    return uid, str(key.key)


async def rebuild(
    index: MeiliSearchIndex,
    batches: AsyncIterator[Sequence[dict[str, Any]]],
    *,
    on_batch: Callable[[int], None] = lambda n: None,
) -> str:
    """Build a fresh index from `batches`, swap it with the live one (atomic in Meilisearch: searches
    keep answering from one or the other) and delete the old contents. Returns the temporary uid."""
    temp = f"{index.uid}_rebuild_{datetime.now(UTC):%Y%m%d%H%M%S}"
    await index.apply_settings(wait_seconds=30)  # the live index must exist to be swapped
    await index._apply_settings(temp)
    async for docs in batches:
        if docs:
            await index.index(docs, uid=temp)
        on_batch(len(docs))
    task = await index.wait(
        (await index.run(index.client.swap_indexes, [{"indexes": [index.uid, temp]}])).task_uid
    )
    if task.status != "succeeded":
        raise TransientError(f"swapping {temp} into {index.uid} failed: {task.error}")
    # If this fails, the old contents stay under the temporary name; harmless, deleted next time by hand.
    with contextlib.suppress(TransientError, MeilisearchApiError):
        await index.wait((await index.run(index.client.delete_index, temp)).task_uid)
    return temp
