"""Which Unicode encoding a document is in, from its first bytes: a byte order mark, or the pattern of
zero bytes that ASCII markup leaves in UTF-16/32 without one (XML 1.0 appendix F, RFC 7303 § 3, and
RFC 4627 § 3 / RFC 8259 § 8.1 for JSON). Markup can hide from a byte search only in these encodings (or in
one a document declares, which the XML reader decodes before any check)."""

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def byte_order_mark(document: bytes) -> tuple[str, int] | None:
    """The encoding a byte order mark names, and the mark's length; None without one."""
    for bom, encoding in _BOMS:
        if document.startswith(bom):
            return encoding, len(bom)
    return None


def zero_byte_pattern(document: bytes) -> str | None:
    """UTF-16/32 without a byte order mark, told by where the zero bytes of its first ASCII character
    fall (`<`, `{`, `[`, a quote or white space): `00 00 00 xx`, `xx 00 00 00`, `00 xx`, `xx 00`."""
    head = document[:4]
    if len(head) == 4 and head[:3] == b"\x00\x00\x00" and head[3]:
        return "utf-32-be"
    if len(head) == 4 and head[0] and head[1:] == b"\x00\x00\x00":
        return "utf-32-le"
    if len(head) < 2 or (head[0] == 0) == (head[1] == 0):
        return None
    return "utf-16-be" if head[0] == 0 else "utf-16-le"


def sniff_unicode(document: bytes) -> tuple[str, int] | None:
    """The UTF encoding of a document that has a byte order mark or starts with ASCII in UTF-16/32, and
    how many bytes to skip (the mark); None when the document is in an ASCII-compatible encoding."""
    return byte_order_mark(document) or ((encoding, 0) if (encoding := zero_byte_pattern(document)) else None)
