"""Deadline rules of the offline provider: only a closing sentence gives a deadline, a year-less date is
resolved only when the text or the reference fixes it, several deadlines give the last one and a review
reason. Texts written for these tests."""

from datetime import date

import pytest

from boi_enrich.domain.deadlines import DeadlineResult, extract_deadline
from boi_enrich.domain.text import Doc


def deadline(text: str, english: bool = False, reference: date | None = None) -> DeadlineResult:
    return extract_deadline(Doc(text), english, reference)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("La fecha límite para postularse es el 30 de enero de 2027.", date(2027, 1, 30)),
        ("Las inscripciones estarán abiertas hasta el 15 de marzo de 2027.", date(2027, 3, 15)),
        ("Plazo: 1 al 31 de marzo de 2027", date(2027, 3, 31)),
        ("Convocatoria abierta del 1 de febrero al 15 de marzo de 2027.", date(2027, 3, 15)),
        ("Inscripciones del 1 al 15 de marzo de 2027.", date(2027, 3, 15)),
        ("Cierre de inscripciones: viernes, 15 de marzo de 2027", date(2027, 3, 15)),
        ("Las postulaciones se recibirán hasta las 5:00 p.m. del 15 de marzo de 2027.", date(2027, 3, 15)),
        ("| Fecha de cierre | 12 de septiembre de 2027 |", date(2027, 9, 12)),
        ("Plazo de solicitud\nDel 7 de febrero al 2 de marzo de 2027\nDescripción", date(2027, 3, 2)),
        ("Plazo de presentación de solicitudes:\n20/02/2027 a las 17:00 horas", date(2027, 2, 20)),
        ("Plazo de postulación: 1 de febrero - 15 de marzo de 2027", date(2027, 3, 15)),
        ("Convocatoria: 1 de febrero al 15 de marzo de 2027", date(2027, 3, 15)),
        ("¿Hasta cuándo puedo aplicar? Hasta el 15 de marzo de 2027.", date(2027, 3, 15)),
        (
            "Cronograma\nApertura de la convocatoria | 1 de febrero de 2027\nCierre de la convocatoria | "
            "15 de marzo de 2027\nPublicación de resultados | 30 de abril de 2027",
            date(2027, 3, 15),
        ),
    ],
)
def test_spanish_closing_sentences(text: str, expected: date) -> None:
    assert deadline(text).deadline == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Applications close on February 15, 2027 at 5pm.", date(2027, 2, 15)),
        ("Apply by 15 February 2027.", date(2027, 2, 15)),
        ("Deadline: Feb. 15th 2027", date(2027, 2, 15)),
        ("Submissions due March 1, 2027.", date(2027, 3, 1)),
        ("Applications must be received no later than 2027-03-01.", date(2027, 3, 1)),
        ("Proposals must be submitted on or before 1 March 2027.", date(2027, 3, 1)),
        ("The application period runs from 1 January 2027 to 15 February 2027.", date(2027, 2, 15)),
        ("5 NOVEMBER 2026\n\nAPPLICATIONS CLOSE AT 12:00 GMT", date(2026, 11, 5)),
        ("Application window: 1 February – 15 March 2027", date(2027, 3, 15)),
        ("Deadline: 15th of March 2027", date(2027, 3, 15)),
        ("Deadline: 15 March 2027 (extended to 30 March 2027)", date(2027, 3, 30)),
        ("Deadline for applications: 15.03.2027", date(2027, 3, 15)),
    ],
)
def test_english_closing_sentences(text: str, expected: date) -> None:
    assert deadline(text, english=True).deadline == expected


@pytest.mark.parametrize(
    "text",
    [
        "Fecha de publicación: 1 de febrero de 2027.",
        "La convocatoria abre el 1 de febrero de 2027.",
        "Los resultados se publicarán el 30 de abril de 2027.",
        "El evento se realizará el 20 de mayo de 2027 en Bogotá.",
        "Resolución de 10 de diciembre de 2026, por la que se aprueba la convocatoria.",
        "Period of consultations until 15 August 2027.",
        "The deadline to submit two references is 25 February 2027.",
        "Notification of acceptance: December 1, 2027",
        "Applicants must be born after 1 January 1995.",
        "Los candidatos deben haber nacido antes del 1 de enero de 1995.",
        "The conference runs from 5 May to 8 May 2027.",
        "Interviews take place from 2 March to 1 May 2027.",
        "Código de descuento válido hasta el 31 de diciembre de 2027.",
        "The exhibition runs until 1 May 2027.",
        "Plazo de ejecución del proyecto: hasta el 31 de diciembre de 2028.",
        "Duración: del 1 de marzo al 30 de noviembre de 2027.",
        "La convocatoria incluye una capacitación del 12 de agosto al 15 de agosto de 2027.",
    ],
)
def test_dates_that_are_not_deadlines(text: str) -> None:
    result = deadline(text, english=True)
    assert result.deadline is None
    assert "sin fecha de cierre en el texto" in result.reasons


def test_the_opening_date_is_kept_apart() -> None:
    result = deadline("Convocatoria abierta desde el 15 de febrero de 2027 hasta el 15 de mayo de 2027.")
    assert (result.opening, result.deadline) == (date(2027, 2, 15), date(2027, 5, 15))
    assert "opening_date" in result.evidence and "deadline" in result.evidence


def test_a_date_without_year_is_not_guessed() -> None:
    result = deadline(
        "La convocatoria que inició el 28 de febrero se cierra el próximo 31 de mayo a las 4 p.m."
    )
    assert result.deadline is None
    assert "fecha de cierre sin año" in result.reasons


def test_a_date_without_year_is_resolved_against_the_reference() -> None:
    text = "La convocatoria cierra el 15 de marzo."
    assert deadline(text, reference=date(2027, 2, 1)).deadline == date(2027, 3, 15)
    assert deadline(text, reference=date(2026, 11, 1)).deadline == date(2027, 3, 15)
    # just after the reference date could be this year's (already closed) or next year's: not resolved
    assert deadline(text, reference=date(2027, 4, 1)).deadline is None


def test_the_text_fixes_the_year_of_a_year_less_date() -> None:
    same_day = "5 NOVEMBER 2026\nAPPLICATIONS CLOSE\nThe deadline will close at 12:00 GMT on 5 November."
    assert deadline(same_day, english=True).deadline == date(2026, 11, 5)
    published = "Publicado: 14 de abril de 2027\nEl programa cierra convocatoria el 28 de abril."
    assert deadline(published).deadline == date(2027, 4, 28)


def test_several_deadlines_give_the_last_one_and_a_review_reason() -> None:
    text = "Early Bird Deadline: 31 March 2027\nFinal Deadline: 30 June 2027"
    result = deadline(text, english=True)
    assert result.deadline == date(2027, 6, 30)
    assert "fechas en conflicto" in result.reasons
    assert "fechas de cierre candidatas: 31 de marzo de 2027; 30 de junio de 2027" in result.reasons
    assert result.evidence["deadline"].confidence <= 0.6


def test_rounds_listed_under_a_header() -> None:
    text = "Call application deadlines:\n\nFirst call: 20 December 2026\nSecond call: 20 June 2027\n"
    assert deadline(text, english=True).deadline == date(2027, 6, 20)


def test_timeline_dates_take_the_caption_below_them() -> None:
    text = "20 December 2026\n\nOpening of the call\n\n20 February 2027\n\nApplication deadline\n"
    result = deadline(text, english=True)
    assert (result.opening, result.deadline) == (date(2026, 12, 20), date(2027, 2, 20))


def test_an_ambiguous_english_numeric_deadline_is_not_used() -> None:
    result = deadline("Deadline: 03/04/2027", english=True)
    assert result.deadline is None
    assert "fecha numérica ambigua (día/mes)" in result.reasons


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("Plazo: 20/02/2027 a las 17:00 horas (hora de Bruselas)", "CET"),
        ("Plazo: 20/06/2027 a las 17:00 horas (hora de Bruselas)", "CEST"),
        ("Postulaciones hasta el 31 de mayo de 2027 (12 horas de Uruguay)", "GMT-3"),
        ("Cierre: 15 de marzo de 2027 a las 23:59, hora de Colombia", "GMT-5"),
        ("Deadline: 15 March 2027, 23:59 GMT-5", "GMT-5"),
        ("Deadline: 15 March 2027, 5pm EST", "EST"),
    ],
)
def test_time_zone_when_stated(text: str, tz: str) -> None:
    assert deadline(text, english=True).deadline_tz == tz


def test_no_time_zone_when_not_stated() -> None:
    assert deadline("Deadline: 15 March 2027 at noon", english=True).deadline_tz is None


def test_labels_above_dates_read_downwards() -> None:
    """A fact sheet: label, date, label, date. The run starts with a label, so each date takes the label
    above it, not the caption below (which is the next field's label)."""
    text = "Fully funded\nOpening Date\nMarch 2, 2027\nDeadline\nMay 14, 2027\nStatus\nOpen"
    result = deadline(text, english=True)
    assert (result.opening, result.deadline) == (date(2027, 3, 2), date(2027, 5, 14))
    spanish = "Becas de verano\nInicio Convocatoria\n02/03/2027\nCierre Convocatoria\n14/05/2027\nEstado"
    assert deadline(spanish).deadline == date(2027, 5, 14)


def test_an_implementation_period_is_not_an_application_period() -> None:
    text = "Deadline: 5-Oct-27\nThe implementation period of the grant runs from 1 November to 31 March 2028."
    result = deadline(text, english=True)
    assert result.deadline == date(2027, 10, 5)
    assert "fechas en conflicto" not in result.reasons


def test_the_weekday_fixes_the_year_the_text_leaves_out() -> None:
    # 28 May is a Friday in 2027 only (2026: Thursday, 2028: Sunday, 2029: Monday)
    later = "\nInicio de clases: 1 de abril de 2028."
    result = deadline("Las solicitudes se reciben hasta el viernes 28 de mayo." + later)
    assert result.deadline == date(2027, 5, 28)
    assert "año de la fecha de cierre deducido" in result.reasons
    # a weekday that no nearby year matches fixes nothing
    assert deadline("Las solicitudes se reciben hasta el martes 28 de mayo." + later).deadline is None


@pytest.mark.parametrize(
    ("text", "english", "expected"),
    [
        ("Due date: March 15, 2027", True, date(2027, 3, 15)),
        ("Last date to apply: 15.03.2027", True, date(2027, 3, 15)),
        ("The last day to submit your application is 15 March 2027.", True, date(2027, 3, 15)),
        ("Expressions of interest should be sent by 15 March 2027.", True, date(2027, 3, 15)),
        ("Submit your application by 15 March 2027.", True, date(2027, 3, 15)),
        ("Le dossier doit être envoyé avant le 15 mars 2027.", False, date(2027, 3, 15)),
        ("As inscrições vão até 15 de março de 2027.", False, date(2027, 3, 15)),
        ("As candidaturas devem ser enviadas até o dia 15 de março de 2027.", False, date(2027, 3, 15)),
        ("Inscrições abertas de 1 de fevereiro a 15 de março de 2027", False, date(2027, 3, 15)),
        ("El concurso cierra el 15 de marzo de 2027.", False, date(2027, 3, 15)),
        ("The competition closes on 15 March 2027.", True, date(2027, 3, 15)),
    ],
)
def test_closing_phrases_in_four_languages(text: str, english: bool, expected: date) -> None:
    assert deadline(f"Convocatoria 2027\n{text}", english=english).deadline == expected


@pytest.mark.parametrize(
    "text",
    [
        "The programme will close on 30 June 2027 with a final ceremony.",
        "El programa cerrará su edición el 30 de junio de 2027 con una ceremonia.",
        "Projects must end no later than 31 December 2027.",
        "Articles based on the fellowship should be published by 1 February 2028.",
        "Applicants must have completed their degree by 31 December 2026.",
    ],
)
def test_closing_words_about_something_else_are_not_deadlines(text: str) -> None:
    """A closing verb or "by" gives a deadline only when what closes is the call or an application."""
    assert deadline(f"Programme 2027\n{text}", english=True).deadline is None


@pytest.mark.parametrize(
    "text",
    [
        "Deadline for Track A (individuals): 15 March 2027. "
        "Deadline for Track B (organisations): 30 April 2027.",
        "Modalidad A: solicitudes hasta el 15 de marzo de 2027.\n"
        "Modalidad B: solicitudes hasta el 30 de abril de 2027.",
        "Fecha límite para maestría: 15 de marzo de 2027.\nFecha límite para doctorado: 30 de abril de 2027.",
        "Plazos de postulación\nMaestría: cierre el 15 de marzo de 2027.\n"
        "Doctorado: cierre el 30 de abril de 2027.",
        "Fecha límite para Argentina: 15 de marzo de 2027.\nFecha límite para Chile: 30 de abril de 2027.",
    ],
)
def test_one_closing_date_per_track_gives_no_deadline_and_lists_them(text: str) -> None:
    result = deadline(text, english=True)
    assert result.deadline is None
    assert "fechas de cierre por modalidad" in result.reasons
    assert "fechas de cierre candidatas: 15 de marzo de 2027; 30 de abril de 2027" in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "First round deadline: 15 March 2027.\nSecond round deadline: 30 April 2027.",
        "Deadline for Track A: 15 March 2027, extended to 30 April 2027.",
    ],
)
def test_rounds_and_extensions_are_not_tracks(text: str) -> None:
    assert deadline(text, english=True).deadline == date(2027, 4, 30)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (
            "Timeline\n1 February 2027: call opens\n15 March 2027: application deadline\n"
            "30 April 2027: results",
            True,
        ),
        (
            "Cronograma\n1 de febrero de 2027 - Apertura de la convocatoria\n"
            "15 de marzo de 2027 - Cierre de la convocatoria\n"
            "30 de abril de 2027 - Publicación de resultados",
            False,
        ),
        ("15 March 2027 (deadline for applications)", True),
        ("El 15 de marzo de 2027 vence el plazo para postular.", False),
        ("March 15, 2027 is the deadline for all applications.", True),
        ("Deadline: 2027/03/15", True),
        ("Les candidatures doivent être déposées au plus tard le 15 mars 2027.", False),
        ("Data limite para candidaturas: 15/03/2027", False),
        ("Closes: 15 Mar 2027", True),
        ("Se recibirán postulaciones entre el 1 de febrero y el 15 de marzo de 2027.", False),
        ("Applications are accepted between 1 February and 15 March 2027.", True),
    ],
)
def test_a_cue_after_the_date_and_other_shapes(text: str, english: bool) -> None:
    """A date that opens its clause takes the first cue after it; ISO with slashes; "between … and"."""
    assert deadline(f"Convocatoria\n{text}", english=english).deadline == date(2027, 3, 15)


@pytest.mark.parametrize(
    "text",
    [
        "Convocatoria abierta hasta el 1 de marzo de 2027.\nActo de cierre: 5 de mayo de 2027",
        "Applications close 1 March 2027. Hotel booking deadline: 20 April 2027.",
        "The closing ceremony is on 5 May 2027. Deadline: 1 March 2027",
        "The project must be implemented between 1 June 2026 and 1 March 2027. Deadline: 1 March 2027.",
    ],
)
def test_closing_of_an_event_or_a_booking_is_no_deadline(text: str) -> None:
    assert deadline(text, english=True).deadline == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Becas para Japón\nBogotá, 14 de abril de 2027.\nLa convocatoria cierra el 28 de abril.",
            date(2027, 4, 28),
        ),
        ("Becas para Japón\n14 de abril de 2027\nLa convocatoria cierra el 28 de abril.", date(2027, 4, 28)),
        (
            "Becas\nLa convocatoria abrió el 1 de noviembre de 2026 y cierra el 15 de marzo.",
            date(2027, 3, 15),
        ),
        ("Becas\nLa convocatoria abre el 1 de febrero de 2027 y cierra el 15 de marzo.", date(2027, 3, 15)),
    ],
)
def test_a_dateline_or_an_opening_date_fixes_the_year(text: str, expected: date) -> None:
    result = deadline(text)
    assert result.deadline == expected
    assert "año de la fecha de cierre deducido" in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Becas\nFundada el 3 de mayo de 2001.\nLa convocatoria cierra el 15 de marzo.",
        "Becas\nLa convocatoria cierra el 15 de marzo.\n"
        + "Más información.\n" * 8
        + "Bogotá, 1 de enero de 2027.",
        "Becas\nEl plazo vence el 15 de marzo. La convocatoria abrió el 1 de febrero de 2027.",
    ],
)
def test_a_year_from_elsewhere_is_not_borrowed(text: str) -> None:
    """A founding date, a date at the foot of the text or an opening in another sentence fixes nothing."""
    assert deadline(text).deadline is None


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("¿Cuál es la fecha límite? El 15 de marzo de 2027.", False),
        ("When is the deadline? March 15, 2027.", True),
        ("Interested candidates should apply online before 15 March 2027.", True),
        (
            "Submissions open: 1 February 2027 | Submissions close: 15 March 2027 | "
            "Winners announced: 1 June 2027",
            True,
        ),
        (
            "La fecha límite para que los profesionales interesados en participar en el programa de "
            "formación de líderes de la región presenten sus documentos en la plataforma del ministerio "
            "será el 15 de marzo de 2027.",
            False,
        ),
    ],
)
def test_questions_long_sentences_and_announcements(text: str, english: bool) -> None:
    """A question's cue carries to the answer; a cue up to 240 characters before the date; an announcement
    of winners is no closing date."""
    assert deadline(f"Convocatoria\n{text}", english=english).deadline == date(2027, 3, 15)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Vigencia de la convocatoria: del 1 de febrero al 15 de marzo de 2027", False),
        ("Fecha de corte: 15 de marzo de 2027", False),
        ("Entrega de propuestas: 15 de marzo de 2027", False),
        ("Recepción de postulaciones: 15 de marzo de 2027", False),
        ("Submission of proposals: 15 March 2027", True),
        ("Key dates\nApplications: 1 February - 15 March 2027\nInterviews: April 2027", True),
    ],
)
def test_the_window_of_the_call_and_labelled_submission_dates(text: str, english: bool) -> None:
    assert deadline(f"Convocatoria\n{text}", english=english).deadline == date(2027, 3, 15)


@pytest.mark.parametrize(
    "text",
    [
        "Vigencia: hasta el 15 de marzo de 2027",
        "La vigencia del proyecto será hasta el 31 de diciembre de 2027.",
        "The duration of the programme is from 1 September 2027 to 30 June 2028.",
    ],
)
def test_the_validity_of_something_else_is_no_deadline(text: str) -> None:
    assert deadline(f"Programa\n{text}", english=True).deadline is None


def test_deadlines_that_vary_by_course_give_no_deadline() -> None:
    text = (
        "The DAAD offers scholarships for postgraduate courses. Deadlines vary by course: 31 July 2027 "
        "for most courses and 15 October 2027 for courses in public policy."
    )
    result = deadline(text, english=True)
    assert result.deadline is None
    assert "fechas de cierre candidatas: 31 de julio de 2027; 15 de octubre de 2027" in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Plazo de solicitud: hasta el 15 de marzo de 2027.\n"
        "Plazo de subsanación: hasta el 30 de marzo de 2027.",
        "Applications close on 15 March 2027. Selected candidates must confirm their participation by "
        "30 April 2027.",
        "Las postulaciones se reciben hasta el 15 de marzo de 2027. Los seleccionados deberán enviar sus "
        "documentos originales hasta el 30 de abril de 2027.",
        "Applicants must be admitted to a master programme by 30 April 2027. Deadline: 15 March 2027.",
    ],
)
def test_steps_after_the_application_are_no_deadline(text: str) -> None:
    """Correcting documents, confirming, what the selected send, an admission: after the closing date."""
    assert deadline(f"Convocatoria\n{text}", english=True).deadline == date(2027, 3, 15)
