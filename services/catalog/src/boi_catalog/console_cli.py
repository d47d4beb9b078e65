"""`boi console user add|list|remove`: console users of a real deployment, stored in the catalog's
`console_users` collection (PBKDF2-SHA256 hashes). Reads the same `BOI_*` variables as the service."""

import asyncio

import typer

from boi_catalog import SERVICE
from boi_catalog.adapters.mongo_users import MongoConsoleUsers
from boi_catalog.settings import Settings
from boi_catalog.web.auth import ROLES, hash_password
from boi_catalog.web.cli_users import read_password

app = typer.Typer(help="The curation console.", no_args_is_help=True)
users_app = typer.Typer(help="Console users (stored in MongoDB; BOI_CONSOLE_USERS also counts).")
app.add_typer(users_app, name="user", no_args_is_help=True)


def _store() -> MongoConsoleUsers:
    settings = Settings()
    return MongoConsoleUsers(settings.mongo_url.get_secret_value(), settings.database_name(SERVICE))


async def _with_store(action: str, *args: str) -> object:
    store = _store()
    try:
        return await getattr(store, action)(*args)
    finally:
        await store.close()


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="User name (letters, digits, . _ -)"),
    role: str = typer.Option("curator", help="curator or admin"),
) -> None:
    """Add a user, or change a user's role and password. The password is asked twice without echo on
    a terminal, else read from the first line of stdin; only its hash is stored."""
    if role not in ROLES:
        raise typer.BadParameter("role must be curator or admin", param_hint="--role")
    if not name or not all(c.isalnum() or c in "._-" for c in name) or len(name) > 64:
        raise typer.BadParameter("use up to 64 letters, digits, '.', '_' or '-'", param_hint="NAME")
    password = read_password()
    if len(password) < 12:
        typer.echo("The password needs at least 12 characters.", err=True)
        raise typer.Exit(1)
    asyncio.run(_with_store("put", name, role, hash_password(password)))
    typer.echo(f"user {name} ({role}) saved; it can sign in at /consola/entrar")


@users_app.command("list")
def list_users() -> None:
    """Users stored in MongoDB (name and role; never hashes)."""
    stored = asyncio.run(_with_store("all"))
    assert isinstance(stored, dict)
    for name, (role, _) in sorted(stored.items()):
        typer.echo(f"{name}\t{role}")


@users_app.command("remove")
def remove(name: str) -> None:
    """Remove a stored user (signed out within 30 s on every replica)."""
    if not asyncio.run(_with_store("remove", name)):
        typer.echo(f"no stored user {name}", err=True)
        raise typer.Exit(1)
    typer.echo(f"user {name} removed")
