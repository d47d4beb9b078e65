"""The day plan's candidates and refusals, the bulletin's documented score with varied types, and the
branding settings refused at start-up with a clear message."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from boi_catalog.domain.editorial import (
    PlanRefused,
    check_plan,
    iso_week,
    plan_candidates,
    propose_top,
    week_monday,
)
from boi_catalog.settings import Settings
from tests.support.catalog_calls import catalog_call

TODAY = date(2026, 12, 7)


def d(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def test_candidates_are_open_unannounced_public_calls_closing_first() -> None:
    calls = [
        catalog_call("late", deadline=d(40)),
        catalog_call("soon", deadline=d(3)),
        catalog_call("none", deadline=None),
        catalog_call("soon-no", deadline=d(3), colombia_eligible="no"),
        catalog_call("past", deadline=d(-1)),
        catalog_call("withdrawn", status="retirada"),
        catalog_call("review", status="en_revision"),
        catalog_call("done", deadline=d(5)),
    ]
    ids = [c.call_id for c in plan_candidates(calls, TODAY, announced={"done"})]
    assert ids == ["soon", "soon-no", "late", "none"]


def test_plan_refused_with_the_reason() -> None:
    stored = {
        c.call_id: c
        for c in [
            catalog_call("a"),
            catalog_call("b"),
            catalog_call("c"),
            catalog_call("w", status="retirada", title="Beca retirada"),
            catalog_call("x", status="cerrada", title="Beca cerrada"),
            catalog_call("p", deadline=d(-2), title="Beca vencida"),
        ]
    }
    assert check_plan(["a", "b", "c", "a"], stored, TODAY, set()) == ["a", "b", "c"]
    with pytest.raises(PlanRefused, match="fue retirada"):
        check_plan(["a", "b", "w"], stored, TODAY, set())
    with pytest.raises(PlanRefused, match="ya cerró"):
        check_plan(["a", "b", "x"], stored, TODAY, set())
    with pytest.raises(PlanRefused, match="ya cerró el"):
        check_plan(["a", "b", "p"], stored, TODAY, set())
    with pytest.raises(PlanRefused, match="entre 3 y 7"):
        check_plan(["a", "b"], stored, TODAY, set())
    with pytest.raises(PlanRefused, match="no existe"):
        check_plan(["a", "b", "zz"], stored, TODAY, set())
    with pytest.raises(PlanRefused, match="ya se anunció"):
        check_plan(["a", "b", "c"], stored, TODAY, {"c"})


def test_bulletin_score_prefers_closing_soon_eligible_viewed_and_varies_types() -> None:
    becas = [catalog_call(f"beca{i}", deadline=d(10)) for i in range(6)]
    others = [
        catalog_call("premio", call_type="premio", deadline=d(12)),
        catalog_call("curso", call_type="curso", deadline=d(50)),
        catalog_call("far", call_type="premio", deadline=d(300), colombia_eligible="no"),
    ]
    top = propose_top([*becas, *others], TODAY, views={"curso": 100, "beca3": 50})
    ids = [s.call.call_id for s in top]
    assert len(ids) == 5
    assert "premio" in ids and "curso" in ids and "far" not in ids  # variety wins over a 5th beca
    assert ids[0] == "beca3"  # closing soon, eligible, and viewed
    assert top[0].parts == {"cierre": 40.0, "colombia": 30.0, "vistas": 15.0}


def test_week_keys() -> None:
    assert iso_week(TODAY) == "2026-50"
    assert week_monday("2026-50") == date(2026, 12, 7)
    for bad in ("2026-W50", "50", "2026-99", "../etc"):
        with pytest.raises(ValueError, match=r"semana inválida|[Ww]eek"):
            week_monday(bad)


def test_branding_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="#rrggbb"):
        Settings(brand_primary_color="rojo")
    big = tmp_path / "logo.png"
    big.write_bytes(b"\x89PNG" + b"0" * 300_000)
    with pytest.raises(ValidationError, match="at most 200,000"):
        Settings(brand_logo_path=str(big))
    with pytest.raises(ValidationError, match=r"\.png or \.svg"):
        Settings(brand_logo_path=str(tmp_path / "logo.gif"))
    with pytest.raises(ValidationError, match="no such file"):
        Settings(brand_logo_path=str(tmp_path / "missing.svg"))
    with pytest.raises(ValidationError, match="unknown call types"):
        Settings(brand_type_labels={"bekas": "x"})
    with pytest.raises(ValidationError, match="time zone"):
        Settings(brand_timezone="Mars/Olympus")
