"""BOI catalog service: the calls of record (MongoDB), their search index (Meilisearch), the public site
and API, and the `calls.published.v1` changes partners subscribe to."""

SERVICE = "catalog"
