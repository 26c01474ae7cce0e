"""Files people open in a spreadsheet: CSV (one table, UTF-8 with a byte-order mark so that
Excel reads the accents) and XLSX (one sheet per table).

Every app that exports a table uses this module (docs/contracts.md):

    table = Table(title=_("Usage"), headers=[_("Machine"), _("Hours")], rows=[["Autoclave", 3]])
    return csv_response(table, "usage.csv")          # or csv_bytes(table)
    return xlsx_response([table, other], "usage.xlsx")  # or xlsx_bytes([...])

Cells are made safe for a spreadsheet: text that begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return — which Excel or LibreOffice would run as a formula (``=HYPERLINK(...)``,
``=cmd|...``) — is neutralised: in CSV it gets a leading apostrophe; in XLSX it is stored as a
text cell with Excel's quote prefix (never as a formula). Numbers stay numbers. Values become
what a reader expects in the active language: ``True``/``False`` → "Yes"/"No", ``None`` → empty,
lists joined by "; ", dates as dates, aware datetimes on the Africa/Casablanca wall clock, lazy
translations rendered. Labels (headers, sheet titles, choice labels) are the caller's, ideally
``gettext_lazy`` strings: render inside ``translation.override(language)`` for another language.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Table:
    """One table: a sheet of an XLSX file, or a whole CSV file."""

    title: Any
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """Text a spreadsheet would evaluate, prefixed with an apostrophe (shown, never run)."""
    return "'" + text if is_formula_like(text) else text


def plain(value: Any) -> Any:
    """A cell value: str, int, Decimal, float, date or naive local datetime (or None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(plain(v)) for v in value if v is not None)
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def csv_cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def csv_text(table: Table) -> str:
    """The table as CSV text with a byte-order mark (comma-separated, RFC 4180 quoting)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    return csv_text(table).encode("utf-8")


def sheet_title(title: Any, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _BAD_SHEET_CHARS.sub(" ", xml_text(str(title))).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def xml_text(text: str) -> str:
    """Without the control characters a workbook cannot hold (XML 1.0 forbids them; openpyxl
    refuses them): a name typed with one still exports."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _write_cell(sheet, row: int, column: int, value: Any) -> int:
    value = plain(value)
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = xml_text(value)
        cell.value = value
        cell.data_type = "s"  # text, even when it looks like a formula
        if is_formula_like(value):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return len(value)
    cell.value = value
    if isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
        return 16
    if isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
        return 10
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        cell.number_format = "#,##0.00"
    return len(str(value)) if value is not None else 0


def xlsx_bytes(tables: Sequence[Table], *, title: Any = "") -> bytes:
    """One sheet per table: bold headers, frozen first row, columns wide enough to read."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    if title:
        workbook.properties.title = xml_text(str(title))
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.title, taken))
        widths: dict[int, int] = {}
        for column, header in enumerate(table.headers, start=1):
            widths[column] = _write_cell(sheet, 1, column, header)
            sheet.cell(row=1, column=column).font = Font(bold=True)
        for row_number, row in enumerate(table.rows, start=2):
            for column, value in enumerate(row, start=1):
                width = _write_cell(sheet, row_number, column, value)
                widths[column] = max(widths.get(column, 0), width)
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
    if not tables:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(table: Table, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(csv_bytes(table), content_type=CSV_CONTENT_TYPE), filename)


def xlsx_response(tables: Sequence[Table], filename: str, *, title: Any = "") -> HttpResponse:
    body = xlsx_bytes(tables, title=title)
    return _attachment(HttpResponse(body, content_type=XLSX_CONTENT_TYPE), filename)
