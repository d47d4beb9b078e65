"""The offline provider against the curator labels of the 30 real calls in ``../shared/data/calls`` (read in
place; skipped where the sample data is absent). Targets: type ≥ 85 %, deadline ≥ 90 %, no invented deadline,
at most one wrong Colombia verdict."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
EVALUATE = REPO / "services" / "enrich" / "eval" / "evaluate.py"


def _evaluate_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("boi_enrich_eval", EVALUATE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_targets_on_the_real_calls(shared_data: Path) -> None:
    calls = shared_data / "calls"
    if not calls.is_dir():
        pytest.skip(f"real sample calls not found at {calls}")
    report = _evaluate_module().evaluate(calls)
    print(report.render())
    assert report.calls == 30
    assert report.type_ok / report.calls >= 0.85
    assert report.deadline_ok / report.dated >= 0.90
    assert report.invented == 0
    assert report.eligibility_wrong <= 1
    assert not report.failures()


def test_the_eval_skips_cleanly_without_the_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _evaluate_module().main(["evaluate.py", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
