"""Company size classes from yearly figures, by the EU and French definitions (POLICY.md).

Plain functions over plain numbers, no Django: the registry, the calls' eligibility rules, the
importers and the demo generator all derive the size class the same way.

EU Recommendation 2003/361/EC: a class holds when headcount is under its ceiling AND turnover or
balance sheet is within its ceiling. Linked enterprises (> 50 %) count in full, partners
(25–50 %) pro rata. A firm 25 % or more controlled by public bodies is not an SME. The class
changes only after two consecutive years over or under a threshold.
French décret 2008-1354: micro, PME (the EU SME ceilings), ETI (< 5,000 staff and turnover
<= EUR 1.5 bn or balance sheet <= EUR 2 bn), GE (the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MICRO, SMALL, MEDIUM, LARGE = "micro", "small", "medium", "large"
EU_ORDER = [MICRO, SMALL, MEDIUM, LARGE]

FR_MICRO, FR_PME, FR_ETI, FR_GE = "micro", "pme", "eti", "ge"
FR_ORDER = [FR_MICRO, FR_PME, FR_ETI, FR_GE]

# Unified class used by calls and rate tables: SMEs by their EU class, then ETI, then large.
MID = "mid"
SIZE_ORDER = [MICRO, SMALL, MEDIUM, MID, LARGE]
SME_CLASSES = frozenset({MICRO, SMALL, MEDIUM})

M = Decimal(1_000_000)

# (class, headcount strictly below, turnover at most, balance sheet at most)
EU_CEILINGS = [
    (MICRO, Decimal(10), 2 * M, 2 * M),
    (SMALL, Decimal(50), 10 * M, 10 * M),
    (MEDIUM, Decimal(250), 50 * M, 43 * M),
]
FR_ETI_CEILING = (Decimal(5000), 1500 * M, 2000 * M)
PUBLIC_CONTROL_LIMIT = Decimal(25)


@dataclass(frozen=True)
class Figures:
    """One year's figures of an enterprise, linked and partner enterprises already added."""

    headcount: Decimal | None
    turnover: Decimal | None
    balance_sheet: Decimal | None


@dataclass(frozen=True)
class Stake:
    """Another enterprise's figures and the share held between the two (percent)."""

    figures: Figures
    share: Decimal


def consolidate(own: Figures, stakes: list[Stake]) -> Figures:
    """Own figures plus linked enterprises (> 50 %) in full and partners (25–50 %) pro rata."""

    def add(attr: str) -> Decimal | None:
        total = getattr(own, attr)
        if total is None:
            return None
        for stake in stakes:
            value = getattr(stake.figures, attr)
            if value is None or stake.share < 25:
                continue
            total += value if stake.share > 50 else value * stake.share / 100
        return total

    return Figures(add("headcount"), add("turnover"), add("balance_sheet"))


def _within(figures: Figures, headcount: Decimal, turnover: Decimal, balance: Decimal) -> bool:
    if figures.headcount is None or figures.headcount >= headcount:
        return False
    money = [
        figures.turnover is not None and figures.turnover <= turnover,
        figures.balance_sheet is not None and figures.balance_sheet <= balance,
    ]
    return any(money)


def eu_class_of_year(figures: Figures, public_control: Decimal = Decimal(0)) -> str | None:
    """The EU class the figures of one year point to, before the two-year rule."""
    if figures.headcount is None or (figures.turnover is None and figures.balance_sheet is None):
        return None
    if public_control >= PUBLIC_CONTROL_LIMIT:
        return LARGE
    for name, headcount, turnover, balance in EU_CEILINGS:
        if _within(figures, headcount, turnover, balance):
            return name
    return LARGE


def fr_class_of_year(figures: Figures, public_control: Decimal = Decimal(0)) -> str | None:
    """The French category (décret 2008-1354) the figures of one year point to."""
    eu = eu_class_of_year(figures, public_control)
    if eu is None:
        return None
    if eu == MICRO:
        return FR_MICRO
    if eu in (SMALL, MEDIUM):
        return FR_PME
    if _within(figures, *FR_ETI_CEILING):
        return FR_ETI
    return FR_GE


def apply_two_year_rule(raw: dict[int, str | None], order: list[str]) -> dict[int, str | None]:
    """Effective class per year: a class changes only when two consecutive years point past it.

    The first year with figures takes its own class. Afterwards, if this year and the previous
    one both point above (or both below) the effective class, the class moves to the nearer of
    the two; otherwise it stays. A year without figures keeps the class and breaks the streak.
    """
    effective: dict[int, str | None] = {}
    current: str | None = None
    previous_raw: str | None = None
    for year in sorted(raw):
        value = raw[year]
        if value is None:
            effective[year] = current
            previous_raw = None
            continue
        if current is None:
            current = value
        elif previous_raw is not None:
            rank, now, before = order.index(current), order.index(value), order.index(previous_raw)
            if now > rank and before > rank:
                current = order[min(now, before)]
            elif now < rank and before < rank:
                current = order[max(now, before)]
        effective[year] = current
        previous_raw = value
    return effective


def unified_class(eu: str | None, fr: str | None) -> str | None:
    """micro / small / medium for SMEs, then mid (ETI) or large: the class calls' rates use."""
    if eu is None:
        return None
    if eu in SME_CLASSES:
        return eu
    return MID if fr in (FR_ETI, FR_MICRO, FR_PME) else LARGE


def classify_years(
    figures_by_year: dict[int, Figures], public_control: Decimal = Decimal(0)
) -> dict[int, tuple[str | None, str | None, str | None]]:
    """(EU class, French class, unified class) per year, with the two-consecutive-years rule."""
    eu_raw = {y: eu_class_of_year(f, public_control) for y, f in figures_by_year.items()}
    fr_raw = {y: fr_class_of_year(f, public_control) for y, f in figures_by_year.items()}
    eu = apply_two_year_rule(eu_raw, EU_ORDER)
    fr = apply_two_year_rule(fr_raw, FR_ORDER)
    return {y: (eu[y], fr[y], unified_class(eu[y], fr[y])) for y in figures_by_year}


def classify_arrays(headcount, turnover, balance_sheet, public_control=None):
    """Vectorised `classify_years` for many enterprises at once (the demo and importers use it).

    Arrays are (enterprises × consecutive years), with NaN for unknown values. Returns three
    object arrays of the same shape holding the EU class, the French category and the unified
    class ("" where unknown), with the two-consecutive-years rule applied along each row.
    """
    import numpy as np

    headcount = np.asarray(headcount, dtype=float)
    turnover = np.asarray(turnover, dtype=float)
    balance = np.asarray(balance_sheet, dtype=float)
    n, t = headcount.shape
    known = ~np.isnan(headcount) & ~(np.isnan(turnover) & np.isnan(balance))
    public = np.zeros(n) if public_control is None else np.asarray(public_control, dtype=float)

    def within(h, tu, ba):
        money = (np.nan_to_num(turnover, nan=np.inf) <= tu) | (np.nan_to_num(balance, nan=np.inf) <= ba)
        return (np.nan_to_num(headcount, nan=np.inf) < h) & money

    eu_raw = np.full((n, t), EU_ORDER.index(LARGE))
    for name, h, tu, ba in reversed(EU_CEILINGS):
        eu_raw = np.where(within(float(h), float(tu), float(ba)), EU_ORDER.index(name), eu_raw)
    eu_raw = np.where(public[:, None] >= float(PUBLIC_CONTROL_LIMIT), EU_ORDER.index(LARGE), eu_raw)
    eti = within(*(float(x) for x in FR_ETI_CEILING))
    fr_raw = np.select(
        [eu_raw == 0, eu_raw <= 2, eti], [FR_ORDER.index(FR_MICRO), FR_ORDER.index(FR_PME), FR_ORDER.index(FR_ETI)],
        FR_ORDER.index(FR_GE),
    )  # fmt: skip
    eu = _two_year_rule_arrays(np.where(known, eu_raw, -1))
    fr = _two_year_rule_arrays(np.where(known, fr_raw, -1))
    eu_names = np.array([*EU_ORDER, ""], dtype=object)[eu]
    fr_names = np.array([*FR_ORDER, ""], dtype=object)[fr]
    sme = (eu >= 0) & (eu <= 2)
    unified = np.where(
        eu < 0, "", np.where(sme, eu_names, np.where(np.isin(fr, [0, 1, 2]), MID, LARGE))
    ).astype(object)
    return eu_names, fr_names, unified


def _two_year_rule_arrays(raw):
    """Row-wise `apply_two_year_rule` on class indices (-1 = unknown, kept as -1 = "")."""
    import numpy as np

    n, t = raw.shape
    out = np.full((n, t), -1)
    current = np.full(n, -1)
    previous = np.full(n, -1)
    for j in range(t):
        value = raw[:, j]
        known = value >= 0
        first = known & (current < 0)
        both_up = known & (previous >= 0) & (current >= 0) & (value > current) & (previous > current)
        both_down = known & (previous >= 0) & (current >= 0) & (value < current) & (previous < current)
        current = np.where(first, value, current)
        current = np.where(both_up, np.minimum(value, previous), current)
        current = np.where(both_down, np.maximum(value, previous), current)
        out[:, j] = current
        previous = np.where(known, value, -1)
    return out
