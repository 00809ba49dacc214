"""The command line of DESIGN.md §5: ``python -m geo COMMAND ...``.

Each command parses its arguments and calls one ``geo`` module; no logic lives
here. Imports are made inside the commands so ``locate`` and ``geocode`` start
without loading the store or the plotting stack.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_REFUSED = 2


def _jsonable(obj: Any) -> Any:
    """Replace NaN, NA and NaT (anywhere in ``obj``) with None: JSON has no NaN."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if obj is not None and not isinstance(obj, str | int | float | bool):
        return _plain(obj)
    return obj


def _plain(obj: Any) -> Any:
    """What :mod:`json` cannot encode, made JSON: NA/NaT → None, numpy scalars → Python."""
    import pandas as pd

    if pd.api.types.is_scalar(obj) and pd.isna(obj):
        return None
    if hasattr(obj, "item"):  # numpy scalars
        return _jsonable(obj.item())
    return str(obj)


#: Reports with more issues than this print on one line: only ``json.dumps`` without an
#: indent uses the C encoder, and the Python one takes seconds for 100,000 issues.
_INDENT_UP_TO = 2_000


def _print_json(obj: Any) -> None:
    n_items = (
        len(obj)
        if isinstance(obj, list)
        else len(obj.get("errors", ())) + len(obj.get("warnings", ()))
    )
    indent = 2 if n_items <= _INDENT_UP_TO else None
    options: dict[str, Any] = {"ensure_ascii": False, "indent": indent, "allow_nan": False}
    try:  # most reports hold no NaN: encode them as they are (one pass, in C)
        text = json.dumps(obj, default=_plain, **options)
    except ValueError:  # a NaN somewhere: replace every one, then encode
        text = json.dumps(_jsonable(obj), default=str, **options)
    sys.stdout.write(text + "\n")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", help="store path or SQLAlchemy URL (default: $ATLAS_DB or var/atlas.sqlite)"
    )


def _add_filters(p: argparse.ArgumentParser) -> None:
    from geo.views.filters import add_cli_arguments

    add_cli_arguments(p)  # one option per filter of geo.views.filters.FILTERS


def _filters(args: argparse.Namespace):
    from geo.views.filters import Filters

    return Filters.from_cli_args(args)


def _cmd_locate(args: argparse.Namespace) -> int:
    from geo.places.boundaries import locate

    row = locate([args.lat], [args.lon]).iloc[0]
    _print_json(
        {
            "latitude": args.lat,
            "longitude": args.lon,
            "country_code": row["country_code"],
            "country": row["country"],
            "admin1": row["admin1"],
            "admin1_code": row["admin1_code"],
            "border_distance_km": row["border_distance_km"],
        }
    )
    return EXIT_OK


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.places.gazetteer import Gazetteer

    places = Gazetteer.load().lookup(args.name, country=args.country, admin1=args.admin1)
    _print_json([p.to_dict() for p in places])
    return EXIT_OK


def _ingest_claims(args: argparse.Namespace, store: Any) -> Any:
    from geo.ingest.claims import ingest_claims
    from geo.ingest.limits import read_upload_file
    from geo.report import FileRefused

    if args.map or args.sheet or args.format != "auto":
        raise FileRefused("--map, --sheet and --format are for incident files, not --kind claims.")
    data = read_upload_file(args.file)
    return ingest_claims(data, Path(args.file).name, store, dry_run=args.dry_run)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from geo.ingest.formats import parse_overrides
    from geo.ingest.pipeline import ingest_path
    from geo.ingest.seed import open_store
    from geo.report import FileRefused
    from geo.store.core import StoreBusy, StoreUnavailable

    store = open_store(args.db)
    if args.dry_run and (store.path is None or not store.path.exists()):
        store = None  # a dry run never creates a store; without one it cannot see duplicates
    try:
        if args.kind == "claims":
            _print_json(_ingest_claims(args, store).to_dict())
            return EXIT_OK
        overrides = parse_overrides(args.map or [])
        report = ingest_path(
            Path(args.file),
            store,
            fmt=args.format,
            dry_run=args.dry_run,
            overrides=overrides,
            sheet=args.sheet,
        )
    except FileRefused as exc:
        _print_json({"file": args.file, "refused": True, "message": str(exc)})
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (StoreBusy, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _print_json(report.to_dict())
    return EXIT_OK


def _made_at(text: str) -> Any:
    """``--made-at``: an ISO time (UTC unless it says otherwise)."""
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use YYYY-MM-DDTHH:MM[:SS]") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _view(args: argparse.Namespace, **options: Any):
    from geo.ingest.seed import open_store
    from geo.views.view import View

    return View.from_store(open_store(args.db), _filters(args), made_at=args.made_at, **options)


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.views.outputs import OUTPUTS, write

    name = args.format if args.kind == "incidents" else f"claims.{args.format}"
    if name not in OUTPUTS:
        kinds = ", ".join(o.split(".", 1)[1] for o in OUTPUTS if o.startswith("claims."))
        print(f"error: claims are exported as {kinds}, not {args.format}", file=sys.stderr)
        return EXIT_USAGE
    view = _view(args)
    write(view, name, Path(args.out))
    n, what = (len(view.incidents), "incidents") if args.kind == "incidents" else (
        len(view.claims), "claims")  # fmt: skip
    print(f"wrote {n} {what} to {args.out}", file=sys.stderr)
    return EXIT_OK


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from geo.views.outputs import by_suffix, write

    try:
        output = by_suffix(args.out, "map")
    except ValueError as exc:  # an unsupported suffix: nothing was read or written
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    view = _view(
        args, title=args.title, caveat=args.caveat, shade=args.shade, presence=args.presence
    )
    write(view, output.name, Path(args.out))
    print(f"wrote {args.out}", file=sys.stderr)
    return EXIT_OK


def _cmd_uploads(args: argparse.Namespace) -> int:
    from geo.ingest.seed import open_store

    _print_json(open_store(args.db).uploads().to_dict(orient="records"))
    return EXIT_OK


def _cmd_undo(args: argparse.Namespace) -> int:
    from geo.ingest.seed import open_store
    from geo.store.core import UndoError

    try:
        result = open_store(args.db).undo(args.upload_id, allow_seed=args.allow_seed)
    except UndoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _print_json(result)
    return EXIT_OK


def _cmd_redo(args: argparse.Namespace) -> int:
    from geo.ingest.seed import open_store
    from geo.store.core import UndoError

    try:
        result = open_store(args.db).redo(args.upload_id)
    except UndoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _print_json(result)
    return EXIT_OK


def _cmd_seed(args: argparse.Namespace) -> int:
    from geo.ingest.seed import seed_store
    from geo.store.core import Store

    store = Store(args.db)
    seeded = seed_store(store)
    _print_json({"seeded": seeded, "state": store.seed_state()})
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input (--password-stdin) or a prompt twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _cmd_users(args: argparse.Namespace) -> int:
    from geo.ingest.seed import open_store
    from geo.store import users

    store = open_store(args.db)
    try:
        if args.action == "add":
            user = users.add(store, args.name, args.role, _read_password(args))
            print(f"added {user.name} ({user.role.value})")
        elif args.action == "remove":
            if not users.remove(store, args.name):
                print(f"error: no user named {args.name!r}", file=sys.stderr)
                return EXIT_USAGE
            print(f"removed {args.name}")
        else:
            print(users.listing(store).to_csv(index=False), end="")
    except ValueError as exc:  # UserExists, a short password, an unknown role
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace) -> int:
    from geo.ingest.seed import open_store

    log = open_store(args.db).audit()
    if args.format == "table":
        print(log.to_string(index=False) if len(log) else "(no entries)")
    else:
        print(log.to_csv(index=False), end="")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m geo`` (DESIGN.md §5)."""
    ap = argparse.ArgumentParser(prog="python -m geo", description="Incident Atlas command line")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "ingest", help="validate, geocode and store an incident CSV or Excel workbook"
    )
    p.add_argument("file")
    _add_db(p)
    p.add_argument(
        "--kind",
        default="incidents",
        choices=["incidents", "claims"],
        help="incidents (default) or statements for the claims ledger (DESIGN.md §3)",
    )
    p.add_argument("--format", default="auto", choices=["auto", "native", "acled", "ucdp", "gtd"])
    p.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    p.add_argument(
        "--map",
        action="append",
        metavar="FILE COLUMN=canonical_column",
        help='map a file column yourself, e.g. --map "Total Died Max=killed_high"; '
        'an empty target ignores the column ("Temperature(C)="); repeatable',
    )
    p.add_argument(
        "--sheet", help="the sheet of an Excel workbook to read (needed when several hold data)"
    )
    p.set_defaults(func=_cmd_ingest)

    from geo.views.outputs import of_kind
    from geo.views.view import SHADES

    made_at = {
        "type": _made_at,
        "help": "the time the file says it was made, ISO (default: $SOURCE_DATE_EPOCH or now)",
    }
    p = sub.add_parser("export", help="write the (filtered) incidents or claims as data")
    p.add_argument("--format", required=True, choices=[o.name for o in of_kind("data")])
    p.add_argument(
        "--kind",
        default="incidents",
        choices=["incidents", "claims"],
        help="claims: the statements in the period, as csv or geojson (territory polygons)",
    )
    p.add_argument("--out", required=True)
    p.add_argument("--made-at", **made_at)
    _add_db(p)
    _add_filters(p)
    p.set_defaults(func=_cmd_export)

    maps = ", ".join(o.name for o in of_kind("map"))
    p = sub.add_parser("snapshot", help=f"render the (filtered) map: {maps} (by the suffix)")
    p.add_argument("--out", required=True)
    p.add_argument("--title")
    p.add_argument("--caveat", help="handling or caveat line printed on the map")
    p.add_argument("--shade", choices=SHADES, help="shade provinces by incidents or known killed")
    p.add_argument(
        "--presence",
        nargs="*",
        metavar="GROUP",
        help="shade the territories of the claims ledger (asserted, denied, contested), with "
        "its legend; for these groups only (any alias, e.g. ISKP TTP) when named",
    )
    p.add_argument("--made-at", **made_at)
    _add_db(p)
    _add_filters(p)
    p.set_defaults(func=_cmd_snapshot)

    p = sub.add_parser("geocode", help="look a place name up in the offline gazetteer")
    p.add_argument("name")
    p.add_argument("--country", choices=["AFG", "PAK"])
    p.add_argument("--admin1", help="ISO 3166-2 code to narrow the search, e.g. AF-BDS")
    p.set_defaults(func=_cmd_geocode)

    p = sub.add_parser("locate", help="country, province and border distance of a point")
    p.add_argument("lat", type=float)
    p.add_argument("lon", type=float)
    p.set_defaults(func=_cmd_locate)

    p = sub.add_parser("uploads", help="list the upload history")
    _add_db(p)
    p.set_defaults(func=_cmd_uploads)

    p = sub.add_parser("undo", help="restore the store to its state before an upload")
    p.add_argument("upload_id")
    p.add_argument(
        "--allow-seed",
        action="store_true",
        help="confirm the undo of the curated seed (its incidents and claims)",
    )
    _add_db(p)
    p.set_defaults(func=_cmd_undo)

    p = sub.add_parser("redo", help="apply an undone upload again (as a new upload)")
    p.add_argument("upload_id")
    _add_db(p)
    p.set_defaults(func=_cmd_redo)

    p = sub.add_parser("seed", help="seed a new store from the curated tables in data/")
    _add_db(p)
    p.set_defaults(func=_cmd_seed)

    p = sub.add_parser("users", help="add, remove or list the local accounts")
    p.add_argument("action", choices=["add", "remove", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["viewer", "analyst", "admin"], default="viewer")
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    _add_db(p)
    p.set_defaults(func=_cmd_users)

    p = sub.add_parser("audit", help="who uploaded, undid and redid what, and when")
    p.add_argument("--format", choices=["csv", "table"], default="csv")
    _add_db(p)
    p.set_defaults(func=_cmd_audit)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    from geo.store.core import StoreUnavailable

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "users" and args.action != "list" and not args.name:
        parser.error(f"users {args.action} needs a NAME")
    try:
        return int(args.func(args))
    except StoreUnavailable as exc:  # any command: one line, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
