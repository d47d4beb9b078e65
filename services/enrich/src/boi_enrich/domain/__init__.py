"""Pure enrichment logic: no I/O."""
