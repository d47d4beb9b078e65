"""The BOI taxonomy (versioned, reviewed like code): the vocabularies enrichment classifies calls into."""

from enum import StrEnum

TAXONOMY_VERSION = "2026.11-1"


class CallType(StrEnum):
    """What kind of opportunity a call offers."""

    BECA = "beca"
    SUBVENCION = "subvencion"
    ALIANZA = "alianza"
    PREMIO = "premio"
    CURSO = "curso"
    VOLUNTARIADO = "voluntariado"
    EVENTO = "evento"
    EMPLEO = "empleo"
    CONVOCATORIA_PROYECTOS = "convocatoria_proyectos"


CALL_TYPE_LABELS_ES: dict[CallType, str] = {
    CallType.BECA: "Beca",
    CallType.SUBVENCION: "Subvención / fondo",
    CallType.ALIANZA: "Alianza de cooperación",
    CallType.PREMIO: "Premio",
    CallType.CURSO: "Curso / formación",
    CallType.VOLUNTARIADO: "Voluntariado",
    CallType.EVENTO: "Evento",
    CallType.EMPLEO: "Empleo / fellowship",
    CallType.CONVOCATORIA_PROYECTOS: "Convocatoria de proyectos",
}


class Audience(StrEnum):
    CIUDADANIA = "ciudadania"
    ENTIDADES_PUBLICAS = "entidades_publicas"
    ACADEMIA = "academia"
    SOCIEDAD_CIVIL = "sociedad_civil"
    EMPRESAS = "empresas"
    JOVENES = "jovenes"
    MUJERES = "mujeres"
    GRUPOS_ETNICOS = "grupos_etnicos"


class Modality(StrEnum):
    PRESENCIAL = "presencial"
    VIRTUAL = "virtual"
    HIBRIDA = "hibrida"


class Eligibility(StrEnum):
    """Whether people or entities of Colombia / Bogotá can apply."""

    SI = "si"
    NO = "no"
    SIN_DATO = "sin_dato"
