"""Reading an .xlsx workbook: python-calamine against openpyxl, and geo.ingest.workbook.

Not a test: nothing is asserted. Writes a synthetic ACLED-layout workbook
(``benchmarks/generate.py`` rows; dates as real Excel dates, coordinates and
fatalities as numbers, one sheet) and times, each in its own child process so
the peak memory (``VmHWM``) is that reader's alone:

* ``calamine``: python-calamine, ``get_sheet_by_name(...).to_python()``;
* ``openpyxl``: openpyxl in read-only mode, ``iter_rows(values_only=True)``
  (not a project dependency: ``pip install openpyxl`` to compare);
* ``geo.ingest.workbook``: the project's reader (calamine, checks and text conversion)
  up to the :class:`~geo.ingest.reader.ReadResult`;
* ``geo.ingest.reader (CSV)``: the same rows as CSV through ``read_csv_bytes``, for scale.

usage: python benchmarks/bench_workbook.py [--rows 100000] [--repeat 3] [--shared-strings]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

_NUMERIC = {"latitude", "longitude", "fatalities", "year", "time_precision", "geo_precision"}


def _workbook(rows: int, shared: bool = False) -> Path:
    """The cached workbook of ``rows`` events (written once with xlsxwriter).

    ``shared``: text in a shared-strings table, as Excel itself saves it; otherwise
    inline in each cell (xlsxwriter's low-memory mode), which makes the sheet's XML
    about three times larger.
    """
    path = OUT / f"acled_{rows}{'_shared' if shared else ''}.xlsx"
    if path.exists():
        return path
    import pandas as pd
    import xlsxwriter
    from generate import ACLED_COLUMNS, generate

    frame = generate(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": not shared})
    sheet = book.add_worksheet("Data")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ACLED_COLUMNS)
    event_dates = pd.to_datetime(frame["event_date"]).dt.to_pydatetime()
    for r, record in enumerate(frame.itertuples(index=False), start=1):
        for c, (name, value) in enumerate(zip(ACLED_COLUMNS, record, strict=True)):
            if name == "event_date":
                sheet.write_datetime(r, c, event_dates[r - 1], dates)
            elif name in _NUMERIC and value != "":
                sheet.write_number(r, c, float(value))
            elif value != "":
                sheet.write_string(r, c, value)
    book.close()
    frame.to_csv(OUT / f"acled_{rows}.csv", index=False)
    return path


def _measure(reader: str, path: Path) -> dict[str, float]:
    """Run one reader in this process (the ``--worker`` side)."""
    start, cpu0 = time.perf_counter(), time.process_time()
    if reader == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(str(path))
        cells = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
        n = len(cells)
    elif reader == "openpyxl":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        n = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
        book.close()
    elif reader == "geo.ingest.workbook":
        from geo.ingest.workbook import read_workbook_bytes

        n = len(read_workbook_bytes(path.read_bytes()).frame) + 1
    elif reader == "geo.ingest.reader (CSV)":
        from geo.ingest.reader import read_csv_bytes

        csv = path.with_name(path.name.split(".")[0].removesuffix("_shared") + ".csv")
        n = len(read_csv_bytes(csv.read_bytes()).frame) + 1
    else:
        raise SystemExit(f"unknown reader {reader!r}")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    return {"rows": n, "wall": wall, "cpu": cpu, "rss_mb": _peak_mb()}


def _peak_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss`` it
    does not carry over the parent's peak across fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shared-strings", action="store_true", help="text as Excel saves it")
    ap.add_argument(
        "--readers", default="calamine,openpyxl,geo.ingest.workbook,geo.ingest.reader (CSV)"
    )
    ap.add_argument("--worker", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(_measure(args.worker[0], Path(args.worker[1]))))
        return 0
    path = _workbook(args.rows, args.shared_strings)
    size = path.stat().st_size / 2**20
    print(f"{args.rows:,} rows, {size:.1f} MB workbook; load {os.getloadavg()[0]:.1f}")
    print("| reader | wall s (median, range) | CPU s | peak MB |\n|---|---:|---:|---:|")
    for reader in args.readers.split(","):
        runs = []
        for _ in range(args.repeat):
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", reader, str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if proc.returncode:  # e.g. openpyxl is not installed (not a project dependency)
                print(f"| {reader} | not run: {proc.stderr.strip().splitlines()[-1]} | | |")
                break
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        if not runs:
            continue
        walls = sorted(r["wall"] for r in runs)
        print(
            f"| {reader} | {statistics.median(walls):.2f} ({walls[0]:.2f}–{walls[-1]:.2f}) "
            f"| {statistics.median(r['cpu'] for r in runs):.2f} "
            f"| {max(r['rss_mb'] for r in runs):,.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
