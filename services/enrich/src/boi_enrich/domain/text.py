"""Text units for the offline rules: an accent-free lower-case copy that keeps every offset, and the lines
and sentences of a call with their positions, so that a match can always quote its source sentence."""

import re
import unicodedata
from bisect import bisect_right
from functools import cached_property

_PUNCT = {0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "-", 0x2212: "-"}
_PUNCT |= {0x00A0: " ", 0x2009: " ", 0x202F: " "}


def _fold_char(c: str) -> str:
    base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x)).lower()
    if len(base) == 1:
        return base
    low = c.lower()
    return low if len(low) == 1 else c


_TABLE: dict[int, str] = {i: _fold_char(chr(i)) for i in range(0x80, 0x250)} | _PUNCT


def fold(text: str) -> str:
    """Lower case without accents (``Límite`` → ``limite``), same length as `text` so offsets carry over."""
    out = text.translate(_TABLE).lower()
    if len(out) != len(text):  # a rare character whose lower case is longer: fold one by one
        out = "".join(_TABLE.get(ord(c), c.lower() if len(c.lower()) == 1 else c) for c in text)
    return out


_LINE = re.compile(r"[^\n]*\S[^\n]*")
# A sentence ends at . ! ? ; followed by space and something that is not a lower-case letter.
_SENTENCE_END = re.compile(r"[.!?;]+[\"'”’)»]*(?=\s+[^\sa-záéíóúñü])")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_NOT_SPACE = re.compile(r"\S")
_PREFIX = re.compile(r"\b(\w{1,3})\w*")
_CAPITAL_PREFIX = re.compile(r"\b([A-Z]\w{0,2})\w*")


def squash(text: str) -> str:
    """Collapse runs of whitespace into one space."""
    return _SPACES.sub(" ", text).strip()


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _prefixes(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for m in _PREFIX.finditer(text):
        index.setdefault(m.group(1), []).append(m.start())
    return index


class Doc:
    """A call's text (title first) with its folded copy, lines and sentences."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.low = fold(raw)
        self.lines: list[tuple[int, int]] = [(m.start(), m.end()) for m in _LINE.finditer(raw)]
        self._line_starts = [s for s, _ in self.lines]

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans, never across lines, leading spaces skipped."""
        ends = [m.end() for m in _SENTENCE_END.finditer(self.raw)]
        spans: list[tuple[int, int]] = []
        k = 0
        for ls, le in self.lines:
            start = _NOT_SPACE.search(self.raw, ls, le)
            s = start.start() if start else ls
            while k < len(ends) and ends[k] <= s:
                k += 1
            while k < len(ends) and ends[k] < le:
                spans.append((s, ends[k]))
                nxt = _NOT_SPACE.search(self.raw, ends[k], le)
                s = nxt.start() if nxt else le
                k += 1
            if s < le:
                spans.append((s, le))
        return spans

    @cached_property
    def prefixes(self) -> dict[str, list[int]]:
        """Where each word starts, by its first three letters (folded text): see `Lexicon`."""
        return _prefixes(self.low)

    @cached_property
    def raw_prefixes(self) -> dict[str, list[int]]:
        """The same for words written with a capital (acronyms are matched case-sensitively)."""
        index: dict[str, list[int]] = {}
        for m in _CAPITAL_PREFIX.finditer(self.raw):
            index.setdefault(m.group(1), []).append(m.start())
        return index

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s for s, _ in self.sentences]

    def line_index(self, pos: int) -> int:
        return max(0, bisect_right(self._line_starts, pos) - 1)

    def line_text(self, index: int, folded: bool = False) -> str:
        s, e = self.lines[index]
        return (self.low if folded else self.raw)[s:e]

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect_right(self._sentence_starts, pos) - 1)

    def sentence_span(self, pos: int) -> tuple[int, int]:
        return self.sentences[self.sentence_index(pos)] if self.sentences else (0, len(self.raw))

    def sentence_at(self, pos: int, limit: int = 300) -> str:
        """The sentence around `pos`, whitespace collapsed, cut to `limit` characters around `pos`."""
        s, e = self.sentence_span(pos)
        if e - s > limit:
            s = max(s, min(pos - limit // 3, e - limit))
            e = min(e, s + limit)
        return squash(self.raw[s:e])

    def mask(self, spans: list[tuple[int, int]]) -> "Doc":
        """A copy where the given spans are blanked out (same length, so offsets stay valid)."""
        chars = list(self.raw)
        for s, e in spans:
            for i in range(s, e):
                if chars[i] != "\n":
                    chars[i] = " "
        return Doc("".join(chars))
