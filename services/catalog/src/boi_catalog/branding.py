"""The brand of this catalog process (`boi_shared.branding`: the `BOI_BRAND_*` settings, shared with
notify), set once by the web layer's `mount` and read by templates, feeds, the PDF edition and cards."""

from boi_shared.branding import LOGO_TYPES, MAX_LOGO_BYTES, Brand, BrandingSettings

__all__ = ["LOGO_TYPES", "MAX_LOGO_BYTES", "Brand", "BrandingSettings", "CurrentBrand", "current", "use"]

_CURRENT: list[Brand] = [Brand()]


def current() -> Brand:
    """The brand of this process (set once by the web layer's `mount`; the default before)."""
    return _CURRENT[0]


def use(brand: Brand) -> None:
    _CURRENT[0] = brand


class CurrentBrand:
    """Templates read `brand.name`…: always the brand in use, whenever the template environment was made."""

    def __getattr__(self, name: str) -> object:
        return getattr(current(), name)
