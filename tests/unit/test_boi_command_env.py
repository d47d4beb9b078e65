"""The `boi` command beside `make run`: it signs with the keys the running services verify."""

import os
from pathlib import Path

import pytest

from boi_devtools.cli import _local_run_secrets
from boi_devtools.stack.config import StackConfig


def test_a_command_uses_the_subscription_key_boi_run_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "subscription-secret").write_text("clave-de-la-corrida\n", encoding="utf-8")
    monkeypatch.delenv("BOI_SUBSCRIPTION_SECRET", raising=False)
    _local_run_secrets(StackConfig(data_dir=tmp_path))
    assert os.environ["BOI_SUBSCRIPTION_SECRET"] == "clave-de-la-corrida"


def test_an_explicit_key_wins_and_no_run_means_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOI_SUBSCRIPTION_SECRET", "la-del-operador")
    (tmp_path / "subscription-secret").write_text("clave-de-la-corrida", encoding="utf-8")
    _local_run_secrets(StackConfig(data_dir=tmp_path))
    assert os.environ["BOI_SUBSCRIPTION_SECRET"] == "la-del-operador"
    monkeypatch.delenv("BOI_SUBSCRIPTION_SECRET")
    _local_run_secrets(StackConfig(data_dir=tmp_path / "nunca-corrio"))
    assert "BOI_SUBSCRIPTION_SECRET" not in os.environ
