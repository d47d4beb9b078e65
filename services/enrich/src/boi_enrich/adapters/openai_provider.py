"""The `openai` provider: structured outputs from `LLMEnrichment`, validated, repaired or retried once,
then checked by the never-invent guard and the injection post-check.

Works with OpenAI, Azure OpenAI and OpenAI-compatible servers (vLLM, Ollama, llama.cpp); see
`openai_client` for the transport and its retry policy.
"""

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion
from pydantic import ValidationError

from boi_enrich.adapters.openai_client import Completer
from boi_enrich.domain import prompt
from boi_enrich.domain.evidence_guard import guard_evidence
from boi_enrich.domain.injection import guard_injection
from boi_enrich.domain.llm_schema import LLMEnrichment, response_format, to_enrichment
from boi_enrich.ports import NO_USAGE, ProviderFailed, ProviderResult
from boi_enrich.settings import Settings
from boi_shared.events import RawCall

log = logging.getLogger("boi.enrich.openai")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class InvalidAnswer(Exception):
    """The model answered, but not with a valid object of the schema. `content` is what it said, when it
    said anything worth showing it again."""

    def __init__(self, reason: str, content: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content = content


def _schema_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return "JSON mal formado"
    where = ".".join(str(p) for p in first["loc"])
    return f"no cumple el esquema: {where}: {first['msg']}"[:200]


def repair_json(content: str) -> str | None:
    """A cheap local repair: the JSON object inside a markdown fence or surrounding prose, if any."""
    fenced = _FENCE.match(content)
    candidate = fenced.group(1) if fenced else content
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        return None
    repaired = candidate[start : end + 1]
    return repaired if repaired != content else None


def parse_answer(completion: ChatCompletion) -> LLMEnrichment:
    if not completion.choices:
        raise InvalidAnswer("respuesta sin contenido")
    choice = completion.choices[0]
    message = choice.message
    if message.refusal:
        raise InvalidAnswer(f"el modelo se negó a responder: {message.refusal[:120]}")
    if choice.finish_reason == "length":
        raise InvalidAnswer("respuesta cortada por el límite de tokens")
    if choice.finish_reason == "content_filter":
        raise InvalidAnswer("respuesta bloqueada por el filtro de contenido")
    content = message.content or ""
    if not content.strip():
        raise InvalidAnswer("respuesta vacía")
    try:
        return LLMEnrichment.model_validate_json(content)
    except ValidationError as exc:
        problem = _schema_problem(exc)
    repaired = repair_json(content)
    if repaired is not None:
        try:
            return LLMEnrichment.model_validate_json(repaired)
        except ValidationError as exc:
            problem = _schema_problem(exc)
    raise InvalidAnswer(problem, content[:4000])


class OpenAIProvider:
    """`EnrichmentProvider` on the chat completions API. Raises `ProviderFailed` (with the usage spent)
    after a second invalid answer or when the API cannot answer; the chain then tries the next provider."""

    name = "openai"
    paid = True

    def __init__(
        self,
        settings: Settings,
        client: AsyncOpenAI | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.model = settings.openai_model
        self.max_chars = settings.openai_max_input_chars
        self._completer = Completer(settings, client, **({"sleep": sleep} if sleep else {}))
        self._format: dict[str, Any] = response_format()

    def content_hash(self, call: RawCall) -> str:
        return prompt.content_hash(call, self.max_chars)

    async def enrich(self, call: RawCall) -> ProviderResult:
        first = prompt.messages(call, self.max_chars)
        messages = first
        usage = NO_USAGE
        problem = ""
        for _ in range(
            2
        ):  # the answer, then one retry (with a repair request when there is something to fix)
            try:
                completion, spent = await self._completer.complete(messages, self._format)
            except ProviderFailed as failed:
                raise ProviderFailed(failed.reason, usage) from failed
            usage += spent
            try:
                answer = parse_answer(completion)
            except InvalidAnswer as bad:
                problem = bad.reason
                log.warning("invalid answer from %s (%s) for %s", self.model, bad.reason, call.url)
                messages = first
                if bad.content is not None:
                    retry = prompt.repair_message(problem)
                    messages = [*first, {"role": "assistant", "content": bad.content}, retry]
                continue
            enrichment = guard_injection(call, guard_evidence(call, to_enrichment(answer, self.name)))
            return ProviderResult(enrichment, provider=self.name, model=self.model, usage=usage)
        raise ProviderFailed(f"respuesta inválida de openai dos veces ({problem})", usage)

    async def close(self) -> None:
        await self._completer.client.close()
