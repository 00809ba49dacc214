"""The row rules of validation, run as one pandera schema in lazy mode.

:func:`run_checks` takes the typed frame :mod:`geo.ingest.validate` built (and the
text as written, for the messages) and returns one :class:`~geo.report.Issue`
per failed rule and row, naming the file line, the column, the value as
written and a reason a person can act on. Lazy mode finds every problem of
every row in one pass.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa

from geo.report import Issue
from geo.schema import DATE_PRECISIONS

__all__ = ["COUNT_COLUMNS", "RANGES", "REGION_BOX", "range_warnings", "run_checks"]

COUNT_COLUMNS = ["killed", "injured", "killed_low", "killed_high", "injured_low", "injured_high"]
#: Each count and its range, checked as low ≤ best ≤ high.
RANGES = {"killed": ("killed_low", "killed_high"), "injured": ("injured_low", "injured_high")}
#: Rough Afghanistan + Pakistan box (lat_min, lat_max, lon_min, lon_max) for the swap hint.
REGION_BOX = (23.0, 39.0, 60.0, 78.0)
_EARLIEST = pd.Timestamp("1900-01-01")


def _schema(
    raw: pd.DataFrame,
    zero: pd.Series,
    reasons: dict[tuple[str, int], str],
    today: dt.date,
    strict: bool,
) -> pa.DataFrameSchema:
    """The pandera schema over the typed frame; closures see the raw text."""
    lo_lat, hi_lat, lo_lon, hi_lon = REGION_BOX
    given = {c: raw[c].notna() for c in ("event_date", "latitude", "longitude", *COUNT_COLUMNS)}
    given["geo_precision"] = raw["geo_precision"].notna()

    def count(col: str) -> pa.Check:
        bad = [i for (c, i) in reasons if c == col]

        def ok(s: pd.Series) -> pd.Series:
            fine = s.isna() | ((s % 1 == 0) & (s >= 0))
            return fine & ~s.index.isin(bad)

        return pa.Check(ok, name=f"{col}:count", ignore_na=False)

    def number(col: str, limit: float) -> pa.Check:
        def ok(s: pd.Series) -> pd.Series:
            return ~given[col] | zero | (s.abs() <= limit)

        return pa.Check(ok, name=f"{col}:number", ignore_na=False)

    def swapped(d: pd.DataFrame) -> pd.Series:
        lat, lon = d["latitude"], d["longitude"]
        in_box = lat.between(lo_lat, hi_lat) & lon.between(lo_lon, hi_lon)
        flipped = lon.between(lo_lat, hi_lat) & lat.between(lo_lon, hi_lon)
        return ~(flipped & ~in_box)

    def pair(d: pd.DataFrame) -> pd.Series:
        return (given["latitude"] == given["longitude"]) | d["_zero_xy"]

    def place(d: pd.DataFrame) -> pd.Series:
        has_xy = given["latitude"] & given["longitude"] & ~d["_zero_xy"]
        named = d["location"].notna() | d["admin1"].notna()
        return has_xy | named | d["country"].notna() | d["country_code"].notna()

    def order(best: str) -> pa.Check:
        def ok(d: pd.DataFrame) -> pd.Series:
            return ~_out_of_order(d, best)

        return pa.Check(ok, name=f"{best}:order", ignore_na=False)

    stamp = pd.Timestamp(today)
    return pa.DataFrameSchema(
        {
            "incident_id": pa.Column(nullable=True, unique=True, report_duplicates="exclude_first"),
            "event_date": pa.Column(
                nullable=True,
                checks=[
                    pa.Check(lambda s: s.notna(), name="event_date:parses", ignore_na=False),
                    pa.Check(lambda s: s <= stamp, name="event_date:future"),
                    pa.Check(lambda s: s >= _EARLIEST, name="event_date:early"),
                ],
            ),
            "date_precision": pa.Column(
                nullable=True, checks=pa.Check(lambda s: s.isin(DATE_PRECISIONS), name="dp:vocab")
            ),
            "latitude": pa.Column(
                nullable=True,
                checks=number("latitude", 90),
            ),
            "longitude": pa.Column(
                nullable=True,
                checks=number("longitude", 180),
            ),
            "geo_precision": pa.Column(
                nullable=True,
                checks=pa.Check(
                    lambda s: ~given["geo_precision"] | s.isin([1, 2, 3, 4]),
                    name="gp:vocab",
                    ignore_na=False,
                ),
            ),
            **{c: pa.Column(nullable=True, checks=count(c)) for c in COUNT_COLUMNS},
        },
        # ignore_na=False on the row checks: pandera would otherwise let pass the rows whose
        # every column is missing, which it finds with isna() over the whole frame (a
        # quarter of a second per check at a million rows); no row here is wholly
        # missing, since _zero_xy is a boolean that is never NA
        checks=[
            pa.Check(pair, name="xy:pair", ignore_na=False),
            pa.Check(swapped, name="xy:swapped", ignore_na=False),
            pa.Check(place, name="row:place", ignore_na=False),
            *([order("killed"), order("injured")] if strict else []),
        ],
        strict=False,
    )


_MESSAGES = {
    "event_date:future": "The date {value} is in the future (today is {today}).",
    "event_date:early": "The date {value} is before 1900: probably a typo.",
    "dp:vocab": "date_precision must be one of day, week, month, year.",
    "gp:vocab": "geo_precision must be 1, 2, 3 or 4.",
    "xy:pair": "Coordinates need both latitude and longitude.",
    "xy:swapped": (
        "Latitude and longitude look swapped: ({value}) is outside the region but lies in "
        "Afghanistan/Pakistan the other way round; swap the two columns."
    ),
    "row:place": (
        "No coordinates and no place name: give latitude/longitude, a location, an admin1 "
        "or a country."
    ),
    "killed:order": "killed_low ≤ killed ≤ killed_high does not hold ({value}).",
    "injured:order": "injured_low ≤ injured ≤ injured_high does not hold ({value}).",
}
_ROW_COLUMNS = {
    "xy:pair": "latitude",
    "xy:swapped": "latitude",
    "row:place": "location",
    "killed:order": "killed",
    "injured:order": "injured",
}


def _out_of_order(d: pd.DataFrame, best: str) -> pd.Series:
    """Rows where low ≤ best ≤ high fails for one count (empty parts are not compared)."""
    low, high = RANGES[best]
    k, lo, hi = d[best], d[low], d[high]
    return (lo > k) | (k > hi) | (lo > hi)


def range_warnings(typed: pd.DataFrame, raw: pd.DataFrame, lines: pd.Series) -> list[Issue]:
    """A provider's ranges that disagree: kept as the provider wrote them, with a warning."""
    out: list[Issue] = []
    for best, (low, high) in RANGES.items():
        wrong = _out_of_order(typed, best)
        for i in wrong[wrong].index:
            shown = " ≤ ".join(str(raw.at[i, c] or "–") for c in (low, best, high))
            out.append(
                Issue(
                    None if pd.isna(lines[i]) else int(lines[i]),
                    best,
                    shown,
                    f"{low} ≤ {best} ≤ {high} does not hold ({shown}); the provider's numbers "
                    "are kept as given.",
                    level="warning",
                )
            )
    return out


def run_checks(
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    reasons: dict[tuple[str, int], str],
    lines: pd.Series,
    today: dt.date,
    *,
    strict: bool,
) -> list[Issue]:
    """Every failed rule of every row, as errors.

    Parameters
    ----------
    typed : pandas.DataFrame
        Parsed values (dates, floats) and the helper columns ``_zero_xy`` and
        ``_content_id``.
    raw : pandas.DataFrame
        The same rows as cleaned text, for the messages.
    reasons : dict
        ``{(column, row): reason}`` from parsing; those cells fail with that reason.
    lines : pandas.Series
        File line of each row.
    today : datetime.date
        Later dates are in the future.
    strict : bool
        Reject rows whose ranges disagree (native files); otherwise
        :func:`range_warnings` reports them.
    """
    try:
        schema = _schema(raw, typed["_zero_xy"], reasons, today, strict)
        schema.validate(typed, lazy=True, inplace=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    broken = cases[cases["index"].isna()]
    if len(broken):  # a check that crashed is a bug here, not a problem in the file
        raise RuntimeError(f"validation checks failed to run: {broken.to_dict('records')}")
    seen: set[tuple[int, str, str]] = set()
    first_line = _first_lines(typed["incident_id"], lines)
    errors = []
    for check, column, index in zip(cases["check"], cases["column"], cases["index"], strict=True):
        i = int(index)
        col = _ROW_COLUMNS.get(check, column)
        key = (i, str(check), str(col))
        if key in seen:
            continue
        seen.add(key)
        errors.append(_issue(check, col, i, typed, raw, reasons, lines, first_line, today))
    return errors


def _first_lines(ids: pd.Series, lines: pd.Series) -> dict[str, int]:
    frame = pd.DataFrame({"id": ids, "line": lines}).dropna()
    return frame.groupby("id", sort=False)["line"].first().astype(int).to_dict()


def _issue(
    check: str,
    col: str,
    i: int,
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    reasons: dict[tuple[str, int], str],
    lines: pd.Series,
    first_line: dict[str, int],
    today: dt.date,
) -> Issue:
    line = None if pd.isna(lines[i]) else int(lines[i])
    value = raw.at[i, col] if col in raw.columns else None
    if check == "field_uniqueness":
        ident = typed.at[i, "incident_id"]
        if typed.at[i, "_content_id"]:
            message = (
                f"This row repeats line {first_line.get(ident)} exactly (every column the "
                "same): not imported twice."
            )
            return Issue(line, "incident_id", None, message)
        message = (
            f"Duplicate incident_id {ident!r}: first seen on line {first_line.get(ident)}; "
            "this later row was not imported."
        )
        return Issue(line, "incident_id", ident, message)
    if check in ("xy:swapped", "xy:pair"):
        value = f"{raw.at[i, 'latitude'] or ''}, {raw.at[i, 'longitude'] or ''}"
    elif check.endswith(":order"):
        best = check.split(":")[0]
        low, high = RANGES[best]
        value = "{} ≤ {} ≤ {}".format(*(raw.at[i, c] or "–" for c in (low, best, high)))
    elif check == "row:place":
        value = None
    if (col, i) in reasons:
        return Issue(line, col, value, reasons[(col, i)])
    number = typed.at[i, col] if col in typed.columns else None
    if check == "event_date:parses":
        template = "event_date is required."
    elif check.endswith(":number"):
        limit, example = (90, "34.0151") if col == "latitude" else (180, "71.5249")
        template = (
            f"{{column}} {{value!r}} is not a number (decimal degrees, e.g. {example})."
            if pd.isna(number)
            else f"{{column}} must be between -{limit} and {limit}."
        )
    elif check.endswith(":count"):
        template = (
            "{column} cannot be negative."
            if number < 0
            else "{column} must be a whole number of people."
        )
    else:
        template = _MESSAGES.get(check, f"{{column}} failed the check {check}.")
    message = template.format(value=value, column=col, today=today.isoformat())
    return Issue(line, col, value, message)
