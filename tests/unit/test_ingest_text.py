"""Text normalization of ingest: HTML to clean text, NFC, whitespace, stable truncation."""

import unicodedata

from boi_ingest.domain.text import clean_text, html_to_text, normalize_text, shorten


def test_scripts_and_styles_are_dropped_and_entities_decoded() -> None:
    html = (
        "<style>p{color:red}</style><p>Beca &amp; premio para <b>se&ntilde;or</b>&nbsp;y "
        "se&#241;ora</p><script>alert('x')</script><noscript>activa JS</noscript><p>Fin</p>"
    )
    assert html_to_text(html) == "Beca & premio para señor y señora Fin"


def test_block_elements_separate_words_inline_elements_do_not() -> None:
    assert html_to_text("<p>uno</p><p>dos</p><ul><li>tres</li><li>cuatro</li></ul>") == (
        "uno dos tres cuatro"
    )
    assert html_to_text("mi<b>ér</b>coles<br/>jueves") == "miércoles jueves"


def test_unclosed_script_hides_the_rest_and_comments_are_ignored() -> None:
    assert html_to_text("visible <!-- <b>no</b> --> texto <script>var a = '<p>no</p>'") == ("visible texto")


def test_nfc_and_whitespace() -> None:
    decomposed = "Convocato\u0301ria\tde\n\n  becas\u00a0 2026\x00\x9d"
    text = normalize_text(decomposed)
    assert text == "Convocatória de becas 2026"
    assert unicodedata.is_normalized("NFC", text)


def test_plain_text_is_not_parsed_as_html() -> None:
    assert clean_text("a < b & c > d", "text/plain") == "a < b & c > d"
    assert clean_text("a &lt; b", "text/html") == "a < b"


def test_shorten_cuts_at_a_word_and_is_deterministic() -> None:
    text = "palabra " * 100
    short = shorten(text.strip(), 50)
    assert len(short) <= 50
    assert short.endswith("palabra…")
    assert shorten("corto", 50) == "corto"
