"""What a public search asks for, shared by the site, the feeds and the JSON API. Pure functions."""

import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from boi_catalog.domain.search import MAX_TOTAL_HITS, public_filter, quote
from boi_shared.taxonomy import Audience, CallType, Eligibility, Modality

Sort = Literal["relevancia", "cierra_pronto", "recientes"]
SORTS: tuple[Sort, ...] = ("relevancia", "cierra_pronto", "recientes")
SORT_LABELS_ES = {
    "relevancia": "Más relevantes",
    "cierra_pronto": "Cierran pronto",
    "recientes": "Más recientes",
}
FACETS = ("call_type", "colombia_eligible", "language", "sectors", "ods", "audience", "modality")
LANGUAGE_LABELS_ES = {"es": "Español", "en": "Inglés", "fr": "Francés", "pt": "Portugués", "de": "Alemán"}
# Only what a card needs: small responses (the full text stays in the index for matching).
CARD_ATTRIBUTES = [
    "id",
    "title",
    "summary",
    "call_type",
    "deadline",
    "colombia_eligible",
    "url",
    "language",
    "published_ts",
]
_TYPES = frozenset(t.value for t in CallType)
_ELIGIBILITY = frozenset(e.value for e in Eligibility)
_AUDIENCES = frozenset(a.value for a in Audience)
_MODALITIES = frozenset(m.value for m in Modality)
MAX_QUERY = 200
MAX_SECTOR = 80
_GOALS = frozenset(str(n) for n in range(1, 18))


@dataclass(frozen=True)
class SearchParams:
    """A validated public search. Unknown filter values are dropped, never passed to Meilisearch."""

    q: str = ""
    call_type: str = ""
    eligibility: str = ""
    language: str = ""
    sort: Sort = "relevancia"
    sector: str = ""
    ods: int = 0
    audience: str = ""
    modality: str = ""
    closed: bool = False
    limit: int = 20
    offset: int = 0

    def with_(self, **changes: Any) -> "SearchParams":
        return replace(self, **changes)

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters (for links to feeds and other pages)."""
        pairs = {
            "q": self.q,
            "type": self.call_type,
            "eligibility": self.eligibility,
            "language": self.language,
            "sort": "" if self.sort == "relevancia" else self.sort,
            "sector": self.sector,
            "ods": str(self.ods) if self.ods else "",
            "audience": self.audience,
            "modality": self.modality,
        }
        return {k: v for k, v in pairs.items() if v}


def parse(
    q: str = "",
    call_type: str = "",
    eligibility: str = "",
    language: str = "",
    sort: str = "",
    *,
    sector: str = "",
    ods: str | int = "",
    audience: str = "",
    modality: str = "",
    limit: int = 20,
    offset: int = 0,
    closed: bool = False,
) -> SearchParams:
    lang = language.strip().lower()
    goal = str(ods).strip()
    return SearchParams(
        q=q.strip()[:MAX_QUERY],
        call_type=call_type if call_type in _TYPES else "",
        eligibility=eligibility if eligibility in _ELIGIBILITY else "",
        language=lang if lang.isalpha() and len(lang) <= 3 else "",
        sort=next((s for s in SORTS if s == sort), "relevancia"),
        sector=" ".join(sector.split())[:MAX_SECTOR],
        ods=int(goal) if goal in _GOALS else 0,
        audience=audience if audience in _AUDIENCES else "",
        modality=modality if modality in _MODALITIES else "",
        closed=closed,
        limit=min(max(limit, 1), 50),
        offset=min(max(offset, 0), MAX_TOTAL_HITS),
    )


def meili_filter(p: SearchParams, now: float | None = None) -> list[str]:
    """Meilisearch filter clauses (AND-ed). "Cierra pronto" keeps only calls whose deadline is ahead."""
    clauses = [public_filter(closed=p.closed)]
    if p.call_type:
        clauses.append(f"call_type = {quote(p.call_type)}")
    if p.eligibility:
        clauses.append(f"colombia_eligible = {quote(p.eligibility)}")
    if p.language:
        clauses.append(f"language = {quote(p.language)}")
    if p.sector:
        clauses.append(f"sectors = {quote(p.sector)}")
    if p.ods:
        clauses.append(f"ods = {p.ods}")
    if p.audience:
        clauses.append(f"audience = {quote(p.audience)}")
    if p.modality:
        clauses.append(f"modality = {quote(p.modality)}")
    if p.sort == "cierra_pronto" and not p.closed:
        clauses.append(f"deadline_ts >= {int(now if now is not None else time.time())}")
    return clauses


def meili_sort(p: SearchParams) -> list[str] | None:
    if p.closed:
        return ["deadline_ts:desc"]
    if p.sort == "cierra_pronto":
        return ["deadline_ts:asc"]
    if p.sort == "recientes" or not p.q:
        return ["published_ts:desc"]
    return None


def _page(p: SearchParams) -> dict[str, int]:
    """Page mode (`page`/`hitsPerPage`) whenever the offset falls on a page: Meilisearch then answers an
    exact `totalHits` instead of `estimatedTotalHits`. The API's free offsets fall back to offset/limit."""
    if p.offset % p.limit == 0:
        return {"page": p.offset // p.limit + 1, "hitsPerPage": p.limit}
    return {"limit": p.limit, "offset": p.offset}


def meili_body(p: SearchParams, *, facets: bool = True, now: float | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "q": p.q,
        "filter": meili_filter(p, now),
        **_page(p),
        "attributesToRetrieve": CARD_ATTRIBUTES,
    }
    if facets:
        body["facets"] = list(FACETS)
    sort = meili_sort(p)
    if sort:
        body["sort"] = sort
    return body
