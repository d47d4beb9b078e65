"""Adapters of the catalog's ports, named after their technology."""
