"""Readiness lead times (reviewed like code): how long before a call's deadline a citizen of Bogotá should
start each paperwork step, and the pure function that turns a call's required documents into dated steps.

Each lead time is a conservative planning figure, not a measurement: it adds the usual wait for an
appointment, the processing time the issuer announces, and a margin for a retry or a courier. They were
written without a fresh check of each source (the development machines have no internet): the source notes
say where the office verifies each figure; change a figure only with a note of why.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

LEAD_TIMES_VERSION = "2026.12-1"


@dataclass(frozen=True)
class Step:
    """One paperwork step: its lead time in days before the deadline, why, where to check it, and the
    words (Spanish and English, accents ignored) that show a call needs it."""

    key: str
    label_es: str
    lead_days: int
    rationale_es: str
    source_notes: str
    keywords: tuple[str, ...]


LEAD_TIMES: tuple[Step, ...] = (
    Step(
        key="language_test",
        label_es="Reservar el examen de idioma (TOEFL, IELTS, DELF, Goethe…)",
        lead_days=60,
        rationale_es=(
            "Las fechas de examen en Bogotá suelen reservarse con 3 a 5 semanas de anticipación y los "
            "resultados tardan de 4 a 13 días; queda margen para repetirlo una vez."
        ),
        source_notes=(
            "Plazos de resultados publicados por ETS (TOEFL iBT) e IELTS (British Council / IDP); "
            "disponibilidad de fechas en los centros de Bogotá. Revisar cada semestre."
        ),
        keywords=(
            r"toefl",
            r"ielts",
            r"delf",
            r"dalf",
            r"goethe",
            r"testdaf",
            r"cambridge (?:english|c1|c2|b2)",
            r"duolingo english test",
            r"certificado de idioma",
            r"examen de (?:idioma|ingles|frances|aleman)",
            r"prueba de (?:idioma|ingles|frances|aleman)",
            r"language (?:certificate|test|proficiency)",
            r"english (?:language )?(?:test|proficiency|certificate)",
            r"proof of (?:english|language)",
        ),
    ),
    Step(
        key="passport",
        label_es="Tramitar o renovar el pasaporte",
        lead_days=45,
        rationale_es=(
            "La cita de pasaporte en Bogotá puede tardar semanas en conseguirse; la entrega es de pocos "
            "días hábiles después de la cita."
        ),
        source_notes="Cancillería de Colombia, trámite de pasaporte: agenda de citas y tiempos de entrega.",
        keywords=(r"pasaporte", r"passport"),
    ),
    Step(
        key="apostille",
        label_es="Apostillar documentos",
        lead_days=45,
        rationale_es=(
            "Los documentos académicos deben validarse antes ante el Ministerio de Educación y luego "
            "apostillarse en línea ante la Cancillería; juntos pueden tomar de 2 a 5 semanas."
        ),
        source_notes=(
            "Cancillería de Colombia, apostilla y legalización en línea; Ministerio de Educación Nacional, "
            "verificación de firmas de documentos académicos para apostilla."
        ),
        keywords=(r"apostill\w*", r"legaliza\w+", r"legalized", r"legalised"),
    ),
    Step(
        key="recommendation_letters",
        label_es="Pedir las cartas de recomendación",
        lead_days=42,
        rationale_es=(
            "Quien recomienda necesita tiempo para escribir: se piden de 4 a 6 semanas antes para dejar "
            "margen a recordatorios."
        ),
        source_notes=(
            "Práctica habitual de universidades y programas de becas; ajustar según la experiencia de la "
            "oficina."
        ),
        keywords=(
            r"cartas? de recomendacion",
            r"cartas? de referencia",
            r"referencias academicas",
            r"recommendation letters?",
            r"letters? of (?:recommendation|reference)",
            r"reference letters?",
            r"referees?",
        ),
    ),
    Step(
        key="transcripts",
        label_es="Solicitar certificados de notas y copia del título",
        lead_days=30,
        rationale_es=(
            "Las oficinas de registro de las universidades expiden certificados en 5 a 15 días hábiles; si "
            "hay que apostillarlos, se piden antes que la apostilla."
        ),
        source_notes="Tiempos de expedición publicados por universidades de Bogotá (oficinas de registro).",
        keywords=(
            r"certificados? de notas",
            r"calificaciones",
            r"expediente academico",
            r"transcripts?",
            r"titulo (?:de pregrado|profesional|universitario|academico)",
            r"copia del titulo",
            r"acta de grado",
            r"diploma",
            r"degree certificate",
        ),
    ),
    Step(
        key="official_translation",
        label_es="Encargar la traducción oficial",
        lead_days=21,
        rationale_es=(
            "Un traductor oficial tarda de 5 a 10 días hábiles; se traduce el documento ya apostillado, así "
            "que empieza después de la apostilla."
        ),
        source_notes=(
            "Traductores oficiales acreditados por el Ministerio de Relaciones Exteriores; tiempos "
            "habituales de entrega por confirmar con los traductores que use la oficina."
        ),
        keywords=(
            r"traduccion(?:es)? oficial(?:es)?",
            r"traduccion(?:es)? (?:certificada|jurada)s?",
            r"traductor oficial",
            r"official translations?",
            r"certified translations?",
            r"sworn translations?",
        ),
    ),
    Step(
        key="essays",
        label_es="Escribir la carta de motivación, el ensayo o la propuesta",
        lead_days=21,
        rationale_es="Un texto propio necesita borradores y una revisión por otra persona antes del envío.",
        source_notes="Cifra de planeación por confirmar con la experiencia de la oficina.",
        keywords=(
            r"carta de (?:motivacion|intencion)",
            r"ensayo",
            r"propuesta de (?:proyecto|investigacion)",
            r"motivation letter",
            r"letter of motivation",
            r"statement of purpose",
            r"personal statement",
            r"essay",
            r"research proposal",
            r"project proposal",
        ),
    ),
)


@dataclass(frozen=True)
class PlannedStep:
    """A step for one call: when to start it (None without a deadline) and whether that is still ahead."""

    key: str
    label_es: str
    lead_days: int
    rationale_es: str
    start_by: date | None
    late: bool
    found_in: str


def fold(text: str) -> str:
    """Lower case without accents, so "Apostilla", "apostilla" and "APOSTILLÁ" match alike."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_PATTERNS = {
    step.key: re.compile(r"(?<![a-z])(?:" + "|".join(step.keywords) + r")(?![a-z])") for step in LEAD_TIMES
}


def needed_steps(texts: Iterable[str]) -> list[tuple[Step, str]]:
    """The steps the texts (required documents first, then the call's sentences) ask for, each with the
    first text that shows it, in the order they must start."""
    items = [t.strip() for t in texts if t and t.strip()]
    folded = [fold(t) for t in items]
    found: list[tuple[Step, str]] = []
    for step in LEAD_TIMES:
        pattern = _PATTERNS[step.key]
        where = next((items[i] for i, f in enumerate(folded) if pattern.search(f)), None)
        if where is not None:
            found.append((step, where))
    return sorted(found, key=lambda pair: -pair[0].lead_days)


def readiness_plan(deadline: date | None, texts: Iterable[str], today: date) -> list[PlannedStep]:
    """Per needed step, the day to start it (`deadline - lead_days`). A start day already past is
    `late`: it is shown as such, never as a feasible plan. Without a deadline the steps carry no date."""
    plan = []
    for step, where in needed_steps(texts):
        start = deadline - timedelta(days=step.lead_days) if deadline else None
        plan.append(
            PlannedStep(
                key=step.key,
                label_es=step.label_es,
                lead_days=step.lead_days,
                rationale_es=step.rationale_es,
                start_by=start,
                late=start is not None and start < today,
                found_in=where[:300],
            )
        )
    return plan
