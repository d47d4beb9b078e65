"""Near-duplicate matching on pairs written for the purpose: the same call announced twice must match,
different calls (another level, another year, another program) must not."""

import pytest

from boi_ingest.domain.dedup import Signature, SignatureIndex, similar, title_tokens

SAME = [
    ("Becas Fulbright 2027 para maestría", "Convocatoria Becas Fulbright Colombia 2027 – maestrías"),
    (
        "MEXT Japanese Government Scholarship 2027 – Research Students",
        "Japanese Government (MEXT) Scholarship for Research Students 2027",
    ),
    (
        "Premio Nacional de Periodismo Simón Bolívar",
        "PREMIO NACIONAL DE PERIODISMO SIMÓN BOLÍVAR – inscripciones",
    ),
    ("Chevening Scholarships 2026/2027 now open", "Chevening Scholarship 2026-2027"),
    ("Beca Colfuturo 2027", "Programa Crédito-Beca COLFUTURO 2027"),
]
DIFFERENT = [
    ("Becas Fulbright 2027 para maestría", "Becas Fulbright 2027 para doctorado"),
    ("Premio de Periodismo Simón Bolívar 2026", "Premio de Periodismo Simón Bolívar 2027"),
    ("Becas Chevening 2027", "Becas Fulbright 2027"),
    ("Beca", "Beca Japón 2027"),
    ("Curso de cooperación internacional", "Curso de cooperación sur-sur"),
    ("Convocatoria de proyectos de innovación social", "Convocatoria de proyectos de investigación en salud"),
    (
        "Call for proposals Selatu 2027: master's studies",
        "Call for proposals Sobahicaze 2027: master's studies",
    ),
    ("HORIZON-CL5-2027-D3-01 Solar energy", "HORIZON-CL5-2027-D3-02 Solar energy"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_the_same_call_matches(a: str, b: str) -> None:
    assert similar(Signature.of("a", a), Signature.of("b", b))
    assert similar(Signature.of("b", b), Signature.of("a", a))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_calls_do_not_match(a: str, b: str) -> None:
    assert not similar(Signature.of("a", a), Signature.of("b", b))
    same = {
        "deadlines": ["2027-03-18"],
        "funders": ["European Union"],
    }  # even with the same deadline and funder
    assert not similar(Signature.of("a", a, **same), Signature.of("b", b, **same)) or a == "Beca"


def test_deadlines_and_funders_decide_when_stated() -> None:
    a, b = "Becas Fulbright 2027 para maestría", "Convocatoria Becas Fulbright Colombia 2027 – maestrías"
    assert not similar(
        Signature.of("a", a, deadlines=["2027-02-15"]), Signature.of("b", b, deadlines=["2027-05-01"])
    )
    assert not similar(
        Signature.of("a", a, funders=["Comisión Fulbright"]), Signature.of("b", b, funders=["ICETEX"])
    )
    assert similar(Signature.of("a", a, funders=["Comisión Fulbright"]), Signature.of("b", b))
    # a weaker title match is accepted when a stated deadline and funder agree
    c, d = "Becas Fulbright", "Fulbright: becas para estudiar en Estados Unidos"
    assert not similar(Signature.of("c", c), Signature.of("d", d))
    assert similar(
        Signature.of("c", c, deadlines=["2027-02-15"], funders=["Comisión Fulbright Colombia"]),
        Signature.of("d", d, deadlines=["2027-02-15"], funders=["la Comisión Fulbright Colombia"]),
    )


def test_title_tokens_fold_accents_case_plurals_and_stop_words() -> None:
    assert title_tokens("Becas PARA Maestrías en Japón 2027") == ["beca", "maestria", "japon", "2027"]


def test_index_returns_the_call_of_the_best_earlier_signature() -> None:
    index = SignatureIndex()
    index.add(Signature.of("c-1", "Becas Fulbright 2027 para maestría"))
    index.add(Signature.of("c-1", "Fulbright 2027 becas de maestría", item_id="c-2"))  # merged earlier
    index.add(Signature.of("c-3", "Becas Chevening 2027"))
    assert index.match(Signature.of("c-9", "Convocatoria Becas Fulbright Colombia 2027 – maestrías")) == "c-1"
    assert index.match(Signature.of("c-9", "Becas DAAD 2027")) is None
    assert index.match(Signature.of("c-1", "Becas Fulbright 2027 para maestría")) is None  # itself


def test_index_never_merges_entries_of_one_source() -> None:
    index = SignatureIndex()
    index.add(Signature.of("c-1", "Becas Fulbright 2027 para maestría", source_id="portal-a"))
    again = "Convocatoria Becas Fulbright Colombia 2027 – maestrías"
    assert index.match(Signature.of("c-2", again, source_id="portal-a")) is None
    assert index.match(Signature.of("c-2", again, source_id="portal-b")) == "c-1"
