"""One alias table for armed groups, shared by incidents and the claims ledger.

Reports name the same group many ways (``ISIS-K``, ``ISKP``, ``Islamic State
Khorasan Province``). Everything that compares groups -- presence states,
corroboration of a claim by incidents -- goes through :func:`canonical_group`
so that the spellings meet on one name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Canonical name -> the spellings that mean it (the canonical name included).
GROUP_ALIASES: dict[str, tuple[str, ...]] = {
    "IS-KP": (
        "IS-KP",
        "ISKP",
        "ISIS-K",
        "ISIS-KP",
        "IS-K",
        "ISK",
        "Islamic State Khorasan Province",
        "Islamic State Khorasan",
        "Islamic State - Khorasan Province",
        "Islamic State in Khorasan Province",
        "Daesh Khorasan",
        "Wilayat Khorasan",
    ),
    "TTP": (
        "TTP",
        "Tehreek-e-Taliban Pakistan",
        "Tehrik-i-Taliban Pakistan",
        "Tehrik-e-Taliban Pakistan",
        "Pakistani Taliban",
        "Fitna al-Khawarij",
    ),
    "al-Qaeda": ("al-Qaeda", "al Qaeda", "al-Qaida", "Al Qaida", "AQ", "Qaeda"),
    "AQIS": (
        "AQIS",
        "al-Qaeda in the Indian Subcontinent",
        "al-Qaida in the Indian Subcontinent",
    ),
    "ETIM": (
        "ETIM",
        "TIP",
        "East Turkestan Islamic Movement",
        "Turkistan Islamic Party",
        "Turkestan Islamic Party",
    ),
    "Jaish al-Adl": ("Jaish al-Adl", "Jaish ul-Adl", "Jaysh al-Adl", "Army of Justice"),
    "Taliban": ("Taliban", "Afghan Taliban", "Islamic Emirate of Afghanistan"),
    "BLA": ("BLA", "Balochistan Liberation Army", "Baloch Liberation Army"),
    "LeT": ("LeT", "Lashkar-e-Taiba", "Lashkar-e-Toiba"),
    "JeM": ("JeM", "Jaish-e-Mohammed", "Jaish-e-Muhammad"),
}


def _key(text: str) -> str:
    """Fold case, accents, punctuation and spacing so spellings compare equal."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", folded.casefold())


_LOOKUP: dict[str, str] = {
    _key(alias): canon for canon, aliases in GROUP_ALIASES.items() for alias in aliases
}


def canonical_group(name: str | None) -> str | None:
    """Return the canonical name of a group, or None when blank.

    Parameters
    ----------
    name : str or None
        A group as written in a file.

    Returns
    -------
    str or None
        The canonical name from :data:`GROUP_ALIASES`; a name not in the table
        comes back stripped and unchanged (an unknown group is kept, not
        dropped); None for a blank value.
    """
    if name is None:
        return None
    text = str(name).strip()
    if not text or text.casefold() in {"nan", "none"}:
        return None
    return _LOOKUP.get(_key(text), text)


def is_known_group(name: str) -> bool:
    """Tell whether a name is in the alias table."""
    return _key(str(name)) in _LOOKUP


def split_groups(value: str | None) -> list[str]:
    """Split a semicolon-separated group list into canonical names.

    Parameters
    ----------
    value : str or None
        e.g. ``"ISIS-K; TTP;al Qaeda"``.

    Returns
    -------
    list of str
        Canonical names in first-seen order, without duplicates.
    """
    if value is None:
        return []
    out: list[str] = []
    for part in str(value).split(";"):
        canon = canonical_group(part)
        if canon is not None and canon not in out:
            out.append(canon)
    return out


def same_group(a: str | None, b: str | None) -> bool:
    """Tell whether two spellings name the same group (blank never matches)."""
    ca, cb = canonical_group(a), canonical_group(b)
    return ca is not None and ca == cb


def groups_in(values: Iterable[str | None]) -> set[str]:
    """Canonical groups named in several fields (e.g. actor1 and claimed_by)."""
    found: set[str] = set()
    for value in values:
        found.update(split_groups(value))
    return found
