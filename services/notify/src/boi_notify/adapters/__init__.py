"""Adapters of the notify service, named after their technology."""
