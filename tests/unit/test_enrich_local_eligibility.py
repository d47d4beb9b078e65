"""Colombia eligibility of the offline provider: "si" only when the text includes Colombia, "no" only when
it restricts to a group without Colombia, "sin_dato" otherwise. Texts written for these tests."""

import time

import pytest

from boi_enrich.domain.eligibility import assess_eligibility
from boi_enrich.domain.text import Doc
from boi_shared.taxonomy import Eligibility


def verdict(text: str, colombian_funder_at: int | None = None) -> Eligibility:
    return assess_eligibility(Doc(text), colombian_funder_at).verdict


@pytest.mark.parametrize(
    "text",
    [
        "La convocatoria está dirigida a ciudadanos de todos los países de las Américas, incluida Colombia.",
        "Requisitos: ser colombiano o colombiana y tener título de pregrado.",
        "El programa financia estudios de posgrado de profesionales colombianos.",
        "The call is addressed to Colombian citizens with a professional degree.",
        "Open to nationals of Bolivia, Colombia, Ecuador and Peru.",
        "Pueden postularse organizaciones de América Latina y el Caribe.",
        "We only support groups based in independent countries of Latin America and the Caribbean.",
        "Applicants can be from all over the world.",
        "Abierto a: personas físicas de nacionalidad española o extranjera.",
        "The fellowship is open to researchers from developing countries on the DAC list.",
        "Pueden participar ciudadanos de cualquier país.",
        "Convocatoria dirigida a jóvenes de Bogotá entre 18 y 28 años.",
    ],
)
def test_si(text: str) -> None:
    assert verdict(text) == Eligibility.SI


@pytest.mark.parametrize(
    "text",
    [
        "Requisitos de los solicitantes: 1. Tener la nacionalidad española.",
        "Programa de becas para ciudadanos españoles.",
        "Applicants must be U.S. citizens or permanent residents.",
        "Call addressed to Enterprise Europe Network partners in the EU.",
        "Only citizens of European Union member states are eligible.",
        "A citizen or permanent resident of a Commonwealth country can apply.",
        "Las entidades deben estar inscritas en el Registro Gallego de Agentes de Cooperación.",
        "Open to all countries except Colombia and Venezuela.",
        "Colombian citizens are not eligible for this programme.",
        "The scholarship is only open to citizens of Kenya, Uganda and Tanzania.",
        "Esta beca es exclusivamente para ciudadanos de México y Perú.",
    ],
)
def test_no(text: str) -> None:
    assert verdict(text) == Eligibility.NO


@pytest.mark.parametrize(
    "text",
    [
        "La convocatoria se ofrece a más de 170 países, listados en el anexo.",
        "Candidates from all over the world are interviewed at British embassies.",
        "Podrán postularse gobiernos locales de ciudades miembro de la red.",
        "Due to the impact on writers across the world, the awards now close on 30 June.",
        "This criterion applies to applicants residing in the Netherlands, Greece, Spain or Iceland.",
        "Las postulaciones se reciben solo en español.",
        "Desde 1957, el programa ha beneficiado a 4.000 personas en Colombia.",
        "Becas.\nThe fellowship is only open to citizens of Argentina, Bolivia, Brazil, Chile",
        "Con la Universidad Nacional de Colombia, la Fundación Sol ofrece becas para ciudadanos de México.",
    ],
)
def test_sin_dato(text: str) -> None:
    assert verdict(text) == Eligibility.SIN_DATO


def test_named_colombia_beats_a_restriction_elsewhere() -> None:
    text = "Fellowship 1 is only open to citizens born in Argentina. Fellowship 2 is open to Colombia."
    assert verdict(text) == Eligibility.SI


def test_a_negation_does_not_cross_but() -> None:
    assert verdict("EU citizens are not eligible, but applicants from Colombia can apply.") == Eligibility.SI


def test_a_list_including_colombia_is_si() -> None:
    assert verdict("Only citizens of Brazil, Colombia and Peru can apply.") == Eligibility.SI
    assert verdict("Only researchers based in Africa, Asia or Latin America are eligible.") == Eligibility.SI


def test_world_and_a_restriction_conflict_gives_sin_dato() -> None:
    text = "Applicants can be from all over the world. Only EU citizens are eligible for the travel grant."
    result = assess_eligibility(Doc(text), None)
    assert result.verdict == Eligibility.SIN_DATO
    assert "elegibilidad en conflicto" in result.reasons


def test_a_colombian_programme_is_for_colombians_but_with_low_confidence() -> None:
    text = "Minciencias abrió la convocatoria para doctorados nacionales."
    result = assess_eligibility(Doc(text), 0)
    assert (result.verdict, result.confidence) == (Eligibility.SI, 0.6)
    # a Colombian programme for foreigners only leaves Colombians out (issue 15)
    assert (
        verdict("Programa de ICETEX para estudiantes extranjeros que vienen al país.", 12) == Eligibility.NO
    )


def test_a_call_made_for_colombia() -> None:
    assert (
        verdict("Convocatoria a propuestas\n- Colombia 2027 -\nGuía para los solicitantes") == Eligibility.SI
    )


def test_the_verdict_quotes_its_sentence() -> None:
    result = assess_eligibility(Doc("Becas. Requisitos: ser colombiano. Cierre pronto."), None)
    assert result.sentence == "Requisitos: ser colombiano."


@pytest.mark.parametrize(
    "text",
    [
        "Requisitos: tener nacionalidad peruana y título profesional.",
        "Requisito: poseer la nacionalidad española o portuguesa.",
        "The programme is open to Spanish or Portuguese nationals under 30.",
        "Applicants must hold Chilean citizenship.",
        "Pueden postular jóvenes españoles y portugueses de 18 a 30 años.",
    ],
)
def test_a_nationality_requirement_without_colombia_is_no(text: str) -> None:
    assert verdict(text) == Eligibility.NO


@pytest.mark.parametrize(
    ("text", "funder_at"),
    [
        ("Becas del Gobierno de Colombia dirigidas a ciudadanos extranjeros.", None),
        ("Scholarships for foreign nationals who wish to study in Colombia.", None),
        ("La convocatoria es solo para extranjeros.", 0),
        ("Requisito: tener nacionalidad distinta a la colombiana.", None),
    ],
)
def test_a_colombian_call_for_foreigners_is_no(text: str, funder_at: int | None) -> None:
    assert verdict(text, funder_at) == Eligibility.NO


@pytest.mark.parametrize(
    "text",
    [
        "Requisitos: tener nacionalidad distinta a la francesa.",
        "Ser nacional de un Estado Miembro de la OEA, con excepción de los nacionales de Brasil.",
        "The programme is aimed at international students from the five continents.",
        "Eligibility: a resident of an eligible country: Bolivia; Colombia; Ecuador; Peru.",
        "Open to Colombian and Mexican nationals.",
    ],
)
def test_calls_that_open_to_colombians_are_si(text: str) -> None:
    assert verdict(text) == Eligibility.SI


@pytest.mark.parametrize(
    "text",
    [
        "Scholarships for foreign students in Spain.",  # Colombians are foreigners there
        "Nuestros estudiantes chilenos ganaron el premio el año pasado.",  # not about who applies
        "The summit brings together youth around the world to meet peers.",  # describes, does not open
        "Abierto a personas de nacionalidad española o extranjera.",
    ],
)
def test_no_exclusion_read_into_descriptions(text: str) -> None:
    assert verdict(text) != Eligibility.NO
    if "around the world" in text:
        assert verdict(text) == Eligibility.SIN_DATO


def test_a_nationality_requirement_and_a_region_conflict() -> None:
    text = "Pueden postular personas de América Latina. Requisitos: tener nacionalidad española."
    result = assess_eligibility(Doc(text), None)
    assert result.verdict == Eligibility.SIN_DATO
    assert "elegibilidad en conflicto" in result.reasons


def test_the_residence_restriction_is_no() -> None:
    assert verdict("Participants must be residents of one of the EEA countries.") == Eligibility.NO


def test_a_list_of_nationalities_is_read_whole() -> None:
    assert verdict("Requisito: ser de nacionalidad peruana, mexicana o extranjera.") != Eligibility.NO
    assert verdict("Applicants must be a German citizen.") == Eligibility.NO


@pytest.mark.parametrize(
    "text",
    [
        "Requisito: tener nacionalidad " + "española, " * 20_000 + "o extranjera.",
        "Open to " + "Spanish, " * 20_000 + "or other nationals.",
        "Pueden postular estudiantes " + "mexicanos y " * 20_000 + "de otros países.",
    ],
)
def test_hostile_lists_of_nationalities_stay_fast(text: str) -> None:
    started = time.process_time()
    assess_eligibility(Doc(text), None)
    assert time.process_time() - started < 2.0  # linear: well under a second here; quadratic took 30 s


def test_a_hostile_line_of_cues_and_colons_stays_fast() -> None:
    started = time.process_time()
    assess_eligibility(Doc("Eligible applicants: a; " * 20_000), None)
    assert time.process_time() - started < 2.0  # one range per line; a range per cue took 8 s


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an excluded nationality is no requirement of that nationality
        (
            "British and dual British citizens are not eligible. Applicants from all eligible countries may "
            "apply.",
            Eligibility.SIN_DATO,
        ),
        # an inclusion after the exception ends its scope
        (
            "Pueden postular ciudadanos de todos los países de América Latina, excepto Brasil, "
            "incluida Colombia.",
            Eligibility.SI,
        ),
        (
            "All Latin American countries except Brazil and Mexico are eligible, "
            "including Colombia and Peru.",
            Eligibility.SI,
        ),
        (
            "Open to citizens of OAS member states, except Colombia, which has its own programme.",
            Eligibility.NO,
        ),
        ("Students who are not Colombian citizens cannot apply.", Eligibility.SI),
        # Colombia as the destination says nothing about who applies
        ("Becas para estudiantes mexicanos que deseen estudiar en Colombia.", Eligibility.NO),
        ("Scholarships for Peruvian nationals who wish to study in Colombia.", Eligibility.NO),
        # a region narrows "developing countries"
        ("The scholarship is open to students from developing countries in Africa.", Eligibility.SIN_DATO),
        ("Applicants must be based in a low- or middle-income country.", Eligibility.SI),
        ("Applicants of any nationality may apply.", Eligibility.SI),
        ("Candidates from Latin America and the Caribbean are encouraged to apply.", Eligibility.SI),
        # a region against a residence elsewhere: conflict
        ("Dirigido a artistas latinoamericanos residentes en Europa.", Eligibility.SIN_DATO),
        ("Open to applicants of any nationality residing in Germany.", Eligibility.SIN_DATO),
        ("Candidates from all over the world are interviewed at British embassies.", Eligibility.SIN_DATO),
    ],
)
def test_scope_of_exclusions_destinations_and_regions(text: str, expected: Eligibility) -> None:
    """Held-out sentences: a negation's scope, a destination, a narrowed region, a residence elsewhere."""
    assert verdict(text) == expected


def test_a_list_of_participating_countries_names_who_applies() -> None:
    text = "Pueden recibir ayudas los países miembros del programa: Argentina, Brasil, Colombia y Perú."
    assert verdict(text) == Eligibility.SI
    assert verdict("Participating countries: Argentina, Brazil, Colombia and Peru.") == Eligibility.SI


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("El ICETEX ofrece becas para colombianos y extranjeros residentes en Colombia.", Eligibility.SI),
        (
            "Los participantes seleccionados asistirán a un taller en Bogotá del 3 al 5 de mayo.",
            Eligibility.SIN_DATO,
        ),
        (
            "The selected candidates will attend a workshop in Bogotá. "
            "Applicants must be Peruvian nationals.",
            Eligibility.NO,
        ),
        ("La convocatoria está dirigida a organizaciones con sede en Colombia.", Eligibility.SI),
    ],
)
def test_colombians_and_foreigners_and_the_place_of_an_event(text: str, expected: Eligibility) -> None:
    """A call "para colombianos y extranjeros" is open to Colombians; an event held in Bogotá says nothing
    about who applies; an organisation based in Colombia does."""
    assert verdict(text, colombian_funder_at=0 if "ICETEX" in text else None) == expected
