"""Client-side rate limits: token buckets for requests and tokens per minute (per process).

A request first reserves its estimated tokens; once the answer states the real usage, the difference is
settled, so the bucket may go briefly into debt and the next request waits for it.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    """`per_minute` units refilling continuously, at most `per_minute` in the bucket (0 = unlimited)."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = self.capacity / 60.0
        self.level = self.capacity
        self._clock = clock
        self._at = clock()

    @property
    def unlimited(self) -> bool:
        return self.capacity <= 0

    def _refill(self) -> None:
        now = self._clock()
        self.level = min(self.capacity, self.level + (now - self._at) * self.rate)
        self._at = now

    def wait_for(self, amount: float) -> float:
        """Seconds until `amount` (capped at the capacity) is available; 0 when it is now."""
        if self.unlimited:
            return 0.0
        self._refill()
        missing = min(amount, self.capacity) - self.level
        return max(0.0, missing / self.rate)

    def take(self, amount: float) -> None:
        """Remove `amount` (a negative amount gives back an over-estimate)."""
        if not self.unlimited:
            self._refill()
            self.level = min(self.capacity, self.level - amount)


class RateLimiter:
    """Requests-per-minute and tokens-per-minute limits, shared by every request of one provider."""

    def __init__(
        self,
        requests_per_minute: int,
        tokens_per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.requests = TokenBucket(requests_per_minute, clock)
        self.tokens = TokenBucket(tokens_per_minute, clock)
        self._sleep = sleep
        self._lock = asyncio.Lock()

    async def acquire(self, estimated_tokens: int) -> None:
        """Wait until one more request of about `estimated_tokens` fits in both limits, then reserve it."""
        async with self._lock:  # first come, first served: a big request is not starved by small ones
            while True:
                wait = max(self.requests.wait_for(1), self.tokens.wait_for(estimated_tokens))
                if wait <= 0:
                    self.requests.take(1)
                    self.tokens.take(estimated_tokens)
                    return
                await self._sleep(wait)

    def settle(self, estimated_tokens: int, actual_tokens: int) -> None:
        """Correct the reservation with the usage the server reported."""
        self.tokens.take(actual_tokens - estimated_tokens)
