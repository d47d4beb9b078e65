"""The Instagram card of a call: a 1080×1080 PNG drawn with Pillow from the call's curated facts (type,
title, deadline, eligibility, funder) in the entity's colours. Each text is wrapped and, if it still
does not fit, set smaller and then cut with an ellipsis, so nothing leaves the card's margins; `layout`
returns where every line went, which the tests check."""

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE, MARGIN = 1080, 80
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class CardText:
    kind: str  # "type", "title", "deadline", "who", "funder", "entity"
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom in pixels


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> Font:
    """DejaVu Sans when the system has it (Debian's fonts-dejavu-core), else Pillow's own font."""
    names = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf") if bold else ("DejaVuSans.ttf",)
    for folder in FONT_DIRS:
        for name in names:
            if (folder / name).exists():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


def _width(draw: ImageDraw.ImageDraw, text: str, face: Font) -> float:
    return draw.textlength(text, font=face)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; past `max_lines` the last line ends with an ellipsis. A word
    wider than the card is cut by characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if _width(draw, word, face) > width and current:  # a very long word starts its own line
            lines.append(current)
            current = ""
        while _width(draw, word, face) > width:  # and is cut by characters
            cut = len(word) - 1
            while cut > 1 and _width(draw, word[:cut], face) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}".strip()
        if _width(draw, candidate, face) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _width(draw, f"{last}…", face) > width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], f"{last}…"]
    return lines


def layout(
    facts: dict[str, str], colours: tuple[str, str, str] = ("#12355b", "#ffffff", "#f2b705")
) -> tuple[Image.Image, list[CardText]]:
    """Draw the card; `facts` holds "type", "title", "deadline", "who", "funder", "entity" (plain
    text). `colours`: background, text, accent."""
    background, ink, accent = colours
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    width = SIZE - 2 * MARGIN
    placed: list[CardText] = []

    def put(kind: str, lines: list[str], face: Font, top: int, fill: str, gap: int = 12) -> int:
        for line in lines:
            left, t, right, bottom = (round(v) for v in draw.textbbox((MARGIN, top), line, font=face))
            draw.text((MARGIN, top), line, font=face, fill=fill)
            placed.append(CardText(kind, line, (left, t, right, bottom)))
            top = bottom + gap
        return top

    draw.rectangle((0, 0, SIZE, 24), fill=accent)
    top = put(
        "type",
        wrap(draw, facts.get("type", "").upper(), font(40, True), width, 1),
        font(40, True),
        90,
        accent,
    )
    for size in (76, 66, 58, 50):  # the largest size at which the title fits in 6 lines
        face = font(size, True)
        title = wrap(draw, facts.get("title", ""), face, width, 99)
        if len(title) <= 6:
            break
    title = wrap(draw, facts.get("title", ""), face, width, 6)
    top = put("title", title, face, top + 30, ink)
    bottom_block = SIZE - MARGIN - 3 * 56
    top = max(top + 20, min(bottom_block, top + 40))
    for kind in ("deadline", "who", "funder"):
        if facts.get(kind):
            top = put(kind, wrap(draw, facts[kind], font(40), width, 1), font(40), top, ink)
    draw.rectangle((0, SIZE - 24, SIZE, SIZE), fill=accent)
    entity = wrap(draw, facts.get("entity", ""), font(30, True), width, 1)
    put("entity", entity, font(30, True), SIZE - MARGIN - 20, accent)
    return image, placed


def render_png(
    facts: dict[str, str], colours: tuple[str, str, str] = ("#12355b", "#ffffff", "#f2b705")
) -> bytes:
    image, _ = layout(facts, colours)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
