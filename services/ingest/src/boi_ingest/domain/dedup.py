"""Near-duplicates: the same call announced by two portals under different URLs and slightly different
titles. Pure matching on signatures (normalized title tokens, years, deadlines, funders) with rapidfuzz.

Two signatures match when
- the years their titles state agree (a 2026 edition is never the 2027 one),
- known deadlines share a date and known funders look alike (either side may not state them), and
- their titles agree: at least two distinctive tokens in common (one if the shorter title of three or more
  words is wholly contained in the other) covering ≥ 80 % of the shorter title and a rapidfuzz token-set
  ratio ≥ 88 — or one distinctive token, ≥ 60 % and a ratio ≥ 75 when a deadline or funder also agrees.
Titles that each name something the other does not ("Becas Fulbright …" / "Becas Chevening …",
"Programa 1" / "Programa 2") never match, even with the same funder and deadline. Candidates come from
an inverted index on the rarest distinctive title tokens, so matching stays cheap at scale; a title made
only of very common words finds no candidate.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

_WORD = re.compile(r"[a-z0-9]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
STOPWORDS = frozenset(
    "a al and at by con de del des du e el en et for from in la las le les los of on or para por the "
    "to un una y da do das dos em na no pt es".split()
)
GENERIC = frozenset(
    "convocatoria convocatorias call calls open abierta abiertas nueva nuevo new announcement anuncio "
    "inscripcion inscripciones applications application aplica postula postulate apply programa program "
    "programme beca becas scholarship scholarships bourse bourses grant grants premio premios award awards "
    "curso cursos course courses fondo fondos fund funding".split()
)
"""Words every portal adds; they count for similarity but never bring candidates on their own."""
MAX_POSTING = 200
"""A token listed by more signatures than this is too common to look candidates up by."""
LOOKUP_KEYS = 2
"""Candidates come from the signature's rarest distinctive tokens (a true duplicate shares them)."""
MAX_CANDIDATES = 20


def _fold(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def _stem(token: str) -> str:
    if len(token) > 4 and token.endswith("es") and token[-3] in "rnlsd":
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def title_tokens(title: str) -> list[str]:
    """Folded (accents and case), de-pluralized title words without stop words, in order, unique."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(_fold(title)):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(_stem(word), None)
    return list(seen)


def _fold_funder(name: str) -> str:
    return " ".join(w for w in _WORD.findall(_fold(name)) if w not in STOPWORDS)


@dataclass(frozen=True)
class Signature:
    """What identifies a call across portals; `call_id` is the call it belongs to."""

    call_id: str
    tokens: tuple[str, ...]
    deadlines: frozenset[str] = frozenset()
    funders: tuple[str, ...] = ()
    item_id: str = ""
    source_id: str = ""
    """The source that announced it: entries of one source are never merged with each other (a portal
    that lists a call again under a new URL means a new notice, e.g. a re-advertisement)."""

    @classmethod
    def of(
        cls,
        call_id: str,
        title: str,
        deadlines: Iterable[str] = (),
        funders: Iterable[str] = (),
        item_id: str = "",
        source_id: str = "",
    ) -> "Signature":
        folded = tuple(f for f in (_fold_funder(n) for n in funders) if f)
        tokens = tuple(title_tokens(title))
        return cls(call_id, tokens, frozenset(deadlines), folded, item_id or call_id, source_id)

    @property
    def years(self) -> frozenset[str]:
        return frozenset(t for t in self.tokens if _YEAR.match(t))

    @property
    def keys(self) -> list[str]:
        """Distinctive tokens: what candidates are looked up by."""
        return [t for t in self.tokens if t not in GENERIC and not t.isdigit() and len(t) > 2]


def _funders_agree(a: Sequence[str], b: Sequence[str]) -> bool | None:
    if not a or not b:
        return None
    return any(fuzz.token_set_ratio(x, y) >= 85 for x in a for y in b)


def _conflict(extra_a: set[str], extra_b: set[str]) -> bool:
    """Whether both titles have a distinctive word the other lacks (spelling variants aside)."""
    a = [t for t in extra_a if t not in GENERIC and (len(t) > 2 or t.isdigit())]
    b = [t for t in extra_b if t not in GENERIC and (len(t) > 2 or t.isdigit())]
    if not a or not b:
        return False
    lone_a = [t for t in a if not any(fuzz.ratio(t, u) >= 85 for u in b)]
    lone_b = [u for u in b if not any(fuzz.ratio(u, t) >= 85 for t in a)]
    return bool(lone_a and lone_b)


def similar(a: Signature, b: Signature) -> bool:
    """Whether two signatures describe the same call (see the module docstring)."""
    if a.years != b.years and a.years and b.years:
        return False
    deadlines = bool(a.deadlines & b.deadlines) if a.deadlines and b.deadlines else None
    funders = _funders_agree(a.funders, b.funders)
    if deadlines is False or funders is False:
        return False
    corroborated = bool(deadlines or funders)
    sa, sb = set(a.tokens), set(b.tokens)
    common = sa & sb
    distinctive = [t for t in common if t not in GENERIC and not _YEAR.match(t)]
    if _conflict(sa - sb, sb - sa):
        return False  # each names something the other does not: two calls ("Becas X …" vs "Becas Y …")
    coverage = len(common) / min(len(sa), len(sb))
    # One distinctive word is enough when it is corroborated or the shorter title is wholly contained.
    if len(distinctive) < (1 if corroborated or (coverage == 1.0 and len(common) >= 3) else 2):
        return False
    ratio = fuzz.token_set_ratio(" ".join(sorted(sa)), " ".join(sorted(sb)))
    if corroborated:
        return coverage >= 0.6 and ratio >= 75
    return coverage >= 0.8 and ratio >= 88


@dataclass
class SignatureIndex:
    """Signatures in memory with an inverted index on their distinctive tokens."""

    signatures: dict[str, Signature] = field(default_factory=dict)
    postings: dict[str, set[str]] = field(default_factory=dict)

    def add(self, signature: Signature) -> None:
        self.signatures[signature.item_id] = signature
        for key in signature.keys:
            self.postings.setdefault(key, set()).add(signature.item_id)

    def match(self, signature: Signature) -> str | None:
        """The call id of the best earlier signature of another source's item that `similar` accepts."""
        postings = sorted(
            (p for key in signature.keys if 0 < len(p := self.postings.get(key, set())) <= MAX_POSTING),
            key=len,
        )
        if not postings:
            return None
        shared = Counter(item_id for posting in postings[:LOOKUP_KEYS] for item_id in posting)
        ranked = sorted(shared, key=lambda i: (-shared[i], i))
        for item_id in ranked[:MAX_CANDIDATES]:
            other = self.signatures[item_id]
            if signature.source_id and signature.source_id == other.source_id:
                continue
            if signature.call_id not in (other.call_id, other.item_id) and similar(signature, other):
                return other.call_id
        return None
