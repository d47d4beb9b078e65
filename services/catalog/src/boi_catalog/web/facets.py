"""Facets on the public site: the filters (sector, ODS, audience, modality besides type, eligibility and
language) and the counts of the current search, each a plain link that applies it (no script needed).
Pure functions."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from boi_catalog.web.present import eligibility_label, type_label
from boi_catalog.web.query import LANGUAGE_LABELS_ES, SearchParams
from boi_shared.taxonomy import AUDIENCE_LABELS_ES, MODALITY_LABELS_ES, ODS_LABELS_ES, Audience, Modality

# Meilisearch facet → (URL parameter, heading), in the order the site shows them.
FACET_PARAMS: dict[str, tuple[str, str]] = {
    "call_type": ("type", "Tipo"),
    "sectors": ("sector", "Sector"),
    "ods": ("ods", "Objetivo de Desarrollo Sostenible"),
    "audience": ("audience", "Público"),
    "modality": ("modality", "Modalidad"),
    "colombia_eligible": ("eligibility", "Elegibilidad para Colombia"),
    "language": ("language", "Idioma"),
}
_PARAM_FIELDS = {
    "type": "call_type",
    "eligibility": "eligibility",
    "language": "language",
    "sector": "sector",
    "ods": "ods",
    "audience": "audience",
    "modality": "modality",
}


def ods_label(value: int | str) -> str:
    try:
        n = int(value)
    except ValueError:
        return str(value)
    return f"ODS {n} · {ODS_LABELS_ES[n]}" if n in ODS_LABELS_ES else str(value)


def audience_label(value: str) -> str:
    try:
        return AUDIENCE_LABELS_ES[Audience(value)]
    except ValueError:
        return value


def modality_label(value: str) -> str:
    try:
        return MODALITY_LABELS_ES[Modality(value)]
    except ValueError:
        return value


LABELS: dict[str, Callable[[str], str]] = {
    "call_type": type_label,
    "colombia_eligible": eligibility_label,
    "language": lambda v: LANGUAGE_LABELS_ES.get(v, v),
    "sectors": lambda v: v[:1].upper() + v[1:],
    "ods": ods_label,
    "audience": audience_label,
    "modality": modality_label,
}


def _selected(p: SearchParams, param: str) -> str:
    value = getattr(p, _PARAM_FIELDS[param])
    return str(value) if value else ""


def facet_groups(facets: dict[str, dict[str, int]], p: SearchParams) -> list[dict[str, Any]]:
    """Per facet with values: heading, URL parameter and its options (label, count, link applying it,
    selected or not), largest count first."""
    groups = []
    base = p.with_(offset=0).as_query()
    for name, (param, heading) in FACET_PARAMS.items():
        dist = facets.get(name) or {}
        if not dist:
            continue
        current = _selected(p, param)
        options = [
            {
                "value": value,
                "label": LABELS[name](value),
                "count": count,
                "href": "?" + urlencode({**base, param: value}),
                "selected": value == current,
            }
            for value, count in sorted(dist.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        groups.append({"name": name, "param": param, "heading": heading, "options": options})
    return groups


def filter_choices(facets: dict[str, dict[str, int]], p: SearchParams) -> dict[str, list[tuple[str, str]]]:
    """(value, label) of the new filters' selects: every ODS, audience and modality; the sectors the
    current search has (plus the chosen one, so it stays selected)."""
    sectors = sorted(set(facets.get("sectors") or {}) | ({p.sector} if p.sector else set()))
    return {
        "sector": [(s, LABELS["sectors"](s)) for s in sectors],
        "ods": [(str(n), ods_label(n)) for n in ODS_LABELS_ES],
        "audience": [(a.value, label) for a, label in AUDIENCE_LABELS_ES.items()],
        "modality": [(m.value, label) for m, label in MODALITY_LABELS_ES.items()],
    }
