"""Views so far of the most seen calls, read from the metrics service's API (`GET /api/metrics/top`):
one of the bulletin score's inputs. Without `BOI_METRICS_URL`, or while metrics does not answer, every
call counts 0 views and the score rests on its other parts."""

import logging

import httpx

log = logging.getLogger("boi.catalog.editorial")


class MetricsViews:
    def __init__(self, base_url: str, *, limit: int = 100, timeout: float = 5.0) -> None:
        self.base_url, self.limit, self.timeout = base_url.rstrip("/"), limit, timeout

    async def views(self) -> dict[str, int]:
        if not self.base_url:
            return {}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(f"{self.base_url}/api/metrics/top", params={"limit": self.limit})
                response.raise_for_status()
                calls = response.json().get("calls", [])
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("views from metrics unavailable: %s", type(exc).__name__)
            return {}
        return {str(c["call_id"]): int(c.get("by_kind", {}).get("call_view", 0)) for c in calls}
