"""Adapters of the ingest service, named after their technology: HTTP/file fetching, MongoDB state."""
