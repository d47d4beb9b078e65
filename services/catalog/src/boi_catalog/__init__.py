"""BOI catalog service."""
SERVICE = "catalog"
