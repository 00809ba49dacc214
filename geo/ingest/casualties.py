"""Casualty counts as written: numbers, qualifiers, ranges and words.

:func:`parse_counts` reads the count columns of a canonical text frame with
:func:`geo.ingest.parsing.parse_casualty` (once per distinct value) and says what it
made of each odd value. Unknown stays unknown: an empty cell, ``unknown`` or a
word such as ``dozens`` never becomes 0.
"""

from __future__ import annotations

import pandas as pd

from geo.ingest.checks import COUNT_COLUMNS
from geo.ingest.parsing import parse_casualty
from geo.report import Issue

__all__ = ["parse_counts"]


def _warn(warnings: list[Issue], line: object, column: str, value: object, message: str) -> None:
    warnings.append(
        Issue(None if pd.isna(line) else int(line), column, value, message, level="warning")
    )


def parse_counts(
    text: pd.DataFrame,
    typed: pd.DataFrame,
    lines: pd.Series,
    warnings: list[Issue],
    reasons: dict[tuple[str, int], str],
) -> None:
    """Typed counts into ``typed``; notes, warnings and reasons for the odd values.

    ``at least 5`` and ``about 5`` give 5 and a casualty note; a range ``10-15``
    in killed fills killed_low/killed_high (killed stays unknown); words stay
    unknown with the wording kept in the note; other text with digits is an
    error (its reason goes in ``reasons``).
    """
    notes: dict[int, list[str]] = {}
    ranges: dict[int, tuple[float, float]] = {}
    for col in COUNT_COLUMNS:
        raws = text[col].tolist()
        cache = {v: parse_casualty(v) for v in set(raws) if v is not None}
        typed[col] = pd.Series(
            [cache[v][0] if v is not None else None for v in raws], index=text.index, dtype=float
        )
        plain = {"empty", "number", "unknown"}
        odd = {v for v, p in cache.items() if p[1] not in plain}
        rows = [i for i, v in zip(text.index, raws, strict=True) if v in odd] if odd else []
        for i in rows:
            _, kind, note = cache[raws[i]]
            raw = raws[i]
            label = note if col == "killed" else f"{col}: {note}"
            if kind in ("at least", "about"):
                notes.setdefault(i, []).append(label)
            elif kind == "words":
                notes.setdefault(i, []).append(label)
                _warn(
                    warnings,
                    lines[i],
                    col,
                    raw,
                    f"{col} {raw!r} is not a number: the count is left unknown and the "
                    "wording is kept in casualty_note.",
                )
            elif kind == "range":
                lo, hi = (float(x) for x in note.split("-"))
                if (
                    col == "killed"
                    and pd.isna(text.at[i, "killed_low"])
                    and pd.isna(text.at[i, "killed_high"])
                ):
                    ranges[i] = (lo, hi)
                    msg = "stored as killed_low and killed_high; killed left unknown."
                else:
                    msg = "the count is left unknown and the range kept in casualty_note."
                    notes.setdefault(i, []).append(label)
                _warn(warnings, lines[i], col, raw, f"{col} {raw!r} is a range: {msg}")
            elif kind == "error":
                reasons[(col, i)] = f"{col} {raw[:40]!r} is not a whole number of people."
    for i, (lo, hi) in ranges.items():
        typed.loc[i, ["killed_low", "killed_high"]] = [lo, hi]
    existing = text["casualty_note"]
    merged = existing.copy()
    for i, parts in notes.items():
        base = existing[i]
        extra = "; ".join(p for p in parts if not base or p not in base)
        merged[i] = "; ".join(x for x in (base, extra) if x) or None
    typed["casualty_note"] = merged
