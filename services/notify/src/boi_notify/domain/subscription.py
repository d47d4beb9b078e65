"""Subscriptions without an account: what a person asked for (a topic and a frequency), whether a call
matches it, and which addresses are refused. Pure: no I/O."""

import unicodedata
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from disposable_email_domains import blocklist
from email_validator import EmailNotValidError, validate_email

from boi_shared.events import PublicCall
from boi_shared.taxonomy import CALL_TYPE_LABELS_ES, ODS_LABELS_ES, CallType, Eligibility


def consent_text(entity: str, bulletin: str) -> str:
    """The consent a person gives by confirming, naming the entity that publishes the bulletin (the data
    controller, `BOI_BRAND_*`); stored verbatim with the confirmation time as proof."""
    return (
        f"Acepto recibir por correo electrónico las convocatorias internacionales que {entity} publica en "
        f"{bulletin} y que coincidan con este tema, con la frecuencia elegida. Mis datos (correo y tema) "
        "se usan solo para ese fin, según el aviso de privacidad (Ley 1581 de 2012); puedo darme de baja y "
        "pedir que se borren en cualquier momento desde el enlace de cada correo."
    )


ELIGIBILITY_LABELS_ES = {
    "si": "Colombia puede postularse",
    "no": "Colombia no elegible",
    "sin_dato": "Sin dato",
}
LANGUAGES = ("es", "en", "fr", "pt")
MAX_SECTOR = 80
REMINDER_CHOICES = (14, 7, 3, 1)
"""Days before a deadline a person may choose for reminders (none at all is a choice too)."""
FIELDS = ("q", "call_type", "eligibility", "language", "sector", "ods")


class Frequency(StrEnum):
    INMEDIATA = "inmediata"
    DIARIA = "diaria"
    SEMANAL = "semanal"


class InvalidSubscription(ValueError):
    """The form's input cannot make a subscription; the message is shown to the person as it is."""


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """Lower case without accents, so "maestría" finds "Maestria". Cached: a digest matches the same few
    calls against thousands of topics."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Topic:
    """A saved search of the public site (its words and filters: type, Colombia, language, sector, ODS), or
    a whole call type when only `call_type` is set. Empty fields match everything."""

    q: str = ""
    call_type: str = ""
    eligibility: str = ""
    language: str = ""
    sector: str = ""
    ods: str = ""
    """A goal 1–17 as text ("" for any), so every field of a topic is text."""

    @classmethod
    def parse(
        cls,
        q: str = "",
        call_type: str = "",
        eligibility: str = "",
        language: str = "",
        sector: str = "",
        ods: str = "",
    ) -> "Topic":
        q = " ".join(q.split())[:200]
        sector = " ".join(sector.split()).lower()
        ods = ods.strip()
        if len(sector) > MAX_SECTOR or not sector.isprintable() or any(c in sector for c in "<>{}|"):
            raise InvalidSubscription("El sector elegido no es válido.")
        if ods and (not ods.isdigit() or int(ods) not in ODS_LABELS_ES):
            raise InvalidSubscription("El ODS elegido no existe: debe ser un número del 1 al 17.")
        if call_type and call_type not in {t.value for t in CallType}:
            raise InvalidSubscription("El tipo de convocatoria elegido no existe.")
        if eligibility and eligibility not in {e.value for e in Eligibility}:
            raise InvalidSubscription("El filtro de elegibilidad para Colombia no es válido.")
        if language and language not in LANGUAGES:
            raise InvalidSubscription("El idioma elegido no es válido.")
        ods = str(int(ods)) if ods else ""
        return cls(q, call_type, eligibility, language, sector, ods)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "Topic":
        return cls(**{k: str(doc.get(k) or "") for k in FIELDS})

    def to_doc(self) -> dict[str, str]:
        return asdict(self)

    def key(self) -> str:
        """Stable text of the topic: one subscription per (address, topic). Sector and ODS are appended only
        when set, so topics saved before they existed keep their key (and their subscription id)."""
        key = "|".join((_fold(self.q), self.call_type, self.eligibility, self.language))
        if self.sector or self.ods:
            key += f"|{self.sector}|{self.ods}"
        return key

    def matches(self, call: PublicCall) -> bool:
        if self.call_type and (call.call_type is None or call.call_type.value != self.call_type):
            return False
        if self.eligibility and call.colombia_eligible.value != self.eligibility:
            return False
        if self.language and (call.language or "") != self.language:
            return False
        if self.sector and self.sector not in {s.strip().lower() for s in call.sectors}:
            return False
        if self.ods and int(self.ods) not in call.ods:
            return False
        text = _fold(f"{call.title} {call.summary}")
        return all(word in text for word in _fold(self.q).split())

    def describe(self) -> str:
        """The topic in Spanish, as the emails and pages name it."""
        parts: list[str] = []
        if self.call_type:
            parts.append(CALL_TYPE_LABELS_ES[CallType(self.call_type)])
        if self.q:
            parts.append(f"«{self.q}»")
        if self.eligibility:
            parts.append(ELIGIBILITY_LABELS_ES[self.eligibility])
        if self.language:
            parts.append(f"idioma: {self.language}")
        if self.sector:
            parts.append(f"sector: {self.sector}")
        if self.ods:
            parts.append(f"ODS {self.ods}: {ODS_LABELS_ES[int(self.ods)]}")
        return " · ".join(parts) or "Todas las convocatorias"


def normalize_email(address: str) -> str:
    """The address as stored (domain lower-cased, syntax checked); raises `InvalidSubscription` with a message
    a person understands for an invalid or disposable address."""
    address = address.strip()
    if not address or len(address) > 254:
        raise InvalidSubscription(
            "Escribe una dirección de correo electrónico válida, como nombre@ejemplo.org."
        )
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidSubscription(
            "Esa dirección de correo no es válida. Revísala, por ejemplo nombre@ejemplo.org."
        ) from exc
    if valid.domain.lower() in blocklist:
        raise InvalidSubscription(
            "Esa dirección parece de un servicio de correo temporal. Usa un correo que sigas leyendo."
        )
    return f"{valid.local_part}@{valid.domain.lower()}"


def reminder_days(chosen: list[str]) -> tuple[int, ...]:
    """The offsets a person ticked, largest first; raises `InvalidSubscription` for anything not offered."""
    days: set[int] = set()
    for value in chosen:
        if not value.strip().isdigit() or int(value) not in REMINDER_CHOICES:
            raise InvalidSubscription("Elige los recordatorios entre las opciones de la lista.")
        days.add(int(value))
    return tuple(sorted(days, reverse=True))
