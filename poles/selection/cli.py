"""`poles select`: the selection engine on files, for analysts, and the readable reasons of a selection.

Why this module exists: analysts rerun a call's selection from exported files, compare
scenarios (another envelope, an SME floor) and script it (--json). The management command
`select` and the tests call the same `run()` / `execute()`; `describe()` turns an engine
explanation into a sentence in the active language, for this CLI and for the pages.

Exit codes: 0 done; 2 malformed input (every problem on stderr with its file, line and column).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import IO, Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from poles.selection import engine
from poles.selection.engine import (
    DEFAULT_TIME_LIMIT,
    Explanation,
    SelectionResult,
    select,
    solver_output_to_stderr,
)
from poles.selection.files import SelectionInputError, load_inputs

EXIT_OK = 0
EXIT_INPUT = 2


def _money(value: float) -> str:
    return number_format(round(value), decimal_pos=0, force_grouping=True) + "\u00a0€"


def _share(value: float | None) -> str:
    return "—" if value is None else number_format(100 * value, decimal_pos=1) + "\u00a0%"


def _number(value: float) -> str:
    return number_format(value, decimal_pos=2)


def describe(explanation: Explanation | dict[str, Any]) -> str:
    """One sentence, in the active language, saying why a proposal is in or out (with its figures)."""
    e = asdict(explanation) if isinstance(explanation, Explanation) else explanation
    reason, d = e["reason"], e.get("details") or {}
    if reason == engine.SELECTED:
        return str(_("Selected."))
    if reason == engine.BELOW_THRESHOLD:
        return str(
            _("Score %(score)s is below the threshold %(min_score)s.")
            % {"score": _number(d["score"]), "min_score": _number(d["min_score"])}
        )
    if reason == engine.ENVELOPE:
        if d.get("alone"):
            return str(
                _("Asks funder %(funder)s for %(asked)s, more than its whole envelope of %(limit)s.")
                % {"funder": d["funder"], "asked": _money(d["asked"]), "limit": _money(d["limit"])}
            )
        return str(
            _("Would exceed funder %(funder)s's envelope: %(remaining)s remaining, %(asked)s asked.")
            % {"funder": d["funder"], "remaining": _money(d["remaining"]), "asked": _money(d["asked"])}
        )
    if reason == engine.CLUSTER_CAP:
        if d.get("alone"):
            return str(
                _("Asks for %(asked)s in total, more than the cap of %(limit)s per cluster.")
                % {"asked": _money(d["asked"]), "limit": _money(d["limit"])}
            )
        return str(
            _(
                "Would exceed the cap of cluster %(cluster)s: %(used)s already used, %(asked)s asked, cap %(limit)s."
            )
            % {
                "cluster": d["cluster"],
                "used": _money(d["used"]),
                "asked": _money(d["asked"]),
                "limit": _money(d["limit"]),
            }
        )
    if reason == engine.SME_SHARE:
        return str(
            _("Would bring the share of aid going to SMEs to %(share)s, under the minimum of %(min_share)s.")
            % {"share": _share(d["share_after"]), "min_share": _share(d["min_share"])}
        )
    if reason == engine.TRADE_OFF:
        return str(
            _(
                "A better combination uses the budget: %(count)s lower-ranked selected proposal(s) "
                "(%(ids)s) score more together than this one would."
            )
            % {"count": d["displaced_count"], "ids": ", ".join(d["displaced_by"])}
        )
    if reason == engine.NO_GAIN:
        return str(_("Fits within every limit but would add nothing to the objective."))
    return reason


def result_json(result: SelectionResult) -> dict[str, Any]:
    """The CLI's JSON: the keys the issue names first, then the figures and reasons behind them."""
    full = result.to_dict()
    out = {
        "selected": full.pop("selected"),
        "objective": full.pop("objective"),
        "status": full.pop("status"),
        "gap": full.pop("gap"),
        "greedy_objective": full.pop("greedy_objective"),
        "binding": full.pop("binding"),
    }
    out.update(full)
    for e in out["explanations"]:
        e["message"] = describe(e)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options, shared by `run()` and the management command."""
    parser.add_argument(
        "--proposals", required=True, help=str(_("CSV: proposal_id,funder,aid,score,sme_aid,cluster"))
    )
    parser.add_argument("--envelopes", required=True, help=str(_("CSV: funder,envelope")))
    parser.add_argument(
        "--constraints", help=str(_("JSON: min_sme_share, max_aid_per_cluster, min_score, objective"))
    )
    parser.add_argument("--json", action="store_true", help=str(_("print the result as JSON")))
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=str(_("stop the solver after this many seconds and report the remaining gap")),
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=0.0,
        help=str(_("stop once within this relative gap of the proven bound (default 0: prove optimality)")),
    )


def execute(options: dict[str, Any], stdout: IO[str], stderr: IO[str]) -> int:
    """Run one selection from parsed options; returns the exit code (2 on malformed input)."""
    try:
        proposals, envelopes, constraints = load_inputs(
            options["proposals"], options["envelopes"], options.get("constraints")
        )
    except SelectionInputError as exc:
        for error in exc.errors:
            stderr.write(str(error) + "\n")
        return EXIT_INPUT
    time_limit = options.get("time_limit", DEFAULT_TIME_LIMIT)
    if time_limit is not None and time_limit <= 0:
        stderr.write(str(_("--time-limit must be positive.")) + "\n")
        return EXIT_INPUT
    gap = options.get("gap") or 0.0
    if not 0 <= gap < 1:
        stderr.write(str(_("--gap must lie between 0 and 1.")) + "\n")
        return EXIT_INPUT
    with solver_output_to_stderr():
        result = select(proposals, envelopes, constraints, time_limit=time_limit, rel_gap=gap)
    if options.get("json"):
        stdout.write(json.dumps(result_json(result), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_table(result, stdout)
    return EXIT_OK


def _print_table(result: SelectionResult, stdout: IO[str]) -> None:
    """The readable report: summary, use of each limit, then every proposal with its reason."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stdout, width=max(100, Console().width), highlight=False)
    gain = result.objective / result.greedy_objective if result.greedy_objective else None
    console.print(
        str(
            _(
                "Status: %(status)s (%(source)s). Objective %(objective)s, bound %(bound)s, gap %(gap)s. "
                "Greedy by rank: %(greedy)s (gain %(gain)s). %(count)s selected."
            )
            % {
                "status": result.status,
                "source": result.source,
                "objective": _number(result.objective),
                "bound": "—" if result.bound is None else _number(result.bound),
                "gap": _share(result.gap),
                "greedy": _number(result.greedy_objective),
                "gain": "—" if gain is None else _share(gain - 1),
                "count": len(result.selected),
            }
        )
    )
    limits = Table(title=str(_("Limits")))
    for header in (_("Limit"), _("Used"), _("Cap"), _("Slack"), _("Binding")):
        limits.add_column(str(header))
    binding = {(b["constraint"], b.get("funder") or b.get("cluster")) for b in result.binding}
    for row in result.usage["envelopes"]:
        bound = (engine.ENVELOPE, row["funder"]) in binding
        limits.add_row(
            str(_("envelope %(funder)s") % {"funder": row["funder"]}),
            _money(row["used"]),
            _money(row["limit"]),
            _money(row["slack"]),
            "✔" if bound else "",
        )
    for row in result.usage["clusters"]:
        if (engine.CLUSTER_CAP, row["cluster"]) in binding:
            limits.add_row(
                str(_("cluster %(cluster)s") % {"cluster": row["cluster"]}),
                _money(row["used"]),
                _money(row["limit"]),
                _money(row["slack"]),
                "✔",
            )
    sme = result.usage["sme_share"]
    if sme:
        limits.add_row(
            str(_("SME share")),
            _share(sme["share"]),
            _share(sme["min_share"]),
            "",
            "✔" if (engine.SME_SHARE, None) in binding else "",
        )
    console.print(limits)
    table = Table(title=str(_("Proposals")))
    for header in (_("Rank"), _("Proposal"), _("Selected"), _("Reason")):
        table.add_column(str(header))
    for e in result.explanations:
        table.add_row(str(e.rank), e.proposal_id, "✔" if e.selected else "", describe(e))
    console.print(table)


def run(argv: Sequence[str], stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Parse `argv` (without the program name) and run the selection; returns the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = argparse.ArgumentParser(
        prog="poles select", description=str(_("Select proposals under budgets."))
    )
    add_arguments(parser)
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    return execute(vars(args), stdout, stderr)
