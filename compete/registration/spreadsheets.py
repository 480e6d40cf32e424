"""Reading and writing the rows of XLSX and CSV files (openpyxl and the csv module).

Owns: ``format_of(filename)``; ``read_rows(content, format)`` → the non-blank rows with their
spreadsheet row numbers (the header is row 1), reading XLSX in openpyxl's streaming read-only
mode and CSV as UTF-8 (with or without BOM) or, failing that, GB18030 (what Excel on a Chinese
Windows saves); ``write_rows(format, header, rows)`` → bytes (XLSX in write-only mode; CSV in
UTF-8 with a BOM so that Excel opens Chinese text correctly).

Must not: know what the columns mean (``registration.imports`` does); import flask.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from compete.errors import ValidationFailed

FORMATS = ("xlsx", "csv")
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8"}
#: files larger than this are refused before parsing (a provincial event is far below it)
MAX_BYTES = 20 * 1024 * 1024

Row = tuple[int, list[Any]]


def format_of(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in FORMATS:
        raise ValidationFailed("import.unknown_format", field="file", formats=", ".join(FORMATS))
    return suffix


def read_rows(content: bytes, fmt: str, progress: Callable[[float], None] | None = None) -> list[Row]:
    """The file's non-blank rows; ``progress`` hears the share read so far (XLSX, every 500 rows)."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed("import.too_large", field="file", mb=MAX_BYTES // (1024 * 1024))
    rows = _read_xlsx(content, progress) if fmt == "xlsx" else _read_csv(content)
    return [(number, cells) for number, cells in rows if any(c not in (None, "") for c in cells)]


def _read_xlsx(content: bytes, progress: Callable[[float], None] | None) -> list[Row]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationFailed("import.unreadable", field="file") from None
    try:
        sheet = workbook.worksheets[0]
        expected = sheet.max_row or 0  # from the sheet's stated dimension; may be missing
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, list(values)))
            if progress is not None and expected and number % 500 == 0:
                progress(min(1.0, number / expected))
        return rows
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[Row]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed("import.unreadable", field="file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    return [(number, list(cells)) for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]


def write_rows(fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "data") -> bytes:
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    raise ValidationFailed("import.unknown_format", field="format", formats=", ".join(FORMATS))
