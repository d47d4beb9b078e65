"""Renders the emails: Jinja2 HTML and plain-text parts, CSS inlined by `css-inline` (mail clients drop
<style> blocks), es-CO dates, links to the public site tagged with UTM parameters."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import css_inline
from jinja2 import Environment, PackageLoader, select_autoescape

from boi_notify.domain.dates import closes, period_label
from boi_notify.domain.mail import Kind, Mail
from boi_notify.domain.subscription import ELIGIBILITY_LABELS_ES, Topic
from boi_shared.branding import Brand
from boi_shared.events import BulletinPublished, PublicCall

FREQUENCY_LABELS = {"inmediata": "al publicarse", "diaria": "resumen diario", "semanal": "resumen semanal"}


def utm(url: str, campaign: str) -> str:
    """The link with `utm_source=boi&utm_medium=email&utm_campaign=…` added (other parameters kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    query += [("utm_source", "boi"), ("utm_medium", "email"), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Footer:
    """The links every subscription email carries."""

    topic: Topic
    frequency: str
    manage_url: str
    unsubscribe_url: str


class MailRenderer:
    """Every email carries the entity's brand (`BOI_BRAND_*`, as on the site): name, logo (served by the
    site at `/marca/logo`), colours, contact and the data controller."""

    def __init__(self, privacy_url: str, brand: Brand | None = None, site_url: str = "") -> None:
        self.env = Environment(
            loader=PackageLoader("boi_notify", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.privacy_url = privacy_url
        self.brand = brand or Brand()
        self.logo_url = f"{site_url.rstrip('/')}/marca/logo" if self.brand.logo and site_url else ""
        self.inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)

    def _mail(self, to: str, subject: str, template: str, headers: dict[str, str], **ctx: Any) -> Mail:
        ctx = {
            **ctx,
            "subject": subject,
            "privacy_url": self.privacy_url,
            "brand": self.brand,
            "logo_url": self.logo_url,
        }
        html = self.inliner.inline(self.env.get_template(f"emails/{template}.html").render(ctx))
        text = self.env.get_template(f"emails/{template}.txt").render(ctx)
        return Mail(to=to, subject=subject, text=text, html=html, headers=headers)

    def _footer(self, footer: Footer) -> tuple[dict[str, str], dict[str, Any]]:
        headers = {  # RFC 8058: a POST to this URL unsubscribes at once, without a page
            "List-Unsubscribe": f"<{footer.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        ctx = {
            "topic": footer.topic.describe(),
            "frequency": FREQUENCY_LABELS[footer.frequency],
            "manage_url": footer.manage_url,
            "unsubscribe_url": footer.unsubscribe_url,
        }
        return headers, ctx

    def calls(
        self, to: str, kind: Kind, calls: Sequence[PublicCall], footer: Footer, period: str = ""
    ) -> Mail:
        """An instant alert (one call) or a digest (every call of the period)."""
        headers, ctx = self._footer(footer)
        if kind is Kind.ALERT:
            subject = f"Nueva convocatoria: {calls[0].title}"[:150]
            heading, intro = "Nueva convocatoria para ti", f"Coincide con tu tema: {ctx['topic']}."
        elif kind is Kind.REMINDER:
            soon = "mañana" if period == "1" else f"en {period} días"
            subject = f"Cierra {soon}: {calls[0].title}"[:150]
            heading, intro = f"Cierra {soon}", "Te la enviamos y su plazo está por vencer."
        else:
            noun = "convocatoria nueva" if len(calls) == 1 else "convocatorias nuevas"
            when = period_label(footer.frequency, period)
            subject = f"{len(calls)} {noun} · {FREQUENCY_LABELS[footer.frequency].capitalize()} {when}"
            heading, intro = subject, f"Publicadas {when}, para tu tema: {ctx['topic']}."
        cards = [_card(c, kind, self.brand) for c in calls]
        return self._mail(to, subject, "calls", headers, heading=heading, intro=intro, calls=cards, **ctx)

    def correction(
        self, to: str, call: PublicCall, changes: Sequence[tuple[str, str, str]], footer: Footer
    ) -> Mail:
        headers, ctx = self._footer(footer)
        withdrawn = call.status == "retirada"
        subject = f"{'Retirada' if withdrawn else 'Cambió'}: {call.title}"[:150]
        heading = (
            "Una convocatoria que te enviamos fue retirada" if withdrawn else "Corrección de una convocatoria"
        )
        cards = [_card(call, Kind.CORRECTION, self.brand)]
        return self._mail(
            to, subject, "correction", headers, heading=heading, changes=changes, calls=cards, **ctx
        )

    def bulletin(self, to: str, bulletin: BulletinPublished, footer: Footer) -> Mail:
        """The week's bulletin approved by a curator: its title, introduction and calls, with links to its
        page and its PDF edition."""
        headers, ctx = self._footer(footer)
        cards = [_card(c.call, Kind.BULLETIN, self.brand) for c in bulletin.calls]
        return self._mail(
            to,
            f"{self.brand.name}: {bulletin.title}"[:150],
            "bulletin",
            headers,
            heading=bulletin.title,
            intro=bulletin.intro,
            page_url=utm(bulletin.public_url, Kind.BULLETIN.value),
            pdf_url=utm(bulletin.pdf_url, Kind.BULLETIN.value) if bulletin.pdf_url else "",
            calls=cards,
            **ctx,
        )

    def confirmation(self, to: str, url: str, topics: Sequence[Topic]) -> Mail:
        names = "; ".join(t.describe() for t in topics)
        return self._mail(
            to,
            f"Confirma tu suscripción a {self.brand.name}",
            "link",
            {},
            heading="Confirma tu suscripción",
            lines=[
                f"Pediste recibir convocatorias sobre {names}.",
                "No te enviaremos nada hasta que confirmes.",
            ],
            url=url,
            button="Confirmar mi suscripción",
            note="El enlace vence en 7 días. Si no pediste esta suscripción, ignora este correo.",
        )

    def manage_link(self, to: str, url: str) -> Mail:
        return self._mail(
            to,
            f"Tus suscripciones en {self.brand.name}",
            "link",
            {},
            heading="Tus suscripciones y tus datos",
            lines=["Desde este enlace puedes ver tus suscripciones, darte de baja o borrar todos tus datos."],
            url=url,
            button="Gestionar mis suscripciones",
            note="Si no lo pediste, ignora este correo.",
        )


def _card(call: PublicCall, kind: Kind, brand: Brand) -> dict[str, str]:
    return {
        "title": call.title,
        "summary": call.summary,
        "link": utm(call.public_url or call.url, kind.value),
        "type_label": brand.type_label(call.call_type.value) if call.call_type else "Convocatoria",
        "closes": closes(call.deadline),
        "eligibility": ELIGIBILITY_LABELS_ES[call.colombia_eligible.value],
    }
