"""Notify settings: endpoint lists from the environment, and no unsigned webhooks."""

import secrets

import pytest
from pydantic import ValidationError

from boi_notify.settings import Settings


def test_urls_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOI_WEBHOOK_URLS", "https://a.example/hook, http://b.example:8080/x")
    monkeypatch.setenv("BOI_WEBHOOK_SECRET", secrets.token_urlsafe(32))
    settings = Settings()
    assert settings.webhook_urls == ["https://a.example/hook", "http://b.example:8080/x"]
    assert (settings.webhook_timeout_seconds, settings.webhook_schedule_scale) == (15, 1)


def test_endpoints_without_a_secret_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOI_WEBHOOK_URLS", "https://a.example/hook")
    monkeypatch.delenv("BOI_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValidationError, match="BOI_WEBHOOK_SECRET must be set"):
        Settings()


def test_no_endpoints_need_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOI_WEBHOOK_URLS", raising=False)
    monkeypatch.delenv("BOI_WEBHOOK_SECRET", raising=False)
    assert Settings().webhook_urls == []


@pytest.mark.parametrize(
    "urls", ["ftp://a.example/x", "a.example/hook", "https://a.example,https://a.example"]
)
def test_bad_urls_are_refused(urls: str) -> None:
    with pytest.raises(ValidationError, match="BOI_WEBHOOK_URLS"):
        Settings.model_validate({"webhook_urls": urls, "webhook_secret": secrets.token_urlsafe(32)})
