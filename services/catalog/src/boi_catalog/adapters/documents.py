"""The stored form of a call: its MongoDB document (`_id` = `call_id`).

FerretDB's cost per document follows its number of fields, not its bytes, so a document holds each
value once:
- empty values (None, [], {}) are left out and put back from the model's field types when read (the ~15
  empty fields of a typical call were a third of FerretDB's CPU per insert, 20,000 calls, tests/bench);
- the AI draft is stored as `ai`: only its values that differ from the call's own (a curator's edit, or
  an AI value left empty), since an unedited call states the same title, summary, type, deadline… twice.
  The draft held in full was another 28% of an insert (3.4 s → 2.45 s of FerretDB CPU per 20,000).
  Documents written before keep `enrichment` (the whole draft) and read as before; their next write
  replaces it with `ai`.
Queries are unaffected: MongoDB matches a missing field as it matches null, no query tests an empty array,
and none reads the AI draft.
"""

import types
from typing import Any, Union, get_origin

from pydantic import BaseModel

from boi_catalog.domain.call import AI_KEYS, EDITABLE_FIELDS, CatalogCall
from boi_shared.events import Enrichment

_NOT_STORED = ("call_id", "index_pending")
_AI_KEYS_OF_FIELDS = {AI_KEYS.get(field, field): field for field in EDITABLE_FIELDS}
"""AI draft key → the call's field holding the same value unless a curator (or the source) changed it."""


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """`values` without its None, [] and {} (by equality: 0, "" and False are kept)."""
    return {key: value for key, value in values.items() if value is not None and value != [] and value != {}}


def _empty_of(annotation: Any) -> Any:
    origin = get_origin(annotation) or annotation
    if origin in (Union, types.UnionType):
        return None
    if origin in (list, set, tuple):
        return []
    return {} if origin is dict else None


def _with_empties(
    values: dict[str, Any], model: type[BaseModel], skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    missing = {
        name: _empty_of(field.annotation)
        for name, field in model.model_fields.items()
        if name not in values and name not in skip
    }
    return {**values, **missing}


STORED_FIELDS = (*(name for name in CatalogCall.model_fields if name not in _NOT_STORED), "ai")
"""The fields a document may hold besides `_id` (an update unsets those it leaves out)."""


_AI_EMPTIES = {key: _empty_of(Enrichment.model_fields[key].annotation) for key in _AI_KEYS_OF_FIELDS}


def _ai_differences(enrichment: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The AI draft without what the call's fields repeat; a value differing only by being empty is kept
    (as None or []), since a missing key reads as "same as the call"."""
    out = _compact({key: value for key, value in enrichment.items() if key not in _AI_KEYS_OF_FIELDS})
    for key, field in _AI_KEYS_OF_FIELDS.items():
        value = enrichment.get(key, _AI_EMPTIES[key])
        if value != fields.get(field):
            out[key] = [] if value == [] else value  # never the shared empty list
    return out


def to_document(call: CatalogCall) -> dict[str, Any]:
    doc = call.model_dump(mode="python", exclude={*_NOT_STORED, "enrichment"})
    ai = _ai_differences(call.enrichment, doc)
    return {"_id": call.call_id, **_compact(doc), "ai": ai}


def from_document(doc: dict[str, Any]) -> CatalogCall:
    fields = {key: value for key, value in doc.items() if key not in ("_id", "ai", *_NOT_STORED)}
    fields = _with_empties(fields, CatalogCall, (*_NOT_STORED, "enrichment"))
    if "ai" in doc:
        same = {key: fields[field] for key, field in _AI_KEYS_OF_FIELDS.items() if key not in doc["ai"]}
        enrichment = {**doc["ai"], **same}
    else:  # written before the draft was stored as differences
        enrichment = fields.get("enrichment") or {}
    fields["enrichment"] = _with_empties(enrichment, Enrichment)
    return CatalogCall(call_id=doc["_id"], **fields)


def update_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The update that makes a stored call equal `doc` (a `to_document` result): set what it holds,
    unset the fields it leaves out (they became empty)."""
    body = {key: value for key, value in doc.items() if key != "_id"}
    gone = {name: "" for name in STORED_FIELDS if name not in body}
    return {"$set": body, "$unset": gone} if gone else {"$set": body}
