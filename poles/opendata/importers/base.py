"""The one import pipeline: read -> parse every row -> report all errors -> apply whole or not at all.

A file is read (CSV of any usual separator, UTF-8 with or without BOM or Windows-1252, XLSX, gzip),
its header matched to the importer's columns by name (never by position), every row parsed and
checked, then the cross-row checks (duplicate keys, references) run. Any error rejects the whole
file: nothing is written and every error is reported with its line, column and message in the
user's language. A clean file is applied in one transaction, keyed by identifiers (SIREN, PIC,
CORDIS ids…), so that importing it again updates rows and never duplicates them.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from poles.core.bulk import copy_rows

DELIMITERS = (",", ";", "\t")
MISSING = ("", "NA", "N/A", "null")  # how open-data extracts (CORDIS, the H2020 extract) say "unknown"


def max_bytes() -> int:
    return int(getattr(settings, "OPENDATA_IMPORT_MAX_BYTES", 200 * 1024 * 1024))


@dataclass
class RowError:
    line: int
    column: str
    message: Promise | str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.text()}


@dataclass
class Result:
    """What an import did or would do: counts by kind of row, and the errors that reject it."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    progress: Callable[[int], Any] | None = field(default=None, repr=False, compare=False)

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    def error(self, line: int, column: str, message, /, **params) -> None:
        self.errors.append(RowError(line, column, message, params))

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": {k: n for k, n in self.created.items() if n},
            "updated": {k: n for k, n in self.updated.items() if n},
            "skipped": {k: n for k, n in self.skipped.items() if n},
            "errors": [e.as_dict() for e in self.errors],
            "dry_run": self.dry_run,
        }


class Rejected(Exception):
    """The file cannot be read at all (encoding, separator, header): one or more errors, no rows."""

    def __init__(self, *errors: RowError):
        super().__init__(errors[0].text() if errors else "")
        self.errors = list(errors)


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", (name or "").strip().lstrip("\ufeff").casefold())


# --------------------------------------------------------------------------- reading


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:4096]:
        raise Rejected(
            RowError(
                1,
                "",
                _(
                    "The file is not text in UTF-8 or Windows-1252 (it looks like UTF-16 or a binary file); save it as CSV UTF-8."
                ),
            )
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            line = data[: exc.start].count(b"\n") + 1
            raise Rejected(
                RowError(
                    line,
                    "",
                    _("The file's encoding is neither UTF-8 nor Windows-1252; save it as CSV UTF-8."),
                )
            ) from None


def _read_bytes(source: Path | bytes, name: str) -> tuple[bytes, str]:
    limit = max_bytes()
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        name = name or path.name
        if path.stat().st_size > limit:
            raise Rejected(
                RowError(0, "", _("The file is too large: at most %(limit)s MB."), {"limit": limit // 2**20})
            )
        data = path.read_bytes()
    if len(data) > limit:
        raise Rejected(
            RowError(0, "", _("The file is too large: at most %(limit)s MB."), {"limit": limit // 2**20})
        )
    if data[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise Rejected(
                RowError(0, "", _("The file is too large: at most %(limit)s MB."), {"limit": limit // 2**20})
            )
        name = name.removesuffix(".gz")
    return data, name


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 — any unreadable workbook is the same error for the user
        raise Rejected(RowError(0, "", _("The XLSX file cannot be opened."))) from None
    sheet = book.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        row = []
        for value in values:
            if value is None:
                row.append("")
            elif isinstance(value, dt.datetime):
                row.append(value.date().isoformat() if value.time() == dt.time() else value.isoformat())
            elif isinstance(value, dt.date):
                row.append(value.isoformat())
            elif isinstance(value, float) and value.is_integer():
                row.append(str(int(value)))
            else:
                row.append(str(value))
        yield row
    book.close()


def read_table(
    source: Path | bytes, name: str = "", expected: Iterable[str] = ()
) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator of data rows (lists of strings) of a CSV, XLSX or gzip file."""
    data, name = _read_bytes(source, name)
    if not data.strip():
        raise Rejected(RowError(1, "", _("The file is empty.")))
    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        rows = _xlsx_rows(data)
        header = next(rows, None)
        if header is None:
            raise Rejected(RowError(1, "", _("The file is empty.")))
        return [h.strip() for h in header], rows
    text = _decode(data)
    first = text.split("\n", 1)[0]
    wanted = {_normalise(e) for e in expected}

    def score(delimiter: str) -> tuple[int, int]:
        cells = [_normalise(c) for c in first.split(delimiter)]
        return (len(wanted & set(cells)), len(cells))

    delimiter = max(DELIMITERS, key=score)
    if score(delimiter)[1] == 1 and len(wanted) > 1:
        raise Rejected(
            RowError(
                1,
                "",
                _("The columns could not be told apart: separate them with a comma, a semicolon or a tab."),
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    return header, reader


# --------------------------------------------------------------------------- parsing cells


class CellError(ValueError):
    def __init__(self, message, **params):
        super().__init__(str(message))
        self.message, self.params = message, params


def text(value: str) -> str:
    return value.strip()


def decimal(value: str, *, negative: bool = False) -> Decimal | None:
    try:  # the common case, a plain number, first: the cleaning below costs more than the parse
        number = Decimal(value)
    except InvalidOperation:
        cleaned = value.strip().replace("\u00a0", "").replace(" ", "")
        if cleaned in MISSING:
            return None
        if "," in cleaned and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a number."), value=value.strip()) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number."), value=value.strip())
    if number < 0 and not negative:
        raise CellError(_("An amount cannot be negative (%(value)s)."), value=value.strip())
    return number


def integer(value: str) -> int | None:
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral():
        raise CellError(_("“%(value)s” is not a whole number."), value=value)
    return int(number)


def date(value: str) -> dt.date | None:
    value = value.strip()
    if value in MISSING:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    for pattern in ("%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY)."), value=value)


def boolean(value: str) -> bool | None:
    value = value.strip().casefold()
    if not value:
        return None
    if value in ("1", "true", "yes", "oui", "vrai", "y", "o"):
        return True
    if value in ("0", "false", "no", "non", "faux", "n"):
        return False
    raise CellError(_("“%(value)s” is not yes or no."), value=value)


_COUNTRIES: set[str] | None = None
COUNTRY_ALIASES = {"EL": "GR", "UK": "GB"}  # the EU's own codes for Greece and the United Kingdom


def country(value: str) -> str:
    global _COUNTRIES
    value = value.strip().upper()
    if not value:
        return ""
    value = COUNTRY_ALIASES.get(value, value)
    if _COUNTRIES is None:
        from babel import Locale

        # Babel also lists "unknown region" and the EU/UN groupings: they are no countries.
        _COUNTRIES = {code for code in Locale("en").territories if len(code) == 2 and code.isalpha()} - {
            "ZZ",
            "EU",
            "EZ",
            "UN",
            "QO",
            "XA",
            "XB",
        }
    if value not in _COUNTRIES:
        raise CellError(_("“%(value)s” is not an ISO 3166 country code (e.g. FR, DE)."), value=value)
    return value


def choice(options: Iterable[str]) -> Callable[[str], str]:
    allowed = {str(o) for o in options}

    def parse(value: str) -> str:
        value = value.strip()
        if value and value not in allowed:
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s."), value=value, allowed=", ".join(sorted(allowed))
            )
        return value

    return parse


def django_validator(fn) -> Callable[[str], str]:
    """Wrap a Django field validator (SIREN, PIC…) so that it raises a CellError with its message."""
    from django.core.exceptions import ValidationError

    def parse(value: str) -> str:
        value = re.sub(r"\s", "", value.strip())
        if not value:
            return ""
        try:
            fn(value)
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
        return value

    return parse


# --------------------------------------------------------------------------- importers


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any] = text
    required: bool = False  # the column must be in the header and the cell filled
    aliases: tuple[str, ...] = ()
    optional_column: bool = True  # the column may be absent from the header


class Importer:
    """One kind of file. Subclasses declare `columns` and implement `check(rows)` and `apply(rows)`."""

    kind = ""
    columns: tuple[Column, ...] = ()
    allow_empty = False

    def __init__(self, result: Result):
        self.result = result

    def store(self, kind: str, model, new: list, dirty: list, fields: list[str], *, batch_size=None) -> None:
        """Write what `apply` sorted out: insert the new rows, update `fields` of the changed objects,
        and count both under `kind` in the result (unchanged rows were counted as skipped)."""
        insert_rows(model, new)
        model.objects.bulk_update(dirty, fields, batch_size=batch_size)
        self.result.created[kind] += len(new)
        self.result.updated[kind] += len(dirty)

    # -- parsing
    def map_header(self, header: list[str], source: str = "") -> dict[str, int]:
        seen: dict[str, int] = {}
        for index, name in enumerate(header):
            key = _normalise(name)
            if not key:
                continue
            if key in seen:
                self.result.error(
                    1, name, _("The column “%(column)s” appears twice in the header."), column=name
                )
            seen[key] = index
        positions = {}
        for column in self.columns:
            for candidate in (column.name, *column.aliases):
                if _normalise(candidate) in seen:
                    positions[column.name] = seen[_normalise(candidate)]
                    break
            else:
                if column.required or not column.optional_column:
                    self.result.error(
                        1, column.name, _("The column “%(column)s” is missing%(where)s."), column=column.name,
                        where=f" ({source})" if source else "",
                    )  # fmt: skip
        return positions

    def parse(self, header: list[str], rows: Iterable[list[str]], source: str = "") -> list[tuple[int, dict]]:
        """Every row as (line, {column: value}); every cell error recorded, none raised."""
        positions = self.map_header(header, source)
        if self.result.errors:
            return []
        parsed = []
        width = len(header)
        for line, cells in enumerate(rows, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                self.result.error(
                    line, "", _("This line has %(found)s cells where the header has %(expected)s."),
                    found=len(cells), expected=width,
                )  # fmt: skip
                continue
            values: dict[str, Any] = {}
            for column in self.columns:
                index = positions.get(column.name)
                raw = cells[index] if index is not None else ""
                stripped = raw.strip()
                if looks_like_formula(stripped):
                    self.result.error(
                        line, column.name, _("Formulas are not accepted in an imported cell (“%(value)s”)."),
                        value=stripped[:40],
                    )  # fmt: skip
                    continue
                if column.required and not stripped:
                    self.result.error(line, column.name, _("This cell is required."))
                    continue
                try:
                    values[column.name] = column.parse(raw)
                except CellError as exc:
                    self.result.error(line, column.name, exc.message, **exc.params)
            parsed.append((line, values))
            if self.result.progress is not None and len(parsed) % 5000 == 0:
                self.result.progress(5000)
            if len(self.result.errors) > 1000:
                break
        if not parsed and not self.result.errors and not self.allow_empty:
            self.result.error(
                2,
                "",
                _("The file has a header but no data rows%(where)s."),
                where=f" ({source})" if source else "",
            )
        return parsed

    def duplicates(self, rows: list[tuple[int, dict]], key: Callable[[dict], Any], column: str) -> None:
        first: dict[Any, int] = {}
        for line, values in rows:
            k = key(values)
            if k is None:
                continue
            if k in first:
                self.result.error(
                    line,
                    column,
                    _("Duplicate key: the same row is already given at line %(first)s."),
                    first=first[k],
                )
            else:
                first[k] = line


_FORMULA_BODY = re.compile(r"[A-Za-z_.]+\s*\(|!|\|")


def looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run: `=…`, or `+`, `-`, `@` followed by a function call or a
    reference to another sheet or program. A lone dash or a negative number is data."""
    if not value:
        return False
    if value[0] == "=":
        return True
    return value[0] in "+-@" and not _is_number(value) and bool(_FORMULA_BODY.search(value[1:]))


def _is_number(value: str) -> bool:
    try:
        Decimal(value.replace(",", "."))
    except InvalidOperation:
        return False
    return True


# --------------------------------------------------------------------------- writing


def insert_rows(model, objects: list) -> None:
    """Insert rows (unsaved instances or dicts of attribute values) in batches: executemany, or COPY
    on PostgreSQL. Much cheaper than bulk_create for a hundred thousand rows: values go to the
    driver as they are, missing fields take their default, auto_now fields are stamped here."""
    if not objects:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    postgres = connection.vendor == "postgresql"
    plans = []  # per field: (attname, constant or None, converter or None)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plans.append((None, f.get_db_prep_save(now, connection), None))
            continue
        default = f.get_db_prep_save(f.get_default(), connection)
        convert = None
        if not postgres and isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            convert = connection.ops.adapt_datefield_value
        elif not postgres or isinstance(f, models.JSONField):
            convert = (
                None
                if f.get_internal_type() in _PLAIN_TYPES
                else (lambda v, f=f: f.get_db_prep_save(v, connection))
            )
        plans.append((f.attname, default, convert))
    rows = []
    for obj in objects:
        values = obj if isinstance(obj, dict) else obj.__dict__
        row = []
        for attname, default, convert in plans:
            if attname is None or attname not in values:
                row.append(default)
                continue
            value = values[attname]
            row.append(convert(value) if convert is not None and value is not None else value)
        rows.append(tuple(row))
    copy_rows(model, [f.column for f in fields], rows)


# Types whose Python values the SQLite driver takes as they are (Decimal has Django's adapter).
_PLAIN_TYPES = {
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "IntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField", "BigIntegerField", "BooleanField", "DecimalField",
    "FloatField", "ForeignKey",
}  # fmt: skip


def changed(obj, values: dict[str, Any]) -> bool:
    """Set `values` on `obj`; whether any differed."""
    differs = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            differs = True
    return differs
