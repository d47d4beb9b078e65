"""The catalog's use cases, one module per family; each function receives its ports as arguments.

`publishing` (calls.enriched.v1: one event or a batch), `public` (what the site reads), `curation` (the
review queue, edits, approve / reject / withdraw, the audit log), `reports` (citizens' reports),
`editorial` (day plans, weekly bulletins), `outbox` (the social drafts), `upkeep` (calendar,
link health, index sweeper), `indexing` (the queue every write reaches the search index through) and
`writes` (the compare-and-set every write goes through).
"""
