"""The one exponential backoff of the project's retries: the Kafka error policy's (`error_policy`) and the
OpenAI client's (enrich). Other waits are not retries of one operation and keep their own rule: ingest's
fetch retries through tenacity, a failing source's next run doubles its interval (`ingest.domain.sources`),
and partner webhooks follow the Standard Webhooks schedule (`notify.domain.delivery`)."""

import random


def exponential(attempt: int, initial: float, ceiling: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `attempt` (1 for the first retry): `initial` doubled per retry,
    at most `ceiling`, then a random half of it taken off ("equal jitter"), so that clients that failed
    together do not retry together, and none waits less than half its step."""
    step = min(ceiling, initial * 2.0 ** max(attempt - 1, 0))
    return step * (rng or random).uniform(0.5, 1.0)
