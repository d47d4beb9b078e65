"""Hostile documents constructed for the ingest service's tests (issue 14): entity expansion in every
shape (billion laughs, quadratic blow-up, a DOCTYPE without internal subset followed by declarations,
parameter entities), external entities, encodings that hide markup from a byte search, huge and deeply
nested payloads, mis-encoded and truncated documents. Written to a directory, never checked in."""

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

ITEM = "<item><title>Beca {n}</title><link>https://e.org/c/{n}</link><description>{text}</description></item>"
TEXT = "Convocatoria abierta para estudiantes y artistas de Bogotá, con apoyo para viajes de formación. "


def rss(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>\n') -> str:
    return f'{prolog}<rss version="2.0"><channel><title>Convocatorias</title>{items}</channel></rss>\n'


def laughs(prolog_open: str, prolog_close: str, levels: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    declarations = "\n".join(entities)
    body = ITEM.format(n=1, text=f"&lol{levels - 1};")
    return rss(body, f'<?xml version="1.0"?>\n{prolog_open}\n{declarations}\n{prolog_close}\n')


def quadratic(prolog_open: str, prolog_close: str) -> str:
    declaration = f'<!ENTITY a "{"A" * 8000}">'
    return rss(
        ITEM.format(n=1, text="&a;" * 2500),
        f'<?xml version="1.0"?>\n{prolog_open}\n{declaration}\n{prolog_close}\n',
    )


def _utf7(text: str) -> bytes:
    declaration, rest = text.split("\n", 1)
    return (
        declaration.replace('"1.0"', '"1.0" encoding="utf-7"').encode()
        + b"\n"
        + rest.encode("utf-7").replace(b"<", b"+ADw-")
    )


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        with workbook.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"\x00" * 2**20
            for _ in range(300):
                sheet.write(block)
    return buffer.getvalue()


def _plain() -> str:
    return rss("".join(ITEM.format(n=n, text=TEXT) for n in range(3)))


def benign_feed() -> bytes:
    """The calls of the `plain_*` documents as a plain UTF-8 feed: the reference for sane output."""
    return _plain().encode()


def _bomb() -> str:
    return laughs("<!DOCTYPE rss [", "]>")


CORPUS: dict[str, Callable[[], bytes]] = {
    "laughs_internal_subset.xml": lambda: _bomb().encode(),
    "laughs_doctype_without_subset.xml": lambda: laughs("<!DOCTYPE rss>", "").encode(),
    "laughs_no_doctype.xml": lambda: laughs("", "").encode(),
    "quadratic_doctype_without_subset.xml": lambda: quadratic("<!DOCTYPE rss>", "").encode(),
    "quadratic_internal_subset.xml": lambda: quadratic("<!DOCTYPE rss [", "]>").encode(),
    "parameter_entities.xml": lambda: rss(
        ITEM.format(n=1, text="x"),
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY % a "<!ENTITY b \'bbbb\'>"> %a; %a;]>\n',
    ).encode(),
    "external_entity_file.xml": lambda: rss(
        ITEM.format(n=1, text="&xxe;"),
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    ).encode(),
    "external_dtd_reference.xml": lambda: rss(
        ITEM.format(n=1, text=TEXT),
        '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">\n',
    ).encode(),
    "entities_after_the_root.xml": lambda: (
        _plain()
        .replace("<channel>", '<channel><!DOCTYPE x [<!ENTITY a "' + "A" * 8000 + '">]>' + "&a;" * 2500)
        .encode()
    ),
    "laughs_utf7_declared.xml": lambda: _utf7(_bomb()),
    "laughs_ebcdic.xml": lambda: _bomb().replace('"1.0"', '"1.0" encoding="cp037"').encode("cp037"),
    "plain_latin1_declared_utf8.xml": lambda: _plain().replace("Bogotá", "Bogot\xe1").encode("latin-1"),
    "binary_noise.xml": lambda: bytes(range(256)) * 64,
    "truncated_cdata_long.xml": lambda: (
        rss("".join(ITEM.format(n=n, text=TEXT) for n in range(50))).split("</channel>")[0].encode()
        + b"<item><title><![CDATA[Beca sin fin"
    ),
    "deep_nesting.xml": lambda: rss("<a>" * 200_000 + "</a>" * 200_000).encode(),
    "huge_over_the_size_cap.xml": lambda: rss(ITEM.format(n=1, text="x" * (11 * 2**20))).encode(),
    "huge_one_item.xml": lambda: rss(ITEM.format(n=1, text=TEXT * 95_000)).encode(),
    "huge_many_items.xml": lambda: rss("".join(ITEM.format(n=n, text=TEXT) for n in range(45_000))).encode(),
    "json_deep_nesting.json": lambda: b"[" * 200_000 + b"]" * 200_000,
    "json_many_small_lists.json": lambda: b"[" + b"[]," * (3 * 2**20) + b"[]]",
    "json_utf16_bom.json": lambda: json.dumps(
        [{"name": "Premio de innovación", "details_url": "https://e.org/p", "summary": TEXT}],
        ensure_ascii=False,
    ).encode("utf-16"),
    "csv_utf32_bom.csv": lambda: f"Título;Enlace;Descripción\nBeca;https://e.org/b;{TEXT}\n".encode("utf-32"),
    "xlsx_zip_bomb.xlsx": _zip_bomb,
}
for _encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
    CORPUS[f"laughs_{_encoding}_no_bom.xml"] = lambda e=_encoding: ("\n" + _bomb()).encode(e)
    CORPUS[f"quadratic_{_encoding}_no_bom.xml"] = lambda e=_encoding: quadratic("<!DOCTYPE rss>", "").encode(
        e
    )
    CORPUS[f"plain_{_encoding}_no_bom.xml"] = lambda e=_encoding: _plain().encode(e)


def write_corpus(directory: Path) -> list[Path]:
    """Write the constructed hostile documents; their paths."""
    for name, build in CORPUS.items():
        (directory / name).write_bytes(build())
    return [directory / name for name in CORPUS]
