"""BOI ingest service: fetches sources (RSS/Atom for now) and emits normalized raw calls to calls.raw.v1."""

SERVICE = "ingest"
