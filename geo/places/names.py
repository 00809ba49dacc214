"""Place-name normalisation: the keys the gazetteer matches on.

:func:`normalise_name` folds case, diacritics, scripts, punctuation and the
usual transliteration variants of Afghan and Pakistani names into one key, so
``Mazar-i-Sharif``, ``Mazār-e Sharīf`` and ``مزار شریف`` meet. :func:`match_key`
is the same key without spaces.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

from anyascii import anyascii

__all__ = ["match_key", "normalise_name"]


_APOSTROPHES = "'`´‘’‛ʹʻʼʽʾʿˈˊˋˌ′"
_APOS_RE = re.compile("[" + re.escape(_APOSTROPHES) + "]")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
#: Persian/Pashto linking vowels written as separate words (Mazar-e Sharif).
_EZAFE = {"e", "i", "ye", "yi", "y", "ul", "ol"}
_ABAD = {"abad", "abaad", "obod", "abd"}
#: Transliteration variants unified in every word, in this order. The string
#: replacements run first (fast), then the context-dependent patterns.
_PLAIN_RULES: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("q", "k"),
    ("gh", "g"),
    ("v", "w"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
)
_C = "b-df-hj-np-tv-z"  # consonants
_REGEX_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"ow(?![aeiou])"), "o"),
    (re.compile(r"(?:ay|ey|ei)(?![aeiou])"), "ai"),
    (re.compile(rf"(?<=[{_C}])y(?![aeiouy])"), "i"),
)
_DOUBLE_RE = re.compile(r"([a-z])\1+")
_FINAL_H_RE = re.compile(r"(?<=[a-z]{2})[aiu]h\b")


def _canon(text: str) -> str:
    for old, new in _PLAIN_RULES:
        text = text.replace(old, new)
    for pattern, repl in _REGEX_RULES:
        text = pattern.sub(repl, text)
    text = text.replace("e", "i").replace("o", "u")
    text = _DOUBLE_RE.sub(r"\1", text)
    return _FINAL_H_RE.sub("a", text)


@functools.lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = _APOS_RE.sub("", s)
    if not s.isascii():
        s = _APOS_RE.sub("", anyascii(s))
    tokens = _NON_ALNUM_RE.sub(" ", s.casefold()).split()
    if len(tokens) > 2:
        last = len(tokens) - 1
        tokens = [t for k, t in enumerate(tokens) if not (t in _EZAFE and 0 < k < last)]
    merged: list[str] = []
    for t in tokens:
        if t in _ABAD and merged:
            merged[-1] += "abad"
        else:
            merged.append(t)
    return _canon(" ".join(merged))


def normalise_name(text: object) -> str:
    """Fold a place name to the canonical form used for matching.

    Steps: Unicode NFKC; apostrophes and ayn/hamza marks removed;
    transliteration to ASCII with ``anyascii`` (diacritics and non-Latin
    scripts, Arabic script included); case folding; any run of punctuation,
    hyphens or spaces becomes one space; the linking vowels of Persian/Pashto
    names written as words (``-e-``, ``-i-``, ``-ye-``) are dropped between
    words; ``-abad`` is joined to the word before it; then, per word, the
    common transliteration variants are unified: ``q→k``, ``gh→g``, ``ph→f``,
    ``v→w``, ``ee→i``, ``oo``/``ou→u``, ``ow→o`` before a consonant
    (Kowt/Kot), ``ay``/``ey``/``ei→ai`` before a consonant (Feyzabad/Faizabad),
    ``y`` between consonants ``→i``, ``e→i``, ``o→u``, doubled letters
    collapsed and a final ``ah``/``eh``/``ih`` written ``a`` (Qal'eh/Qala).

    The result is a key, not a spelling to show: ``"Mazār-e Sharīf"`` gives
    ``"mazar sharif"`` and ``"Feyzabad"`` gives ``"faizabad"``. Arabic-script
    names become consonant skeletons (``"مزار شریف"`` gives ``"mzr shrif"``) that
    meet the Arabic-script alternate names GeoNames records.

    Parameters
    ----------
    text : object
        A place name; ``None`` and non-text give ``""``.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_name("Mazār-e Sharīf")
    'mazar sharif'
    >>> normalise_name("Feyzabad") == normalise_name("Faiz Abad")
    True
    >>> normalise_name(None)
    ''
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _normalise(str(text))


def match_key(text: object) -> str:
    """:func:`normalise_name` without spaces: the key the index is built on.

    ``"Landi Kotal"`` and ``"Landikotal"`` share the key ``"landikutal"``.

    Examples
    --------
    >>> match_key("Landi Kotal"), match_key("Landikotal")
    ('landikutal', 'landikutal')
    """
    return normalise_name(text).replace(" ", "")
