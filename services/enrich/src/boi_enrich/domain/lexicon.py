"""Fast lexicon matching. Each alternative of a lexicon is indexed by the first three letters of its first
word, so a text is cut into words once and each word only tries the alternatives that can start there,
instead of one regex scan of the whole text per entry. Alternatives written in lower case match the folded
text; alternatives with capitals are acronyms matched case-sensitively on the raw text."""

import re
from collections.abc import Iterable
from typing import Generic, TypeVar

from boi_enrich.domain.text import Doc

K = TypeVar("K")
_LITERAL = re.compile(r"[a-zA-Z0-9]+")


def alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level bars (not inside groups, character classes or after a backslash)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*parts, pattern[start:]]


def _trigger(alternative: str) -> str | None:
    """The first three letters of the alternative (a two-letter word: itself), or None when it does not start
    with letters."""
    m = _LITERAL.match(alternative)
    if m is None:
        return None
    literal, rest = m.group(0), alternative[m.end() :]
    if rest[:1] in ("?", "*", "{"):
        literal = literal[:-1]  # "becas?": the last letter is optional
    elif len(literal) < 3 and not (rest == "" or rest[:1] == " " or rest[:2] == "\\b"):
        return None  # a short start that may run on into a longer word ("co-?financiamiento")
    return literal[:3] if len(literal) >= 2 else None


class Lexicon(Generic[K]):
    """Keys with their patterns; `find` returns every (key, start, end) in text order."""

    def __init__(self, entries: Iterable[tuple[K, str]], tail: str = r"(?![a-z0-9])") -> None:
        self.folded: dict[str, list[tuple[K, re.Pattern[str]]]] = {}
        self.raw: dict[str, list[tuple[K, re.Pattern[str]]]] = {}
        self.scan: list[tuple[K, re.Pattern[str], bool]] = []
        for key, pattern in entries:
            for alt in alternatives(pattern):
                cased = alt != alt.lower() and not alt.startswith("(?i)")
                compiled = re.compile(rf"(?:{alt}){tail}", re.MULTILINE)
                trigger = _trigger(alt)
                if trigger is None:
                    self.scan.append((key, compiled, cased))
                else:
                    (self.raw if cased else self.folded).setdefault(trigger, []).append((key, compiled))

    def find(self, doc: Doc, start: int = 0, end: int | None = None) -> list[tuple[K, int, int]]:
        stop = len(doc.raw) if end is None else end
        hits: list[tuple[K, int, int]] = []
        for cased, index in ((False, self.folded), (True, self.raw)):
            if not index:
                continue
            text, prefixes = (doc.raw, doc.raw_prefixes) if cased else (doc.low, doc.prefixes)
            for trigger in index.keys() & prefixes.keys():
                candidates = index[trigger]
                for pos in prefixes[trigger]:
                    if start <= pos < stop:
                        for key, pattern in candidates:
                            m = pattern.match(text, pos, stop)
                            if m is not None:
                                hits.append((key, pos, m.end()))
        for key, pattern, cased in self.scan:
            for m in pattern.finditer(doc.raw if cased else doc.low, start, stop):
                if m.start() == 0 or not doc.low[m.start() - 1].isalnum() or not doc.low[m.start()].isalnum():
                    hits.append((key, m.start(), m.end()))
        hits.sort(key=lambda h: h[1])
        return hits

    def first(self, doc: Doc, start: int = 0, end: int | None = None) -> tuple[K, int, int] | None:
        hits = self.find(doc, start, end)
        return hits[0] if hits else None
