"""The stack installer: clear messages for missing prerequisites, pinned artifacts (no network here)."""

from pathlib import Path

import pytest

from boi_devtools.stack import install
from boi_devtools.stack.config import StackConfig


@pytest.mark.parametrize("tool", ["java", "mvn", "go", "npm"])
def test_missing_prerequisite_says_what_to_install(tool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(install.InstallError) as err:
        install._require(tool)
    message = str(err.value)
    assert f"'{tool}' was not found" in message
    assert "install" in message.lower()


def test_missing_go_stops_ferretdb_install_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(install.InstallError, match=r"Go 1\.22"):
        install.install_ferretdb(StackConfig(cache_dir=tmp_path, data_dir=tmp_path / "data"))


def test_versions_are_pinned_in_the_shipped_resources() -> None:
    pom = install._resource("kafka-pom.xml").read_text()
    assert "<version>4.1.1</version>" in pom
    lock = install._resource("package-lock.json").read_text()
    assert '"version": "1.3.0-1.21.0"' in lock and '"integrity": "sha512-' in lock


def test_generated_master_key_is_private_and_stable(tmp_path: Path) -> None:
    cfg = StackConfig(cache_dir=tmp_path, data_dir=tmp_path / "data")
    key = cfg.master_key()
    assert len(key) >= 32 and key == cfg.master_key()
    assert (tmp_path / "data" / "meili-master-key").stat().st_mode & 0o077 == 0
