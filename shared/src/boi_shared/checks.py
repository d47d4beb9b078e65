"""The names of the readiness checks: every service's `GET /readyz` reports its dependencies under these
keys (`{"ready": …, "checks": {"kafka": "ok", "mongodb": "down"}}`), so probes, dashboards and tests read
one vocabulary whatever the service."""

KAFKA = "kafka"
MONGODB = "mongodb"
MEILISEARCH = "meilisearch"
SMTP = "smtp"
