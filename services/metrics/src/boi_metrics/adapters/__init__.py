"""Adapters of the metrics service, named after their technology."""
