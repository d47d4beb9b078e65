"""The `calls` index's settings, kept as code and applied at start-up (`MeiliSearchIndex.apply_settings`):
searchable and filterable attributes, sorting, Spanish/English synonyms, stop words, typo tolerance."""

from typing import Any

from boi_catalog.domain.search import MAX_TOTAL_HITS

_SYNONYM_GROUPS = [
    ("beca", "becas", "scholarship", "scholarships"),
    ("subvención", "subvencion", "subvenciones", "grant", "grants"),
    ("fondo", "fondos", "fund", "funds", "funding", "financiación", "financiacion"),
    ("premio", "premios", "award", "awards", "prize", "prizes"),
    ("curso", "cursos", "course", "courses", "formación", "formacion", "training"),
    ("voluntariado", "volunteering", "voluntario", "volunteer"),
    ("pasantía", "pasantia", "internship", "prácticas", "practicas"),
    ("convocatoria", "convocatorias", "call", "calls", "open call"),
    ("cooperación", "cooperacion", "cooperation"),
    ("maestría", "maestria", "master", "masters"),
    ("doctorado", "phd", "doctorate"),
    ("investigación", "investigacion", "research"),
]
_STOP_WORDS = [
    # Spanish
    "de",
    "la",
    "que",
    "el",
    "en",
    "y",
    "a",
    "los",
    "del",
    "se",
    "las",
    "por",
    "un",
    "para",
    "con",
    "una",
    "su",
    "al",
    "lo",
    "como",
    "más",
    "o",
    "pero",
    "sus",
    "le",
    "ya",
    "este",
    "esta",
    "entre",
    # English
    "the",
    "of",
    "and",
    "to",
    "in",
    "for",
    "on",
    "with",
    "at",
    "by",
    "an",
    "is",
    "are",
    "from",
    "or",
]

_RANGE_FILTERS = ["deadline_ts", "published_ts"]
"""Compared (`deadline_ts >= now` for "cierra pronto"); every other filter is an equality or `IN`."""
_EQUALITY_FILTERS = [
    "call_type",
    "sectors",
    "ods",
    "audience",
    "countries",
    "colombia_eligible",
    "status",
    "language",
    "modality",
    "funder",
]


def _filterable(patterns: list[str], *, comparison: bool) -> dict[str, Any]:
    return {
        "attributePatterns": patterns,
        "features": {"facetSearch": False, "filter": {"equality": True, "comparison": comparison}},
    }


# Only the features the site and API use are built: no facet search (the facet-values endpoint is not
# used; facet counts come with every search) and range comparisons only on the two timestamps. Measured
# on 40,000 calls in 4,000-call tasks: raw indexing 1,663-1,705 docs/s with every feature, 1,828-1,962
# without them (a one-off comparison, two rounds on the same machine in one run).
INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["title", "summary", "funder", "text"],
    "filterableAttributes": [
        _filterable(_EQUALITY_FILTERS, comparison=False),
        _filterable(_RANGE_FILTERS, comparison=True),
    ],
    "facetSearch": False,
    "sortableAttributes": ["deadline_ts", "published_ts"],
    "faceting": {"maxValuesPerFacet": 100},
    "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
    "synonyms": {
        word: [other for other in group if other != word] for group in _SYNONYM_GROUPS for word in group
    },
    "stopWords": _STOP_WORDS,
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}},
}
