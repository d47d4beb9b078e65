"""Dates as people in Colombia read them: "15 de febrero de 2027". A table beats a locale dependency here."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BOGOTA = ZoneInfo("America/Bogota")
MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip


def long_date(day: date) -> str:
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def closes(deadline: date | None) -> str:
    return f"cierra el {long_date(deadline)}" if deadline else "sin fecha de cierre publicada"


def local_day(moment: datetime) -> date:
    return moment.astimezone(BOGOTA).date()


def period_key(frequency: str, day: date) -> str:
    """The digest period a Bogotá day belongs to: `2027-02-15` (diaria) or `2027-W07` (semanal)."""
    if frequency == "semanal":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def period_bounds(frequency: str, key: str) -> tuple[datetime, datetime]:
    """[start, end) of a period in Bogotá time."""
    if frequency == "semanal":
        first = date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
        days = 7
    else:
        first, days = date.fromisoformat(key), 1
    start = datetime(first.year, first.month, first.day, tzinfo=BOGOTA)
    return start, start + timedelta(days=days)


def period_label(frequency: str, key: str) -> str:
    """ "del 12 de marzo de 2031", "del 10 al 16 de marzo de 2031" (or across months/years, in full)."""
    start, end = period_bounds(frequency, key)
    first, last = start.date(), (end - timedelta(days=1)).date()
    if first == last:
        return f"del {long_date(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"del {first.day} al {long_date(last)}"
    if first.year == last.year:
        return f"del {first.day} de {MONTHS[first.month - 1]} al {long_date(last)}"
    return f"del {long_date(first)} al {long_date(last)}"


def previous_period(frequency: str, now: datetime) -> str:
    """The last complete period before `now`: yesterday, or last week."""
    today = local_day(now)
    return period_key(frequency, today - timedelta(days=7 if frequency == "semanal" else 1))
