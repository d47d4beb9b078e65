"""Social drafts, never posted by a machine: the texts a curator copies to LinkedIn, X, Instagram and the
partners' WhatsApp group, built from a call's curated fields only (title, summary, type, deadline,
eligibility, funder, its page). Every text is plain (markup removed), within its channel's limits, and
links to the call's page with UTM tags (`utm_source` = channel, `utm_medium=social`, `utm_campaign`).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from markupsafe import Markup

CHANNELS = ("linkedin", "x", "instagram", "whatsapp")
X_LIMIT, X_LINK = 280, 23  # a link counts 23 on X, whatever its length
INSTAGRAM_LIMIT, INSTAGRAM_HASHTAGS = 2200, 30
LINKEDIN_LIMIT, WHATSAPP_LIMIT = 3000, 1500
TYPE_HASHTAGS = {
    "beca": "#Becas",
    "subvencion": "#Financiación",
    "alianza": "#Cooperación",
    "premio": "#Premios",
    "curso": "#Formación",
    "voluntariado": "#Voluntariado",
    "evento": "#Eventos",
    "empleo": "#Empleo",
    "convocatoria_proyectos": "#Convocatorias",
}
ELIGIBILITY_ES = {
    "si": "Colombia puede aplicar",
    "no": "No abierta a Colombia",
    "sin_dato": "Elegibilidad por confirmar",
}
_URL = re.compile(r"https?://\S+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Facts:
    """What a post may say about a call: curated fields only."""

    title: str
    summary: str
    type_label: str
    call_type: str | None
    deadline: date | None
    colombia_eligible: str
    funder: str | None
    page_url: str


def plain(text: str) -> str:
    """Text without markup: tags stripped, entities decoded, control characters and angle brackets
    dropped, whitespace collapsed."""
    stripped = Markup(text).striptags()  # noqa: S704 - only to strip the tags; never rendered as HTML
    kept = "".join(c for c in stripped if unicodedata.category(c)[0] != "C" or c in "\n ")
    return _SPACES.sub(" ", kept.replace("<", "").replace(">", "")).strip()


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def utm(url: str, channel: str, campaign: str) -> str:
    query = urlencode({"utm_source": channel, "utm_medium": "social", "utm_campaign": campaign})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _weight(char: str) -> int:
    # twitter-text v3 weighting: Latin, punctuation and common symbols count 1, the rest (CJK, emoji) 2.
    code = ord(char)
    light = code <= 4351 or 8192 <= code <= 8205 or 8208 <= code <= 8223 or 8242 <= code <= 8247
    return 1 if light else 2


def x_length(text: str) -> int:
    """Length as X counts it: each link 23, other characters weighted (1 or 2)."""
    links = _URL.findall(text)
    rest = _URL.sub("", text)
    return X_LINK * len(links) + sum(_weight(c) for c in rest)


def hashtags(facts: Facts, entity_tags: tuple[str, ...] = ()) -> list[str]:
    tags = [TYPE_HASHTAGS.get(facts.call_type or "", "#Convocatorias"), "#OportunidadesInternacionales"]
    if facts.colombia_eligible == "si":
        tags.append("#Colombia")
    tags += [t if t.startswith("#") else f"#{t}" for t in entity_tags]
    return list(dict.fromkeys(re.sub(r"[^\w#]", "", t) for t in tags if t.strip("#")))


def _lines(facts: Facts) -> tuple[str, str, str]:
    title = plain(facts.title) or "Convocatoria internacional"
    deadline = f"Cierre: {facts.deadline.strftime('%d/%m/%Y')}" if facts.deadline else "Sin fecha de cierre"
    who = ELIGIBILITY_ES.get(facts.colombia_eligible, ELIGIBILITY_ES["sin_dato"])
    return title, deadline, who


def x_post(facts: Facts, campaign: str) -> str:
    title, deadline, _ = _lines(facts)
    link = utm(facts.page_url, "x", campaign)
    tail = f"\n{deadline}\n{link}"
    room = X_LIMIT - x_length(tail)
    while x_length(title) > room:
        title = shorten(title, len(title) - max(1, (x_length(title) - room) // 2))
    return f"{title}{tail}"


def linkedin_post(facts: Facts, campaign: str, entity_tags: tuple[str, ...] = ()) -> str:
    title, deadline, who = _lines(facts)
    funder = f"Ofrece: {shorten(plain(facts.funder), 200)}\n" if facts.funder and plain(facts.funder) else ""
    head = f"{shorten(title, 300)}\n\n{plain(facts.type_label)} · {who}\n{funder}{deadline}\n\n"
    tail = f"\n\nConsulta requisitos y fechas: {utm(facts.page_url, 'linkedin', campaign)}\n\n"
    tail += " ".join(hashtags(facts, entity_tags))
    summary = shorten(plain(facts.summary), LINKEDIN_LIMIT - len(head) - len(tail))
    return f"{head}{summary}{tail}"


def instagram_caption(facts: Facts, campaign: str, entity_tags: tuple[str, ...] = ()) -> str:
    title, deadline, who = _lines(facts)
    tags = " ".join(hashtags(facts, entity_tags)[:INSTAGRAM_HASHTAGS])
    head = f"{shorten(title, 300)}\n{deadline} · {who}\n\n"
    tail = f"\n\nEnlace en la biografía o en {utm(facts.page_url, 'instagram', campaign)}\n\n{tags}"
    summary = shorten(plain(facts.summary), INSTAGRAM_LIMIT - len(head) - len(tail))
    return f"{head}{summary}{tail}"


def whatsapp_message(facts: Facts, campaign: str) -> str:
    title, deadline, who = _lines(facts)
    text = f"{shorten(title, 300)}\n{deadline} · {who}\n\n{shorten(plain(facts.summary), 600)}\n\n"
    return text + utm(facts.page_url, "whatsapp", campaign)


def call_drafts(facts: Facts, campaign: str, entity_tags: tuple[str, ...] = ()) -> dict[str, str]:
    """The four drafts of one call, by channel."""
    return {
        "linkedin": linkedin_post(facts, campaign, entity_tags),
        "x": x_post(facts, campaign),
        "instagram": instagram_caption(facts, campaign, entity_tags),
        "whatsapp": whatsapp_message(facts, campaign),
    }


def bulletin_drafts(
    title: str, page_url: str, items: list[Facts], campaign: str, entity_tags: tuple[str, ...] = ()
) -> dict[str, str]:
    """The four drafts of a weekly bulletin: its title, its calls' titles and a link to its page."""
    names = [shorten(plain(f.title), 120) for f in items]
    listing = "\n".join(f"{i}. {name}" for i, name in enumerate(names, 1))
    tags = " ".join(dict.fromkeys(["#OportunidadesInternacionales", "#Colombia", *entity_tags]))
    head = shorten(plain(title), 120)
    x_text = (
        f"{head}: {len(items)} oportunidades internacionales de la semana\n{utm(page_url, 'x', campaign)}"
    )
    return {
        "linkedin": f"{head}\n\n{listing}\n\nLee el boletín: {utm(page_url, 'linkedin', campaign)}\n\n{tags}",
        "x": x_text
        if x_length(x_text) <= X_LIMIT
        else f"{shorten(head, 200)}\n{utm(page_url, 'x', campaign)}",
        "instagram": f"{head}\n\n{listing}\n\nEnlace en la biografía o en "
        f"{utm(page_url, 'instagram', campaign)}\n\n{tags}",
        "whatsapp": f"{head}\n\n{listing}\n\n{utm(page_url, 'whatsapp', campaign)}",
    }
