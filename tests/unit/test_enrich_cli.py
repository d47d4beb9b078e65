"""`boi enrich try`: JSON lines of RawCall or CallIngested in, CallEnriched JSON lines out, nothing sent."""

import json
import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boi_enrich.cli import app
from boi_shared.events import CallEnriched, CallIngested
from boi_shared.ids import call_id_for
from tests.support.enrich_samples import VALID_ANSWER, sample_call
from tests.support.openai_server import answer, openai_server

RAW = sample_call("https://example.org/raw")
EVENT = CallIngested(call_id="c-event", version=3, call=sample_call("https://example.org/event"))


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOI_ENRICH_PROVIDER", "BOI_ENRICH_FALLBACK", "BOI_OPENAI_BASE_URL", "BOI_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_raw_calls_and_events_are_enriched_in_order_bad_lines_reported(tmp_path: Path) -> None:
    source = tmp_path / "calls.jsonl"
    lines = [RAW.model_dump_json(), "", "{not json", EVENT.model_dump_json(), json.dumps({"title": "x"})]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["try", str(source)])
    assert result.exit_code == 1, result.output
    out = [CallEnriched.model_validate_json(line) for line in result.stdout.splitlines()]
    assert [(e.call_id, e.version) for e in out] == [(call_id_for(RAW.url), 1), ("c-event", 3)]
    assert all(e.enrichment.call_type == "beca" for e in out)
    assert "line 3: not JSON" in result.stderr
    assert "line 5: not a valid RawCall: url: Field required" in result.stderr
    assert "2 bad line(s) skipped" in result.stderr


def test_stdin_and_exit_zero_when_all_lines_are_good() -> None:
    result = CliRunner().invoke(app, ["try", "-"], input=RAW.model_dump_json() + "\n")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1


def test_missing_file_and_bad_configuration_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["try", "/nonexistent/calls.jsonl"])
    assert result.exit_code == 2 and "cannot read" in result.stderr
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    result = CliRunner().invoke(app, ["try", "--provider", "openai", "-"], input="")
    assert result.exit_code == 2 and "BOI_OPENAI_API_KEY" in result.stderr


def test_openai_provider_without_store(monkeypatch: pytest.MonkeyPatch) -> None:
    with openai_server() as server:
        server.queue(answer(VALID_ANSWER))
        monkeypatch.setenv("BOI_OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("BOI_OPENAI_MODEL", server.model)
        monkeypatch.setenv("BOI_OPENAI_API_KEY", secrets.token_urlsafe(32))
        lines = f"{RAW.model_dump_json()}\n{RAW.model_dump_json()}\n"
        result = CliRunner().invoke(app, ["try", "--provider", "openai", "--no-store", "-"], input=lines)
        assert result.exit_code == 0, result.output
        providers = [
            CallEnriched.model_validate_json(x).enrichment.provider for x in result.stdout.splitlines()
        ]
        assert providers == ["openai", "openai"]
        assert len(server.requests) == 1 and server.problems == []  # concurrent twins are paid once


def test_accepts_the_lines_boi_sources_try_prints() -> None:
    """`boi sources try … | boi enrich try -`: a RawCall line with its call_id is enrich's input."""
    from boi_enrich.cli import parse_line

    line = (
        '{"call_id": "c-abc123", "url": "https://example.org/b", "title": "Beca", "text": "Beca.",'
        ' "language": "es", "published_at": null, "content_hash": "h", "tags": [],'
        ' "sources": [{"source_id": "try:rss", "source_type": "rss", "item_url": "https://example.org/b"}]}'
    )
    event = parse_line(line)
    assert event.call_id == "c-abc123"
    assert event.call.title == "Beca"
