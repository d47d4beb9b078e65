"""What a correction email tells: the fields of a call a subscriber relies on that changed, old → new."""

from boi_notify.domain.dates import closes
from boi_notify.domain.subscription import ELIGIBILITY_LABELS_ES
from boi_shared.events import CallPublished, PublicCall

STATUS_LABELS = {"retirada": "retirada", "publicada": "publicada", "cierra_pronto": "cierra pronto"}


def corrections(previous: PublicCall | None, event: CallPublished) -> list[tuple[str, str, str]]:
    """(label, old, new) per changed field; empty when nothing a recipient relies on changed (a closing
    by date, a new summary or a first publication is not a correction)."""
    if event.change == "withdrawn":
        old = STATUS_LABELS.get(previous.status, previous.status) if previous else "publicada"
        return [("Estado", old, "retirada: ya no recibe postulaciones")]
    if event.change != "updated" or previous is None:
        return []
    now = event.call
    changes: list[tuple[str, str, str]] = []
    if previous.deadline != now.deadline:
        changes.append(("Fecha de cierre", closes(previous.deadline), closes(now.deadline)))
    if previous.colombia_eligible != now.colombia_eligible:
        changes.append(
            (
                "Elegibilidad para Colombia",
                ELIGIBILITY_LABELS_ES[previous.colombia_eligible.value],
                ELIGIBILITY_LABELS_ES[now.colombia_eligible.value],
            )
        )
    return changes
