"""Language of a call's text, detected offline with py3langid (its model ships in the wheel; deterministic).

The detector is restricted to the languages calls are published in here (Spanish, English and the other
frequent languages of international offers), so short Spanish texts are not taken for Aragonese or
Galician. A stated language is kept when the text is too short or the detector is unsure.
"""

from functools import cache
from typing import Any

MIN_LETTERS = 30
"""Below this many letters the text says too little: the stated language (if any) is kept."""
MIN_CONFIDENCE = 0.80
SAMPLE_CHARS = 400
LANGUAGES = (
    "es", "en", "fr", "pt", "de", "it", "nl", "ca", "ru", "uk", "pl", "cs", "ro", "hu", "sv", "da",
    "no", "fi", "tr", "el", "he", "ar", "hi", "id", "vi", "th", "ja", "zh", "ko",
)  # fmt: skip


FUNCTION_WORDS = {
    "es": frozenset("el la los las del que y para con por una es en se al".split()),
    "en": frozenset("the and of to for in with is are on by this that be".split()),
    "fr": frozenset("le la les des du et pour avec une est dans sur aux au".split()),
    "pt": frozenset("o os as do da dos das que e para com uma em no na ao".split()),
}
"""Frequent short words of the four usual languages: a text full of one set and nearly free of the others
is decided without the statistical model (several times faster; the model decides every other case)."""


def _by_function_words(sample: str) -> str | None:
    words = sample.casefold().split()
    counts = sorted(((sum(w in s for w in words), code) for code, s in FUNCTION_WORDS.items()), reverse=True)
    (best, code), (second, _) = counts[0], counts[1]
    return code if best >= 8 and best >= 3 * second else None


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def load_model() -> None:
    """Load the detector's model now (≈ 0.4 s) rather than on the first call that needs it."""
    _identifier()


def detect_language(text: str, stated: str | None = None) -> str | None:
    """ISO 639-1 code of the text; the stated code when the text is short or the detection unsure."""
    sample = text[:SAMPLE_CHARS]
    if sum(map(str.isalpha, sample[:200])) < MIN_LETTERS:
        return stated
    if (quick := _by_function_words(sample)) is not None:
        return quick
    code, confidence = _identifier().classify(sample)
    if confidence >= MIN_CONFIDENCE:
        return str(code)
    if stated is not None:
        return stated
    return str(code) if confidence >= 0.5 else None
