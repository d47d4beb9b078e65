"""The real local stack as native processes: Apache Kafka (KRaft), FerretDB (SQLite) and Meilisearch."""
