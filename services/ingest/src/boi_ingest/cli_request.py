"""The request options of `boi sources add` and `boi sources try`: `--method`, `--body`, `--form`,
`--header` and `--header-from-env`, turned into a `SourceRequest` (None when none is given)."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from boi_ingest.domain.requests import HttpMethod, SourceRequest

MethodOption = Annotated[
    HttpMethod | None, typer.Option("--method", help="GET (default) or POST (json_api sources only)")
]
BodyOption = Annotated[
    str | None, typer.Option("--body", help="JSON body of a POST: a JSON object or @file.json")
]
FormOption = Annotated[
    list[str] | None,
    typer.Option(
        "--form",
        help="Form field of a POST, NAME=VALUE (repeatable; a VALUE that is a JSON object or list is sent as "
        "JSON); multipart/form-data like curl -F",
    ),
]
HeaderOption = Annotated[
    list[str] | None, typer.Option("--header", help="Extra header, 'Name: value' (repeatable; no secrets)")
]
HeaderEnvOption = Annotated[
    list[str] | None,
    typer.Option(
        "--header-from-env",
        help="Secret header, Name=ENV_VAR: its value is read from that variable (BOI_…) at each fetch and "
        "never stored (repeatable)",
    ),
]


class RequestOptionError(ValueError):
    """A request option that cannot be read; the message says which and why."""


def _json_object(text: str, what: str) -> Any:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            reason = exc.strerror or exc
            raise RequestOptionError(f"cannot read the {what} file {text[1:]}: {reason}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestOptionError(f"the {what} is not valid JSON: {exc.msg} at column {exc.colno}") from None


def _pairs(values: list[str] | None, separator: str, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values or []:
        name, found, rest = value.partition(separator)
        if not found or not name.strip():
            raise RequestOptionError(f"{what} {value[:100]!r} is not NAME{separator}VALUE")
        pairs[name.strip()] = rest.strip()
    return pairs


def _form_value(value: str) -> Any:
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def request_from_options(
    method: HttpMethod | None,
    body: str | None,
    form: list[str] | None = None,
    header: list[str] | None = None,
    header_from_env: list[str] | None = None,
) -> SourceRequest | None:
    """The declared request, validated; None when no option was given. RequestOptionError otherwise."""
    if method is None and body is None and not form and not header and not header_from_env:
        return None
    headers: dict[str, Any] = dict(_pairs(header, ":", "--header"))
    headers |= {name: {"env": env} for name, env in _pairs(header_from_env, "=", "--header-from-env").items()}
    declared: dict[str, Any] = {"headers": headers}
    if body is not None or form:
        declared["method"] = method or HttpMethod.POST
    elif method is not None:
        declared["method"] = method
    if body is not None:
        declared["body"] = _json_object(body.strip(), "body")
    if form:
        declared["form"] = {name: _form_value(v) for name, v in _pairs(form, "=", "--form").items()}
    try:
        return SourceRequest.model_validate(declared)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        reason = first["msg"].removeprefix("Value error, ")
        raise RequestOptionError(f"invalid request: {where + ': ' if where else ''}{reason}") from None
