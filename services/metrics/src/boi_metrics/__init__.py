"""BOI metrics service: counts impressions per call (total, per kind, per day) and serves them."""

SERVICE = "metrics"
