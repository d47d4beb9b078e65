"""Enrichment providers: `local` (offline, deterministic) and `openai` (any OpenAI-compatible API), chained
by configuration so that a provider that fails hands the call over to the next one."""
