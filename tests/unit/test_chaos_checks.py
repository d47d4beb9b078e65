"""The chaos suite's end checks, on constructed records (the suite itself runs on the real stack)."""

from boi_shared.events import CallIngested
from boi_shared.topics import MAIN_TOPICS
from tests.chaos.checks import EVENT_OF_TOPIC, Findings, check_dead_letters
from tests.support.enrich_samples import sample_call


def test_every_topic_s_dead_letters_are_checked_against_its_event() -> None:
    assert set(EVENT_OF_TOPIC) == {t.name for t in MAIN_TOPICS}


def test_a_dead_letter_of_valid_data_counts_and_garbage_does_not() -> None:
    valid = CallIngested(call_id="c-1", version=1, call=sample_call())
    letters = {
        "calls.raw.v1": [
            {"payload": valid.model_dump_json(), "error_type": "Timeout", "error": "FerretDB paused"},
            {"payload": "{not json", "error_type": "ValidationError", "error": "bad"},
        ],
        "bulletins.published.v1": [],
    }
    f = Findings()
    check_dead_letters(letters, f)
    assert f.valid_dead_letters == 1
    assert sum(f.dead_letter_reasons.values()) == 2
