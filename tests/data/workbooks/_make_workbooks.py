"""Write the old-style Excel (.xls) fixture of this folder (invented rows, no real data).

The .xlsx fixtures are built inside ``tests/test_workbook.py`` with xlsxwriter (a
test dependency); nothing maintained writes .xls any more, so this one file is
kept here, written once with xlwt (``pip install xlwt``; not a project
dependency): ``python tests/data/workbooks/_make_workbooks.py``.

``password_protected.xlsx``: a two-row workbook saved with the password "secret"
(encrypted with msoffcrypto-tool, ``pip install msoffcrypto-tool``, also not a
project dependency): an OLE2 container, as Excel writes one.

``gtd_style.xls``: a GTD-layout sheet "Data" (header on row 1; eventid, iyear,
imonth, iday, nkill, nwound stored as numbers; a real Excel date in
``resolution``; one unknown death toll) and a second sheet "Notes" with a line
of text, so a sheet has to be chosen.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

HERE = Path(__file__).resolve().parent

HEADER = [
    "eventid", "iyear", "imonth", "iday", "resolution", "country_txt", "provstate", "city",
    "latitude", "longitude", "specificity", "attacktype1_txt", "targtype1_txt", "gname",
    "nkill", "nwound", "summary", "scite1",
]  # fmt: skip
ROWS = [
    [201405170031, 2014, 5, 17, dt.date(2014, 5, 19), "Pakistan", "Khyber Pakhtunkhwa",
     "Peshawar", 34.0151, 71.5249, 1, "Bombing/Explosion", "Police",
     "Tehrik-i-Taliban Pakistan (TTP)", 3, 7, "A bomb went off near a police post.",
     "Invented source note 1"],
    [201406020007, 2014, 6, 2, None, "Afghanistan", "Kunduz", "Kunduz", 36.728, 68.8681, 1,
     "Armed Assault", "Military", "Taliban", None, 2, "Gunmen attacked a checkpoint; toll unknown.",
     "Invented source note 2"],
    [201407110012, 2014, 7, 0, None, "Pakistan", "Balochistan", "Quetta", 30.1798, 66.975, 1,
     "Bombing/Explosion", "Private Citizens & Property", "Unknown", 0, 4,
     "A blast hit a market; day of the month not reported.", "Invented source note 3"],
]  # fmt: skip


def gtd_style() -> xlwt.Workbook:
    book = xlwt.Workbook(encoding="utf-8")
    data = book.add_sheet("Data")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, name in enumerate(HEADER):
        data.write(0, c, name)
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                data.write(r, c, value, date_style)
            elif isinstance(value, int) and not isinstance(value, bool):
                data.write(r, c, float(value))  # as Excel keeps numbers
            elif value is not None:
                data.write(r, c, value)
    book.add_sheet("Notes").write(0, 0, "Invented rows in the layout of a GTD export.")
    return book


def password_protected() -> bytes:
    plain = io.BytesIO()
    book = xlsxwriter.Workbook(plain, {"in_memory": True})
    sheet = book.add_worksheet("Data")
    sheet.write_row(0, 0, ["date", "location", "latitude", "longitude"])
    sheet.write_row(1, 0, ["2025-01-05", "Quetta", 30.1798, 66.975])
    book.close()
    plain.seek(0)
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", out)
    return out.getvalue()


if __name__ == "__main__":
    gtd_style().save(str(HERE / "gtd_style.xls"))
    (HERE / "password_protected.xlsx").write_bytes(password_protected())
