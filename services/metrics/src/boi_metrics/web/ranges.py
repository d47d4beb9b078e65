"""The range of UTC days a page or export covers: `desde`..`hasta` inclusive, last 30 days by default."""

from datetime import UTC, date, datetime, timedelta

from fastapi import HTTPException

DEFAULT_DAYS = 30


class DayRange:
    def __init__(self, max_days: int) -> None:
        self.max_days = max_days

    def __call__(self, first: date | None, last: date | None) -> tuple[date, date]:
        """(first, last); 422 with what to change when the range is reversed or too long."""
        last = last or datetime.now(UTC).date()
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise HTTPException(422, "La fecha «desde» es posterior a «hasta»: inviértelas.")
        if (last - first).days + 1 > self.max_days:
            raise HTTPException(422, f"El rango es de más de {self.max_days} días: acórtalo.")
        return first, last
