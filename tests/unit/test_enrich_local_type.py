"""Call type, funder and amount of the offline provider. Texts written for these tests."""

import pytest

from boi_enrich.domain.amounts import find_amount
from boi_enrich.domain.call_type import classify
from boi_enrich.domain.funder import find_funder
from boi_enrich.domain.text import Doc
from boi_shared.taxonomy import CallType


def kind(title: str, text: str = "") -> CallType | None:
    return classify(Doc(f"{title}\n{text}")).call_type


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Programa Crédito Beca para maestrías en el exterior", CallType.BECA),
        ("Scholarship programme for young leaders", CallType.BECA),
        ("Convocatoria de becas para el curso de verano", CallType.BECA),
        ("Premio Nacional de Periodismo 2027", CallType.PREMIO),
        ("International Photography Award 2027", CallType.PREMIO),
        ("Concurso de cuento corto 2027", CallType.PREMIO),
        ("Paid traineeships at the European Commission", CallType.EMPLEO),
        ("Postdoctoral fellowship positions in data science", CallType.EMPLEO),
        ("Programa de Voluntariado Juvenil 2027", CallType.VOLUNTARIADO),
        ("Call for Papers: Conference on Urban Resilience", CallType.EVENTO),
        ("Curso virtual gratuito de formulación de proyectos", CallType.CURSO),
        ("Call for proposals: civil society and human rights", CallType.CONVOCATORIA_PROYECTOS),
        ("Convocatoria de proyectos de cooperación Sur-Sur", CallType.CONVOCATORIA_PROYECTOS),
        (
            "Convocatoria de subvenciones: convocatoria de propuestas para ONG",
            CallType.CONVOCATORIA_PROYECTOS,
        ),
        ("Ayudas a ONGD para proyectos de educación para el desarrollo", CallType.SUBVENCION),
        ("Apply for a grant from our foundation", CallType.SUBVENCION),
        ("Fondo para iniciativas culturales locales", CallType.SUBVENCION),
        ("Alianza para la cooperación entre ciudades", CallType.ALIANZA),
        ("Concurso público de méritos para profesores de planta", CallType.EMPLEO),
        ("Programa de intercambio académico con universidades de Corea", CallType.BECA),
        ("Call for nominations: Young Leaders 2027", CallType.PREMIO),
    ],
)
def test_title_decides(title: str, expected: CallType) -> None:
    assert kind(title) == expected


def test_the_text_votes_when_the_title_says_nothing() -> None:
    text = "El ICETEX ofrece créditos educativos 100% condonables para estudios en el exterior."
    assert kind("Programa Jóvenes Talentos", text) == CallType.BECA
    assert kind(
        "Training", "Master's degrees in the United States with Fulbright. Fulbright covers tuition."
    ) == (CallType.BECA)


def test_call_for_proposals_framing_beats_grant_wording_in_the_text() -> None:
    text = (
        "Guía para los solicitantes de subvenciones. La presente convocatoria de propuestas es restringida."
    )
    assert kind("Ref.", text) == CallType.CONVOCATORIA_PROYECTOS


def test_no_type_word_gives_none() -> None:
    assert classify(Doc("Noticias\nHoy se reunió el comité.")).call_type is None


@pytest.mark.parametrize(
    ("text", "url", "expected", "at_least"),
    [
        ("Becas\nEntidad convocante: Armada Española\n", "https://x.org/a", "Armada Española", 0.85),
        (
            "Rules\nOrganized by: The Observatory on Cities, New York; Other",
            "https://x.org",
            "Observatory on Cities",
            0.85,
        ),
        (
            "Becas\nLa Fundación Mar Azul ofrece becas de maestría.",
            "https://x.org",
            "Fundación Mar Azul",
            0.6,
        ),
        ("Becas\nEl ICETEX ofrece créditos condonables.", "https://x.org", "ICETEX", 0.7),
        (
            "News\nThe European Commission has announced traineeships.",
            "https://x.org",
            "European Commission",
            0.7,
        ),
        (
            "Award\nAdministered by the Commonwealth Scholarship Commission in the UK.",
            "https://x.org",
            "Commonwealth Scholarship Commission",
            0.7,
        ),
    ],
)
def test_funder(text: str, url: str, expected: str, at_least: float) -> None:
    found = find_funder(Doc(text), url, english=not text.startswith("Becas"))
    assert found.name == expected
    assert found.confidence >= at_least


def test_the_url_host_is_only_a_low_confidence_guess() -> None:
    found = find_funder(
        Doc("Deadlines and pricing\nSubmissions now open."), "https://pageturnerawards.com/x", True
    )
    assert found.name == "pageturnerawards"
    assert found.confidence <= 0.3
    assert find_funder(Doc("x"), "https://sede.xunta.gal/detalle", False).name == "xunta"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Dotación: Crédito Beca de hasta un máximo de USD 50.000 anuales.", 50000, "USD"),
        ("Premio: 4.500 €", 4500, "EUR"),
        ("An Erasmus scholarship is valued at EUR 1400 per month.", 1400, "EUR"),
        ("Las ciudades podrán solicitar hasta un monto máximo de 7 mil dólares.", 7000, "USD"),
        ("$388.800.000 es el monto que cada beneficiario recibirá. Pesos colombianos.", 388800000, "COP"),
        ("Tipo de moneda | EUROS |\nCuantía por beneficiario | Entre 1.000 y 3.000 |", 3000, "EUR"),
    ],
)
def test_amount(text: str, amount: float, currency: str) -> None:
    found = find_amount(Doc(text))
    assert (found.amount, found.currency) == (amount, currency)


@pytest.mark.parametrize(
    "text",
    [
        "Early Bird Deadline: 31 March 2027 ~ £20 entry fee",
        "Cerca de $64 mil millones invertirá el ministerio.",
    ],
)
def test_fees_and_totals_are_not_the_amount(text: str) -> None:
    assert find_amount(Doc(text)).amount is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Open call for bids for the Democracy Fund 2027", CallType.CONVOCATORIA_PROYECTOS),
        ("The embassy invites proposals for its small grants scheme", CallType.CONVOCATORIA_PROYECTOS),
        ("Convocatoria del Programa Visitante Voluntario 2027", CallType.VOLUNTARIADO),
        ("Servicio Voluntario Europeo: plazas en Lisboa", CallType.VOLUNTARIADO),
    ],
)
def test_call_framings_and_volunteer_programmes(title: str, expected: CallType) -> None:
    assert kind(title) == expected


def test_a_voluntary_contribution_is_no_volunteering() -> None:
    assert kind("Fondo de aporte voluntario para proyectos culturales") == CallType.SUBVENCION


@pytest.mark.parametrize(
    ("title", "english", "expected"),
    [
        ("Premio Nacional al Voluntariado 2027", False, CallType.PREMIO),
        ("Curso virtual para voluntarios de emergencias", False, CallType.CURSO),
        ("Curso internacional de gobernanza con becas completas", False, CallType.CURSO),
        ("Becas para el curso internacional de gobernanza", False, CallType.BECA),
        ("Foro de voluntariado juvenil iberoamericano", False, CallType.EVENTO),
        ("Webinar sobre becas Fulbright", False, CallType.EVENTO),
        ("Concurso de becas de investigación", False, CallType.BECA),
        ("Taller de formulación de proyectos para el Fondo Verde", False, CallType.CURSO),
        ("Volunteer Award 2027 for community leaders", True, CallType.PREMIO),
        ("Summer School Scholarships 2027", True, CallType.BECA),
        ("Call for proposals: awards for innovation projects", True, CallType.CONVOCATORIA_PROYECTOS),
        ("Fellowship program for young journalists: training course in Berlin", True, CallType.EMPLEO),
    ],
)
def test_the_head_noun_of_the_title_decides(title: str, english: bool, expected: CallType) -> None:
    """Leftmost strong term in Spanish; the end of the first noun phrase in English."""
    assert classify(Doc(f"{title}\n"), english).call_type == expected


def test_a_grant_title_with_a_call_for_proposals_framing_in_the_text() -> None:
    text = "The foundation invites proposals from civil society organisations. Concept notes are due in May."
    assert kind("Small Grants Programme 2027", text) == CallType.CONVOCATORIA_PROYECTOS


def test_singular_taller_and_nota_conceptual() -> None:
    assert kind("Taller virtual de gestión cultural") == CallType.CURSO
    assert (
        kind("Fondo Verde 2027", "Envíe su nota conceptual antes de mayo.") == CallType.CONVOCATORIA_PROYECTOS
    )


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Así puede postularse a la convocatoria del Gobierno de Japón",
            "El Gobierno de Japón abrió la convocatoria para que profesionales cursen estudios de maestría "
            "y doctorado. Los seleccionados recibirán una asignación mensual y pasajes. "
            "Se ofrecen 20 vacantes.",
            CallType.BECA,
        ),
        (
            "UNESCO International Fund for Cultural Diversity opens its 2027 call",
            "Public authorities and NGOs can submit funding requests of up to US$100,000. "
            "The call for funding requests closes on 15 May 2027.",
            CallType.CONVOCATORIA_PROYECTOS,
        ),
        (
            "Fondo Canadá para Iniciativas Locales 2027",
            "La Embajada invita a organizaciones de la sociedad civil a presentar propuestas de proyectos en "
            "igualdad de género.",
            CallType.CONVOCATORIA_PROYECTOS,
        ),
        (
            "Oportunidad para gobiernos locales: Red de Ciudades Creativas",
            "La UNESCO invita a las ciudades interesadas a integrar la Red de Ciudades Creativas.",
            CallType.ALIANZA,
        ),
        (
            "Programa de cooperación técnica entre ciudades 2027",
            "El programa apoya el intercambio de experiencias entre gobiernos locales de América Latina "
            "y Europa.",
            CallType.ALIANZA,
        ),
        (
            "Intercambio: Study visit to Finland for education officials",
            "Participants will visit schools and meet experts.",
            CallType.CURSO,
        ),
        (
            "Oportunidad laboral: Oficial de Programa en Bogotá",
            "Requisitos: título profesional y cinco años de experiencia.",
            CallType.EMPLEO,
        ),
    ],
)
def test_held_out_calls_of_each_kind(title: str, text: str, expected: CallType) -> None:
    """Calls written for this test: "20 vacantes" are places, not jobs; a call for funding requests or
    project proposals frames a fund; networks of cities, study visits and programme officers."""
    assert kind(title, text) == expected


def test_a_call_named_before_its_projects() -> None:
    text = "La Comisión Europea publicó la convocatoria 2027 para proyectos de creación de capacidades."
    assert (
        kind("Convocatoria Erasmus+ 2027: creación de capacidades", text) == CallType.CONVOCATORIA_PROYECTOS
    )


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Call for Applications: Climate Leaders Academy 2027",
            "The Academy is a six-month online learning programme for young professionals.",
            CallType.CURSO,
        ),
        (
            "Apply for the 2027 Cohort of the Foundation Leaders Program",
            "The Leaders program is a six-month leadership development program for emerging leaders.",
            CallType.CURSO,
        ),
        (
            "Conversatorio: oportunidades de cooperación con la Unión Europea",
            "La Secretaría invita a entidades distritales al conversatorio virtual del 20 de marzo.",
            CallType.EVENTO,
        ),
    ],
)
def test_learning_programmes_and_conversatorios(title: str, text: str, expected: CallType) -> None:
    assert kind(title, text) == expected
