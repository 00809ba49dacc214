"""Fast whole-column text helpers shared by the ingest stages.

A column of a million cells is mostly text that is already clean (trimmed,
never empty) or repeats a few values. These helpers find that out with a few
passes in C (``map``, ``join``, list comparison) and only fall back to
per-value Python work for the values that need it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CONTROL_RE",
    "distinct_or_all",
    "has_control_chars",
    "is_text",
    "map_codes",
    "map_unique",
    "present_text",
    "strip_or_none",
    "text_is_clean",
]

_CALL = object()

#: Control characters that do not belong in a cell: C0 except TAB, LF and CR, DEL, and C1.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# the same characters in UTF-8: single bytes for C0 and DEL, two bytes (C2 80-9F) for C1
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def has_control_chars(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`CONTROL_RE` (fast on long text).

    Works on the UTF-8 bytes: deleting the C0 bytes with ``bytes.translate`` and
    looking for the two-byte C1 sequences run at memory speed, where the
    regular expression steps through every character.
    """
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _C0_BYTES)) != len(data) or bool(_C1_UTF8.search(data))


def is_text(values: Sequence[Any]) -> bool:
    """Whether every value is ``str`` or ``None``."""
    return set(map(type, values)) <= {str, type(None)}


def _present(values: list[Any]) -> list[str]:
    return [v for v in values if v is not None] if None in values else values


def text_is_clean(values: list[Any], *, control: bool = False, cap: int | None = None) -> bool:
    """Whether a list of ``str``/``None`` needs no trimming, no ``"" → None`` and no fix.

    Parameters
    ----------
    values : list
        ``str`` or ``None`` only (check with :func:`is_text`).
    control : bool
        Also require that no value holds a character of :data:`CONTROL_RE`.
    cap : int, optional
        Longest length allowed.
    """
    present = _present(values)
    if not present:
        return True
    if len(present) > 4_000 and len(set(present[:1_000])) < 500:
        present = list(set(present))  # a repetitive column: its distinct values decide
    if "" in present or list(map(str.strip, present)) != present:
        return False
    if cap is not None and max(map(len, present)) > cap:
        return False
    return not (control and has_control_chars("\n".join(present)))


def strip_or_none(values: list[Any]) -> list[str | None]:
    """Each ``str`` trimmed, empty text and ``None`` as ``None`` (values must be text)."""
    if text_is_clean(values):
        return list(values)
    return [(v.strip() or None) if v is not None else None for v in values]


def distinct_or_all(values: np.ndarray | list[Any]) -> list[Any]:
    """The distinct values of a column that repeats a few (event types, actors,
    places), else all its values, as a list.

    For checks that look at one value at a time (:func:`is_text`,
    :func:`text_is_clean`): on a million rows of a few hundred values the
    distinct ones answer for the whole column. A column repeats when its first
    1,000 values hold fewer than 900 distinct ones: at a million ACLED rows the
    coordinates (about 120,000 distinct texts) and the places (2,000) qualify,
    the ids do not (finding a million distinct values would cost more than it saves).

    Examples
    --------
    >>> distinct_or_all(np.array(["a", None] * 3000, dtype=object))
    ['a', None]
    >>> distinct_or_all(["a", "b", "a"])
    ['a', 'b', 'a']
    """
    if len(values) > 4_000 and len(set(list(values[:1_000]))) < 900:
        return pd.unique(np.asarray(values, dtype=object)).tolist()
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def present_text(frame: pd.DataFrame, column: str) -> np.ndarray:
    """``frame[column]`` as a new ``object`` array: values whose text is blank, and
    missing ones, as ``None`` (the others as they are); all ``None`` without the column.

    Judged once per distinct value (:func:`map_unique`), not once per row.

    Examples
    --------
    >>> present_text(pd.DataFrame({"a": ["Kabul", "  ", None, 3]}), "a").tolist()
    ['Kabul', None, None, 3]
    >>> present_text(pd.DataFrame({"a": [1]}), "b").tolist()
    [None]
    """
    if column not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    return map_unique(frame[column], lambda v: v if str(v).strip() else None)


def map_unique(values: pd.Series | np.ndarray | list[Any], fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` applied once per distinct non-missing value; missing values give None.

    Returns
    -------
    numpy.ndarray
        ``object`` array aligned with ``values``.
    """
    return map_codes(values, fn, missing=None)


def map_codes(
    values: pd.Series | np.ndarray | list[Any], fn: Callable[[Any], Any], *, missing: Any = _CALL
) -> np.ndarray:
    """``fn`` applied once per distinct value, missing values (None, NaN) included.

    Parameters
    ----------
    values : Series, array or list
        Hashable values.
    fn : callable
        Applied to each distinct value, and to ``None`` for missing ones.
    missing : object, optional
        The result for missing values instead of ``fn(None)``.

    Returns
    -------
    numpy.ndarray
        ``object`` array aligned with ``values``.
    """
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else _objects(values)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):  # a loop: fn may return tuples
        mapped[i] = fn(u)
    mapped[-1] = fn(None) if missing is _CALL else missing
    return mapped[codes]


def _objects(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.ndim == 1:
        return values.astype(object, copy=False)
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr
