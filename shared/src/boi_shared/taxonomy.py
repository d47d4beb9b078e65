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


AUDIENCE_LABELS_ES: dict[Audience, str] = {
    Audience.CIUDADANIA: "Ciudadanía",
    Audience.ENTIDADES_PUBLICAS: "Entidades públicas",
    Audience.ACADEMIA: "Academia",
    Audience.SOCIEDAD_CIVIL: "Sociedad civil",
    Audience.EMPRESAS: "Empresas",
    Audience.JOVENES: "Jóvenes",
    Audience.MUJERES: "Mujeres",
    Audience.GRUPOS_ETNICOS: "Grupos étnicos",
}

MODALITY_LABELS_ES: dict[Modality, str] = {
    Modality.PRESENCIAL: "Presencial",
    Modality.VIRTUAL: "Virtual",
    Modality.HIBRIDA: "Híbrida",
}

# The 17 Sustainable Development Goals (Objetivos de Desarrollo Sostenible), their short Spanish names.
ODS_LABELS_ES: dict[int, str] = {
    1: "Fin de la pobreza",
    2: "Hambre cero",
    3: "Salud y bienestar",
    4: "Educación de calidad",
    5: "Igualdad de género",
    6: "Agua limpia y saneamiento",
    7: "Energía asequible y no contaminante",
    8: "Trabajo decente y crecimiento económico",
    9: "Industria, innovación e infraestructura",
    10: "Reducción de las desigualdades",
    11: "Ciudades y comunidades sostenibles",
    12: "Producción y consumo responsables",
    13: "Acción por el clima",
    14: "Vida submarina",
    15: "Vida de ecosistemas terrestres",
    16: "Paz, justicia e instituciones sólidas",
    17: "Alianzas para lograr los objetivos",
}
