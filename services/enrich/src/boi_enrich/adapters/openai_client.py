"""One chat completion with our retry policy: the `openai` client runs with `max_retries=0`, so the only
policy is this one — concurrency limit, rate limits, backoff on 408/409/429/5xx, timeouts and connection
errors, honoring the server's Retry-After (capped at `openai_backoff_max_seconds`)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, cast

import openai
from openai import AsyncAzureOpenAI, AsyncOpenAI
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat

from boi_enrich.adapters.ratelimit import RateLimiter
from boi_enrich.ports import ProviderFailed, Usage
from boi_enrich.settings import Settings
from boi_shared.backoff import exponential

log = logging.getLogger("boi.enrich.openai")
RETRIABLE_STATUS = frozenset({408, 409, 429})
KEYLESS = "not-needed"  # OpenAI-compatible servers without keys (Ollama, llama.cpp) still get a header


def build_client(settings: Settings) -> AsyncOpenAI:
    """OpenAI, Azure OpenAI (when `openai_api_version` is set) or any OpenAI-compatible server."""
    key = settings.openai_key() or KEYLESS
    organization = settings.openai_organization or None
    if settings.openai_api_version:
        return AsyncAzureOpenAI(
            azure_endpoint=settings.openai_url(),
            api_version=settings.openai_api_version,
            api_key=key,
            organization=organization,
            timeout=settings.openai_timeout_seconds,
            max_retries=0,
        )
    return AsyncOpenAI(
        base_url=settings.openai_url() or None,
        api_key=key,
        organization=organization,
        timeout=settings.openai_timeout_seconds,
        max_retries=0,
    )


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `retry-after` in seconds or as a date)."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    try:
        if ms := headers.get("retry-after-ms"):
            return max(0.0, float(ms) / 1000)
        if value := headers.get("retry-after"):
            try:
                return max(0.0, float(value))
            except ValueError:
                when = parsedate_to_datetime(value)
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
    return None


def retriable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRIABLE_STATUS or exc.status_code >= 500
    return False


def describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APITimeoutError):
        return "tiempo de espera agotado"
    if isinstance(exc, openai.APIConnectionError):
        return "sin conexión"
    return type(exc).__name__


class Completer:
    """Sends chat completions for one model under the concurrency and rate limits of this process."""

    def __init__(
        self,
        settings: Settings,
        client: AsyncOpenAI | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.client = client or build_client(settings)
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(settings.openai_max_concurrency)
        self._limiter = RateLimiter(settings.openai_requests_per_minute, settings.openai_tokens_per_minute)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        s = self.settings
        return (
            input_tokens * s.openai_price_input_per_1m + output_tokens * s.openai_price_output_per_1m
        ) / 1e6

    def _extras(self) -> dict[str, Any]:
        s = self.settings
        extras: dict[str, Any] = {s.openai_max_tokens_param: s.openai_max_output_tokens}
        if s.openai_temperature is not None:
            extras["temperature"] = s.openai_temperature
        if s.openai_reasoning_effort:
            extras["reasoning_effort"] = s.openai_reasoning_effort
        return extras

    def backoff(self, attempt: int, exc: BaseException) -> float:
        s = self.settings
        asked = retry_after(exc)
        if asked is not None:
            return min(asked, s.openai_backoff_max_seconds)
        return exponential(attempt + 1, s.openai_backoff_initial_seconds, s.openai_backoff_max_seconds)

    async def complete(
        self, messages: list[dict[str, str]], response_format: dict[str, Any]
    ) -> tuple[ChatCompletion, Usage]:
        """One completion and what it cost. Raises `ProviderFailed` once the retries are spent or on an
        answer that retrying cannot change (400, 401, 403, 404, 422)."""
        prompt_chars = sum(len(m["content"]) for m in messages) + len(str(response_format))
        estimate = prompt_chars // 3 + self.settings.openai_max_output_tokens
        attempts = self.settings.openai_max_retries + 1
        for attempt in range(attempts):
            async with self._semaphore:
                await self._limiter.acquire(estimate)
                try:
                    completion = await self.client.chat.completions.create(
                        model=self.settings.openai_model,
                        messages=cast(list[ChatCompletionMessageParam], messages),
                        response_format=cast(ResponseFormat, response_format),
                        extra_body=self._extras(),
                    )
                except openai.APIError as exc:
                    self._limiter.settle(estimate, 0)
                    if not retriable(exc):
                        raise ProviderFailed(f"openai rechazó la petición ({describe(exc)})") from exc
                    if attempt + 1 == attempts:
                        raise ProviderFailed(
                            f"openai no respondió tras {attempts} intentos ({describe(exc)})"
                        ) from exc
                    delay = self.backoff(attempt, exc)
                    log.warning(
                        "openai %s, retrying in %.1fs (%d/%d)", describe(exc), delay, attempt + 1, attempts
                    )
                except Exception as exc:  # an answer the client cannot read (say, a proxy's HTML page)
                    self._limiter.settle(estimate, 0)
                    raise ProviderFailed(f"respuesta ilegible de openai ({type(exc).__name__})") from exc
                else:
                    usage = self._usage(completion, prompt_chars)
                    self._limiter.settle(estimate, usage.input_tokens + usage.output_tokens)
                    return completion, usage
            await self._sleep(delay)  # outside the semaphore: a waiting retry does not hold a slot
        raise AssertionError("unreachable")

    def _usage(self, completion: ChatCompletion, prompt_chars: int) -> Usage:
        if completion.usage is not None:
            tokens_in, tokens_out = completion.usage.prompt_tokens, completion.usage.completion_tokens
        else:  # some OpenAI-compatible servers report no usage: estimate, so that the budget still holds
            content = completion.choices[0].message.content if completion.choices else None
            tokens_in, tokens_out = prompt_chars // 4, len(content or "") // 4
        return Usage(1, tokens_in, tokens_out, self.cost(tokens_in, tokens_out))
