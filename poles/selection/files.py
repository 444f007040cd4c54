"""Read the analyst's selection files (proposals CSV, envelopes CSV, constraints JSON) into the engine's data.

Why this module exists: analysts run the selection on exported files (`poles select`), and a
wrong file must fail loudly and precisely rather than give a plausible wrong selection. Every
problem is reported with its file, line (1-based; the CSV header is line 1) and column, in
French and English, and all problems of a file are reported at once.

Formats (UTF-8, a byte-order mark is accepted; comma-separated, or semicolon-separated as
spreadsheets in French often write):

* proposals: ``proposal_id,funder,aid,score,sme_aid,cluster``, one row per proposal and funder
  asked; a proposal's score and cluster repeat on each of its rows; an empty cluster means the
  proposal is not counted against any cluster cap.
* envelopes: ``funder,envelope``.
* constraints (JSON object, every key optional): ``min_sme_share`` (0-1),
  ``max_aid_per_cluster`` (>= 0), ``min_score``, ``objective`` ("score" | "score_per_euro").
"""

from __future__ import annotations

import csv
import io
import json
import math
import pathlib
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from poles.selection.engine import Constraints, Proposal

PROPOSAL_COLUMNS = ("proposal_id", "funder", "aid", "score", "sme_aid", "cluster")
ENVELOPE_COLUMNS = ("funder", "envelope")
CONSTRAINT_KEYS = ("min_sme_share", "max_aid_per_cluster", "min_score", "objective")
#: Stop collecting after this many problems: a wrong delimiter would otherwise report every line.
MAX_ERRORS = 50


class LazyMessage:
    """A translatable message whose placeholders are filled when it is displayed, not when it is built.

    `gettext_lazy(...) % params` translates at once, in whatever language is active then; an error
    built while reading a file may be shown later in another request's language.
    """

    def __init__(self, template: Any, params: dict[str, Any] | None = None):
        self.template = template
        self.params = params

    def __mod__(self, params: dict[str, Any]) -> LazyMessage:
        return LazyMessage(self.template, params)

    def __str__(self) -> str:
        return str(self.template) % self.params if self.params is not None else str(self.template)

    def __repr__(self) -> str:
        return f"LazyMessage({str(self)!r})"


def _(message: str) -> LazyMessage:
    """gettext_lazy, with `%` kept lazy (see LazyMessage); makemessages extracts `_()` as usual."""
    return LazyMessage(gettext_lazy(message))


@dataclass(frozen=True)
class InputError:
    """One problem in an input file, located by file, line and column (None where it does not apply)."""

    file: str
    line: int | None
    column: str | None
    message: LazyMessage | str

    def __str__(self) -> str:
        where = {"file": self.file, "line": self.line, "column": self.column, "message": self.message}
        if self.line is not None and self.column is not None:
            return str(_("%(file)s, line %(line)s, column %(column)s: %(message)s") % where)
        if self.line is not None:
            return str(_("%(file)s, line %(line)s: %(message)s") % where)
        return str(_("%(file)s: %(message)s") % where)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the CLI and the API."""
        return {"file": self.file, "line": self.line, "column": self.column, "message": str(self.message)}


class SelectionInputError(ValueError):
    """Malformed selection input: holds every problem found, each with its line and column."""

    def __init__(self, errors: list[InputError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class _Collector:
    """Gathers problems of a file, stopping at MAX_ERRORS."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[InputError] = []

    def add(self, line: int | None, column: str | None, message: Any) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(InputError(self.file, line, column, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise SelectionInputError(self.errors)


def _number(text: str, line: int, column: str, errors: _Collector, *, non_negative: bool) -> float | None:
    """A finite float from a CSV cell, or None after recording why not."""
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        errors.add(line, column, _("“%(value)s” is not a number.") % {"value": value})
        return None
    if non_negative and number < 0:
        errors.add(line, column, _("%(value)s is negative; it must be 0 or more.") % {"value": value})
        return None
    return number


def _read_text(path: str | pathlib.Path, errors: _Collector) -> str | None:
    try:
        return pathlib.Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        errors.add(None, None, _("file not found."))
    except UnicodeDecodeError:
        errors.add(None, None, _("the file is not UTF-8 text."))
    except OSError as exc:
        errors.add(None, None, _("cannot read the file (%(reason)s).") % {"reason": exc.strerror or exc})
    return None


def _rows(text: str, expected: tuple[str, ...], errors: _Collector):
    """Check the header of a CSV text and yield (line, {column: cell}) for each non-blank data row."""
    if not text.strip():
        errors.add(
            1, None, _("the file is empty; expected the header %(header)s.") % {"header": ",".join(expected)}
        )
        return
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    bad_header = False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.add(1, name, _("column “%(column)s” appears twice in the header.") % {"column": name})
            bad_header = True
        seen.add(name)
        if name not in expected:
            errors.add(
                1,
                name,
                _("unknown column “%(column)s”; expected %(header)s.")
                % {"column": name, "header": ",".join(expected)},
            )
            bad_header = True
    for name in expected:
        if name not in seen:
            errors.add(1, name, _("missing column “%(column)s”.") % {"column": name})
            bad_header = True
    if bad_header:
        return
    any_row = False
    for cells in reader:
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        any_row = True
        if len(cells) != len(header):
            # Name the first missing column; extra fields belong to no column.
            errors.add(
                line,
                header[len(cells)] if len(cells) < len(header) else None,
                _("expected %(expected)s fields, found %(found)s.")
                % {"expected": len(header), "found": len(cells)},
            )
            continue
        yield line, dict(zip(header, cells, strict=True))
    if not any_row:
        errors.add(2, None, _("no data rows after the header."))


def read_envelopes(path: str | pathlib.Path) -> dict[str, float]:
    """Each funder's envelope (euros) from E.csv; raises SelectionInputError with every problem found."""
    errors = _Collector(pathlib.Path(path).name)
    text = _read_text(path, errors)
    envelopes: dict[str, float] = {}
    first_line: dict[str, int] = {}
    if text is not None:
        for line, row in _rows(text, ENVELOPE_COLUMNS, errors):
            funder = row["funder"].strip()
            if not funder:
                errors.add(line, "funder", _("the funder is empty."))
                continue
            if funder in first_line:
                errors.add(
                    line,
                    "funder",
                    _("funder “%(funder)s” already has an envelope on line %(first)s.")
                    % {"funder": funder, "first": first_line[funder]},
                )
                continue
            first_line[funder] = line
            value = _number(row["envelope"], line, "envelope", errors, non_negative=True)
            if value is not None:
                envelopes[funder] = value
    errors.raise_if_any()
    return envelopes


def read_proposals(path: str | pathlib.Path) -> tuple[list[Proposal], dict[str, dict[str, int]]]:
    """Proposals from P.csv, and for each proposal the line of each funder's row (to locate later errors).

    Raises SelectionInputError with every problem found.
    """
    errors = _Collector(pathlib.Path(path).name)
    text = _read_text(path, errors)
    rows: dict[str, dict[str, Any]] = {}
    lines: dict[str, dict[str, int]] = {}
    if text is not None:
        for line, row in _rows(text, PROPOSAL_COLUMNS, errors):
            pid = row["proposal_id"].strip()
            funder = row["funder"].strip()
            cluster = row["cluster"].strip() or None
            if not pid:
                errors.add(line, "proposal_id", _("the proposal id is empty."))
            if not funder:
                errors.add(line, "funder", _("the funder is empty."))
            aid = _number(row["aid"], line, "aid", errors, non_negative=True)
            score = _number(row["score"], line, "score", errors, non_negative=False)
            sme = _number(row["sme_aid"], line, "sme_aid", errors, non_negative=True)
            if not pid or not funder or aid is None or score is None or sme is None:
                continue
            if sme > aid:
                errors.add(
                    line,
                    "sme_aid",
                    _("SME aid %(sme)s is more than the aid %(aid)s of the row.")
                    % {"sme": row["sme_aid"].strip(), "aid": row["aid"].strip()},
                )
                continue
            known = rows.get(pid)
            if known is None:
                known = rows[pid] = {
                    "score": score,
                    "score_text": row["score"].strip(),
                    "cluster": cluster,
                    "line": line,
                    "aid": {},
                    "sme": {},
                }
                lines[pid] = {}
            else:
                if score != known["score"]:
                    errors.add(
                        line,
                        "score",
                        _("proposal “%(id)s” has score %(score)s here but %(first)s on line %(line)s.")
                        % {
                            "id": pid,
                            "score": row["score"].strip(),
                            "first": known["score_text"],
                            "line": known["line"],
                        },
                    )
                    continue
                if cluster != known["cluster"]:
                    errors.add(
                        line,
                        "cluster",
                        _(
                            "proposal “%(id)s” has cluster “%(cluster)s” here but “%(first)s” on line %(line)s."
                        )
                        % {
                            "id": pid,
                            "cluster": cluster or "",
                            "first": known["cluster"] or "",
                            "line": known["line"],
                        },
                    )
                    continue
                if funder in known["aid"]:
                    errors.add(
                        line,
                        "funder",
                        _("proposal “%(id)s” already asks funder “%(funder)s” on line %(line)s.")
                        % {"id": pid, "funder": funder, "line": lines[pid][funder]},
                    )
                    continue
            known["aid"][funder] = aid
            known["sme"][funder] = sme
            lines[pid][funder] = line
    errors.raise_if_any()
    proposals = [
        Proposal(id=pid, score=r["score"], aid=r["aid"], sme_aid=r["sme"], cluster=r["cluster"])
        for pid, r in rows.items()
    ]
    return proposals, lines


def _key_line(text: str, key: str) -> int | None:
    """Line of a key's first occurrence in JSON text: json gives positions only for syntax errors."""
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def read_constraints(path: str | pathlib.Path) -> Constraints:
    """The call's optional constraints from C.json; raises SelectionInputError with every problem found."""
    errors = _Collector(pathlib.Path(path).name)
    text = _read_text(path, errors)
    values: dict[str, Any] = {}
    if text is not None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.add(exc.lineno, str(exc.colno), _("invalid JSON (%(reason)s).") % {"reason": exc.msg})
            data = None
        if data is not None and not isinstance(data, dict):
            errors.add(1, None, _('expected a JSON object such as {"min_sme_share": 0.3}.'))
        elif isinstance(data, dict):
            for key, value in data.items():
                line = _key_line(text, key)
                if key not in CONSTRAINT_KEYS:
                    errors.add(
                        line,
                        key,
                        _("unknown key “%(key)s”; expected one of %(keys)s.")
                        % {"key": key, "keys": ", ".join(CONSTRAINT_KEYS)},
                    )
                    continue
                if value is None:
                    continue
                if key == "objective":
                    if value not in ("score", "score_per_euro"):
                        errors.add(line, key, _("objective must be “score” or “score_per_euro”."))
                        continue
                    values[key] = value
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                    errors.add(line, key, _("“%(key)s” must be a number.") % {"key": key})
                    continue
                if key == "min_sme_share" and not 0 <= value <= 1:
                    errors.add(
                        line, key, _("min_sme_share must lie between 0 and 1 (a share, not a percentage).")
                    )
                    continue
                if key == "max_aid_per_cluster" and value < 0:
                    errors.add(line, key, _("max_aid_per_cluster must be 0 or more."))
                    continue
                values[key] = float(value)
    errors.raise_if_any()
    return Constraints(**values)


def load_inputs(
    proposals_path: str | pathlib.Path,
    envelopes_path: str | pathlib.Path,
    constraints_path: str | pathlib.Path | None = None,
) -> tuple[list[Proposal], dict[str, float], Constraints]:
    """Read and cross-check the three files: every funder asked has an envelope; score per euro needs aid.

    Raises SelectionInputError with the problems of every file (each file is read even if another fails).
    """
    errors: list[InputError] = []
    proposals: list[Proposal] = []
    lines: dict[str, dict[str, int]] = {}
    envelopes: dict[str, float] = {}
    constraints = Constraints()
    try:
        proposals, lines = read_proposals(proposals_path)
    except SelectionInputError as exc:
        errors += exc.errors
    try:
        envelopes = read_envelopes(envelopes_path)
    except SelectionInputError as exc:
        errors += exc.errors
    if constraints_path is not None:
        try:
            constraints = read_constraints(constraints_path)
        except SelectionInputError as exc:
            errors += exc.errors
    if errors:
        raise SelectionInputError(errors)
    name = pathlib.Path(proposals_path).name
    for p in proposals:
        for funder, line in lines[p.id].items():
            if funder not in envelopes:
                errors.append(
                    InputError(
                        name,
                        line,
                        "funder",
                        _("funder “%(funder)s” has no envelope in %(file)s.")
                        % {"funder": funder, "file": pathlib.Path(envelopes_path).name},
                    )
                )
        if constraints.objective == "score_per_euro" and not p.total_aid > 0:
            errors.append(
                InputError(
                    name,
                    min(lines[p.id].values()),
                    "aid",
                    _("proposal “%(id)s” asks for no aid: its score per euro is undefined.") % {"id": p.id},
                )
            )
    if errors:
        raise SelectionInputError(errors[:MAX_ERRORS])
    return proposals, envelopes, constraints
