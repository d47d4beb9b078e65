"""The project's one exponential backoff."""

import random

from boi_shared.backoff import exponential


def test_doubles_per_retry_up_to_the_ceiling_with_at_most_half_taken_off() -> None:
    rng = random.Random(3)
    for attempt, step in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 5.0), (40, 5.0)):
        waits = [exponential(attempt, 0.5, 5.0, rng) for _ in range(200)]
        assert all(step / 2 <= w <= step for w in waits), attempt
        assert max(waits) - min(waits) > step / 4  # jittered, not one value
