"""Pure parts of notify's reach: topics on sector and ODS, reminder offsets a person chooses, and the
console's counts by topic and frequency (no addresses)."""

import pytest

from boi_notify.domain.census import census
from boi_notify.domain.subscription import InvalidSubscription, Topic, reminder_days
from tests.unit.test_notify_subscribers import CALL


def test_sector_and_ods_topics_match_only_calls_with_them() -> None:
    call = CALL.model_copy(update={"sectors": ["Cultura", "educación"], "ods": [4, 10]})
    assert Topic.parse(sector=" Educación ").matches(call)
    assert Topic.parse(ods="4", call_type="beca").matches(call)
    assert not Topic.parse(sector="salud").matches(call)
    assert not Topic.parse(ods="13").matches(call)
    assert not Topic.parse(ods="4").matches(CALL)  # a call without ODS
    assert Topic.parse(sector="cultura", ods="10").describe() == (
        "sector: cultura · ODS 10: Reducción de las desigualdades"
    )
    # Topics saved before sector and ODS existed keep their key, so their subscription id too.
    assert Topic.parse("maestría", "beca").key() == "maestria|beca||"
    assert Topic.parse(sector="cultura").key() != Topic.parse().key()
    assert Topic.from_doc({"q": "x", "call_type": "beca"}) == Topic(q="x", call_type="beca")


@pytest.mark.parametrize(
    ("field", "value"),
    [("ods", "18"), ("ods", "0"), ("ods", "4; drop"), ("sector", "x" * 81), ("sector", "<b>")],
)
def test_bad_sector_or_ods_is_refused_with_a_message(field: str, value: str) -> None:
    with pytest.raises(InvalidSubscription, match="no"):
        Topic.parse(**{field: value})


def test_reminder_offsets_only_from_the_choices() -> None:
    assert reminder_days(["1", "14", "7", "7"]) == (14, 7, 1)
    assert reminder_days([]) == ()
    for bad in (["2"], ["-1"], ["siete"], ["100000000000"]):
        with pytest.raises(InvalidSubscription):
            reminder_days(bad)


def test_census_counts_confirmed_by_frequency_and_pending_per_topic() -> None:
    beca, all_calls = Topic(call_type="beca"), Topic()
    result = census(
        [(beca, "semanal", True), (beca, "semanal", True), (beca, "diaria", True), (beca, "inmediata", False),
         (all_calls, "diaria", True)],
        people=4,
        suppressed=1,
    )  # fmt: skip
    first, second = result.rows
    assert first.topic == "Beca" and first.confirmed == {"inmediata": 0, "diaria": 1, "semanal": 2}
    assert first.pending == 1 and first.total == 3
    assert second.topic == "Todas las convocatorias" and second.total == 1
    assert result.by_frequency == {"inmediata": 0, "diaria": 2, "semanal": 2}
    assert (result.pending, result.people, result.suppressed) == (1, 4, 1)
