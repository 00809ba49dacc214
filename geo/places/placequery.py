"""Free-text locations as people write them, turned into names to look up.

Files rarely hold a bare place name. Hand-made sheets and news-based lists
write ``Near Wana``, ``Mir Ali (Near Afghan Border)``, ``Saidgai village-
115km north of Wana``, ``Hisukhel Area of Mir Ali`` or ``Tappi Village- 15 km
east of Miranshah``. :func:`place_queries` reads such a text into the names
to try, most specific first, each saying how it was derived:

* the whole text as written (``Bazar-e Panjvai`` and ``Karachi-North
  Nazimabad`` are names, hyphen and all);
* qualifiers stripped: ``near``, ``outskirts of``, ``village in``, a
  parenthesis such as ``(Near Afghan Border)``, trailing ``area``,
  ``tehsil``, ``agency``. A place found that way is near the name, not at
  it: :attr:`PlaceQuery.qualified` is True and the geocoder gives it
  precision 2 at best;
* the parts of a compound (``A- B``, ``A, B``, ``A/B``, ``A of B``, ``A in
  B``, ``A near B``): ``A`` first (the specific place), then ``B`` (where it
  lies, qualified);
* a distance and direction from a named place (``15 km east of
  Miranshah``): the named place with :attr:`PlaceQuery.offset_km` and
  :attr:`PlaceQuery.bearing_deg`, for the geocoder to move the point.

Words such as ``village`` or ``town`` after a name are dropped without
lowering the precision: ``Damadola Village`` is Damadola.

>>> [q.name for q in place_queries("Near Wana")]
['Near Wana', 'Wana']
>>> q = place_queries("Tappi village- 15 km east of Miranshah")[-1]
>>> q.name, q.offset_km, q.bearing_deg, q.qualified
('Miranshah', 15.0, 90.0, True)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["PlaceQuery", "place_queries"]


@dataclass(frozen=True)
class PlaceQuery:
    """One name to look up for a free-text location.

    Attributes
    ----------
    name : str
        The text to look up.
    qualified : bool
        The location is near or around ``name`` (a qualifier was stripped,
        or ``name`` is the larger place a compound names), not at it.
    offset_km, bearing_deg : float or None
        The text places the location this far from ``name`` in this
        direction (degrees clockwise from north).
    note : str
        What was stripped, in words, for messages (``"near"``, ``"15 km east
        of"``); empty for the text as written.
    """

    name: str
    qualified: bool = False
    offset_km: float | None = None
    bearing_deg: float | None = None
    note: str = ""


_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "twenty five": 25, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70,
}  # fmt: skip
_BEARINGS = {
    "north": 0.0, "northeast": 45.0, "east": 90.0, "southeast": 135.0,
    "south": 180.0, "southwest": 225.0, "west": 270.0, "northwest": 315.0,
    "n": 0.0, "ne": 45.0, "e": 90.0, "se": 135.0, "s": 180.0, "sw": 225.0,
    "w": 270.0, "nw": 315.0,
}  # fmt: skip
_NUM = r"\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBERS, key=len, reverse=True))
_DIR = r"(?:north|south)[\s-]?(?:east|west)|north|south|east|west|ne|nw|se|sw"
_OFFSET_RE = re.compile(
    rf"(?i)(?P<left>^|.*?\s)(?:(?:some|about|around|approximately|roughly|nearly|almost)\s+)?"
    rf"(?P<num>{_NUM})\s*(?:km|kms|kilometers?|kilometres?)\b\.?"
    rf"\s*(?:to\s+the\s+)?(?P<dir>{_DIR})?\s*(?:of|from)\s+(?P<anchor>.+)$"
)
#: "(six miles)" after a distance in kilometres: the same distance again.
_MILES_RE = re.compile(r"(?i)(km|kms|kilomet(?:er|re)s?)\.?\s*\([^()]*\bmiles?\)")
#: Words before a name that make the location approximate.
_LEADING_QUALIFIERS = re.compile(
    r"(?i)^(?:(?:near(?:by)?|close\s+to|around|outside|outskirts\s+of|on\s+the\s+outskirts\s+of|"
    r"vicinity\s+of|in\s+the\s+vicinity\s+of|border\s+of|adjacent\s+to|tehsil|district)\b\s*)+"
)
#: A parenthesis that only qualifies (``(Near Afghan Border)``): not a place of its own.
_QUALIFIER_ONLY = re.compile(r"(?i)^\s*(?:near|close\s+to|on\s+the|along|border|adjacent)\b")
#: A word before "of" that makes the place after it approximate.
_QUALIFIER_WORD = re.compile(r"(?i)^\s*(?:the\s+)?(?:outskirts|vicinity|environs|surroundings)\s*$")
#: Parts that name no place at all once the noise is gone.
_NOTHING = re.compile(
    r"(?i)^(?:a|an|the|some|main|house|houses|village|area|town|city|market|bazaar|compound|"
    r"is|was|about|located|situated|\s)*$"
)
#: Words before a name that say nothing about precision.
_LEADING_NOISE = re.compile(
    r"(?i)^(?:(?:a|an|the|some|main|town|village|city|house|compound|market|bazaar|area|"
    r"in|at|of)\b\s*)+"
)
#: Feature words after a name that make it approximate (an area, not a point).
_TRAILING_AREAS = re.compile(
    r"(?i)\s*\b(?:areas?|region|surroundings|outskirts|tehsil|sub[\s-]?division|district|"
    r"tribal\s+agency|agency|valley|mountains?|range|border|border\s+area)\s*$"
)
#: Feature words after a name that do not change what it names.
_TRAILING_NOISE = re.compile(
    r"(?i)\s*\b(?:villages?|town|city|bazaa?r|market|kalay|kili|is|was|about|located|situated)\s*$"
)
#: Compound separators: ``A- B``, ``A -B``, ``A, B``, ``A/B``, ``A; B``. A
#: hyphen inside a word (``Tapai-Miranshah``) also separates, except the
#: linking vowel of Persian and Pashto names (``Bazar-e Panjvai``, ``Qala-i-Naw``).
_SPLIT_RE = re.compile(
    r"\s*[,;/|]\s*|\s+-+\s*|\s*-+\s+"
    r"|(?<!\be)(?<!\bi)(?<!\bye)(?<!\byi)(?<!\bul)(?<!\bol)(?<!\bo)(?<!\ba)"
    r"-(?!(?:e|i|ye|yi|ul|ol|o|a)\b)(?=[^\W\d_]{3,})"
)
_LINK_RE = re.compile(r"(?i)\s+\b(?:of|in|near|at|on|inside|outside|from)\b\s+")
_PAREN_RE = re.compile(r"\(([^()]*)\)?")
_CLEAN_RE = re.compile(r"[^\w\s'’‘`\-,;/().|]+", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = _CLEAN_RE.sub(" ", s)
    return _SPACE_RE.sub(" ", s).strip(" -,;/.")


def _bearing(word: str | None) -> float | None:
    if not word:
        return None
    return _BEARINGS.get(re.sub(r"[\s-]", "", word.casefold()))


def _number(text: str) -> float:
    text = text.casefold()
    return float(_NUMBERS[text]) if text in _NUMBERS else float(text)


def _strip(part: str) -> tuple[str, bool, str]:
    """A part without its qualifiers: ``(name, qualified, note)``."""
    name, notes = part.strip(), []
    m = _LEADING_QUALIFIERS.match(name)
    if m and m.end() < len(name):
        notes.append(m.group(0).strip().casefold())
        name = name[m.end() :]
    for _ in range(3):
        before = name
        name = _LEADING_NOISE.sub("", name) or name
        stripped = _TRAILING_AREAS.sub("", name)
        if stripped and stripped != name:
            notes.append(name[len(stripped) :].strip().casefold())
            name = stripped
        name = _TRAILING_NOISE.sub("", name) or name
        if name == before:
            break
    return name.strip(" -,;/."), bool(notes), " ".join(notes)


def _offset(part: str) -> tuple[str, PlaceQuery] | None:
    """``(text before, anchor query)`` when ``part`` gives a distance from a place."""
    m = _OFFSET_RE.match(part.strip())
    if not m:
        return None
    anchor, _, _ = _strip(m.group("anchor"))
    if not anchor:
        return None
    km = _number(m.group("num"))
    bearing = _bearing(m.group("dir"))
    words = f"{km:g} km {m.group('dir').casefold() + ' ' if m.group('dir') else ''}of"
    if bearing is None:  # "10 km from X": a distance without a direction
        return m.group("left"), PlaceQuery(anchor, True, None, None, words)
    return m.group("left"), PlaceQuery(anchor, True, km, bearing, words)


def _pieces(text: str) -> list[tuple[str, bool] | PlaceQuery]:
    """The parts of a compound, most specific first.

    Each is ``(part, is_the_larger_place)``, or a ready :class:`PlaceQuery`
    for a distance from a place.
    """
    out: list[tuple[str, bool] | PlaceQuery] = []
    for k, part in enumerate(p for p in _SPLIT_RE.split(text) if p and p.strip()):
        offset = _offset(part)
        if offset is not None:
            left, query = offset
            if left.strip():
                out.append((left, k > 0))
            out.append(query)
            continue
        pending = ""
        for j, p in enumerate(x for x in _LINK_RE.split(part) if x.strip()):
            if _QUALIFIER_WORD.match(p):  # "outskirts of X", "vicinity of X"
                pending = p.strip().casefold()
                continue
            out.append(
                PlaceQuery(p, True, None, None, f"{pending} of") if pending else (p, k > 0 or j > 0)
            )
            pending = ""
    return out


@functools.lru_cache(maxsize=65536)
def place_queries(text: str) -> tuple[PlaceQuery, ...]:
    """The names to look up for a free-text location, most specific first.

    Parameters
    ----------
    text : str
        A location as the file gives it.

    Returns
    -------
    tuple of PlaceQuery
        The text as written first, then the forms described in the module
        docstring, without repeats. Empty for empty text.

    Examples
    --------
    >>> [(q.name, q.qualified) for q in place_queries("Mir Ali (Near Afghan Border)")]
    [('Mir Ali (Near Afghan Border)', False), ('Mir Ali', True)]
    >>> [q.name for q in place_queries("Hisukhel Area of Mir Ali")]
    ['Hisukhel Area of Mir Ali', 'Hisukhel', 'Mir Ali']
    """
    raw = _clean(_MILES_RE.sub(r"\1", str(text)))
    if not any(ch.isalpha() for ch in raw):
        return ()
    out: dict[str, PlaceQuery] = {raw.casefold(): PlaceQuery(raw)}

    def add(query: PlaceQuery) -> None:
        if len(query.name) > 1 and not _NOTHING.match(query.name):
            out.setdefault(query.name.casefold(), query)

    inner = [m.group(1).strip() for m in _PAREN_RE.finditer(raw) if (m.group(1) or "").strip()]
    base = _SPACE_RE.sub(" ", _PAREN_RE.sub(" ", raw)).strip()
    sources = [(base, bool(inner))]
    sources += [(p, True) for p in inner if not _QUALIFIER_ONLY.match(p)]
    for source, qualified_source in sources:
        for piece in _pieces(source):
            if isinstance(piece, PlaceQuery):
                if piece.offset_km is None and piece.note.endswith(" of"):
                    piece = PlaceQuery(_strip(piece.name)[0], True, None, None, piece.note)
                add(piece)
                continue
            part, larger = piece
            name, qualified, note = _strip(part)
            if not note and qualified_source:
                note = "with a qualifier in parentheses"
            if not note and larger:
                note = "in or near"
            add(PlaceQuery(name, qualified or larger or qualified_source, None, None, note))
    return tuple(out.values())
