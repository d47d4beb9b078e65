"""Sample call and recorded model answers for the enrich tests (constructed by us, not a real call)."""

import copy
import secrets
from typing import Any

from pydantic import SecretStr

from boi_enrich.settings import Settings
from boi_shared.events import RawCall, SourceRef

SAMPLE_TEXT = (
    "El Servicio Alemán de Intercambio Académico (DAAD) abre la convocatoria de becas de maestría para "
    "profesionales de América Latina.  Pueden postularse ciudadanos de Colombia con título profesional y dos "
    "años de experiencia.\nLa beca cubre una mensualidad de 934 EUR, seguro médico y pasajes. "
    "La convocatoria cierra el 31 de julio de 2026. Documentos requeridos: hoja de vida, carta de motivación "
    "y dos cartas de recomendación. Las clases son presenciales en universidades alemanas."
)


def sample_call(url: str = "https://example.org/daad-maestria-2027", text: str = SAMPLE_TEXT) -> RawCall:
    return RawCall(
        url=url,
        title="Becas de maestría en Alemania 2027 – DAAD",
        text=text,
        language="es",
        content_hash="sample",
        sources=[SourceRef(source_id="test", source_type="manual", item_url=url)],
    )


VALID_ANSWER: dict[str, Any] = {
    "title_es": "Becas de maestría en Alemania 2027 (DAAD)",
    "summary_es": "El DAAD ofrece becas de maestría en Alemania para profesionales latinoamericanos. "
    "Cubre mensualidad, seguro y pasajes. Cierra el 31 de julio de 2026.",
    "call_type": "beca",
    "sectors": ["educación"],
    "ods": [4],
    "audience": ["ciudadania", "academia"],
    "modality": "presencial",
    "countries": ["América Latina", "Colombia"],
    "colombia_eligible": "si",
    "deadline": "2026-07-31",
    "deadline_tz": None,
    "opening_date": None,
    "amount": 934,
    "currency": "EUR",
    "funder": "DAAD",
    "required_documents": ["hoja de vida", "carta de motivación", "dos cartas de recomendación"],
    "language": "es",
    "evidence": [
        {
            "field": "call_type",
            "sentence": "El Servicio Alemán de Intercambio Académico (DAAD) abre la convocatoria de becas de "
            "maestría para profesionales de América Latina.",
            "confidence": 0.95,
        },
        {
            # whitespace and case differ from the text on purpose: the guard normalizes both
            "field": "colombia_eligible",
            "sentence": "pueden postularse ciudadanos de  Colombia con título profesional y dos años "
            "de experiencia.",
            "confidence": 0.9,
        },
        {
            "field": "deadline",
            "sentence": "La convocatoria cierra el 31 de julio de 2026.",
            "confidence": 0.95,
        },
        {
            "field": "amount",
            "sentence": "La beca cubre una mensualidad de 934 EUR, seguro médico y pasajes.",
            "confidence": 0.8,
        },
        {
            "field": "modality",
            "sentence": "Las clases son presenciales en universidades alemanas.",
            "confidence": 0.9,
        },
    ],
    "needs_review": False,
    "review_reasons": [],
}


def invented_deadline_answer() -> dict[str, Any]:
    """The valid answer with a deadline the text never states, evidenced by a sentence it does not hold."""
    answer = copy.deepcopy(VALID_ANSWER)
    answer["deadline"] = "2026-09-15"
    answer["evidence"][2] = {
        "field": "deadline",
        "sentence": "La convocatoria cierra el 15 de septiembre de 2026.",
        "confidence": 0.9,
    }
    return answer


# A random key of a real key's shape: the settings refuse placeholders and short keys.
TEST_OPENAI_KEY = "sk-" + secrets.token_urlsafe(32)


def openai_settings(base_url: str, model: str = "boi-test-model", **overrides: Any) -> Settings:
    """Settings of an openai → local chain against a local server, with short backoffs."""
    values: dict[str, Any] = {
        "enrich_provider": "openai",
        "enrich_fallback": ["local"],
        "openai_base_url": base_url,
        "openai_api_key": SecretStr(TEST_OPENAI_KEY),
        "openai_model": model,
        "openai_backoff_initial_seconds": 0.01,
        "openai_backoff_max_seconds": 5.0,
        "openai_max_retries": 2,
        "openai_timeout_seconds": 10.0,
        **overrides,
    }
    return Settings(**values)
