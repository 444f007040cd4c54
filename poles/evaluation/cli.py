"""`poles evaluate`: the analysts' command line for impact evaluation on their own panel files.

Analysts have their own firm-year files (from INSEE/FARE extracts, their region's registers...) and must be
able to run the same estimators as the platform without loading anything into it:

    poles evaluate did --panel FILE.csv --unit COL --time COL --outcome COL --first-treated COL
        [--covariates a,b] [--control never|notyet] [--aggregate simple|group|dynamic|calendar] --json

`run(argv)` holds the whole command and returns the exit code, so tests call it without Django; the
management command `evaluate` is a thin wrapper. A bad file or panel (missing column, duplicated unit-years,
treatment before the panel starts, no never-treated unit, non-numeric outcome, unreadable file...) ends with
one message naming the problem on stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from .estimators.errors import EvaluationError, PanelError
from .estimators.i18n import _, format_count, format_number, normalise_language, translate
from .estimators.matched import MATCH_METHODS, matched_did
from .estimators.panel import PanelSpec, validate_panel
from .estimators.report import EvaluationParams, run_evaluation
from .estimators.staggered import AGGREGATIONS, EST_METHODS, ESTIMATE_KEY, SE_METHODS, callaway_santanna
from .estimators.summary import summary
from .estimators.twfe import twfe_event_study

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
SEPARATORS = (",", ";", "\t", "|")


def run(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run `poles evaluate ...` with `argv` (without the program name); return the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    language = _language(argv)
    parser = build_parser(language)
    try:
        # argparse prints usage, help and its errors itself: send them to the caller's streams.
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(stderr)
        return EXIT_BAD_INPUT
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return args.handler(args, language, stdout, stderr)
    except EvaluationError as error:
        line = translate(
            _("error [%(code)s]: %(message)s"),
            language,
            {"code": error.code, "message": error.message(language)},
        )
        print(line, file=stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print(translate(_("error: not enough memory for this panel."), language), file=stderr)
        return EXIT_INTERNAL
    except Exception as error:  # noqa: BLE001 - the contract is one line on stderr, never a traceback
        if getattr(args, "debug", False):
            raise
        message = translate(
            _("internal error (%(kind)s): %(message)s. Re-run with --debug for details."),
            language,
            {"kind": type(error).__name__, "message": error},
        )
        print(message, file=stderr)
        return EXIT_INTERNAL


def build_parser(language: str = "fr") -> argparse.ArgumentParser:
    """The argparse tree, with help texts in `language`."""
    t = lambda message: translate(message, language)  # noqa: E731
    parser = argparse.ArgumentParser(
        prog="poles evaluate",
        description=t(_("Firm-level impact evaluation (difference-in-differences) on a panel file.")),
    )
    commands = parser.add_subparsers(dest="command")

    did = commands.add_parser(
        "did",
        help=t(_("Callaway & Sant'Anna staggered difference-in-differences.")),
        description=t(_("Callaway & Sant'Anna staggered difference-in-differences.")),
    )
    _panel_arguments(did, t)
    did.add_argument(
        "--control",
        choices=("never", "notyet"),
        default="never",
        help=t(_("comparison group: never-treated units (default) or not-yet-treated units")),
    )
    did.add_argument(
        "--aggregate",
        choices=AGGREGATIONS,
        default="simple",
        help=t(_("aggregation of the group-time effects (default: simple)")),
    )
    did.add_argument(
        "--est-method",
        choices=EST_METHODS,
        default="dr",
        help=t(_("doubly robust (default), inverse probability weighting or outcome regression")),
    )
    did.add_argument(
        "--se",
        choices=SE_METHODS,
        default="analytic",
        help=t(_("analytic (default) or multiplier-bootstrap standard errors")),
    )
    did.add_argument("--biters", type=int, default=999, help=t(_("bootstrap draws (default 999)")))
    did.add_argument("--seed", type=int, default=0, help=t(_("seed of the bootstrap draws (default 0)")))
    did.add_argument(
        "--uniform-bands",
        action="store_true",
        help=t(
            _(
                "simultaneous confidence bands for the per-group, per-event-time or per-period estimates (bootstrap)"
            )
        ),
    )
    did.add_argument(
        "--report",
        metavar="FILE",
        help=t(
            _(
                "also write the full evaluation record (all aggregations, fixed-effects comparison, summaries, fingerprint) as JSON to FILE"
            )
        ),
    )
    did.set_defaults(handler=_run_did)

    event = commands.add_parser(
        "event-study",
        help=t(_("Two-way fixed effects event study, for comparison.")),
        description=t(_("Two-way fixed effects event study, for comparison.")),
    )
    _panel_arguments(event, t)
    event.add_argument(
        "--control",
        choices=("never", "notyet"),
        default="notyet",
        help=t(_("which units must be present: never-treated required (never) or not (notyet, default)")),
    )
    event.add_argument("--min-event", type=int, help=t(_("first event time with its own coefficient")))
    event.add_argument("--max-event", type=int, help=t(_("last event time with its own coefficient")))
    event.add_argument(
        "--bin-endpoints",
        action="store_true",
        help=t(_("bin event times beyond the window into the end coefficients")),
    )
    event.set_defaults(handler=_run_event_study)

    matched = commands.add_parser(
        "matched",
        help=t(_("2x2 difference-in-differences on matched controls.")),
        description=t(_("2x2 difference-in-differences on matched controls.")),
    )
    _panel_arguments(matched, t)
    matched.add_argument(
        "--control",
        choices=("never", "notyet"),
        default="never",
        help=t(_("comparison group: never-treated units (default) or not-yet-treated units")),
    )
    matched.add_argument(
        "--method",
        choices=MATCH_METHODS,
        default="propensity",
        help=t(_("propensity score (default), nearest neighbour, or no matching")),
    )
    matched.add_argument(
        "--horizon", type=int, default=0, help=t(_("years after treatment of the post period (default 0)"))
    )
    matched.add_argument(
        "--neighbours", type=int, default=1, help=t(_("matched controls per treated unit (default 1)"))
    )
    matched.add_argument(
        "--caliper",
        type=float,
        help=t(_("maximum matching distance (default 0.2 standard deviations of the propensity logit)")),
    )
    matched.add_argument(
        "--no-outcome-matching", action="store_true", help=t(_("do not match on the pre-treatment outcome"))
    )
    matched.set_defaults(handler=_run_matched)
    return parser


def _panel_arguments(parser: argparse.ArgumentParser, t) -> None:
    parser.add_argument(
        "--panel", required=True, metavar="FILE.csv", help=t(_("panel file, one row per unit and year (CSV)"))
    )
    parser.add_argument("--unit", required=True, metavar="COL", help=t(_("column of the unit identifier")))
    parser.add_argument("--time", required=True, metavar="COL", help=t(_("column of the year")))
    parser.add_argument("--outcome", required=True, metavar="COL", help=t(_("column of the outcome")))
    parser.add_argument(
        "--first-treated",
        required=True,
        metavar="COL",
        help=t(_("column of the first treated year, 0 for never-treated units")),
    )
    parser.add_argument(
        "--covariates", default="", metavar="A,B", help=t(_("comma-separated baseline covariates"))
    )
    parser.add_argument("--alpha", type=float, default=0.05, help=t(_("1 - confidence level (default 0.05)")))
    parser.add_argument(
        "--drop-early-treated",
        action="store_true",
        help=t(_("drop units treated in or before the first year instead of stopping")),
    )
    parser.add_argument("--sep", help=t(_("column separator (default: detected among , ; tab |)")))
    parser.add_argument(
        "--decimal", help=t(_("decimal mark (default: ',' when the separator is ';', else '.')"))
    )
    parser.add_argument(
        "--encoding",
        default="utf-8",
        help=t(_("file encoding (default utf-8; e.g. cp1252 for old Excel exports)")),
    )
    parser.add_argument("--lang", choices=("fr", "en"), help=t(_("language of messages and summary")))
    parser.add_argument("--json", action="store_true", help=t(_("print the result as JSON")))
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def read_panel_csv(
    path: str | Path,
    columns: list[str],
    *,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str = "utf-8",
    id_column: str | None = None,
) -> pd.DataFrame:
    """Read the needed `columns` of a CSV panel; any unreadable file becomes an `EvaluationError` naming why."""
    path = Path(path)
    if not path.exists():
        raise EvaluationError("file_not_found", _("File '%(path)s' does not exist."), path=str(path))
    if path.is_dir():
        raise EvaluationError("file_unreadable", _("'%(path)s' is a folder, not a file."), path=str(path))
    encoding = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        with path.open(encoding=encoding, newline="") as handle:
            header_line = handle.readline()
    except LookupError as exc:
        raise EvaluationError(
            "file_encoding", _("Unknown encoding '%(encoding)s'."), encoding=encoding
        ) from exc
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, encoding) from exc
    except OSError as exc:
        raise EvaluationError(
            "file_unreadable",
            _("File '%(path)s' cannot be read: %(reason)s."),
            path=str(path),
            reason=exc.strerror or exc,
        ) from exc
    if not header_line.strip():
        raise EvaluationError(
            "file_empty", _("File '%(path)s' is empty: it needs a header line and data rows."), path=str(path)
        )
    sep = sep or max(SEPARATORS, key=header_line.count)
    decimal = decimal or ("," if sep == ";" else ".")
    header = next(csv.reader([header_line], delimiter=sep))
    header = [name.strip() for name in header]
    missing = [c for c in columns if c not in header]
    if missing:
        raise PanelError(
            "missing_column",
            _("Column(s) %(columns)s not found in the panel. Available columns: %(available)s."),
            columns=", ".join(f"'{c}'" for c in missing),
            available=", ".join(f"'{c}'" for c in header[:30]),
        )
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            decimal=decimal,
            encoding=encoding,
            usecols=lambda name: name.strip() in columns,
            dtype={id_column: str} if id_column else None,
            skipinitialspace=True,
        )
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, encoding) from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise EvaluationError(
            "file_parse",
            _("File '%(path)s' cannot be parsed as CSV: %(reason)s"),
            path=str(path),
            reason=str(exc).strip(),
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _encoding_error(path: Path, encoding: str) -> EvaluationError:
    return EvaluationError(
        "file_encoding",
        _("File '%(path)s' is not valid %(encoding)s text; give its encoding with --encoding (e.g. cp1252)."),
        path=str(path),
        encoding=encoding.replace("-sig", ""),
    )


def _language(argv: list[str]) -> str:
    for i, item in enumerate(argv):
        if item == "--lang" and i + 1 < len(argv):
            return normalise_language(argv[i + 1])
        if item.startswith("--lang="):
            return normalise_language(item.split("=", 1)[1])
    try:
        from django.conf import settings

        if settings.configured:
            return normalise_language(settings.LANGUAGE_CODE)
    except ImportError:
        pass
    return normalise_language(None)


def _spec(args) -> PanelSpec:
    covariates = tuple(c.strip() for c in args.covariates.split(",") if c.strip())
    return PanelSpec(
        unit=args.unit,
        time=args.time,
        outcome=args.outcome,
        first_treated=args.first_treated,
        covariates=covariates,
    )


def _load(args, spec: PanelSpec, control: str):
    if not 0 < args.alpha < 1:
        raise EvaluationError("bad_alpha", _("--alpha must lie strictly between 0 and 1."))
    frame = read_panel_csv(
        args.panel,
        spec.columns,
        sep=args.sep,
        decimal=args.decimal,
        encoding=args.encoding,
        id_column=spec.unit,
    )
    return frame, validate_panel(
        frame, spec, control=control, early_treated="drop" if args.drop_early_treated else "error"
    )


def _run_did(args, language: str, stdout: TextIO, stderr: TextIO) -> int:
    spec = _spec(args)
    if args.biters < 1:
        raise EvaluationError("bad_biters", _("--biters must be a positive number of draws."))
    options = {
        "control": args.control,
        "est_method": args.est_method,
        "se": args.se,
        "biters": args.biters,
        "alpha": args.alpha,
        "seed": args.seed,
        "uniform_bands": args.uniform_bands,
    }
    frame, panel = _load(args, spec, args.control)
    if args.report:
        params = EvaluationParams(
            spec=spec,
            aggregation=args.aggregate,
            early_treated="drop" if args.drop_early_treated else "error",
            **options,
        )
        report = run_evaluation(frame, params)
        result = report.aggregations[args.aggregate]
        _write_json(Path(args.report), report.to_dict())
    else:
        result = callaway_santanna(panel, aggregation=args.aggregate, **options)
    if args.json:
        _print_json(result.cli_dict(), stdout)
        _print_notices(result.notices, language, stderr)
        return EXIT_OK
    _print_table(result, language, stdout)
    print("", file=stdout)
    print(summary(result, language), file=stdout)
    return EXIT_OK


def _run_event_study(args, language: str, stdout: TextIO, stderr: TextIO) -> int:
    spec = _spec(args)
    _frame, panel = _load(args, spec, args.control)
    result = twfe_event_study(
        panel,
        min_event=args.min_event,
        max_event=args.max_event,
        bin_endpoints=args.bin_endpoints,
        alpha=args.alpha,
    )
    if args.json:
        _print_json(result.to_dict(language), stdout)
        _print_notices(result.notices, language, stderr)
        return EXIT_OK
    t = lambda message: translate(message, language)  # noqa: E731
    s = result.static
    # Labels are translated outside f-strings so that xgettext (makemessages) can see them.
    title, event, estimate, error = (
        t(_("Static two-way fixed effects estimate")), t(_("event time")), t(_("estimate")), t(_("std. error")),
    )  # fmt: skip
    print(
        f"{title}: {_n(s['coef'], language)} [{_n(s['ci_low'], language)} ; {_n(s['ci_high'], language)}]",
        file=stdout,
    )
    print(f"{event:>12} {estimate:>10} {error:>10}", file=stdout)
    for row in result.event_study:
        print(
            f"{row['event_time']:>12} {_n(row['coef'], language):>10} {_n(row['se'], language):>10}",
            file=stdout,
        )
    print("", file=stdout)
    print(summary(result, language), file=stdout)
    return EXIT_OK


def _run_matched(args, language: str, stdout: TextIO, stderr: TextIO) -> int:
    spec = _spec(args)
    _frame, panel = _load(args, spec, args.control)
    result = matched_did(
        panel,
        method=args.method,
        control=args.control,
        horizon=args.horizon,
        n_neighbours=args.neighbours,
        caliper=args.caliper,
        match_on_outcome=not args.no_outcome_matching,
        alpha=args.alpha,
    )
    if args.json:
        _print_json(result.to_dict(language), stdout)
        _print_notices(result.notices, language, stderr)
        return EXIT_OK
    t = lambda message: translate(message, language)  # noqa: E731
    print(
        f"ATT: {_n(result.att, language)} (se {_n(result.se, language)}) [{_n(result.ci_low, language)} ; {_n(result.ci_high, language)}]",
        file=stdout,
    )
    variable, before, after = t(_("variable")), t(_("SMD before")), t(_("SMD after"))
    print(f"{variable:<28} {before:>11} {after:>11}", file=stdout)
    for row in result.balance:
        print(
            f"{translate(row['variable'], language)[:28]:<28} {_n(row['smd_before'], language):>11} {_n(row['smd_after'], language):>11}",
            file=stdout,
        )
    print("", file=stdout)
    print(summary(result, language), file=stdout)
    return EXIT_OK


def _n(value: Any, language: str) -> str:
    return format_number(value, language)


def _print_table(result, language: str, stdout: TextIO) -> None:
    t = lambda message: translate(message, language)  # noqa: E731
    error, units, observations, low, high = (
        t(_("std. error")), t(_("units")), t(_("observations")), t(_("low")), t(_("high")),
    )  # fmt: skip
    print(
        f"ATT ({result.aggregation}): {_n(result.att, language)}  {error} {_n(result.se, language)}  "
        f"[{_n(result.ci_low, language)} ; {_n(result.ci_high, language)}]  "
        f"{units} {format_count(result.n_units, language)}  {observations} {format_count(result.n_obs, language)}",
        file=stdout,
    )
    if result.estimates:
        key = ESTIMATE_KEY[result.aggregation]
        labels = {"group": _("cohort"), "event_time": _("event time"), "period": _("year")}
        print(
            f"{t(labels[key]):>12} {'ATT':>10} {error:>10} {low:>10} {high:>10}",
            file=stdout,
        )
        for row in result.estimates:
            cells = [_n(row[k], language) for k in ("att", "se", "ci_low", "ci_high")]
            print(f"{row[key]:>12} " + " ".join(f"{c:>10}" for c in cells), file=stdout)


def _print_notices(notices, language: str, stderr: TextIO) -> None:
    """With --json the answer stays pure JSON on stdout; what was dropped or recoded goes to stderr."""
    for notice in notices:
        print(
            translate(
                _("note [%(code)s]: %(message)s"),
                language,
                {"code": notice.code, "message": notice.message(language)},
            ),
            file=stderr,
        )


def _print_json(data: dict[str, Any], stdout: TextIO) -> None:
    print(json.dumps(data, ensure_ascii=False, allow_nan=False), file=stdout)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise EvaluationError(
            "report_unwritable",
            _("Cannot write the report to '%(path)s': %(reason)s."),
            path=str(path),
            reason=exc.strerror or exc,
        ) from exc


def main() -> None:
    """Console entry point for running the CLI without Django (`python -m poles.evaluation.cli`)."""
    sys.exit(run())


if __name__ == "__main__":
    main()
