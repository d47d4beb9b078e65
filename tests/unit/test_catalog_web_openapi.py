"""The checked-in OpenAPI document of the catalog matches the code; it lists only public routes."""

from boi_catalog.web import openapi


def test_openapi_document_matches_checked_in_file() -> None:
    assert openapi.PATH.exists(), f"{openapi.PATH} missing: run `make schemas`"
    assert openapi.PATH.read_text(encoding="utf-8") == openapi.render(openapi.document()), (
        "catalog OpenAPI drifted: run `make schemas`"
    )


def test_openapi_lists_public_routes_only() -> None:
    paths = set(openapi.document()["paths"])
    assert {"/api/calls", "/api/calls/{call_id}", "/feeds/rss.xml", "/feeds/cierres.ics"} <= paths
    assert not [p for p in paths if p.startswith(("/consola", "/api/admin", "/api/web"))]
    search = openapi.document()["paths"]["/api/calls"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {
        "q",
        "type",
        "eligibility",
        "sort",
        "limit",
        "offset",
    }
    assert "429" in search["responses"]
