"""Kind of opportunity. The title decides when it names one, by its head noun (the leftmost term in
Spanish, French and Portuguese, the end of the first noun phrase in English: "Premio al voluntariado",
"Volunteer Award"); otherwise the text votes, early mentions counting
double. A call-for-proposals framing beats "grant" wording (convocatoria_proyectos over subvencion)."""

import re
from dataclasses import dataclass

from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc, word_count
from boi_shared.taxonomy import CallType

# (type, pattern, weight). Strong patterns (weight ≥ 3) can decide from the title alone.
_TERMS: tuple[tuple[CallType, str, int], ...] = (
    (CallType.VOLUNTARIADO, r"voluntariados?|voluntari[oa]s\b|volunteer\w*|benevolat", 3),
    (CallType.VOLUNTARIADO, r"(?:programa|visitante|servicio|cuerpo) (?:de )?(?:\w+ )?voluntari[oa]\b", 2),
    (
        CallType.BECA,
        r"becas?|scholarships?|bourses?|studentships?|credito[- ]beca|beca[- ]credito"
        r"|creditos? (?:educativos? )?(?:100% )?condonables?|forgivable (?:student )?loans?|stipendi\w*",
        3,
    ),
    (
        CallType.BECA,
        r"fulbright|chevening|erasmus mundus|daad|colfuturo|monbukagakusho|fundacion carolina"
        r"|rhodes scholar\w*|gates cambridge|stipendium hungaricum|turkiye burslari|australia awards"
        r"|intercambio academico|movilidad academica|academic mobility|exchange program\w*",
        2,
    ),
    (CallType.PREMIO, r"premios?|prizes?|awards?|certamen|galardon\w*|prix|call for nominations", 3),
    (
        CallType.EMPLEO,
        r"fellowships?|traineeships?|internships?|pasantias?|practicas (?:profesionales|remuneradas)"
        r"|(?<!\d )vacantes?|vacanc\w+|jobs?|postdoc\w*|post-doc\w*|oferta laboral|hiring|recruitment"
        r"|consultorias?|consultanc\w+|junior professional|concurso (?:publico )?de meritos|plazas? docentes?"
        r"|visiting (?:professor|scholar)s?|profesor(?:es)? visitantes?",
        3,
    ),
    (CallType.EMPLEO, r"empleos?|employment", 2),
    (
        CallType.EVENTO,
        r"call for (?:papers|abstracts|presentations|posters)|convocatoria de (?:ponencias|resumenes)"
        r"|ponencias|conferences?|congres(?:o|os|s)|summit|cumbre|simposio|symposium|foro|forum|webinars?",
        3,
    ),
    (CallType.EVENTO, r"conferencias?|seminarios?|seminars?|encuentros?|festival|jornadas?|coloquio", 1),
    (
        CallType.CURSO,
        r"cursos?|courses?|capacitacion(?:es)?|trainings?|diplomados?|taller(?:es)?|workshops?"
        r"|mooc|bootcamp|escuela de verano|summer school|winter school",
        3,
    ),
    (CallType.CURSO, r"formacion", 1),
    (
        CallType.CONVOCATORIA_PROYECTOS,
        r"calls? for (?:proposals|projects)|requests? for proposals|rfp"
        r"|convocatoria (?:[\w+]+ ){0,2}?(?:a|de|para)(?: la presentacion de)? (?:\w+ ){0,3}?(?:propuestas"
        r"|proyectos)"
        r"|se convoca a propuestas|concept notes?|notas? conceptual(?:es)?|documentos? de sintesis"
        r"|calls? for bids|invit(?:e|es|ing) (?:\w+ )?(?:proposals|bids|applications for projects)"
        r"|proposals are invited|se invita a presentar (?:\w+ )?propuestas"
        r"|presentar (?:sus )?propuestas de proyectos?|submit (?:project )?proposals"
        r"|calls? for (?:funding )?requests|calls? for (?:project )?applications for (?:funding|projects)"
        r"|appel a projets"
        r"|appel a propositions|chamada de projetos",
        4,
    ),
    (
        CallType.SUBVENCION,
        r"subvencion(?:es)?|grants?|ayudas?|fondos? concursables?|funding|financiacion"
        r"|financiamiento|cofinanciacion|co-?financiamiento|subsidios?|subsid(?:y|ies)",
        3,
    ),
    (CallType.SUBVENCION, r"fondos?|funds?", 2),
    (CallType.PREMIO, r"concursos?|competitions?|contests?|challenges?|retos?|desafios?|hackathons?", 2),
    (
        CallType.ALIANZA,
        r"alianzas?(?! del pacifico)|partnerships?|hermanamientos?|twinning|redes de cooperacion"
        r"|memorandos? de entendimiento",
        2,
    ),
    (
        CallType.BECA,
        r"maestrias?|master'?s(?: degrees?| programmes?| studies)?|doctorados?|phd|posgrados?"
        r"|postgrados?|postgraduate|pregrado|undergraduate",
        1,
    ),
    # After the entries above, so that they decide a title only when the others say nothing.
    (
        CallType.ALIANZA,
        r"red(?:es)? de ciudades|networks? of cities|city networks?"
        r"|cooperacion (?:tecnica )?(?:entre|descentralizada) (?:ciudades|gobiernos locales)"
        r"|intercambio de experiencias|city-to-city|ciudad a ciudad"
        r"|busqueda de socios|partner search|calls? for partners",
        3,
    ),
    (CallType.CURSO, r"study visits?|visitas? de estudio|study tours?", 3),
    (
        CallType.CURSO,
        r"learning program\w*|online learning|leadership (?:development )?program\w*|programas? de liderazgo",
        2,
    ),
    (CallType.EVENTO, r"conversatorios?|mesas? redondas?|round ?tables?|ferias?", 2),
    (
        CallType.EMPLEO,
        r"oportunidad(?:es)? laboral(?:es)?|job offers?|programme officer|program officer"
        r"|oficial de programa",
        3,
    ),
    (
        CallType.BECA,
        r"asignacion mensual|estipendio|monthly (?:stipend|allowance)|tuition (?:fees?|waiver)"
        r"|exencion de (?:matricula|colegiatura)",
        2,
    ),
)
_LEXICON: Lexicon[int] = Lexicon(((i, p) for i, (_, p, _) in enumerate(_TERMS)), tail=r"(?![a-z])")
_PRECEDENCE = tuple(dict.fromkeys(t for t, _, _ in _TERMS))
_CALL_FRAMING = next(i for i, (t, _, _) in enumerate(_TERMS) if t == CallType.CONVOCATORIA_PROYECTOS)
_EARLY = 500
# Where an English title's first noun phrase ends: a preposition, a colon or a dash
_NP_END = re.compile(r"\s(?:for|in|on|at|to|of|with|by|from|about)\s|:|\s[-–|]\s")


@dataclass(frozen=True)
class TypeResult:
    call_type: CallType | None = None
    sentence: str | None = None
    confidence: float = 0.0


def _head(doc: Doc, in_title: list[tuple[int, int, int]], english: bool) -> tuple[int, int]:
    """The title's head noun among its terms, strong ones (weight ≥ 3) first: in Spanish, French and
    Portuguese the leftmost ("Premio al voluntariado", "Becas para el curso …"); in English the last term of
    the first noun phrase ("Volunteer Award for …", "Summer School Scholarships"), else the leftmost."""
    strong = [hit for hit in in_title if _TERMS[hit[0]][2] >= 3] or in_title
    if english:
        inside = [(s, e) for _, s, e in strong]
        bound = next(
            (
                m.start()
                for m in _NP_END.finditer(doc.low, 0, doc.lines[0][1])
                if not _within(m.start(), inside)
            ),
            doc.lines[0][1],
        )
        phrase = [hit for hit in strong if hit[1] < bound]
        if phrase:
            i, start, _ = max(phrase, key=lambda hit: hit[1])
            return i, start
    i, start, _ = min(strong, key=lambda hit: (hit[1], hit[0]))
    return i, start


def _within(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def classify(doc: Doc, english: bool = False) -> TypeResult:
    """The call type with the sentence that evidences it. The title is the first line of `doc`."""
    hits = _LEXICON.find(doc)
    title_end = doc.lines[0][1] if doc.lines else 0
    framed = any(i == _CALL_FRAMING for i, _, _ in hits)
    if word_count(doc.raw[:title_end]) >= 3:
        in_title = [(i, start, end) for i, start, end in hits if start < title_end and _TERMS[i][2] >= 2]
        if in_title:
            i, start = _head(doc, in_title, english)
            call_type, _, weight = _TERMS[i]
            if call_type == CallType.SUBVENCION and framed:
                call_type = CallType.CONVOCATORIA_PROYECTOS
            return TypeResult(call_type, doc.sentence_at(start), 0.85 if weight >= 3 else 0.7)
    scores: dict[CallType, float] = {}
    first: dict[CallType, int] = {}
    for i, start, _ in hits:
        call_type, _, weight = _TERMS[i]
        scores[call_type] = scores.get(call_type, 0) + weight * (2 if start < _EARLY else 1)
        first.setdefault(call_type, start)
    if not scores:
        return TypeResult()
    if CallType.SUBVENCION in scores and framed:
        scores[CallType.CONVOCATORIA_PROYECTOS] += scores.pop(CallType.SUBVENCION)
    ranked = sorted(scores, key=lambda t: (-scores[t], _PRECEDENCE.index(t)))
    best = ranked[0]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = 0.75 if scores[best] >= 2 * runner_up and scores[best] >= 4 else 0.55
    return TypeResult(best, doc.sentence_at(first[best]), confidence)
