"""The follow-up engine: instalment schedules, payment conditions and money checks, as plain Python.

No Django here: the services, the API, the demo and the property tests all call these functions,
so that a rule about money is written once. Messages are codes; the service layer turns them
into French or English sentences.

Money is whole euros for what was decided (decisions, instalments) and cents for what was paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

ADVANCE, INTERMEDIATE, BALANCE = "advance", "intermediate", "balance"

# Used when a call sets no schedule: 30 % on signature, 40 % on the progress report, 30 % at the end.
DEFAULT_SCHEDULE = {ADVANCE: "0.3", INTERMEDIATE: "0.4", BALANCE: "0.3"}


class ScheduleError(ValueError):
    """A call's instalment schedule that cannot be used (code says why)."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Tranche:
    """One line of a schedule: its order, kind, share of the aid and the reports it waits for."""

    number: int
    kind: str
    share: Decimal
    progress_reports_needed: int = 0


def parse_schedule(config: dict | None) -> list[Tranche]:
    """Read `call.instalments` ({"advance": 0.3, "intermediate": 0.4 or [0.2, 0.2], "balance": 0.3}).

    Shares are fractions of each decision's aid; they must be non-negative and add up to 1. The
    k-th intermediate tranche waits for k approved progress reports. Keys other than the three
    kinds (e.g. "per_partner") are options read elsewhere.
    """
    source = {k: v for k, v in (config or {}).items() if k in (ADVANCE, INTERMEDIATE, BALANCE)}
    if not source:
        source = dict(DEFAULT_SCHEDULE)
    tranches: list[Tranche] = []

    def share_of(value, key) -> Decimal:
        try:
            share = Decimal(str(value))
        except ArithmeticError as exc:
            raise ScheduleError("not_a_number", key=key, value=value) from exc
        if not share.is_finite() or share < 0 or share > 1:
            raise ScheduleError("share_out_of_range", key=key, value=value)
        return share

    if ADVANCE in source:
        tranches.append(Tranche(len(tranches) + 1, ADVANCE, share_of(source[ADVANCE], ADVANCE)))
    intermediate = source.get(INTERMEDIATE, [])
    if not isinstance(intermediate, list | tuple):
        intermediate = [intermediate]
    for index, value in enumerate(intermediate, start=1):
        tranches.append(Tranche(len(tranches) + 1, INTERMEDIATE, share_of(value, INTERMEDIATE), index))
    if BALANCE not in source:
        raise ScheduleError("no_balance")
    tranches.append(Tranche(len(tranches) + 1, BALANCE, share_of(source[BALANCE], BALANCE)))
    total = sum((t.share for t in tranches), Decimal(0))
    if abs(total - 1) > Decimal("0.000001"):
        raise ScheduleError("shares_do_not_add_up", total=total)
    return tranches


def split(amount: Decimal | int, shares: list[Decimal]) -> list[Decimal]:
    """Whole-euro amounts, one per share, adding up exactly to `amount` (largest remainders).

    Each part differs from share × amount by less than one euro, and a zero share gets zero.
    """
    total = Decimal(amount)
    if total != total.to_integral_value() or total < 0:
        raise ValueError("the amount must be a non-negative whole number of euros")
    weight = sum(shares, Decimal(0))
    if weight <= 0:
        raise ValueError("shares must add up to more than zero")
    exact = [total * share / weight for share in shares]
    floors = [value.to_integral_value(rounding=ROUND_FLOOR) for value in exact]
    left = int(total - sum(floors, Decimal(0)))
    # The euros left by rounding down go to the largest fractional parts (ties: earlier tranche).
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class Conditions:
    """What the payment conditions depend on, read from the agreement and the project's reports."""

    signed: bool
    approved_progress_reports: int = 0
    final_report_approved: bool = False
    terminated: bool = False


def unmet_condition(kind: str, progress_reports_needed: int, facts: Conditions) -> str | None:
    """Why an instalment cannot be paid yet (a code), or None when its condition holds.

    advance: the agreement is signed. intermediate: signed and `progress_reports_needed` progress
    reports approved (the approved final report also releases every intermediate tranche).
    balance: signed and the final report approved.
    """
    if facts.terminated:
        return "agreement_terminated"
    if not facts.signed:
        return "agreement_not_signed"
    if (
        kind == INTERMEDIATE
        and not facts.final_report_approved
        and facts.approved_progress_reports < progress_reports_needed
    ):
        return "progress_report_not_approved"
    if kind == BALANCE and not facts.final_report_approved:
        return "final_report_not_approved"
    return None


def payment_refusal(
    amount: Decimal,
    *,
    instalment_amount: Decimal,
    instalment_paid: Decimal,
    decision_amount: Decimal,
    decision_paid: Decimal,
) -> str | None:
    """Why a payment of `amount` must be refused (a code), or None.

    Never more than the decision in total (checked first: it is the rule funders care about),
    never more than what is left of the instalment, never zero or negative, never below a cent.
    """
    if amount <= 0:
        return "not_positive"
    if amount != amount.quantize(Decimal("0.01")):
        return "below_cent"
    if decision_paid + amount > decision_amount:
        return "exceeds_decision"
    if instalment_paid + amount > instalment_amount:
        return "exceeds_instalment"
    return None


@dataclass(frozen=True)
class Reconciliation:
    """A decision's money: decided, scheduled, paid, cancelled (released) and still to pay."""

    decided: Decimal
    scheduled: Decimal
    paid: Decimal
    cancelled: Decimal
    remaining: Decimal

    @property
    def balanced(self) -> bool:
        """Scheduled equals decided, and decided = paid + still to pay + released."""
        return self.scheduled == self.decided and self.paid + self.remaining + self.cancelled == self.decided


def reconcile(decided: Decimal, instalments: list[tuple[Decimal, Decimal, bool]]) -> Reconciliation:
    """Reconcile one decision with its instalments: (amount, paid, cancelled) per instalment."""
    scheduled = sum((amount for amount, _paid, _c in instalments), Decimal(0))
    paid = sum((paid for _a, paid, _c in instalments), Decimal(0))
    cancelled = sum((amount - paid for amount, paid, c in instalments if c), Decimal(0))
    remaining = sum((amount - paid for amount, paid, c in instalments if not c), Decimal(0))
    return Reconciliation(Decimal(decided), scheduled, paid, cancelled, remaining)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the last day of the month when it does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ReportSlot:
    """A report to schedule: kind, number, period and due date."""

    kind: str
    number: int
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date


def report_schedule(
    start: dt.date, duration_months: int, intermediate_tranches: int, *, grace_months: int = 2
) -> list[ReportSlot]:
    """Progress reports once a year (at least one per intermediate tranche), then the final report.

    Periods follow each other without gaps: each report records what happened in its own period
    (spending adds up across reports). A report is due `grace_months` after its period ends; the
    final report, which also concludes on the whole project, `grace_months` + 1 after the end.
    """
    duration = max(1, duration_months)
    yearly = (duration - 1) // 12
    count = max(yearly, intermediate_tranches)
    ends = []
    if count == yearly:
        ends = [add_months(start, 12 * k) for k in range(1, count + 1)]
    else:
        ends = [add_months(start, round(duration * k / (count + 1))) for k in range(1, count + 1)]
    slots = []
    previous = start
    for number, end in enumerate(ends, start=1):
        period_end = end - dt.timedelta(days=1)
        slots.append(
            ReportSlot("progress", number, previous, period_end, add_months(period_end, grace_months))
        )
        previous = end
    project_end = add_months(start, duration) - dt.timedelta(days=1)
    slots.append(ReportSlot("final", 1, previous, project_end, add_months(project_end, grace_months + 1)))
    return slots
