"""The entity running this bulletin, from settings only (`BOI_BRAND_*`, shared by the catalog's site and
notify's emails and pages): its name, tagline, region, logo, colours, contact, data-protection controller,
hashtags and the labels of the call types. Another entity replicates BOI by setting these, never by editing
code (docs/replicate.md). Bad values stop the service
at start-up with a message naming the variable: a colour that is not `#rrggbb`, a logo that is missing,
not PNG/SVG or larger than `MAX_LOGO_BYTES`, a label for an unknown call type."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator
from starlette.exceptions import HTTPException
from starlette.responses import Response

from boi_shared.taxonomy import CALL_TYPE_LABELS_ES, CallType

MAX_LOGO_BYTES = 200_000
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class BrandingSettings(BaseModel):
    """Mixed into the catalog's and notify's `Settings` (same `BOI_` prefix, same values)."""

    brand_name: str = Field(
        default="BOI", min_length=1, max_length=60, description="Short name of the bulletin"
    )
    brand_tagline: str = Field(
        default="Boletín de Oferta Internacional", max_length=120, description="Shown beside the name"
    )
    brand_entity: str = Field(
        default="Oficina de Relaciones Internacionales",
        max_length=160,
        description="Entity publishing the bulletin (footer, PDF edition, cards)",
    )
    brand_region: str = Field(
        default="Bogotá y Colombia", max_length=80, description="Whom the calls are for"
    )
    brand_logo_path: str = Field(default="", description="PNG or SVG logo file (≤ 200 KB); empty: none")
    brand_primary_color: str = Field(default="#0b5cad", description="Header, buttons, links (#rrggbb)")
    brand_accent_color: str = Field(
        default="#f2b705", description="Highlights and the card's bands (#rrggbb)"
    )
    brand_contact_email: str = Field(
        default="", max_length=200, description="Contact address shown in the footer"
    )
    brand_privacy_controller: str = Field(
        default="",
        max_length=300,
        description="Data controller under Ley 1581 de 2012 (name, id, address), shown on every page",
    )
    brand_timezone: str = Field(
        default="America/Bogota", description="Time zone of the office: the hour a day's plan is announced"
    )
    brand_hashtags: str = Field(default="", description="Hashtags added to social drafts, comma-separated")
    brand_type_labels: dict[str, str] = Field(
        default_factory=dict, description='Labels of call types, JSON: {"beca": "Becas y ayudas", …}'
    )

    @field_validator("brand_primary_color", "brand_accent_color")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not _COLOUR.fullmatch(value):
            raise ValueError(f"{value!r} is not a colour: write it as #rrggbb, e.g. #0b5cad")
        return value.lower()

    @field_validator("brand_logo_path")
    @classmethod
    def _logo(cls, value: str) -> str:
        if not value:
            return value
        path = Path(value)
        if path.suffix.lower() not in LOGO_TYPES:
            raise ValueError(f"{value}: the logo must be a .png or .svg file")
        if not path.is_file():
            raise ValueError(f"{value}: no such file")
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise ValueError(f"{value} has {size:,} bytes: the logo may have at most {MAX_LOGO_BYTES:,}")
        return value

    @field_validator("brand_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone: use a name like America/Bogota") from None
        return value

    @field_validator("brand_type_labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - {t.value for t in CallType})
        if unknown:
            raise ValueError(f"unknown call types {unknown}: use {[t.value for t in CallType]}")
        return value


@dataclass(frozen=True)
class Brand:
    """What pages, feeds, the PDF edition, cards and drafts show of the entity."""

    name: str = "BOI"
    tagline: str = "Boletín de Oferta Internacional"
    entity: str = "Oficina de Relaciones Internacionales"
    region: str = "Bogotá y Colombia"
    primary: str = "#0b5cad"
    accent: str = "#f2b705"
    contact_email: str = ""
    privacy_controller: str = ""
    timezone: str = "America/Bogota"
    hashtags: tuple[str, ...] = ()
    type_labels: dict[str, str] = field(default_factory=dict)
    logo: bytes = b""
    logo_type: str = ""

    @classmethod
    def from_settings(cls, settings: BrandingSettings | None) -> "Brand":
        if settings is None:
            return cls()
        s = settings
        logo = Path(s.brand_logo_path).read_bytes() if s.brand_logo_path else b""
        return cls(
            name=s.brand_name,
            tagline=s.brand_tagline,
            entity=s.brand_entity,
            region=s.brand_region,
            primary=s.brand_primary_color,
            accent=s.brand_accent_color,
            contact_email=s.brand_contact_email,
            privacy_controller=s.brand_privacy_controller,
            timezone=s.brand_timezone,
            hashtags=tuple(t.strip() for t in s.brand_hashtags.split(",") if t.strip()),
            type_labels=dict(s.brand_type_labels),
            logo=logo,
            logo_type=LOGO_TYPES.get(Path(s.brand_logo_path).suffix.lower(), ""),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def type_label(self, call_type: str | None) -> str:
        if not call_type:
            return "Sin clasificar"
        if call_type in self.type_labels:
            return self.type_labels[call_type]
        try:
            return CALL_TYPE_LABELS_ES[CallType(call_type)]
        except ValueError:
            return call_type

    def css(self) -> str:
        """The stylesheet `/marca.css`: the entity's colours over the site's defaults."""
        return (
            f":root {{ --accent: {self.primary}; --brand-accent: {self.accent}; }}\n"
            f".top {{ background: {self.primary}; border-bottom: 4px solid {self.accent}; }}\n"
        )


def logo_response(brand: Brand) -> Response:
    """`GET …/marca/logo` of every service that shows pages (each serves it on its own origin, which its
    strict `img-src 'self'` allows). An SVG logo is served as an image with a sandboxing policy: a script
    inside it never runs."""
    if not brand.logo:
        raise HTTPException(status_code=404)
    headers = {
        "Cache-Control": "max-age=300",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    return Response(brand.logo, media_type=brand.logo_type, headers=headers)
