"""The console's session (`boi_shared.console`, shared with notify's console page)."""

from boi_shared.console import SESSION_COOKIE, SESSION_SECONDS, ConsoleSession, Operator, roles_of

__all__ = ["SESSION_COOKIE", "SESSION_SECONDS", "ConsoleSession", "Operator", "roles_of"]
