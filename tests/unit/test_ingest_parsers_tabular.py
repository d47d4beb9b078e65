"""CSV and XLSX bulk imports: a constructed Windows-1252 CSV with Spanish accents, mixed and wrong
encodings, huge cells, column mapping errors, and XLSX workbooks generated here with openpyxl."""

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import Document
from boi_ingest.domain.parsers import MappingError, parse_document, tabular
from boi_ingest.domain.parsers.tabular import parse_csv, parse_xlsx
from boi_ingest.domain.text import MAX_TEXT_CHARS

CSV_1252 = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "ingest"
    / "convocatorias_historicas_cp1252_constructed.csv"
)


def test_windows_1252_csv_keeps_its_accents() -> None:
    parsed = parse_csv(CSV_1252.read_bytes())
    beca, cooperacion, premio = parsed.items
    assert parsed.warning == "not UTF-8: 4 line(s) read as Windows-1252/Latin-1"
    assert parsed.skipped[0].startswith("entry 4: ")  # the fixture's own note, a row without a link
    assert beca.title == "Beca de doctorado en España"
    assert beca.url == "https://becas.example.es/doctorado-2025"
    assert beca.published_at == datetime(2025, 3, 12, tzinfo=UTC)  # 12/03/2025 read day first
    assert beca.text.endswith(
        "Año académico 2025-2026. Funder: Fundación Carolina. Deadline: 30 de abril de 2025."
    )
    assert cooperacion.text.endswith(
        "niñez y educación. Funder: Agencia Española de Cooperación. Deadline: 31/01/2025."
    )
    assert premio.title == "Premio de periodismo «Señal»"
    assert premio.published_at == datetime(2024, 8, 19, tzinfo=UTC)


def test_utf8_with_bom_commas_and_named_columns() -> None:
    text = '\ufeffNombre,Sitio web,Resumen,Idioma\r\nBeca Ñandú,https://e.org/n,"Texto, con coma",es\r\n'
    [item] = parse_csv(text.encode("utf-8"), {"title": "Nombre", "url": "sitio web"}).items
    assert (item.title, item.url, item.text, item.language) == (
        "Beca Ñandú",
        "https://e.org/n",
        "Texto, con coma",
        "es",
    )
    with pytest.raises(
        MappingError, match=r"mapping field 'title': no column 'Título' \(columns: 'Nombre', 'Sitio web'"
    ):
        parse_csv(text.encode("utf-8"), {"title": "Título"})


def test_mixed_encodings_are_read_line_by_line() -> None:
    utf8 = "Título;Enlace\nBeca en Bogotá;https://e.org/a\n".encode()
    legacy = "Año de intercambio;https://e.org/b\n".encode("cp1252")
    parsed = parse_csv(utf8 + legacy)
    assert [i.title for i in parsed.items] == ["Beca en Bogotá", "Año de intercambio"]
    assert parsed.warning == "not UTF-8: 1 line(s) read as Windows-1252/Latin-1"


def test_wrong_encodings_and_broken_files_are_clear_errors() -> None:
    with pytest.raises(FeedError, match="contains NUL bytes"):
        parse_csv("Título;Enlace\n".encode("utf-16-le"))
    [item] = parse_csv("Título;Enlace\nAño;https://e.org/a\n".encode("utf-16")).items  # with BOM: fine
    assert item.title == "Año"
    with pytest.raises(FeedError, match="empty CSV"):
        parse_csv(b"\r\n\r\n")
    with pytest.raises(MappingError, match="mapping field 'url': no column found by its usual names"):
        parse_csv(b"Titulo;Comentario\nBeca;x\n")


def test_huge_cells_are_truncated_and_markup_cleaned() -> None:
    big = "palabra " * 15_000
    row = (
        f'Título;Enlace;Descripción\n"<script>alert(1)</script>Beca <i>grande</i>";https://e.org/g;"{big}"\n'
    )
    [item] = parse_csv(row.encode()).items
    assert item.title == "Beca grande"
    assert len(item.text) <= MAX_TEXT_CHARS and item.text.endswith("…")


def workbook(rows: list[list[object]], sheet: str = "Convocatorias") -> bytes:
    """An XLSX generated here (constructed, not real data), as the office's spreadsheets look."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_ROWS: list[list[object]] = [
    [],
    ["Título", "Enlace", "Descripción", "Fecha de publicación", "Fecha de cierre", "Entidad"],
    [
        "Curso virtual de gobierno abierto",
        "https://cursos.example.org/gob",
        "Curso gratuito.",
        datetime(2024, 5, 6, 10, 0),
        date(2024, 6, 30),
        "OEA",
    ],
    [
        "Beca Erasmus+ para Colombia",
        "https://erasmus.example.eu/co?utm_source=x",
        None,
        "06/05/2024",
        None,
        None,
    ],
    [None, None, None, None, None, None],
    ["Fila sin enlace (construida)", None, "x", None, None, None],
]


def test_xlsx_generated_with_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "historico.xlsx"
    path.write_bytes(workbook(XLSX_ROWS))
    parsed = parse_document(Document(path.read_bytes()), "xlsx", {"sheet": "Convocatorias"}, language="es")
    curso, erasmus = parsed.items
    assert parsed.skipped == ["entry 3: no link (title 'Fila sin enlace (construida)')"]
    assert parsed.feed_type == "xlsx"
    assert curso.published_at == datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    assert curso.text == "Curso gratuito. Funder: OEA. Deadline: 2024-06-30."
    assert erasmus.url == "https://erasmus.example.eu/co" and erasmus.text == ""
    assert erasmus.published_at == datetime(2024, 5, 6, tzinfo=UTC)
    assert {curso.language, erasmus.language} == {"es"}  # the source's language hint


def test_xlsx_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    document = workbook(XLSX_ROWS)
    with pytest.raises(
        MappingError, match=r"mapping field 'sheet': no sheet 'Hoja1' \(sheets: 'Convocatorias'\)"
    ):
        parse_xlsx(document, {"sheet": "Hoja1"})
    with pytest.raises(FeedError, match="not an XLSX workbook"):
        parse_xlsx(CSV_1252.read_bytes())
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(FeedError, match="not a readable XLSX workbook"):
        parse_xlsx(broken.getvalue())
    monkeypatch.setattr(tabular, "MAX_XLSX_UNCOMPRESSED", 1000)
    with pytest.raises(FeedError, match="zip bomb"):
        parse_xlsx(document)


def test_xlsx_with_an_entity_bomb_inside_is_refused() -> None:
    """openpyxl parses with defusedxml when it is installed (it is a dependency of ingest)."""
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData>'
        "</worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(workbook(XLSX_ROWS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = bomb.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info, data)
    with pytest.raises(FeedError, match="not a readable XLSX workbook: EntitiesForbidden") as e:
        parse_xlsx(out.getvalue())
    assert "\n" not in str(e.value)
