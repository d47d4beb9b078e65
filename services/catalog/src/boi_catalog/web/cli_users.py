"""`boi catalog hash-password`: the hash to put in `BOI_CONSOLE_USERS` (`name:role:<hash>`)."""

import typer

from boi_catalog.web.auth import ROLES, hash_password

app = typer.Typer(help="Catalog console users", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Catalog tools."""


@app.command("hash-password")
def hash_password_command(
    name: str = typer.Argument(..., help="User name"),
    role: str = typer.Option("curator", help="curator or admin"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Print a `BOI_CONSOLE_USERS` entry for NAME (PBKDF2-SHA256, 600,000 iterations, random salt)."""
    if role not in ROLES:
        raise typer.BadParameter("role must be curator or admin")
    if ":" in name or "," in name:
        raise typer.BadParameter("the name cannot contain ':' or ','")
    typer.echo(f"{name}:{role}:{hash_password(password)}")


if __name__ == "__main__":
    app()
