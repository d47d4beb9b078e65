"""Pure ingest logic: refusing hostile XML, parsing feeds, normalizing text and URLs. No I/O."""
