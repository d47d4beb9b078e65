"""Use cases of the ingest service, one module each, called directly and typed:

- `ingest`: ingest one source (fetch, parse, normalize, plan, publish, record): `ingest_source`,
  `ingest_all`;
- `planning`: what one chunk of items emits and records (`plan_chunk`);
- `commits`: publish planned chunks in order and record them once Kafka acknowledged (`Commits`, `recover`);
- `sources`: a registered source of any type, and a manual submission (`ingest_config`, `submit_manual`);
- `runner`: runs sources one at a time, on request and on each source's schedule (`Ingestor`).
"""
