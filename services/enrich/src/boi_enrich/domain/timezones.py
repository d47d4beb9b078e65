"""The time zone a closing date is stated in ("hora de Bruselas", "GMT-5", "23:59 EST"), with European
summer time read from the date itself."""

import re
from datetime import date, timedelta

_TZ = re.compile(
    r"(?P<brussels>hora (?:de |en )?(?:bruselas|brussels)|brussels time|central european(?: summer)? time)"
    r"|horas? (?:de |en |legal )?(?P<place>colombia\w*|bogota|uruguay|montevideo|argentina|buenos aires"
    r"|brasil"
    r"|brasilia|peru|lima|ecuador|quito|mexico|espana|espanola|madrid|peninsular|paris|francia|berlin"
    r"|alemania|londres|washington|nueva york)"
    r"|(?P<gmt>\b(?:gmt|utc)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)"
    r"|(?P<abbr>\b(?:bst|cest|cet|edt|est|pst|pdt|cdt|aoe)\b)"
    r"|(?P<us>(?:eastern|pacific) (?:standard |daylight )?time)"
)
_PLACE_TZ = {"uruguay": "GMT-3", "montevideo": "GMT-3", "argentina": "GMT-3", "buenos aires": "GMT-3"}
_PLACE_TZ |= {"brasil": "GMT-3", "brasilia": "GMT-3", "mexico": "GMT-6", "washington": "ET"}
_PLACE_TZ |= {"nueva york": "ET", "peru": "GMT-5", "lima": "GMT-5", "ecuador": "GMT-5", "quito": "GMT-5"}
_CENTRAL_EUROPE = frozenset({"espana", "espanola", "madrid", "peninsular", "paris", "francia", "berlin"})
_CENTRAL_EUROPE |= {"alemania"}


def timezone_in(low: str, places: list[tuple[int, int]], value: date | None) -> str | None:
    """The first time zone named in the spans `places` of the folded text `low`."""
    for start, end in places:
        t = _TZ.search(low, start, end)
        if t is None:
            continue
        if t["gmt"]:
            return t["gmt"].upper().replace(" ", "")
        if t["abbr"]:
            return "AoE" if t["abbr"] == "aoe" else t["abbr"].upper()
        if t["us"]:
            return "ET" if t["us"].startswith("eastern") else "PT"
        place = t["place"] or ""
        if place.startswith("colombia") or place == "bogota":
            return "GMT-5"
        if place in _PLACE_TZ:
            return _PLACE_TZ[place]
        if place == "londres":
            return "BST" if value is not None and _summer(value) else "GMT"
        if t["brussels"] or place in _CENTRAL_EUROPE:
            return "CEST" if value is not None and _summer(value) else "CET"
    return None


def _summer(d: date) -> bool:
    """European summer time: from the last Sunday of March to the last Sunday of October."""

    def last_sunday(month: int) -> date:
        last = date(d.year, month, 31)
        return last - timedelta(days=(last.weekday() + 1) % 7)

    return last_sunday(3) <= d < last_sunday(10)
