"""Bytes of an upload → text: which encoding, and whether it is a CSV at all.

The first half of reading a file (:mod:`geo.ingest.reader` does the rest). Whole
files that cannot be a table of incidents are refused here with one sentence
for the analyst: archives, PDFs and images by their first bytes; web pages,
JSON, XML, RTF and binary noise by their text. Excel workbooks are told apart
here too (:func:`workbook_kind`) and read by :mod:`geo.ingest.workbook`.

Encodings: a byte-order mark wins (UTF-8, UTF-16 LE/BE, UTF-32); without
one, UTF-16 is recognised by its pattern of zero bytes; then strict UTF-8,
then Windows-1252 (which reads Latin-1 text the same, letter for letter). A
file that is UTF-8 apart from a few stray bytes stays UTF-8, and a
Windows-1252 file with a few of the five bytes that code page leaves
undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) stays Windows-1252: in both cases
the stray bytes are kept as lone surrogates (``surrogateescape``) so the
parser can say where they were (:func:`mend_fields`), and :func:`unstray`
then reads each one as Windows-1252 (an undefined byte becomes U+FFFD, the
replacement character). Only a file where such bytes are common is refused
as not being text.
"""

from __future__ import annotations

import codecs
import json
import re

import numpy as np
import pyarrow as pa

from geo.report import FileRefused, Issue

__all__ = [
    "SAVE_AS_CSV",
    "STRAY_RE",
    "decode",
    "mend_fields",
    "refuse_by_content",
    "refuse_by_magic",
    "stray_bytes",
    "stray_warnings",
    "unstray",
    "utf8_head",
    "workbook_kind",
]

SAVE_AS_CSV = "save it as CSV (UTF-8) and upload again"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Bytes that were not UTF-8, kept by the "surrogateescape" error handler.
STRAY_RE = re.compile("[\udc80-\udcff]+")
# a character that only a valid multi-byte UTF-8 sequence can produce
_UTF8_MULTIBYTE_RE = re.compile("[^\x00-\x7f\udc80-\udcff]")
# undefined Windows-1252 bytes always tolerated (more only in 1% of a file's bytes)
_MAX_UNDEFINED = 16


def workbook_kind(data: bytes) -> str | None:
    """Which spreadsheet the bytes are, by their first bytes, or None for anything else.

    ``"xlsx"`` (also .xlsm: a zip holding ``xl/`` parts), ``"xlsb"`` (the
    binary variant), ``"ods"`` (OpenDocument) or ``"xls"`` (an OLE2 container,
    as old Excel workbooks are; other old Office files share it).

    Examples
    --------
    >>> ole2 = bytes.fromhex("d0cf11e0a1b11ae1")
    >>> workbook_kind(b"event_date,location"), workbook_kind(ole2 + bytes(504))
    (None, 'xls')
    """
    head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return None
    sample = data[:200_000]
    if b"opendocument.spreadsheet" in sample:
        return "ods"
    if b"xl/workbook.bin" in sample:
        return "xlsb"
    if b"xl/" in sample or (b"[Content_Types].xml" in sample and b"xl" in sample):
        return "xlsx"
    return None


def refuse_by_magic(data: bytes) -> None:
    """Refuse well-known binary formats by their first bytes.

    Excel workbooks (.xlsx, .xls) are read by :mod:`geo.ingest.workbook`, not as CSV:
    the ingest sends them there (:func:`workbook_kind`), so this refusal only
    meets a caller that asks for CSV explicitly.
    """
    kind = workbook_kind(data)
    if kind in ("xlsx", "xls"):
        raise FileRefused(
            f"This is an Excel workbook (.{kind}), not a CSV file: upload it as it is "
            "(python -m geo ingest and the Data page read workbooks) or save it as CSV."
        )
    if kind in ("ods", "xlsb"):
        what = {
            "ods": "an OpenDocument spreadsheet (.ods)",
            "xlsb": "a binary Excel workbook (.xlsb)",
        }
        raise FileRefused(
            f"This looks like {what[kind]}, which is not read here: save it as an Excel "
            "workbook (.xlsx) or as CSV (UTF-8) and upload again."
        )
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        what = "a Word document" if b"word/" in data[:200_000] else "a zip archive"
        raise FileRefused(f"This looks like {what}, not a CSV file: {SAVE_AS_CSV}.")
    kinds = [
        (b"\x1f\x8b", "a gzip-compressed file"),
        (b"BZh", "a bzip2-compressed file"),
        (b"\xfd7zXZ\x00", "an xz-compressed file"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"Rar!", "a RAR archive"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"PAR1", "a Parquet file"),
    ]
    for magic, what in kinds:
        if data.startswith(magic):
            raise FileRefused(f"This looks like {what}, not a CSV file: {SAVE_AS_CSV}.")


def refuse_by_content(text: str) -> None:
    """Refuse decoded text that is binary noise, a web page, JSON or XML."""
    if not text or text.isspace():  # (no copy of a large text, unlike strip)
        raise FileRefused("The file holds only blank space: there is nothing to import.")
    sample = text[:65536]
    controls = len(_CONTROL_RE.findall(sample))
    if text.count("\x00") > max(2, len(text) // 100) or controls > max(2, len(sample) // 10):
        raise FileRefused(
            f"This looks like a binary file, not a CSV (it is mostly not text): {SAVE_AS_CSV}."
        )
    start = sample.lstrip().lower()
    if start.startswith("<?xml"):
        if "<html" in start[:4096] or "xhtml" in start[:4096]:
            raise FileRefused(_web_page_message())
        raise FileRefused(f"This looks like an XML file, not a CSV file: {SAVE_AS_CSV}.")
    html_starts = ("<!doctype", "<html", "<head", "<body", "<!--", "<meta", "<script", "<table")
    if start.startswith(html_starts) or (start.startswith("<") and "<html" in start[:4096]):
        raise FileRefused(_web_page_message())
    if start.startswith("{\\rtf"):
        raise FileRefused(f"This looks like a rich-text (RTF) document, not a CSV: {SAVE_AS_CSV}.")
    if start.startswith(("{", "[")) and _looks_like_json(text):
        raise FileRefused(
            "This looks like a JSON file, not a CSV file: export the data as CSV and upload again."
        )


def _web_page_message() -> str:
    return (
        "This looks like a web page (HTML), not a CSV file: the download may have "
        "failed or needed a login; download the CSV itself and upload again."
    )


def _looks_like_json(text: str) -> bool:
    stripped = text.strip()
    if len(stripped) <= 10_000_000:
        try:
            json.loads(stripped)
            return True
        except (ValueError, RecursionError):
            pass
    first = stripped.split("\n", 1)[0].strip()
    if first.startswith("{") and first.endswith("}"):
        try:
            json.loads(first)
            return True
        except (ValueError, RecursionError):
            return False
    return first in ("[", "{") or stripped.startswith(("[{", '{"'))


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode(data: bytes) -> tuple[str, str, bool]:
    """Decode with the BOM's codec, UTF-16 by pattern, (mostly) UTF-8, or cp1252.

    Returns the text, the codec, and whether the text still holds stray bytes
    as lone surrogates (UTF-8 apart from a few bytes).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            name = {
                codecs.BOM_UTF16_LE: "utf-16-le",
                codecs.BOM_UTF16_BE: "utf-16-be",
                codecs.BOM_UTF32_LE: "utf-32-le",
                codecs.BOM_UTF32_BE: "utf-32-be",
            }.get(bom, codec)
            try:
                return data.decode(codec).lstrip("\ufeff"), name, False
            except UnicodeDecodeError:
                raise FileRefused(
                    f"The file starts with a {name.upper()} marker but is not valid {name.upper()} "
                    f"text (it may be cut short or damaged): {SAVE_AS_CSV}."
                ) from None
    guess = _utf16_without_bom(data)
    if guess:
        try:
            return data.decode(guess), guess, False
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8").lstrip("\ufeff"), "utf-8", False
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few stray bytes: they stay as lone surrogates until the rows are
    # parsed, then _repair_stray_bytes reads them as cp1252 and says where they were
    mixed = data.decode("utf-8", errors="surrogateescape")
    n_stray = sum(map(len, STRAY_RE.findall(mixed)))
    if len(_UTF8_MULTIBYTE_RE.findall(mixed)) * 4 >= n_stray:  # mostly UTF-8, not binary
        return mixed.lstrip("\ufeff"), "utf-8", True
    try:
        return data.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError:
        pass
    # Windows-1252 text with a few bytes that code page leaves undefined: kept as lone
    # surrogates like the UTF-8 stray bytes above, so each is reported with its line
    text = data.decode("cp1252", errors="surrogateescape")
    n_stray = sum(map(len, STRAY_RE.findall(text)))
    if n_stray > max(_MAX_UNDEFINED, len(data) // 100):
        raise FileRefused(
            "The file is not readable text (tried UTF-8, UTF-16 and Windows-1252; "
            f"{n_stray:,} bytes are not characters in any of them): "
            f"it may be a binary file; {SAVE_AS_CSV}."
        )
    return text, "cp1252", True


def utf8_head(data: bytes, size: int) -> tuple[str, str] | None:
    r"""The text of about the first ``size`` bytes, and the codec :func:`decode` would name.

    For a large file that :func:`decode` would read as plain UTF-8: the whole
    file is checked (in Arrow, without making a Python string of it: at a
    million rows that string is 240–960 MB), and only its beginning is decoded,
    cut at a character's first byte, byte order marks left out as :func:`decode`
    leaves them out. The beginning is then exactly the start of the text
    :func:`decode` returns. None when the file holds a NUL byte, is not valid
    UTF-8, or is no longer than ``size`` bytes: decode it whole.

    Examples
    --------
    >>> utf8_head(codecs.BOM_UTF8 + "a,é\n".encode() * 4, 3)  # é (two bytes) is not split
    ('a,', 'utf-8-sig')
    >>> utf8_head(b"a,b\n\xff\n", 2) is None, utf8_head(b"a,b\n", 8) is None
    (True, True)
    """
    lead = 0
    while data.startswith(codecs.BOM_UTF8, lead):
        lead += len(codecs.BOM_UTF8)
    if len(data) <= lead + size or b"\x00" in data or not _valid_utf8(data):
        return None
    cut = lead + size
    while cut > lead and data[cut] & 0xC0 == 0x80:  # inside a character: back to its start
        cut -= 1
    return data[lead:cut].decode("utf-8"), "utf-8-sig" if lead else "utf-8"


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is strict UTF-8, as Python's decoder has it (no surrogates,
    no overlong forms), checked by Arrow on the bytes in place."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _stray_as_cp1252(match: re.Match[str]) -> str:
    return bytes(ord(c) - 0xDC00 for c in match.group()).decode("cp1252", errors="replace")


def unstray(text: str) -> str:
    """``text`` with its stray bytes (lone surrogates) read as cp1252."""
    return STRAY_RE.sub(_stray_as_cp1252, text)


def stray_bytes(text: str) -> str:
    """The stray bytes held in ``text``, as hex for a message.

    Examples
    --------
    >>> stray_bytes("Bara" + chr(0xDC92) + "s " + chr(0xDC90))
    '0x92 0x90'
    """
    return " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in "".join(STRAY_RE.findall(text)))


def mend_fields(
    fields: list[str], names: list[str], line: int, found: list[tuple[int, str, str, str]]
) -> list[str]:
    """Mend the stray bytes of one record (:func:`unstray`), noting where each was.

    Appends ``(line, column, mended value, the bytes as hex)`` to ``found`` for
    every field that held stray bytes; returns the mended fields.
    """
    if not STRAY_RE.search("".join(fields)):
        return fields
    out = []
    for i, value in enumerate(fields):
        if STRAY_RE.search(value):
            raw = stray_bytes(value)
            value = unstray(value)
            found.append((line, names[i] if i < len(names) else f"field {i + 1}", value, raw))
        out.append(value)
    return out


def _stray_message(raw: str, codec: str) -> str:
    if codec.startswith("utf-8"):
        return (
            f"This value held a byte that is not UTF-8 ({raw}; the rest of the file is); "
            "it was read as Windows-1252. Check the text: a pasted quote or apostrophe is "
            "the usual cause."
        )
    return (
        f"This value held a byte that Windows-1252, the file's encoding, does not define "
        f"({raw}); it is shown as \ufffd. Check the value against the original."
    )


def stray_warnings(
    found: list[tuple[int, str, str, str]], limit: int = 100, *, codec: str = "utf-8"
) -> list[Issue]:
    """One warning per value that held stray bytes, the first ``limit`` of them.

    Parameters
    ----------
    found : list of (line, column, value, bytes)
        As collected by :func:`mend_fields`.
    limit : int
        Warnings beyond it are summed up in one last warning (line None).
    codec : str
        The file's codec: says whether the bytes were not UTF-8 (and read as
        Windows-1252) or not defined in Windows-1252.
    """
    out = [
        Issue(line, col, value, _stray_message(raw, codec), level="warning")
        for line, col, value, raw in found[:limit]
    ]
    if len(found) > limit:
        what = (
            "were not UTF-8 and were read as Windows-1252"
            if codec.startswith("utf-8")
            else "are not defined in Windows-1252"
        )
        out.append(
            Issue(
                None,
                None,
                None,
                f"{len(found) - limit:,} more values held bytes that {what}.",
                level="warning",
            )
        )
    return out


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when zero bytes sit in every other position."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zero = even.count(0) / len(even)
    odd_zero = odd.count(0) / len(odd)
    if odd_zero > 0.6 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.6 and odd_zero < 0.05:
        return "utf-16-be"
    return None
