"""Write the encoding fixtures of this folder (invented rows, no real data).

Run ``python tests/data/encodings/_make_encodings.py`` after changing it.

* ``handmade_cp1252_undefined_byte.csv``: a hand-typed sheet saved by a Windows
  spreadsheet as Windows-1252 (curly quotes, dashes, accented letters), with
  one byte that Windows-1252 leaves undefined (0x90) in the Notes of line
  ``UNDEFINED_LINE``. Every row is good: the file must be read whole, the byte
  reported as a warning on that line.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
UNDEFINED_LINE = 16

_PLACES = [
    ("Peshawar", "Khyber Pakhtunkhwa", 34.0151, 71.5249),
    ("Quetta", "Balochistan", 30.1798, 66.9750),
    ("Bannu", "Khyber Pakhtunkhwa", 32.9889, 70.6056),
    ("Jalalabad", "Nangarhar", 34.4265, 70.4515),
    ("Kunduz", "Kunduz", 36.7280, 68.8681),
    ("Dera Ismail Khan", "Khyber Pakhtunkhwa", 31.8314, 70.9019),
]
_NOTES = [
    "Roadside bomb hit a police van – two officers among the dead",
    "Gunmen fired on a checkpoint; “heavy exchange” reported by residents",
    "Attack on a café near the bazaar, owner’s son hurt",
    "Grenade thrown at a shop – no claim so far",
]


def handmade() -> bytes:
    lines = ["Date,City,Province,Latitude,Longitude,Killed,Injured,Type,Notes"]
    for i in range(30):
        city, province, lat, lon = _PLACES[i % len(_PLACES)]
        killed = "" if i % 7 == 3 else str(i % 5)
        note = _NOTES[i % len(_NOTES)]
        lines.append(
            f"2023-{1 + i % 12:02d}-{1 + i % 27:02d},{city},{province},{lat},{lon},"
            f'{killed},{i % 3},Explosions/Remote violence,"{note}"'
        )
    data = "\r\n".join(lines).encode("cp1252") + b"\r\n"
    rows = data.split(b"\r\n")
    # line UNDEFINED_LINE (header = 1): a byte no Windows code point has, as if pasted
    rows[UNDEFINED_LINE - 1] = rows[UNDEFINED_LINE - 1].replace(b" bazaar", b" bazaar\x90")
    assert b"\x90" in rows[UNDEFINED_LINE - 1]
    return b"\r\n".join(rows)


if __name__ == "__main__":
    (HERE / "handmade_cp1252_undefined_byte.csv").write_bytes(handmade())
