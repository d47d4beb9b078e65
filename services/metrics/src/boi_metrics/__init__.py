"""BOI metrics service."""
SERVICE = "metrics"
