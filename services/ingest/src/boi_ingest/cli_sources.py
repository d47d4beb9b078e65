"""`boi sources …`: the sources registry from the command line, and `try`, a dry run of any source.

`try` needs neither Kafka nor MongoDB: it fetches, parses and normalizes, prints one JSON line per call on
stdout, and on failure one line with the reason on stderr (exit 1). The other commands use the
registry in the configured MongoDB (`BOI_MONGO_URL`, `BOI_MONGO_DATABASE`).
"""

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from boi_ingest import SERVICE
from boi_ingest.adapters.parse_worker import BudgetedParser
from boi_ingest.adapters.registry import MongoSourceRegistry
from boi_ingest.app import build_fetcher, ingest_mongo
from boi_ingest.cli_request import (
    BodyOption,
    FormOption,
    HeaderEnvOption,
    HeaderOption,
    MethodOption,
    RequestOptionError,
    request_from_options,
)
from boi_ingest.domain.errors import SourceError
from boi_ingest.domain.model import Document
from boi_ingest.domain.normalize import raw_call
from boi_ingest.domain.parsers.job import ParseJob
from boi_ingest.domain.requests import SourceRequest
from boi_ingest.domain.sources import (
    SourceConfig,
    SourceExistsError,
    SourceType,
    UnknownSourceError,
    request_error,
)
from boi_ingest.domain.sources import guess_type as type_of_name
from boi_ingest.domain.unicode import sniff_unicode
from boi_ingest.domain.urls import is_http_url
from boi_ingest.settings import Settings
from boi_shared.events import SourceRef

app = typer.Typer(help="Sources of ingest: register, enable, inspect and try them.", no_args_is_help=True)
T = TypeVar("T")


def fail(reason: str, code: int = 1) -> NoReturn:
    """One line on stderr, then exit: what went wrong and, where it helps, what to do."""
    typer.echo(f"error: {' '.join(reason.split())}", err=True)
    raise typer.Exit(code)


def sniff_type(document: Document) -> SourceType:
    """The type of a fetched document whose name did not tell it."""
    raw = document.content[:512]
    if (found := sniff_unicode(raw)) is not None:  # a byte order mark, or UTF-16/32 without one
        raw = raw[found[1] :].decode(found[0], errors="ignore").encode()
    head = raw.lstrip(b" \t\r\n").lower()
    content_type = (document.content_type or "").lower()
    if head.startswith(b"pk\x03\x04"):
        return SourceType.XLSX
    if head[:1] in (b"{", b"[") or "json" in content_type:
        return SourceType.JSON_API
    if b"<html" in head or b"<!doctype html" in head or "html" in content_type:
        return SourceType.HTML
    if head.startswith(b"<"):
        return SourceType.RSS
    return SourceType.CSV


def read_mapping(value: str | None) -> str | dict[str, Any] | None:
    """`--mapping`: a shipped mapping's name, a JSON object, or @file with a JSON object."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read the mapping file {text[1:]}: {exc.strerror or exc}")
    if not text.startswith("{"):
        return text
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"the mapping is not valid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(mapping, dict):
        fail("the mapping must be a JSON object")
    return mapping


async def _try(
    location: str,
    kind: SourceType | None,
    mapping: object,
    language: str | None,
    request: SourceRequest | None = None,
) -> list[str]:
    if request is not None and request.is_post:
        kind = kind or SourceType.JSON_API
    if kind is not None and (reason := request_error(kind, request, has_url=is_http_url(location))):
        fail(reason)
    settings = Settings()
    async with build_fetcher(settings) as fetcher:
        document = await fetcher.fetch(location, request=request)
    kind = kind or type_of_name(location) or sniff_type(document)
    if kind is SourceType.MANUAL:
        fail("a manual source has nothing to try: submit calls with POST /api/calls/manual")
    # In a worker process with the service's memory and time budget (a JSON document without --mapping
    # is tried against the shipped mappings there too).
    parser = BudgetedParser(settings.ingest_parse_memory_mb, settings.ingest_parse_timeout_seconds)
    try:
        parsed = await asyncio.to_thread(parser, document, ParseJob(kind, mapping, language))
    finally:
        parser.close()
    if not parsed.items:
        fail(f"no calls found in {location} ({parsed.warning or 'the document has no entries'})")
    for note in ([parsed.warning] if parsed.warning else []) + parsed.skipped:
        typer.echo(f"skipped: {note}" if note in parsed.skipped else f"warning: {note}", err=True)
    lines = []
    for item in parsed.items:
        ref = SourceRef(source_id=f"try:{kind}", source_type=parsed.feed_type, item_url=item.item_url)
        call = raw_call(item, [ref]).model_dump(mode="json")
        lines.append(json.dumps({"call_id": item.call_id, **call}, ensure_ascii=False))
    return lines


@app.command("try")
def try_source(
    location: str = typer.Argument(..., help="File path or http(s) URL of the source", show_default=False),
    kind: SourceType | None = typer.Option(None, "--type", help="Source type (default: from the name)"),
    mapping: str | None = typer.Option(None, help="Shipped mapping name, JSON object, or @file.json"),
    language: str | None = typer.Option(None, help="Language hint for items that state none, e.g. es"),
    method: MethodOption = None,
    body: BodyOption = None,
    form: FormOption = None,
    header: HeaderOption = None,
    header_from_env: HeaderEnvOption = None,
) -> None:
    """Dry run: print the normalized calls of a source as JSON lines; publish nothing."""
    try:
        request = request_from_options(method, body, form, header, header_from_env)
        lines = asyncio.run(_try(location, kind, read_mapping(mapping), language, request))
    except typer.Exit:
        raise
    except (SourceError, RequestOptionError) as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"unexpected error: {type(exc).__name__}: {exc}")
    sys.stdout.write("".join(f"{line}\n" for line in lines))


def _registry_call(action: Callable[[MongoSourceRegistry], Awaitable[T]]) -> T:
    async def run() -> T:
        settings = Settings()
        client = ingest_mongo(settings)  # fails within 5 s: an operator waits
        try:
            return await action(MongoSourceRegistry(client, settings.database_name(SERVICE)))
        finally:
            await client.close()

    try:
        return asyncio.run(run())
    except typer.Exit:
        raise
    except (UnknownSourceError, SourceExistsError) as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc} — is MongoDB up? Check BOI_MONGO_URL.", code=2)


@app.command("add")
def add(
    source_id: str = typer.Argument(..., metavar="ID", help="Id of the new source", show_default=False),
    location: str = typer.Argument(..., help="http(s) URL or file path", show_default=False),
    kind: SourceType | None = typer.Option(None, "--type", help="Source type (default: from the name)"),
    mapping: str | None = typer.Option(None, help="Shipped mapping name, JSON object, or @file.json"),
    interval: float = typer.Option(900.0, help="Seconds between scheduled runs"),
    jitter: float = typer.Option(0.1, help="± fraction of the interval, at random"),
    language: str | None = typer.Option(None, help="Language hint, e.g. es"),
    tag: list[str] = typer.Option([], help="Default tag (repeatable)"),
    disabled: bool = typer.Option(False, "--disabled", help="Register without scheduling it"),
    method: MethodOption = None,
    body: BodyOption = None,
    form: FormOption = None,
    header: HeaderOption = None,
    header_from_env: HeaderEnvOption = None,
) -> None:
    """Register a source."""
    where = {"url": location} if is_http_url(location) else {"file": location}
    try:
        request = request_from_options(method, body, form, header, header_from_env)
    except RequestOptionError as exc:
        fail(str(exc))
    try:
        config = SourceConfig(
            id=source_id,
            type=kind or type_of_name(location) or SourceType.RSS,
            mapping=read_mapping(mapping),
            interval_seconds=interval,
            jitter=jitter,
            language=language,
            tags=tag,
            enabled=not disabled,
            request=request,
            **where,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid source: {'.'.join(map(str, first['loc'])) or 'source'}: {first['msg']}")
    _registry_call(lambda registry: registry.add(config))
    typer.echo(f"added {config.id} ({config.type}, {config.location})")


@app.command("list")
def list_sources() -> None:
    """The registered sources: id, type, enabled, location, last success, last error."""
    for entry in _registry_call(lambda registry: registry.find()):
        c, s = entry.config, entry.status
        state = "enabled" if c.enabled else "disabled"
        ok = s.last_success_at.isoformat(timespec="seconds") if s.last_success_at else "-"
        typer.echo(f"{c.id}\t{c.type}\t{state}\t{c.location or '-'}\tlast success {ok}\t{s.last_error or ''}")


@app.command("enable")
def enable(source_id: str = typer.Argument(..., metavar="ID", show_default=False)) -> None:
    """Include a source in the scheduled runs."""
    _registry_call(lambda registry: registry.set_enabled(source_id, True))
    typer.echo(f"enabled {source_id}")


@app.command("disable")
def disable(source_id: str = typer.Argument(..., metavar="ID", show_default=False)) -> None:
    """Leave a source out of the scheduled runs (it stays registered)."""
    _registry_call(lambda registry: registry.set_enabled(source_id, False))
    typer.echo(f"disabled {source_id}")


@app.command("remove")
def remove(source_id: str = typer.Argument(..., metavar="ID", show_default=False)) -> None:
    """Remove a source from the registry (its calls stay published)."""
    _registry_call(lambda registry: registry.remove(source_id))
    typer.echo(f"removed {source_id}")


@app.command("status")
def status(source_id: str | None = typer.Argument(None, metavar="[ID]", show_default=False)) -> None:
    """Per source, as JSON lines: last run, last success, last error and why, item counts."""
    if source_id is None:
        entries = _registry_call(lambda registry: registry.find())
    else:
        entries = [_registry_call(lambda registry: registry.get(source_id))]
    for entry in entries:
        line = {"id": entry.config.id, "enabled": entry.config.enabled}
        typer.echo(json.dumps(line | entry.status.model_dump(mode="json"), ensure_ascii=False))
