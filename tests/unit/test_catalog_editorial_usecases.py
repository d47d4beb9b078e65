"""The editorial use cases on fakes: a plan is announced once, at its hour, skipping a call withdrawn in
the meantime; a bulletin with a withdrawn call is refused; marking a draft as posted is recorded once and
reports one `social` impression per call."""

from datetime import UTC, date, datetime, timedelta

import pytest

from boi_catalog.branding import Brand
from boi_catalog.domain.editorial import PlanRefused
from boi_catalog.service import editorial, outbox
from tests.support.catalog_calls import catalog_call
from tests.unit.catalog_fakes import Announcements, FakeEditorialStore, FakeImpressions, FakeRepository

DAY = date(2026, 12, 7)
NINE = datetime(2026, 12, 7, 14, tzinfo=UTC)  # 09:00 in Bogotá


def setup() -> tuple[FakeRepository, FakeEditorialStore]:
    repo = FakeRepository()
    for n in range(6):
        repo.calls[f"c{n}"] = catalog_call(f"c{n}", deadline="2027-01-31")
    return repo, FakeEditorialStore()


async def test_plan_announced_at_its_hour_once_and_without_a_call_withdrawn_since() -> None:
    repo, store = setup()
    await editorial.save_day_plan(repo, store, DAY, ["c2", "c0", "c1"], NINE, "carla")
    announce = Announcements()
    assert (
        await editorial.announce_due(repo, store, announce, "https://b.example", Brand(), NINE - timedelta(1))
        == []
    )
    repo.calls["c1"] = repo.calls["c1"].model_copy(update={"status": "retirada"})
    assert await editorial.announce_due(repo, store, announce, "https://b.example", Brand(), NINE) == [
        "2026-12-07"
    ]
    assert [e.call_id for e in announce] == ["c2", "c0"]
    assert all(e.announced_at == NINE and e.changed_fields == ["announced_at"] for e in announce)
    assert await editorial.announce_due(repo, store, announce, "https://b.example", Brand(), NINE) == []
    assert len(announce) == 2
    assert set(store.posts) == {
        f"call:{c}:{ch}" for c in ("c2", "c0") for ch in ("linkedin", "x", "instagram", "whatsapp")
    }
    with pytest.raises(PlanRefused, match="ya se anunció"):
        await editorial.save_day_plan(repo, store, DAY, ["c3", "c4", "c5"], NINE, "carla")
    with pytest.raises(PlanRefused, match="ya se anunció en otro plan"):
        await editorial.save_day_plan(repo, store, DAY + timedelta(1), ["c2", "c4", "c5"], NINE, "carla")


async def test_bulletin_with_a_withdrawn_call_is_refused_and_approval_makes_drafts() -> None:
    repo, store = setup()
    repo.calls["c5"] = repo.calls["c5"].model_copy(update={"status": "retirada", "title": "Beca retirada"})
    args = dict(approve=True, base_url="https://b.example", brand=Brand())
    with pytest.raises(PlanRefused, match="fue retirada"):
        await editorial.save_bulletin(
            repo, store, "2026-50", ["c0", "c1", "c2", "c3", "c5"], "T", "", "carla", **args
        )
    with pytest.raises(PlanRefused, match="exactamente 5"):
        await editorial.save_bulletin(repo, store, "2026-50", ["c0", "c1"], "T", "", "carla", **args)
    with pytest.raises(ValueError, match="semana inválida"):
        await editorial.save_bulletin(
            repo, store, "2026-W50", ["c0", "c1", "c2", "c3", "c4"], "T", "", "carla", **args
        )
    assert await editorial.bulletin(repo, store, "2026-50") is None
    await editorial.save_bulletin(
        repo, store, "2026-50", ["c4", "c0", "c1", "c2", "c3"], "T", "", "carla", **args
    )
    plan, calls = await editorial.bulletin(repo, store, "2026-50")  # type: ignore[misc]
    assert [c.call_id for c in calls] == ["c4", "c0", "c1", "c2", "c3"] and plan["approved_by"] == "carla"
    assert {d["campaign"] for d in store.posts.values()} == {"boletin-2026-50"}


async def test_mark_posted_records_who_when_where_once() -> None:
    repo, store = setup()
    await editorial.save_bulletin(
        repo,
        store,
        "2026-50",
        ["c0", "c1", "c2", "c3", "c4"],
        "T",
        "",
        "carla",
        approve=True,
        base_url="https://b.example",
        brand=Brand(),
    )
    sink = FakeImpressions()
    with pytest.raises(outbox.DraftRefused, match="Indique dónde"):
        await outbox.mark_posted(store, sink, "boletin:2026-50:x", "carla", "<b></b>", NINE)
    assert await outbox.mark_posted(store, sink, "boletin:2026-50:x", "carla", "https://x.com/p/1", NINE)
    assert not await outbox.mark_posted(store, sink, "boletin:2026-50:x", "luis", "otra", NINE)
    draft = store.posts["boletin:2026-50:x"]
    assert (draft["posted_by"], draft["posted_at"], draft["posted_where"]) == (
        "carla",
        NINE,
        "https://x.com/p/1",
    )
    assert [(i.kind, i.channel, i.campaign) for i in sink] == [("social", "x", "boletin-2026-50")] * 5
    with pytest.raises(outbox.DraftRefused, match="Ya se publicó"):
        await outbox.edit_draft(store, "boletin:2026-50:x", "otro texto", "carla")
