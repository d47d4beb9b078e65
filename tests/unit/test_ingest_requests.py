"""Declared source requests: POST only for json_api, bodies and headers validated, secrets only by the
name of an environment variable — refused as literals, never in a repr or an error."""

import json
import re

import pytest
from pydantic import ValidationError

from boi_ingest.adapters.request import environment_secrets, own_variables, prepare
from boi_ingest.cli_request import RequestOptionError, request_from_options
from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.requests import EnvValue, HttpMethod, SourceRequest, looks_secret
from boi_ingest.domain.sources import SourceConfig

GRANTS = "https://api.grants.gov/v1/api/search2"
SECRET = "grants-key-0b1f6e2a"


def grants(**request: object) -> SourceConfig:
    return SourceConfig(id="grants", type="json_api", url=GRANTS, mapping="grants_gov", request=request)


def test_a_json_api_source_declares_a_post_with_its_body_and_a_secret_header() -> None:
    config = grants(
        method="post",
        body={"keyword": "scholarship", "oppStatuses": "forecasted|posted", "rows": 100},
        headers={"Accept": "application/json", "X-Api-Key": {"env": "BOI_GRANTS_GOV_KEY"}},
    )
    assert config.request is not None and config.request.method is HttpMethod.POST
    assert config.request.env_names() == {"X-Api-Key": "BOI_GRANTS_GOV_KEY"}
    stored = config.model_dump(mode="json")  # what the registry keeps
    assert stored["request"]["headers"] == {
        "Accept": "application/json",
        "X-Api-Key": {"env": "BOI_GRANTS_GOV_KEY"},
    }
    assert SourceConfig.model_validate(stored) == config
    assert SourceConfig(id="a", type="rss", url="https://e.org/f").request is None  # GET, as before


@pytest.mark.parametrize(
    ("kind", "mapping"),
    [("rss", None), ("atom", None), ("html", {"item": "li", "title": "a"}), ("csv", None)],
)
def test_post_is_refused_for_every_type_but_json_api(kind: str, mapping: object) -> None:
    with pytest.raises(ValidationError, match=f"POST is allowed only for json_api sources; a {kind} source"):
        SourceConfig(id="x", type=kind, url="https://e.org/f", mapping=mapping, request={"method": "POST"})
    plain = SourceConfig(
        id="x", type=kind, url="https://e.org/f", mapping=mapping, request={"headers": {"Accept": "text/xml"}}
    )
    assert plain.request is not None and plain.request.method is HttpMethod.GET


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        ({"body": {"a": 1}}, "a GET request carries no body or form: use method POST"),
        ({"method": "POST", "body": {"a": 1}, "form": {"q": "x"}}, "a JSON body or form fields, not both"),
        ({"method": "PUT"}, "Input should be 'GET' or 'POST'"),
        ({"method": "POST", "body": {"q": "x" * 70_000}}, "larger than 65536 characters"),
        ({"headers": {"X-Api-Key": SECRET}}, "looks like a credential: secrets are never stored"),
        ({"headers": {"Authorization": f"Bearer {SECRET}"}}, "looks like a credential"),
        ({"headers": {"X-Auth-Token": SECRET}}, "looks like a credential"),
        ({"headers": {"User-Agent": "other"}}, "'User-Agent' is set by the fetcher"),
        ({"headers": {"Content-Type": "text/plain"}}, "set by the fetcher"),
        ({"headers": {"If-None-Match": '"v1"'}}, "set by the fetcher"),
        ({"headers": {"Bad Name": "x"}}, "not a valid HTTP field name"),
        ({"headers": {"Accept": "a\r\nX-Injected: 1"}}, "on one line"),
        ({"headers": {"X-Api-Key": {"env": "grants_key"}}}, 'a secret is given as {"env": "BOI_NAME"}'),
        ({"headers": {"X-Api-Key": {"env": SECRET}}}, "starting with BOI_"),
        ({"headers": {"X-Api-Key": {"env": "BOI_K", "value": SECRET}}}, 'given as {"env"'),
        ({"headers": {"X-Api-Key": {"value": SECRET}}}, 'given as {"env"'),
        ({"extra": 1}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_requests_say_why(request_: dict[str, object], reason: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(reason)) as caught:
        grants(**request_)
    first = caught.value.errors()[0]
    assert SECRET not in first["msg"]


def test_a_request_needs_a_url() -> None:
    with pytest.raises(ValidationError, match="applies to a url source, not a file"):
        SourceConfig(id="f", type="json_api", file="a.json", mapping="grants_gov", request={"method": "POST"})
    with pytest.raises(ValidationError, match="manual source has no request"):
        SourceConfig(id="m", type="manual", request={"headers": {"Accept": "x"}})


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("X-Api-Key", True),
        ("apiKey", True),
        ("Ocp-Apim-Subscription-Key", True),
        ("Cookie", True),
        ("Accept", False),
        ("Accept-Language", False),
        ("X-Keywords", False),
    ],
)
def test_credential_header_names(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_cli_options_become_a_request() -> None:
    assert request_from_options(None, None, None, None, None) is None
    posted = request_from_options(
        None,
        '{"keyword": "beca", "rows": 100}',
        None,
        ["Accept: application/json"],
        ["X-Api-Key=BOI_GRANTS_GOV_KEY"],
    )
    assert posted == SourceRequest(
        method=HttpMethod.POST,  # a body implies POST
        body={"keyword": "beca", "rows": 100},
        headers={"Accept": "application/json", "X-Api-Key": EnvValue(env="BOI_GRANTS_GOV_KEY")},
    )
    form = request_from_options(HttpMethod.POST, None, ['query={"bool": {}}', "languages=en"], None, None)
    assert form is not None and form.form == {"query": {"bool": {}}, "languages": "en"}
    with pytest.raises(RequestOptionError, match="the body is not valid JSON"):
        request_from_options(None, "{keyword", None, None, None)
    with pytest.raises(RequestOptionError, match="--header 'Accept' is not NAME:VALUE"):
        request_from_options(None, None, None, ["Accept"], None)
    with pytest.raises(RequestOptionError, match=r"invalid request: .*carries no body"):
        request_from_options(HttpMethod.GET, '{"a": 1}', None, None, None)
    with pytest.raises(RequestOptionError, match="looks like a credential"):
        request_from_options(None, None, None, [f"X-Api-Key: {SECRET}"], None)


def test_prepared_requests_encode_the_body_once_and_keep_secrets_out_of_reprs() -> None:
    request = SourceRequest(
        method=HttpMethod.POST,
        body={"keyword": "beca", "rows": 100},
        headers={"Accept": "application/json", "X-Api-Key": EnvValue(env="BOI_GRANTS_GOV_KEY")},
    )
    prepared = prepare(request, {"BOI_GRANTS_GOV_KEY": SECRET}.get)
    assert json.loads(prepared.content or b"") == {"keyword": "beca", "rows": 100}
    assert SECRET not in repr(prepared) and SECRET not in repr(request)
    same = prepared.headers_for(GRANTS, GRANTS, with_body=True)
    assert same == {"Accept": "application/json", "Content-Type": "application/json", "X-Api-Key": SECRET}
    elsewhere = prepared.headers_for("https://mirror.example.org/x", GRANTS, with_body=False)
    assert elsewhere == {"Accept": "application/json"}  # a redirect to another origin goes without it


def test_form_fields_are_multipart_with_json_parts_or_urlencoded() -> None:
    form = {"query": {"bool": {"must": []}}, "languages": ["en"], "text": "beca"}
    multipart = prepare(SourceRequest(method=HttpMethod.POST, form=form), {}.get)
    assert (multipart.content_type or "").startswith("multipart/form-data; boundary=")
    body = (multipart.content or b"").decode()
    assert 'name="query"\r\nContent-Type: application/json\r\n\r\n{"bool": {"must": []}}' in body
    assert 'name="text"\r\n\r\nbeca' in body
    urlencoded = prepare(SourceRequest(method=HttpMethod.POST, form=form, form_encoding="urlencoded"), {}.get)
    assert urlencoded.content_type == "application/x-www-form-urlencoded"
    assert (
        urlencoded.content
        == b"query=%7B%22bool%22%3A+%7B%22must%22%3A+%5B%5D%7D%7D&languages=%5B%22en%22%5D&text=beca"
    )


def test_missing_or_reserved_secret_variables_fail_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    asks = SourceRequest(headers={"X-Api-Key": EnvValue(env="BOI_GRANTS_GOV_KEY")})
    monkeypatch.delenv("BOI_GRANTS_GOV_KEY", raising=False)
    with pytest.raises(FetchError, match="environment variable BOI_GRANTS_GOV_KEY, which is not set"):
        prepare(asks, environment_secrets())
    monkeypatch.setenv("BOI_GRANTS_GOV_KEY", SECRET)
    assert prepare(asks, environment_secrets()).secrets == {"X-Api-Key": SECRET}
    monkeypatch.setenv("BOI_GRANTS_GOV_KEY", f"{SECRET}\nX-Injected: 1")
    with pytest.raises(FetchError, match="characters a header cannot carry") as caught:
        prepare(asks, environment_secrets())
    assert SECRET not in str(caught.value)
    assert {"BOI_ADMIN_TOKEN", "BOI_MONGO_URL", "BOI_KAFKA_BOOTSTRAP_SERVERS"} <= own_variables()
    monkeypatch.setenv("BOI_ADMIN_TOKEN", SECRET)
    steal = SourceRequest(headers={"X-Api-Key": EnvValue(env="BOI_ADMIN_TOKEN")})
    with pytest.raises(
        FetchError, match="BOI_ADMIN_TOKEN is a setting of the ingest service itself"
    ) as caught:
        prepare(steal, environment_secrets())
    assert SECRET not in str(caught.value)
