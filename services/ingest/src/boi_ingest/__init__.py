"""BOI ingest service."""
SERVICE = "ingest"
