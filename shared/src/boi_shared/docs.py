"""OpenAPI's documentation page `/docs`, served from Swagger UI installed here (the PyPI package
`swagger-ui-bundle-v2`, which ships Swagger UI's files) instead of FastAPI's default, which loads Swagger
UI from a CDN with an inline script that a strict Content-Security-Policy forbids."""

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from boi_shared.web import csp

ASSETS = "/docs/assets"
INIT = Path(__file__).parent / "docs_static"
# Swagger UI's stylesheet draws its icons as data: images; nothing else is added to the strict policy.
DOCS_CSP = csp(img=["data:"])


def install_docs(app: FastAPI, title: str) -> None:
    """Add `/docs` (and its files under `/docs/assets`, `/docs/init`) to an app created with docs_url=None."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        html = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></main>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/docs/init/swagger-init.js"></script>
</body>
</html>
"""
        return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache"})

    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    app.mount("/docs/init", StaticFiles(directory=INIT), name="docs-init")
