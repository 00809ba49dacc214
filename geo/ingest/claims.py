"""Claims files: a CSV of statements read, checked and made ready for the ledger.

An analyst's claims file has the ledger's columns (DESIGN.md §3) under
forgiving headers (``Date``, ``Speaker``, ``Territory`` ...). :func:`prepare_claims`
reads it as the incident reader does (same refusals, same line numbers), maps
the headers, cleans the values and checks every row with one pandera schema in
lazy mode, so that each bad row is reported once per problem with its line.
The good rows come out as text in :data:`geo.schema.CLAIM_COLUMNS`, ready for
:meth:`geo.store.core.Store.commit_claims`.

Rules
-----
statement_date
    Required; the forms the incident dates accept. A partial date ("March
    2024") sets date_precision; not after today, not before 1900.
stance
    One of :data:`geo.schema.CLAIM_STANCES`; case, spaces and hyphens are
    ignored and the short forms asserts/denies/rejects are read.
groups
    Split on ``;`` (``|`` and ``,`` too); each spelling goes through
    :func:`geo.groups.canonical_group`. A group the alias table does not know
    is kept as written, with a warning.
territory_code, accused_country_code, claimant_country_code
    ISO 3166 alpha-3 country codes; territory_code also takes ISO 3166-2
    province codes (``PK-KP``). A country's name or alpha-2 code is turned
    into its alpha-3 code with a warning. A claim of presence needs a
    territory and at least one group. The claimant's country may also be an
    organisation (``UN``).
claimant, source
    Required: every statement names who made it and where it was reported
    (``source`` or ``source_ref``).
claim_id
    Optional: a row without one gets a content id (``C-`` and 12 hex digits).
    An id seen twice in the file keeps its first row; an id already in the
    ledger with the same content is a duplicate, with other content an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from geo.groups import GROUP_ALIASES, canonical_group
from geo.ingest.dates import parse_date
from geo.ingest.reader import LINE_COLUMN, read_csv_bytes
from geo.report import FileRefused, IngestReport, Issue
from geo.schema import CLAIM_COLUMNS, CLAIM_STANCES, DATE_PRECISIONS
from geo.store.auth import LOCAL, User

if TYPE_CHECKING:
    from geo.store.core import Store

__all__ = [
    "CLAIMS_FORMAT",
    "HEADER_ALIASES",
    "PreparedClaims",
    "commit_claims",
    "ingest_claims",
    "prepare_claims",
]

#: The ``format`` a claims upload has in the upload history.
CLAIMS_FORMAT = "claims"

#: Ledger column -> other headers analysts use for it (compared without case,
#: spaces or punctuation).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "claim_id": ("id", "claim", "statement_id"),
    "statement_date": ("date", "statement date", "date of statement", "said on"),
    "date_precision": ("precision",),
    "claimant": ("speaker", "who", "claimant name"),
    "claimant_role": ("role", "position", "title"),
    "claimant_country_code": ("claimant country", "claimant country iso3", "speaker country"),
    "stance": ("claim type", "statement type"),
    "groups": ("group", "armed groups", "militant groups"),
    "territory_code": ("territory", "where", "territory iso", "place"),
    "accused_country_code": ("accused country", "accused"),
    "figure": ("number", "estimate"),
    "figure_unit": ("unit", "figure units"),
    "quote": ("quotation", "words"),
    "source": ("publication", "outlet", "source name"),
    "source_ref": ("url", "link", "reference", "source url"),
    "notes": ("note", "comment", "comments"),
}
_STANCE_WORDS = {
    "asserts": "asserts_presence",
    "asserted": "asserts_presence",
    "denies": "denies_presence",
    "denied": "denies_presence",
    "accusation": "accuses",
    "rejects": "rejects_accusation",
}
_PRESENCE = ("asserts_presence", "denies_presence")
_ORGANISATIONS = {"UN", "EU", "NATO", "SCO", "OIC", "CSTO"}
_EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class PreparedClaims:
    """The rows a claims file gives the ledger, and what was found in it.

    ``frame`` holds the good rows (:data:`geo.schema.CLAIM_COLUMNS` as text or
    None) and ``_line``; ``report`` counts and lists every rejected row;
    ``file`` and ``sha256`` name the file for the upload history.
    """

    frame: pd.DataFrame
    report: IngestReport
    file: str = ""
    sha256: str = ""


def prepare_claims(
    data: bytes,
    name: str,
    *,
    ledger: pd.DataFrame | None = None,
    today: dt.date | None = None,
) -> PreparedClaims:
    """Read, map and check a claims CSV (no writes).

    Parameters
    ----------
    data : bytes
        The whole file.
    name : str
        Its name, for the report.
    ledger : pandas.DataFrame, optional
        The stored ledger (:meth:`geo.store.core.Store.claims`), to tell a
        repeat from a clash.
    today : datetime.date, optional
        Later statement dates are rejected (default: today).

    Raises
    ------
    FileRefused
        The file cannot be read, or it has no column the ledger knows.

    Examples
    --------
    >>> text = (
    ...     "Date,Speaker,Country,Stance,Groups,Territory,Source\\n"
    ...     "2024-05-01,A minister,PAK,asserts,ISKP,AFG,A paper\\n"
    ...     "2024-05-02,,PAK,maybe,TTP,XX-YY,A paper\\n"
    ... ).encode()
    >>> prepared = prepare_claims(text, "claims.csv", today=dt.date(2025, 1, 1))
    >>> prepared.frame[["stance", "groups", "territory_code"]].values.tolist()
    [['asserts_presence', 'IS-KP', 'AFG']]
    >>> sorted({(i.line, i.column) for i in prepared.report.errors})
    [(3, 'claimant'), (3, 'stance'), (3, 'territory_code')]
    """
    read = read_csv_bytes(data)
    raw = _map_headers(read.frame)
    report = IngestReport(file=name, format=CLAIMS_FORMAT, rows_read=len(raw) + len(read.errors))
    report.errors.extend(read.errors)
    report.warnings.extend(read.warnings)
    clean, reasons = _clean(raw, report.warnings, today or dt.date.today())
    report.errors.extend(_check(clean, raw, reasons))
    stored = {} if ledger is None else {r["claim_id"]: r for r in ledger.to_dict("records")}
    kept = _kept(clean, report, stored)
    report.errors.sort(key=lambda i: (i.line or 0, i.column or ""))
    report.warnings.sort(key=lambda i: (i.line or 0, i.column or ""))
    return PreparedClaims(kept, report, name, hashlib.sha256(data).hexdigest())


def ingest_claims(
    data: bytes,
    name: str,
    store: Store | None,
    *,
    dry_run: bool = False,
    actor: User = LOCAL,
    today: dt.date | None = None,
) -> IngestReport:
    """Check a claims file and store its good rows as one upload (unless ``dry_run``).

    Repeats of statements already in the ledger count as duplicates; a file
    with no new good row stores nothing. The report's ``upload_id`` names the
    upload, which ``python -m geo undo`` removes whole.
    """
    ledger = store.claims() if store is not None else None
    prepared = prepare_claims(data, name, ledger=ledger, today=today)
    report = prepared.report
    if dry_run or store is None:
        return dataclasses.replace(report, dry_run=True)
    if prepared.frame.empty:
        return report
    return dataclasses.replace(report, upload_id=commit_claims(prepared, store, actor=actor))


def commit_claims(prepared: PreparedClaims, store: Store, *, actor: User = LOCAL) -> str:
    """Store a prepared claims file as one upload; its id (see :meth:`Store.commit_claims`)."""
    return store.commit_claims(
        prepared.frame,
        file=prepared.file,
        sha256=prepared.sha256,
        report=prepared.report,
        actor=actor,
    )


# ---------------------------------------------------------------- headers


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(header).lower()).strip()


def _map_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """The file's columns under the ledger's names; refused when none is known."""
    wanted = {_norm(c): c for c in CLAIM_COLUMNS}
    for col, others in HEADER_ALIASES.items():
        wanted.update({_norm(o): col for o in others})
    out = pd.DataFrame(index=frame.index)
    for header in frame.columns:
        col = wanted.get(_norm(header))
        if header != LINE_COLUMN and col is not None and col not in out.columns:
            out[col] = frame[header]
    if not len(out.columns):
        known = ", ".join(CLAIM_COLUMNS[:8])
        raise FileRefused(
            f"No column of this file is a claims ledger column ({known} …): "
            "is it an incident file? Upload it as incidents instead."
        )
    if {"statement_date", "stance"} - set(out.columns):
        missing = " and ".join(sorted({"statement_date", "stance"} - set(out.columns)))
        raise FileRefused(f"A claims file needs a {missing} column; this one has none.")
    for col in CLAIM_COLUMNS:
        if col not in out.columns:
            out[col] = None
    out[LINE_COLUMN] = frame[LINE_COLUMN]
    return out[[*CLAIM_COLUMNS, LINE_COLUMN]].astype(object)


# ----------------------------------------------------------------- values


@cache
def _country(text: str) -> tuple[str | None, bool]:
    """(alpha-3 code or None, whether the text had to be converted)."""
    import pycountry

    upper = text.strip().upper()
    if len(upper) == 3 and pycountry.countries.get(alpha_3=upper):
        return upper, upper != text.strip()
    found = pycountry.countries.get(alpha_2=upper) if len(upper) == 2 else None
    if found is None:
        try:
            found = pycountry.countries.lookup(text.strip())
        except LookupError:
            return None, False
    return found.alpha_3, True


@cache
def _province(text: str) -> str | None:
    import pycountry

    upper = text.strip().upper()
    return upper if "-" in upper and pycountry.subdivisions.get(code=upper) else None


def _warn(warnings: list[Issue], line: int, column: str, value: str, message: str) -> None:
    warnings.append(Issue(line, column, value, message, level="warning"))


def _clean(
    raw: pd.DataFrame, warnings: list[Issue], today: dt.date
) -> tuple[pd.DataFrame, dict[tuple[str, int], str]]:
    """Cleaned text per column and ``{(column, row): reason}`` for cells that cannot be read."""
    out = pd.DataFrame(
        {c: [_text(v) for v in raw[c].tolist()] for c in CLAIM_COLUMNS},
        index=raw.index,
        dtype=object,
    )  # built from lists: an empty cell stays None (DataFrame.map makes it NaN)
    out[LINE_COLUMN] = raw[LINE_COLUMN]
    reasons: dict[tuple[str, int], str] = {}
    lines = raw[LINE_COLUMN]
    for i in out.index:
        row, line = out.loc[i], int(lines[i])
        if row["date_precision"] is not None:
            out.at[i, "date_precision"] = row["date_precision"].lower()
        _clean_date(out, i, row, today, reasons)
        _clean_codes(out, i, row, line, warnings, reasons)
        stance = row["stance"]
        if stance is not None:
            key = re.sub(r"[\s-]+", "_", stance.lower())
            out.at[i, "stance"] = _STANCE_WORDS.get(key, key)
        if row["groups"] is not None:
            out.at[i, "groups"] = _clean_groups(row["groups"], line, warnings)
        if row["figure"] is not None:
            figure = row["figure"].replace(",", "").replace(" ", "")
            if not re.fullmatch(r"\d+(\.\d+)?", figure):
                reasons[("figure", i)] = (
                    f"figure must be a number ≥ 0 (e.g. 6000), not {row['figure']!r}."
                )
            else:
                out.at[i, "figure"] = figure
    return out, reasons


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = " ".join(str(value).split())
    return text or None


def _clean_date(out: pd.DataFrame, i: int, row: pd.Series, today: dt.date, reasons: dict) -> None:
    text = row["statement_date"]
    if text is None:
        return
    day, precision, problem = parse_date(text)
    if day is None:
        reasons[("statement_date", i)] = problem or f"The date {text!r} cannot be read."
    elif day > today:
        reasons[("statement_date", i)] = f"The date {text} is in the future (today is {today})."
    elif day < _EARLIEST:
        reasons[("statement_date", i)] = f"The date {text} is before 1900: probably a typo."
    else:
        out.at[i, "statement_date"] = day.isoformat()
        given = (row["date_precision"] or "").lower() or None
        out.at[i, "date_precision"] = precision or given or "day"


def _clean_codes(
    out: pd.DataFrame, i: int, row: pd.Series, line: int, warnings: list[Issue], reasons: dict
) -> None:
    for col in ("territory_code", "accused_country_code", "claimant_country_code"):
        text = row[col]
        if text is None:
            continue
        if col == "territory_code" and _province(text):
            out.at[i, col] = _province(text)
            continue
        code, converted = _country(text)
        if code is None and col == "claimant_country_code":
            if text.upper() not in _ORGANISATIONS:
                message = f"{text!r} is not an ISO 3166 country code: kept as written."
                _warn(warnings, line, col, text, message)
            continue
        if code is None:
            example = "AFG, or a province code such as PK-KP" if col == "territory_code" else "AFG"
            reasons[(col, i)] = f"{text!r} is not an ISO 3166 code ({example})."
            continue
        if converted:
            _warn(warnings, line, col, text, f"read as the country code {code}.")
        out.at[i, col] = code


def _clean_groups(text: str, line: int, warnings: list[Issue]) -> str:
    names = [p.strip() for p in re.split(r"[;|,]", text) if p.strip()]
    out: list[str] = []
    for name in names:
        group = canonical_group(name)
        if group not in GROUP_ALIASES:
            message = (
                f"the group {name!r} is not in the alias table (geo/groups.py): kept as "
                "written; it will not match other spellings."
            )
            _warn(warnings, line, "groups", name, message)
        if group not in out:
            out.append(group)
    return ";".join(out)


# ----------------------------------------------------------------- checks


def _check(
    clean: pd.DataFrame, raw: pd.DataFrame, reasons: dict[tuple[str, int], str]
) -> list[Issue]:
    """One error per failed rule and row (pandera, lazy), with the file's line."""

    def readable(col: str) -> pa.Check:
        bad = [i for (c, i) in reasons if c == col]
        return pa.Check(
            lambda s: pd.Series(~s.index.isin(bad), index=s.index),
            name=f"{col}:reads",
            ignore_na=False,
        )

    def present(col: str) -> pa.Check:
        return pa.Check(lambda s: s.notna(), name=f"{col}:required", ignore_na=False)

    schema = pa.DataFrameSchema(
        {
            "statement_date": pa.Column(
                nullable=True, checks=[present("statement_date"), readable("statement_date")]
            ),
            "date_precision": pa.Column(
                nullable=True,
                checks=pa.Check(lambda s: s.isin(DATE_PRECISIONS), name="date_precision:vocab"),
            ),
            "claimant": pa.Column(nullable=True, checks=present("claimant")),
            "stance": pa.Column(
                nullable=True,
                checks=[
                    present("stance"),
                    pa.Check(lambda s: s.isin(CLAIM_STANCES), name="stance:vocab"),
                ],
            ),
            "territory_code": pa.Column(nullable=True, checks=readable("territory_code")),
            "accused_country_code": pa.Column(
                nullable=True, checks=readable("accused_country_code")
            ),
            "figure": pa.Column(nullable=True, checks=readable("figure")),
        },
        checks=[
            pa.Check(
                lambda d: d["source"].notna() | d["source_ref"].notna(), name="source:required"
            ),
            pa.Check(
                lambda d: ~d["stance"].isin(_PRESENCE) | d["territory_code"].notna(),
                name="territory_code:presence",
            ),
            pa.Check(
                lambda d: ~d["stance"].isin(_PRESENCE) | d["groups"].notna(),
                name="groups:presence",
            ),
        ],
        strict=False,
    )
    try:
        schema.validate(clean, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _issues(exc.failure_cases, clean, raw, reasons)
    return []


_MESSAGES = {
    "required": "{column} is required.",
    "date_precision:vocab": "date_precision must be one of day, week, month, year.",
    "stance:vocab": f"stance must be one of {', '.join(CLAIM_STANCES)}.",
    "source:required": "Give the source (source or source_ref): every claim leads back to it.",
    "groups:presence": "A claim of presence names the group(s) it is about (groups, e.g. IS-KP).",
    "territory_code:presence": (
        "A claim of presence needs the territory it is about (territory_code, e.g. AFG)."
    ),
}


def _issues(
    failures: pd.DataFrame,
    clean: pd.DataFrame,
    raw: pd.DataFrame,
    reasons: dict[tuple[str, int], str],
) -> list[Issue]:
    issues: dict[tuple[int, str], Issue] = {}
    for check, row in failures[["check", "index"]].itertuples(False, None):
        if row is None or pd.isna(row):
            continue
        name = str(check)
        col = name.split(":")[0]  # every check is named column:rule (frame checks too)
        if name.endswith(":reads"):
            message = reasons[(col, row)]
        elif name.endswith(":required") and col in CLAIM_COLUMNS and col != "source":
            message = _MESSAGES["required"].format(column=col)
        else:
            message = _MESSAGES[name]
        line = int(raw.at[row, LINE_COLUMN])
        issues.setdefault((row, col), Issue(line, col, raw.at[row, col], message))
    return list(issues.values())


def _content_id(row: pd.Series) -> str:
    text = "\x1f".join("" if row[c] is None else str(row[c]) for c in CLAIM_COLUMNS[1:])
    return "C-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _kept(
    clean: pd.DataFrame, report: IngestReport, stored: Mapping[str, Mapping[str, object]]
) -> pd.DataFrame:
    """The good rows with their ids; repeats in the file and clashes with the ledger reported."""
    good = clean[~clean[LINE_COLUMN].isin({i.line for i in report.errors})]
    kept, seen = [], set()
    for _, row in good.iterrows():
        claim_id = row["claim_id"] or _content_id(row)
        line = int(row[LINE_COLUMN])
        if claim_id in seen:
            report.errors.append(
                Issue(
                    line,
                    "claim_id",
                    claim_id,
                    "This claim_id came earlier in the file: the first row is kept.",
                )
            )
            continue
        seen.add(claim_id)
        before = stored.get(claim_id)
        if before is not None:
            same = all((before.get(c) or None) == row[c] for c in CLAIM_COLUMNS[1:])
            if same:
                report.duplicates += 1
            else:
                report.errors.append(
                    Issue(
                        line,
                        "claim_id",
                        claim_id,
                        "The ledger already holds this claim_id "
                        "with other content: give the statement a new id.",
                    )
                )
            continue
        kept.append({**row.to_dict(), "claim_id": claim_id})
    report.rejected = len({i.line for i in report.errors})
    report.accepted = len(kept)
    columns = [*CLAIM_COLUMNS, LINE_COLUMN]
    return pd.DataFrame(kept, columns=columns, dtype=object)
