"""Adapters of the enrich service: MongoDB cache and ledger, and their in-memory twins."""
