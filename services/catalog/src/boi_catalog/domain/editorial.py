"""The office's editorial choices, pure: which public calls the day's plan can pick from and in what
order, why a plan is refused, and the documented score proposing the week's top 5 for the bulletin.

Bulletin score of a call (higher first), each part between 0 and its weight:
- closing soon, 40: the deadline 3–21 days ahead scores fully, fading to 0 at 60 days; no deadline 10;
  fewer than 3 days left 15 (too late for most people to apply);
- Colombia-eligible, 30: `si` 30, `sin_dato` 10, `no` 0;
- views so far, 30: `call_view` impressions relative to the most viewed candidate (0 without metrics);
Variety of types: the top 5 is picked greedily, and a candidate's score is multiplied by 0.6 for each
call of its type already picked, so five scholarships only win when nothing else comes close.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from boi_catalog.domain.call import CERRADA, EN_REVISION, SEARCHABLE_STATUSES, CatalogCall

PLAN_MIN, PLAN_MAX, TOP = 3, 7, 5
TYPE_REPEAT_FACTOR = 0.6
ELIGIBILITY_POINTS = {"si": 30.0, "sin_dato": 10.0, "no": 0.0}
STATUS_REASONS_ES = {
    "retirada": "fue retirada",
    CERRADA: "ya cerró",
    "archivada": "fue rechazada (archivada)",
    EN_REVISION: "aún no está aprobada (en revisión)",
}


class PlanRefused(ValueError):
    """The plan cannot be published; the message says why, in the curator's words."""


def _deadline(call: CatalogCall) -> date | None:
    return date.fromisoformat(call.deadline) if call.deadline else None


def is_candidate(call: CatalogCall, today: date, announced: set[str]) -> bool:
    deadline = _deadline(call)
    return call.is_public and call.call_id not in announced and (deadline is None or deadline >= today)


def relevance(call: CatalogCall) -> float:
    """Colombia-eligible first, then calls with a stated deadline and funder (more useful to announce)."""
    return (
        ELIGIBILITY_POINTS.get(call.colombia_eligible, 0.0) + 5 * bool(call.deadline) + 2 * bool(call.funder)
    )


def plan_candidates(calls: Iterable[CatalogCall], today: date, announced: set[str]) -> list[CatalogCall]:
    """Approved calls not announced yet and still open: closing soonest first (no deadline last), ties
    by relevance, then newest."""
    chosen = [c for c in calls if is_candidate(c, today, announced)]
    chosen.sort(key=lambda c: -c.published_at.timestamp())
    chosen.sort(key=lambda c: (_deadline(c) or date.max, -relevance(c)))
    return chosen


def check_plan(
    call_ids: Sequence[str], stored: Mapping[str, CatalogCall], today: date, announced: set[str]
) -> list[str]:
    """The plan's ids, de-duplicated and in order, or `PlanRefused` naming the first call at fault."""
    ids = list(dict.fromkeys(call_ids))
    if not PLAN_MIN <= len(ids) <= PLAN_MAX:
        raise PlanRefused(
            f"El plan del día lleva entre {PLAN_MIN} y {PLAN_MAX} convocatorias (hay {len(ids)})."
        )
    for call_id in ids:
        call = stored.get(call_id)
        if call is None:
            raise PlanRefused(f"La convocatoria {call_id} no existe.")
        if call.status in STATUS_REASONS_ES:
            raise PlanRefused(f"«{call.title[:80]}» {STATUS_REASONS_ES[call.status]}: quítela del plan.")
        deadline = _deadline(call)
        if deadline is not None and deadline < today:
            raise PlanRefused(f"«{call.title[:80]}» ya cerró el {deadline.isoformat()}: quítela del plan.")
        if call_id in announced:
            raise PlanRefused(f"«{call.title[:80]}» ya se anunció en otro plan.")
    return ids


def closing_points(deadline: date | None, today: date) -> float:
    if deadline is None:
        return 10.0
    days = (deadline - today).days
    if days < 3:
        return 15.0
    if days <= 21:
        return 40.0
    return max(0.0, 40.0 * (60 - days) / (60 - 21))


@dataclass(frozen=True)
class Scored:
    call: CatalogCall
    score: float
    parts: dict[str, float]


def score(call: CatalogCall, today: date, views: int, most_views: int) -> Scored:
    parts = {
        "cierre": closing_points(_deadline(call), today),
        "colombia": ELIGIBILITY_POINTS.get(call.colombia_eligible, 0.0),
        "vistas": 30.0 * views / most_views if most_views > 0 else 0.0,
    }
    return Scored(call, round(sum(parts.values()), 2), {k: round(v, 2) for k, v in parts.items()})


def propose_top(
    calls: Iterable[CatalogCall], today: date, views: Mapping[str, int], size: int = TOP
) -> list[Scored]:
    """The week's proposal: open public calls by score, types varied (see the module's docstring)."""
    pool = [c for c in calls if c.status in SEARCHABLE_STATUSES and (_deadline(c) or date.max) >= today]
    most = max((views.get(c.call_id, 0) for c in pool), default=0)
    scored = [score(c, today, views.get(c.call_id, 0), most) for c in pool]
    picked: list[Scored] = []
    while scored and len(picked) < size:

        def adjusted(s: Scored) -> float:
            same = sum(1 for p in picked if p.call.call_type == s.call.call_type)
            return s.score * TYPE_REPEAT_FACTOR**same

        best = max(scored, key=lambda s: (adjusted(s), -s.call.published_at.timestamp()))
        picked.append(best)
        scored.remove(best)
    return picked


def iso_week(day: date) -> str:
    """The bulletin's key and address: "2026-50" for ISO week 50 of 2026."""
    year, week, _ = day.isocalendar()
    return f"{year}-{week:02d}"


def week_monday(key: str) -> date:
    """First day of the bulletin's week; `ValueError` for anything but "YYYY-WW"."""
    year, _, week = key.partition("-")
    if len(year) != 4 or len(week) != 2 or not (year + week).isdigit():
        raise ValueError(f"semana inválida: {key!r} (use AAAA-SS, p. ej. 2026-50)")
    return date.fromisocalendar(int(year), int(week), 1)


def due(publish_at: datetime, now: datetime) -> bool:
    return publish_at <= now
