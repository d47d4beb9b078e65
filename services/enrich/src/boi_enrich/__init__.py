"""BOI enrich service: turns raw calls into classified, Spanish-first drafts for curators."""

SERVICE = "enrich"
