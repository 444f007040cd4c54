"""CSV and XLSX downloads of list pages (`?format=csv|xlsx`), with the page's filters and permissions.

A list view declares `download_columns` — (label, accessor) pairs for exactly what its page shows —
and `FilteredListView` answers a download with the filtered, permission-restricted queryset. Cells
a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) are
prefixed with an apostrophe, so a crafted organisation name cannot run on the reader's machine.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000


def safe_cell(value: Any) -> Any:
    """The value as written to a spreadsheet cell: text that could start a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _value(obj, accessor: str | Callable) -> Any:
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
        if callable(value):
            value = value()
    return value


def table_response(objects: Iterable, columns, filename: str, fmt: str) -> HttpResponse:
    """A CSV (UTF-8 with BOM, for spreadsheets) or XLSX attachment of `objects` by `columns`."""
    header = [str(label) for label, _accessor in columns]
    rows = (
        [safe_cell(_value(obj, accessor)) for _label, accessor in columns] for obj in list(objects[:MAX_ROWS])
    )
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
