"""Facets found by lexicon: sectors, ODS, audience and the language of the text, each with the first sentence
that evidences it."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc
from boi_shared.taxonomy import Audience


@dataclass(frozen=True)
class Found:
    values: list[str]
    sentence: str | None


def lexicon_of(entries: Iterable[tuple[str, str]]) -> Lexicon[str]:
    return Lexicon(entries, tail=r"(?![a-z])")


SECTORS = lexicon_of(
    (
        (
            "educación",
            r"educacion|education|estudios|studies|academic\w*|academic|universidad\w*|universit\w*",
        ),
        (
            "ciencia, tecnología e innovación",
            r"ciencia|science|tecnolog\w+|technolog\w+|innovacion|innovation"
            r"|investigacion|research|stem|digital",
        ),
        (
            "cultura y artes",
            r"cultura|culture|artes?|arts?|literatur\w+|escritor\w*|writers?|musica|music|cine|film",
        ),
        ("salud", r"salud|health|medicina|medicine|sanitari\w+"),
        (
            "medio ambiente y clima",
            r"medio ambiente|ambiental|environment\w*|clima\w*|climate|biodiversi\w+"
            r"|sostenib\w+|sustainab\w+|resilien\w+|ecosistemas?",
        ),
        ("agua y saneamiento", r"agua|water|saneamiento|sanitation"),
        ("energía", r"energias?|energy|renovables?|renewables?"),
        ("agricultura y alimentación", r"agricultur\w+|alimenta\w+|food|rural|bioeconom\w+"),
        (
            "emprendimiento y empresa",
            r"emprend\w+|entrepreneur\w*|empresas?|business\w*|pymes?|smes?|startups?"
            r"|economia colaborativa|sharing economy",
        ),
        (
            "gobierno y gestión pública",
            r"gestion publica|public (?:service|administration|policy)"
            r"|gobiernos? local(?:es)?|local governments?|funcionari\w+|servidores publicos"
            r"|politicas? publicas?",
        ),
        (
            "derechos humanos y democracia",
            r"derechos humanos|human rights|democracia|democracy|sociedad civil"
            r"|civil society|ciudadania global|civil rights|derechos civiles",
        ),
        ("igualdad de género", r"genero|gender|mujeres|women|feminis\w+"),
        ("desarrollo urbano", r"urban\w*|ciudades|cities|derecho a la ciudad|nueva agenda urbana"),
        (
            "desarrollo social e inclusión",
            r"inclusion social|social inclusion|pobreza|poverty|desigualdad"
            r"|inequalit\w+|comunidades|communities|afrodescendientes|indigenas|etnic\w+",
        ),
        ("paz y convivencia", r"paz|peace|convivencia|reconciliacion"),
        (
            "cooperación internacional",
            r"cooperacion (?:internacional|sur[- ]sur|descentralizada|al desarrollo)"
            r"|international cooperation|development cooperation",
        ),
    )
)
_SECTOR_ODS = {
    "educación": 4,
    "ciencia, tecnología e innovación": 9,
    "salud": 3,
    "medio ambiente y clima": 13,
}
_SECTOR_ODS |= {
    "agua y saneamiento": 6,
    "energía": 7,
    "agricultura y alimentación": 2,
    "igualdad de género": 5,
}
_SECTOR_ODS |= {"emprendimiento y empresa": 8, "gobierno y gestión pública": 16, "desarrollo urbano": 11}
_SECTOR_ODS |= {
    "derechos humanos y democracia": 16,
    "desarrollo social e inclusión": 10,
    "paz y convivencia": 16,
}
_SECTOR_ODS |= {"cooperación internacional": 17}
_ODS = re.compile(
    r"\b(?:ods|sdgs?|objetivos? de desarrollo sostenible|sustainable development goals?)\s*(?:n[oº.]*\s*)?"
    r"(\d{1,2})\b"
)

AUDIENCES: Lexicon[str] = lexicon_of(
    (
        (
            Audience.CIUDADANIA,
            r"ciudadan[oa]s|citizens|personas (?:naturales|fisicas)|individuals|profesionales"
            r"|professionals|graduates|egresad[oa]s",
        ),
        (
            Audience.ENTIDADES_PUBLICAS,
            r"entidades publicas|gobiernos? local(?:es)?|local governments?|municipios"
            r"|alcaldias|funcionari[oa]s|servidores publicos|empleados publicos|public (?:servants|sector"
            r"|institutions|authorities)|government entities",
        ),
        (
            Audience.ACADEMIA,
            r"universidades|universities|estudiantes|students|investigador\w*|researchers?"
            r"|instituciones educativas|academi\w+|scholars|docentes|profesores",
        ),
        (
            Audience.SOCIEDAD_CIVIL,
            r"sociedad civil|civil society|ongs?|ongd|ngos?|non-governmental|no gubernamentales"
            r"|community-led|organizaciones comunitarias|fundaciones|asociaciones",
        ),
        (
            Audience.EMPRESAS,
            r"empresas|companies|smes?|pymes|startups?|emprendedor\w*|entrepreneurs?|businesses"
            r"|sector privado|private sector",
        ),
        (
            Audience.JOVENES,
            r"jovenes|youth|young (?:people|leaders|professionals)|juvenil|juventud\w*|adolescentes",
        ),
        (Audience.MUJERES, r"mujeres|women|ninas|girls"),
        (
            Audience.GRUPOS_ETNICOS,
            r"afrodescendientes|afrocolombian\w+|indigenas|indigenous|etnic\w+|ethnic\w*"
            r"|raizal\w*|palenquer\w+|rrom",
        ),
    )
)
TARGET = re.compile(
    r"dirigid|destinatari|podran (?:postular|participar|presentar)|pueden (?:postular|participar|aplicar)"
    r"|can apply|open to|abiert[oa] a|eligib|elegib|para (?:\w+ ){0,2}(?:que|de|en)|for\b|invita|invites"
    r"|beneficiari|requisitos|applicants?|candidat|seleccionad|selected|support"
)
_STOP = {"es": re.compile(r"\b(?:el|la|los|las|de|del|que|para|con|una|por|en)\b")}
_STOP |= {"en": re.compile(r"\b(?:the|and|of|to|for|with|is|are|in|on|this)\b")}
_STOP |= {"fr": re.compile(r"\b(?:le|les|des|du|et|pour|avec|une|est|dans)\b")}
_STOP |= {"pt": re.compile(r"\b(?:o|os|as|do|da|dos|das|para|com|uma|em|que)\b")}


def find_all(doc: Doc, lexicon: Lexicon[str], limit: int, need: re.Pattern[str] | None = None) -> Found:
    """Names the lexicon finds (only in sentences matching `need`, if given), most mentioned first."""
    counts: dict[str, tuple[int, int]] = {}
    allowed: dict[int, bool] = {}
    for name, start, _ in lexicon.find(doc):
        if need is not None:
            i = doc.sentence_index(start)
            if i not in allowed:
                s, e = doc.sentences[i] if doc.sentences else (0, len(doc.low))
                allowed[i] = need.search(doc.low, s, e) is not None
            if not allowed[i]:
                continue
        n, at = counts.get(name, (0, start))
        counts[name] = (n + 1, at)
    ranked = sorted(counts, key=lambda k: (-counts[k][0], counts[k][1]))[:limit]
    first = min((counts[k][1] for k in ranked), default=None)
    return Found(ranked, doc.sentence_at(first) if first is not None else None)


def ods_for(doc: Doc, sectors: list[str]) -> list[int]:
    explicit = {int(m.group(1)) for m in _ODS.finditer(doc.low) if 1 <= int(m.group(1)) <= 17}
    return sorted(explicit | {_SECTOR_ODS[s] for s in sectors if s in _SECTOR_ODS})


def language(doc: Doc) -> str | None:
    counts = {lang: len(p.findall(doc.low[:3000])) for lang, p in _STOP.items()}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] >= 5 else None
