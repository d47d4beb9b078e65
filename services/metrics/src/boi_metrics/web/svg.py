"""Charts as SVG rendered on the server: no script, no CDN; each is drawn beside its table."""

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

COLORS = ("#1f5f8b", "#c05621", "#2f855a", "#6b46c1", "#b7791f")
W, H, PAD = 640, 220, 36


def line_chart(rows: Sequence[dict[str, Any]], keys: Sequence[str], label: str) -> Markup:
    """One line per key over the rows (days), y from 0 to the largest value."""
    top = max([1, *(int(r.get(k) or 0) for r in rows for k in keys)])
    n = max(len(rows) - 1, 1)

    def point(i: int, v: int) -> str:
        x = PAD + i * (W - 2 * PAD) / n
        y = H - PAD - v * (H - 2 * PAD) / top
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#888"/>',
        f'<text x="4" y="{PAD}" font-size="11">{top}</text><text x="4" y="{H - PAD}" font-size="11">0</text>',
    ]
    if rows:
        parts.append(f'<text x="{PAD}" y="{H - 8}" font-size="11">{escape(rows[0].get("key", ""))}</text>')
        end = escape(rows[-1].get("key", ""))
        parts.append(f'<text x="{W - PAD}" y="{H - 8}" font-size="11" text-anchor="end">{end}</text>')
    for j, key in enumerate(keys):
        color = COLORS[j % len(COLORS)]
        pts = " ".join(point(i, int(r.get(key) or 0)) for i, r in enumerate(rows))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        parts.append(
            f'<text x="{W - PAD}" y="{14 + 14 * j}" font-size="11" fill="{color}" '
            f'text-anchor="end">{escape(key)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value inside is escaped or a number


def bar_chart(rows: Sequence[dict[str, Any]], key: str, label: str, limit: int = 12) -> Markup:
    """Horizontal bars of `key` per row (the first `limit` rows), labelled with the row's key."""
    shown = list(rows)[:limit]
    top = max([1, *(int(r.get(key) or 0) for r in shown)])
    bar_h, left = 18, 160
    height = max(bar_h * len(shown) + 10, 30)
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    for i, row in enumerate(shown):
        value = int(row.get(key) or 0)
        width = (W - left - 60) * value / top
        y = 5 + i * bar_h
        name = escape(str(row.get("label") or row.get("key", ""))[:24])
        parts.append(f'<text x="{left - 6}" y="{y + 13}" font-size="11" text-anchor="end">{name}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{width:.1f}" height="{bar_h - 5}" fill="{COLORS[0]}"/>'
        )
        parts.append(f'<text x="{left + width + 4:.1f}" y="{y + 13}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value inside is escaped or a number
