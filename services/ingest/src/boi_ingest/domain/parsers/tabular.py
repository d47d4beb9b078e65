"""CSV and XLSX bulk imports (the office's historical spreadsheets of published calls) to items.

The first non-empty row is the header. Columns are found by their usual names in Spanish or English
(`Título`/`Title`, `Enlace`/`URL`, …) unless the mapping names them. CSV text is read as UTF-8 (with or
without BOM), else line by line as UTF-8 or cp1252, so a file saved by Excel in Windows-1252 — or mixing
both — keeps its accents. XLSX is read with openpyxl in read-only mode after a zip-bomb check.
"""

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import openpyxl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import ParsedFeed
from boi_ingest.domain.parsers.common import MappingError, RawEntry, build_item, collect, require_items
from boi_ingest.domain.unicode import byte_order_mark

MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
_FIELDS = ("title", "url", "text", "published_at", "deadline", "funder", "language")
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "titulo",
        "title",
        "nombre",
        "name",
        "convocatoria",
        "oportunidad",
        "nombre de la convocatoria",
    ),
    "url": ("url", "enlace", "link", "vinculo", "pagina", "sitio web", "web", "url de la convocatoria"),
    "text": ("descripcion", "description", "resumen", "summary", "detalle", "texto", "text"),
    "published_at": ("fecha de publicacion", "fecha publicacion", "publicada", "published", "fecha", "date"),
    "deadline": ("fecha de cierre", "fecha limite", "cierre", "deadline", "closing date", "fecha cierre"),
    "funder": ("entidad", "financiador", "oferente", "cooperante", "funder", "organizacion", "agency"),
    "language": ("idioma", "language", "lang"),
}


class TabularMapping(BaseModel):
    """Which column holds each field (by header), and how to read the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = Field(default=None, description="Header of the title column")
    url: str | None = Field(default=None, description="Header of the link column")
    text: str | None = Field(default=None, description="Header of the description column")
    published_at: str | None = Field(default=None, description="Header of the publication date column")
    deadline: str | None = Field(default=None, description="Header of the closing date column")
    funder: str | None = Field(default=None, description="Header of the funder column")
    language: str | None = Field(default=None, description="Header of the language column")
    sheet: str | None = Field(default=None, description="XLSX sheet (default: the first)")
    delimiter: str | None = Field(default=None, max_length=1, description="CSV delimiter (default: sniffed)")
    date_format: str | None = Field(default=None, description="strptime format of text dates, if not ISO")
    default_language: str | None = Field(default=None, description="Language when rows state none")


def resolve_mapping(mapping: object) -> TabularMapping:
    if mapping is None:
        return TabularMapping()
    if isinstance(mapping, TabularMapping):
        return mapping
    if not isinstance(mapping, Mapping):
        raise MappingError('a csv/xlsx mapping names columns, e.g. {"title": "Título", "url": "Enlace"}')
    try:
        return TabularMapping.model_validate(mapping)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise MappingError(f"invalid column mapping: {first['loc'][0]}: {first['msg']}") from None


def _key(header: object) -> str:
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _columns(header: Sequence[object], m: TabularMapping) -> dict[str, int]:
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for field in _FIELDS:
        named = getattr(m, field)
        wanted = (_key(named),) if named else _ALIASES[field]
        index = next((keys.index(w) for w in wanted if w in keys), None)
        if index is not None:
            found[field] = index
        elif named or field in ("title", "url"):
            columns = ", ".join(repr(str(h)) for h in header if h not in (None, ""))[:300]
            what = f"no column {named!r}" if named else "no column found by its usual names"
            raise MappingError(f"mapping field '{field}': {what} (columns: {columns})")
    return found


def parse_rows(rows: Iterable[Sequence[object]], m: TabularMapping, feed_type: str) -> ParsedFeed:
    """Items of a table whose first non-empty row is the header."""
    results = []
    columns: dict[str, int] | None = None
    for row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        if columns is None:
            columns = _columns(row, m)
            continue
        cells: dict[str, Any] = {f: row[i] if i < len(row) else None for f, i in columns.items()}
        entry = RawEntry(
            title=cells.get("title"),
            link=cells.get("url"),
            text=cells.get("text"),
            language=cells.get("language") or m.default_language,
            published_at=cells.get("published_at"),
            funder=cells.get("funder"),
            deadline=cells.get("deadline"),
        )
        results.append(build_item(entry, date_format=m.date_format))
    if columns is None:
        raise FeedError(f"empty {feed_type.upper()}: no header row")
    return require_items(collect(results, feed_type), feed_type.upper())


def decode_text(content: bytes) -> tuple[str, str | None]:
    """The text of a CSV, and a note when it was not plain UTF-8."""
    bom = byte_order_mark(content)
    if bom is not None and bom[0] != "utf-8":  # UTF-16 or UTF-32, as Windows tools save it
        encoding, skip = bom
        return content[skip:].decode(encoding, errors="replace"), None
    if b"\x00" in content[:8192]:
        raise FeedError("not a text CSV: it contains NUL bytes (binary, or UTF-16 without a byte order mark)")
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    lines, legacy = [], 0
    for line in content.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            legacy += 1
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                lines.append(line.decode("latin-1"))
    return "".join(lines), f"not UTF-8: {legacy} line(s) read as Windows-1252/Latin-1"


def _delimiter(text: str) -> str:
    """The separator the header line uses most: `,`, `;` (Excel in Spanish), tab or `|`."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(",;\t|", key=header.count)


def parse_csv(document: bytes, mapping: object = None) -> ParsedFeed:
    m = resolve_mapping(mapping)
    text, note = decode_text(document)
    delimiter = m.delimiter or _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        parsed = parse_rows(reader, m, "csv")
    except csv.Error as exc:
        raise FeedError(f"unreadable CSV at line {reader.line_num}: {exc}") from None
    return ParsedFeed(parsed.feed_type, parsed.items, parsed.skipped, warning=note)


def _check_zip(document: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(document)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FeedError("not an XLSX workbook (not a zip archive); for CSV use type csv") from None
    if size > MAX_XLSX_UNCOMPRESSED:
        raise FeedError(f"refused: the workbook unpacks to {size} bytes (zip bomb?); split it")


def _unreadable(exc: BaseException) -> str:
    """One line naming the root cause (openpyxl wraps defusedxml's refusal of entities in a ValueError)."""
    while (cause := exc.__cause__ or exc.__context__) is not None:
        exc = cause
    return " ".join(f"not a readable XLSX workbook: {type(exc).__name__}: {exc}".split())[:300]


def _sheet_rows(document: bytes, sheet: str | None) -> Iterator[tuple[object, ...]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(document), read_only=True, data_only=True)
    except Exception as exc:
        raise FeedError(_unreadable(exc)) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            names = ", ".join(repr(n) for n in book.sheetnames)
            raise MappingError(f"mapping field 'sheet': no sheet {sheet!r} (sheets: {names})")
        yield from (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
    finally:
        book.close()


def parse_xlsx(document: bytes, mapping: object = None) -> ParsedFeed:
    m = resolve_mapping(mapping)
    _check_zip(document)
    try:
        return parse_rows(_sheet_rows(document, m.sheet), m, "xlsx")
    except FeedError:
        raise
    except Exception as exc:  # a malformed sheet surfaces while rows are read
        raise FeedError(_unreadable(exc)) from None
