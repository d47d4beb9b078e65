"""Pure catalog logic: the call of record, its search document, its public events. No I/O."""
