"""`boi catalog hash-password`: the password hash of a console user in `BOI_CONSOLE_USERS`
(`name:role:<hash>`). Also runs as `python -m boi_catalog.web.cli_users hash-password`."""

import sys

import typer

from boi_catalog.web.auth import ROLES, hash_password

app = typer.Typer(help="Catalog console users", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Catalog console users."""


def read_password() -> str:
    """Prompted twice without echo on a terminal; otherwise the first line of stdin (for scripts:
    `printf '%s\\n' "$PASSWORD" | boi catalog hash-password`), so it never appears in argv."""
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().removesuffix("\n").removesuffix("\r")


def hash_password_command(
    name: str = typer.Argument(
        "", help="User name: print the whole `name:role:<hash>` entry (only the hash without it)"
    ),
    role: str = typer.Option("curator", help="curator or admin (used with NAME)"),
) -> None:
    """Print a password's hash for BOI_CONSOLE_USERS (with NAME: the whole `name:role:<hash>` entry).

    The password is asked twice without echo on a terminal, else read from the first line of stdin.
    PBKDF2-SHA256, 600,000 iterations, random salt."""
    if role not in ROLES:
        raise typer.BadParameter("role must be curator or admin", param_hint="--role")
    if ":" in name or "," in name:
        raise typer.BadParameter("the name cannot contain ':' or ','", param_hint="NAME")
    password = read_password()
    if not password:
        typer.echo("No password given: type one at the prompt or write it on stdin.", err=True)
        raise typer.Exit(1)
    encoded = hash_password(password)
    typer.echo(f"{name}:{role}:{encoded}" if name else encoded)


app.command("hash-password")(hash_password_command)

if __name__ == "__main__":
    app()
