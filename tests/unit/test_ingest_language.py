"""Language detection: offline, deterministic, with the stated language as the fallback."""

from pathlib import Path

import pytest

from boi_ingest.domain.language import detect_language


def test_every_real_call_text_is_detected_in_its_language(shared_data: Path) -> None:
    for path in sorted((shared_data / "calls").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        stated = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("LANG:"))
        text = "\n".join(line for line in lines if not line.startswith(("URL:", "LANG:")))
        assert detect_language(text) == stated, path.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("La embajada abre la convocatoria de becas de maestría. Cubre matrícula y manutención.", "es"),
        ("The embassy opens its master's scholarship call. It covers tuition and living costs.", "en"),
        ("L'ambassade ouvre l'appel à candidatures pour des bourses de master en France.", "fr"),
        ("A embaixada abre a chamada de bolsas de mestrado. Cobre propinas e manutenção.", "pt"),
    ],
)
def test_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected
    assert detect_language(text, "en" if expected != "en" else "es") == expected  # the text wins


def test_short_text_keeps_the_stated_language_and_results_are_stable() -> None:
    assert detect_language("Beca 2027", "es") == "es"
    assert detect_language("Beca 2027") is None
    text = "Convocatoria de proyectos de cooperación internacional para organizaciones sociales de Bogotá."
    assert {detect_language(text) for _ in range(5)} == {"es"}
