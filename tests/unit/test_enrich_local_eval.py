"""The offline provider against the curator labels of the real calls in ``../shared/data/calls`` (read in
place; skipped where the sample data is absent). The development set is held to the targets the current rules
meet (type ≥ 85 %, deadline ≥ 90 %, no invented deadline, at most one wrong Colombia verdict), and so are
the first 30 calls alone. The held-out validation set is only run and printed: aggregates, never an id."""

import hashlib
import importlib.util
import re
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


def _calls(shared_data: Path) -> Path:
    calls = shared_data / "calls"
    if not calls.is_dir():
        pytest.skip(f"real sample calls not found at {calls}")
    return calls


def test_the_split_is_the_documented_one() -> None:
    """Validation = the new ids (101-179) whose sha256 starts with 0-7; everything else is development."""
    labels, split = _evaluate_module().load_labels()
    new = [c for c in labels if c >= "100"]
    assert len(labels) == 70 and len(new) == 40
    lower_half = [c for c in new if hashlib.sha256(c.encode()).hexdigest()[0] in "01234567"]
    assert split["validation"] == sorted(lower_half)
    assert len(split["validation"]) == 22
    assert sorted(split["development"] + split["validation"]) == sorted(labels)


def test_development_targets_on_the_real_calls(shared_data: Path) -> None:
    module = _evaluate_module()
    calls = _calls(shared_data)
    development, validation = module.evaluate_split(calls)
    print(development.render(), validation.render(), sep="\n\n")
    assert (development.calls, validation.calls) == (48, 22)
    assert development.type_ok / development.calls >= 0.85
    assert development.invented == 0
    assert development.eligibility_wrong <= 1
    assert development.deadline_ok / development.dated >= 0.90
    assert not development.failures()
    first_30 = [c for c in module.load_labels()[1]["development"] if c < "100"]
    first = module.evaluate(calls, first_30, module.Report(name="first 30"))
    assert first.calls == 30
    assert first.type_ok / first.calls >= 0.85
    assert first.deadline_ok / first.dated >= 0.90
    assert first.invented == 0
    assert first.eligibility_wrong <= 1
    assert not first.failures()


def test_validation_prints_aggregates_only(shared_data: Path) -> None:
    module = _evaluate_module()
    _, validation = module.evaluate_split(_calls(shared_data))
    text = validation.render()
    assert validation.mismatches  # compared in full, printed without details
    assert "mismatches" not in text
    held_out = module.load_labels()[1]["validation"]
    assert not any(re.search(rf"(?m)^\s+{call_id}\s", text) for call_id in held_out)


def test_the_eval_skips_cleanly_without_the_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _evaluate_module().main(["evaluate.py", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
