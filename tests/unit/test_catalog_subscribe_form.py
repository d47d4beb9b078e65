"""The site's subscription form (`_subscribe.html`): posted to notify with the current search as its topic,
allowed by the CSP, absent when notify's URL is not configured."""

from boi_catalog.web.query import parse
from boi_catalog.web.render import Renderer


def test_search_page_form_posts_the_current_search_to_notify() -> None:
    render = Renderer(notify_url="https://notify.example.org/")
    html = render.env.get_template("_subscribe.html").render(p=parse('maestría "x"', "beca", "si", "es"))
    assert 'action="https://notify.example.org/suscripcion"' in html
    for name, value in (
        ("q", "maestría &#34;x&#34;"),
        ("type", "beca"),
        ("eligibility", "si"),
        ("language", "es"),
    ):
        assert f'name="{name}" value="{value}"' in html
    assert 'href="https://notify.example.org/suscripcion/privacidad"' in html and "Ley 1581 de 2012" in html
    assert 'name="acepto" value="si" required' in html
    csp = render.headers["Content-Security-Policy"]
    assert "form-action 'self' https://notify.example.org;" in csp


def test_call_page_form_subscribes_to_the_calls_type() -> None:
    html = (
        Renderer(notify_url="http://127.0.0.1:8003")
        .env.get_template("_subscribe.html")
        .render(subscribe_type="premio")
    )
    assert 'name="type" value="premio"' in html and 'name="q" value=""' in html


def test_no_notify_url_no_form() -> None:
    render = Renderer()
    assert render.env.get_template("_subscribe.html").render(subscribe_type="").strip() == ""
    assert "form-action 'self';" in render.headers["Content-Security-Policy"]
