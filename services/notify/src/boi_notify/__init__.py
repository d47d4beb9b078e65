"""BOI notify service."""
SERVICE = "notify"
