"""Social drafts on hostile titles stay within every channel's limits and carry no markup; the Instagram
card is 1080×1080 with every line inside its margins; curators' edits are held to the same limits."""

import io
import itertools
import re
from datetime import date

import pytest
from PIL import Image

from boi_catalog.adapters.card_image import MARGIN, SIZE, layout, render_png
from boi_catalog.domain import social
from boi_catalog.service.outbox import DraftRefused, check_text

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)> <b>Beca</b> &lt;i&gt;de&lt;/i&gt; maestría'
LONG = "Convocatoria " + "muy larga " * 500  # 5,000+ characters
WIDE = "Beca " + "x" * 600  # one word wider than the card
EMOJI = "🎓🌍 " * 300 + "Beca 奨学金 " * 50
TAG = re.compile(r"<\s*/?\s*[a-zA-Z]")


def facts(title: str, summary: str | None = None) -> social.Facts:
    return social.Facts(
        title=title,
        summary=summary if summary is not None else title,
        type_label="Beca",
        call_type="beca",
        deadline=date(2027, 1, 31),
        colombia_eligible="si",
        funder=f"<a href='javascript:x'>{title[:300]}</a>",
        page_url="https://boi.example.org/convocatorias/abc-123",
    )


@pytest.mark.parametrize("title", [SCRIPT, LONG, WIDE, EMOJI, "", "   \x00\x07 "])
def test_drafts_stay_within_limits_and_plain(title: str) -> None:
    drafts = social.call_drafts(facts(title), "plan-2026-12-07", ("Bogotá", "#RelacionesInternacionales"))
    assert set(drafts) == set(social.CHANNELS)
    assert social.x_length(drafts["x"]) <= 280
    assert len(drafts["instagram"]) <= 2200
    assert drafts["instagram"].count("#") <= 30
    assert len(drafts["linkedin"]) <= 3000
    assert len(drafts["whatsapp"]) <= 1500
    for channel, text in drafts.items():
        assert not TAG.search(text), (channel, text[:200])
        assert "<" not in text and ">" not in text and "\x00" not in text
        assert f"utm_source={channel}&utm_medium=social&utm_campaign=plan-2026-12-07" in text
        assert "https://boi.example.org/convocatorias/abc-123?" in text


def test_markup_removed_but_words_kept() -> None:
    text = social.plain(SCRIPT)
    assert "Beca" in text and "maestría" in text
    assert "<" not in text and "onerror" not in text


def test_x_counts_a_link_as_23_and_wide_characters_as_2() -> None:
    link = "https://example.org/" + "a" * 200
    assert social.x_length(f"hola {link}") == 5 + 23
    assert social.x_length("奨学金") == 6
    assert social.x_length("🎓") == 2


def test_bulletin_drafts_within_limits() -> None:
    items = [facts(LONG), facts(SCRIPT), facts(EMOJI), facts(WIDE), facts("Premio")]
    drafts = social.bulletin_drafts(LONG, "https://boi.example.org/boletin/2026-50", items, "boletin-2026-50")
    assert social.x_length(drafts["x"]) <= 280
    assert len(drafts["instagram"]) <= 2200
    for text in drafts.values():
        assert not TAG.search(text) and "utm_campaign=boletin-2026-50" in text


@pytest.mark.parametrize("title", [SCRIPT, LONG, WIDE, EMOJI, "Beca corta"])
def test_card_is_1080_square_and_every_line_fits(title: str) -> None:
    card = {
        "type": "Beca",
        "title": social.plain(title),
        "deadline": "Cierre: 31 de enero de 2027",
        "who": "Colombia puede aplicar",
        "funder": "Ofrece: " + social.plain(title),
        "entity": "BOI · Boletín de Oferta Internacional",
    }
    image, placed = layout(card)
    assert image.size == (SIZE, SIZE) == (1080, 1080)
    assert {p.kind for p in placed} >= {"type", "title", "deadline", "who", "entity"}
    for p in placed:
        left, top, right, bottom = p.box
        assert left >= MARGIN and right <= SIZE - MARGIN, p
        assert top > 0 and bottom <= SIZE - 24, p  # above the bottom band
    boxes = sorted((p.box for p in placed), key=lambda b: b[1])
    assert all(a[3] <= b[1] for a, b in itertools.pairwise(boxes))  # no line overlaps the next
    assert len([p for p in placed if p.kind == "title"]) <= 6
    png = Image.open(io.BytesIO(render_png(card)))
    assert png.format == "PNG" and png.size == (1080, 1080)


def test_curator_edits_held_to_channel_limits() -> None:
    assert check_text("x", "Hola " + "https://example.org/" + "a" * 400).startswith("Hola")
    with pytest.raises(DraftRefused, match="280"):
        check_text("x", "a" * 281)
    with pytest.raises(DraftRefused, match="30 etiquetas"):
        check_text("instagram", " ".join(f"#t{i}" for i in range(31)))
    with pytest.raises(DraftRefused, match="2200"):
        check_text("instagram", "a" * 2201)
    with pytest.raises(DraftRefused, match="vacío"):
        check_text("whatsapp", "  ")
