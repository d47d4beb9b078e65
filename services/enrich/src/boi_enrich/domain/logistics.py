"""How a call is taken part in: its modality (virtual, presencial, híbrida) and the documents it asks for."""

from boi_enrich.domain.facets import lexicon_of
from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc
from boi_shared.taxonomy import Modality

_MODALITY_WORDS = {
    Modality.VIRTUAL: ("virtual(?:es)?", "online", "en linea", "a distancia"),
    Modality.PRESENCIAL: ("presencial(?:es)?", "in[- ]person"),
    Modality.HIBRIDA: ("hibrid[oa]s?", "hybrid", "semipresencial"),
}
_MODALITY_LEADS = ("modalidad", "modality", "mode of study", "formato")
_MODALITY_NOUNS = (
    "cursos?",
    "capacitacion",
    "maestrias?",
    "programas?",
    "master'?s?",
    "courses?",
    "training",
    "estudios",
    "clases",
    "eventos?",
    "conferences?",
    "taller(?:es)?",
    "formacion",
)
MODALITY = Lexicon(
    [
        (k, rf"{lead}(?: de estudios)?\s*[:|]?\s*(?:{'|'.join(w)})")
        for k, w in _MODALITY_WORDS.items()
        for lead in _MODALITY_LEADS
    ]
    + [
        (k, rf"{noun}(?: \w+){{0,2}} (?:{'|'.join(w)})")
        for k, w in _MODALITY_WORDS.items()
        for noun in _MODALITY_NOUNS
    ]
    + [
        (k, rf"{word} (?:course|programme|program|training|event|conference|master)")
        for k, w in _MODALITY_WORDS.items()
        for word in w
        if word.isalpha()
    ]
)
DOCUMENTS = lexicon_of(
    (
        ("Hoja de vida (CV)", r"hoja de vida|curriculum vitae|curriculum|cv|resume"),
        (
            "Carta de motivación",
            r"carta de (?:motivacion|intencion|presentacion)|motivation letter"
            r"|letter of motivation|statement of purpose|cover letter",
        ),
        ("Declaración personal", r"personal statement"),
        ("Ensayo", r"ensayo|essay"),
        (
            "Cartas de recomendación",
            r"cartas? de recomendacion|recommendation letters?|letters? of recommendation"
            r"|reference letters?|two references|referencias academicas",
        ),
        ("Pasaporte", r"pasaporte|passport"),
        (
            "Certificado de idioma",
            r"toefl|ielts|certificado de idioma|language certificate|proof of (?:english|language)"
            r"|dominio de(?:l)? (?:un )?(?:segundo )?idioma",
        ),
        (
            "Título académico",
            r"titulo (?:de pregrado|profesional|universitario|academico)|degree certificate"
            r"|copia del titulo|education documents",
        ),
        ("Certificado de notas", r"certificado de notas|calificaciones|transcripts?|expediente academico"),
        (
            "Formulario de solicitud",
            r"formulario (?:de )?(?:solicitud|candidatura|inscripcion|postulacion|en linea)"
            r"|application form",
        ),
        (
            "Propuesta de proyecto",
            r"propuesta de (?:proyecto|investigacion)|research proposal|project proposal"
            r"|documentos? de sintesis|concept note|nota conceptual",
        ),
        (
            "Carta de compromiso institucional",
            r"carta de (?:compromiso|aval|respaldo)|letter of (?:commitment|support)",
        ),
    )
)


def modality(doc: Doc) -> tuple[Modality | None, str | None]:
    kinds: dict[Modality, int] = {}
    for kind, start, _ in MODALITY.find(doc):
        kinds.setdefault(kind, start)
    if len(kinds) == 1 or Modality.HIBRIDA in kinds:
        kind = Modality.HIBRIDA if Modality.HIBRIDA in kinds else next(iter(kinds))
        return kind, doc.sentence_at(kinds[kind])
    return None, None
