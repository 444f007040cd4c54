"""Plain-language summaries of evaluation results, in French and English.

Programme officers and elected members read the conclusion, not the table. The summary states the
estimate and its uncertainty in words, what it was compared with, the assumptions that make it causal
(parallel trends, no anticipation, no spillovers) and the limits that no estimator removes — above all
selection on unobservables: the French cluster evaluations found that selected firms were already doing
better, so naive member/non-member comparisons overstate effects. Sentences are English msgids translated
from the app's catalogue, so the French text lives in `locale/fr/LC_MESSAGES/django.po`.
"""

from __future__ import annotations

import math
from typing import Any

from .i18n import _, format_count, format_number, normalise_language, translate
from .matched import MatchedDiDResult
from .staggered import CSResult
from .twfe import TWFEResult

AGGREGATION_LABELS = {
    "simple": _("average over all treated cohorts and post-treatment years, weighted by cohort size"),
    "group": _("average of the cohort effects, weighted by cohort size"),
    "dynamic": _("average over the years since treatment"),
    "calendar": _("average over calendar years"),
}
MATCHING_LABELS = {
    "propensity": _("propensity-score matching"),
    "nearest": _("nearest-neighbour matching on the covariates"),
    "none": _("no matching, all comparison units"),
}
PRETEST_ALARM = 0.05
SMD_GOOD = 0.1


def summary(result: Any, language: str | None = "fr") -> str:
    """The plain-language summary of a result (`CSResult`, `TWFEResult`, `MatchedDiDResult`, or an
    `EvaluationReport`) in `language` ('fr' or 'en'), as paragraphs separated by blank lines."""
    lang = normalise_language(language)
    if isinstance(result, CSResult):
        paragraphs = (
            _cs(result, lang) + _assumptions(lang, bool(result.covariates), result.control) + _limits(lang)
        )
    elif isinstance(result, TWFEResult):
        paragraphs = _twfe(result, lang, None) + _notes(result.notices, lang)
    elif isinstance(result, MatchedDiDResult):
        paragraphs = _matched(result, lang) + _notes(result.notices, lang) + _limits(lang)
    elif hasattr(result, "staggered") and isinstance(result.staggered, CSResult):
        cs = result.staggered
        paragraphs = _cs(cs, lang)
        if result.twfe is not None:
            paragraphs += _twfe(result.twfe, lang, cs)
        if result.matched is not None:
            paragraphs += _matched(result.matched, lang)
        paragraphs += _notes(result.notices, lang)
        paragraphs += _assumptions(lang, bool(cs.covariates), cs.control) + _limits(lang)
    else:
        raise TypeError(f"no summary for {type(result).__name__}")
    return "\n\n".join(paragraphs)


def _t(message: str, lang: str, **params: Any) -> str:
    return translate(message, lang, params)


def _level(alpha: float) -> str:
    level = 100 * (1 - alpha)
    return str(int(round(level))) if abs(level - round(level)) < 1e-9 else f"{level:g}"


def _interval_sentence(lang: str, estimate: float, low: float, high: float, alpha: float) -> str:
    if any(not math.isfinite(v) for v in (estimate, low, high)):
        return _t(_("No confidence interval could be computed."), lang)
    if low > 0 or high < 0:
        return _t(
            _("The interval excludes zero: at the %(level)s%% confidence level, the data show an effect."),
            lang,
            level=_level(alpha),
        )
    return _t(
        _("The interval includes zero: the data cannot tell this effect apart from no effect."),
        lang,
    )


def _cs(result: CSResult, lang: str) -> list[str]:
    n = lambda v: format_number(v, lang)  # noqa: E731
    cohorts = {g: k for g, k in result.cohorts.items() if g != 0}
    headline = _t(
        _(
            "Estimated average effect on the treated units (ATT, Callaway & Sant'Anna staggered "
            "difference-in-differences; %(aggregation)s): %(att)s, %(level)s%% confidence interval %(low)s to "
            "%(high)s (standard error %(se)s)."
        ),
        lang,
        aggregation=translate(AGGREGATION_LABELS[result.aggregation], lang),
        att=n(result.att),
        level=_level(result.alpha),
        low=n(result.ci_low),
        high=n(result.ci_high),
        se=n(result.se),
    )
    verdict = _interval_sentence(lang, result.att, result.ci_low, result.ci_high, result.alpha)
    if result.control == "never":
        comparison = _t(
            _("the %(count)s never-treated units"), lang, count=format_count(result.cohorts.get(0, 0), lang)
        )
    else:
        comparison = _t(_("the units not yet treated at each date"), lang)
    data = _t(
        _(
            "Data: %(units)s units over %(first)s-%(last)s (%(obs)s unit-years); %(treated)s treated units in "
            "%(n_cohorts)s cohort(s), each compared with %(comparison)s. Effects are in the units of the "
            "outcome (for a logarithm, 0.05 means about +5%%)."
        ),
        lang,
        units=format_count(result.n_units, lang),
        first=result.periods[0],
        last=result.periods[-1],
        obs=format_count(result.n_obs, lang),
        treated=format_count(sum(cohorts.values()), lang),
        n_cohorts=len(cohorts),
        comparison=comparison,
    )
    return [
        f"{headline} {verdict}",
        data,
        _pretest_sentence(result.pretest, lang, twfe=False),
        *_notes(result.notices, lang),
    ]


def _notes(notices, lang: str) -> list[str]:
    if not notices:
        return []
    return [
        _t(_("%(count)s note(s) about the data or the estimation:"), lang, count=len(notices))
        + "\n"
        + "\n".join(f"- {notice.message(lang)}" for notice in notices)
    ]


def _pretest_sentence(pretest: dict[str, Any], lang: str, *, twfe: bool) -> str:
    p_value = pretest.get("p_value")
    if p_value is None:
        return _t(
            _("No test of parallel trends before treatment was possible (no pre-treatment comparison)."), lang
        )
    name = (
        _t(_("Test that the fixed-effects event-study leads are jointly zero"), lang)
        if twfe
        else _t(_("Test of parallel trends before treatment (Wald test on the pre-treatment effects)"), lang)
    )
    if p_value < PRETEST_ALARM and twfe:
        verdict = _t(
            _(
                "the leads differ from zero: either the groups diverged before treatment, or the fixed-effects "
                "leads are contaminated by effects that differ across cohorts (Sun & Abraham 2021)."
            ),
            lang,
        )
    elif p_value < PRETEST_ALARM:
        verdict = _t(
            _("the groups already diverged before treatment, so the estimate is doubtful."),
            lang,
        )
    else:
        verdict = _t(
            _(
                "no evidence that the groups diverged before treatment (which does not prove parallel trends)."
            ),
            lang,
        )
    return _t(
        _("%(name)s: p-value %(p)s over %(df)s pre-treatment comparison(s): %(verdict)s"),
        lang,
        name=name,
        p=format_number(p_value, lang),
        df=pretest.get("df", 0),
        verdict=verdict,
    )


def _twfe(result: TWFEResult, lang: str, reference: CSResult | None) -> list[str]:
    static = result.static
    text = _t(
        _(
            "For comparison, the two-way fixed effects regression (unit and year fixed effects, one "
            "treated-after indicator) gives %(coef)s, %(level)s%% confidence interval %(low)s to %(high)s. With "
            "staggered adoption and effects that differ across cohorts or grow over time, this figure mixes in "
            "comparisons with already-treated units and can be biased; it is shown for comparison only."
        ),
        lang,
        coef=format_number(static["coef"], lang),
        level=_level(result.alpha),
        low=format_number(static["ci_low"], lang),
        high=format_number(static["ci_high"], lang),
    )
    if reference is not None and math.isfinite(reference.att):
        text += " " + _t(
            _("It differs from the staggered estimate by %(gap)s."),
            lang,
            gap=format_number(static["coef"] - reference.att, lang),
        )
    return [text, _pretest_sentence(result.pretest, lang, twfe=True)]


def _matched(result: MatchedDiDResult, lang: str) -> list[str]:
    n = lambda v: format_number(v, lang)  # noqa: E731
    headline = _t(
        _(
            "Difference-in-differences on matched comparison units (%(method)s), %(horizon)s year(s) after "
            "treatment: %(att)s, %(level)s%% confidence interval %(low)s to %(high)s."
        ),
        lang,
        method=translate(MATCHING_LABELS[result.method], lang),
        horizon=result.horizon,
        att=n(result.att),
        level=_level(result.alpha),
        low=n(result.ci_low),
        high=n(result.ci_high),
    )
    verdict = _interval_sentence(lang, result.att, result.ci_low, result.ci_high, result.alpha)
    sample = _t(
        _(
            "%(treated)s treated units compared with %(controls)s comparison units, matched on: %(variables)s."
        ),
        lang,
        treated=format_count(result.n_treated, lang),
        controls=format_count(result.n_controls, lang),
        variables=", ".join(translate(name, lang) for name in result.matched_on) or "-",
    )
    paragraphs = [f"{headline} {verdict}", sample]
    smd = [
        abs(row["smd_after"])
        for row in result.balance
        if row["smd_after"] is not None and math.isfinite(row["smd_after"])
    ]
    if smd and result.method != "none":
        worst = max(smd)
        balance = (
            _t(_("good balance"), lang)
            if worst < SMD_GOOD
            else _t(_("imbalance remains: compare with care"), lang)
        )
        paragraphs.append(
            _t(
                _("Balance after matching: largest standardised mean difference %(smd)s (%(verdict)s)."),
                lang,
                smd=n(worst),
                verdict=balance,
            )
        )
    paragraphs.append(
        _t(
            _(
                "Matching removes differences in the matching variables only. Its standard errors hold the "
                "matched sample fixed and ignore the uncertainty of the matching itself."
            ),
            lang,
        )
    )
    return paragraphs


def _assumptions(lang: str, conditional: bool, control: str) -> list[str]:
    trends = (
        _t(_("given the covariates"), lang)
        if conditional
        else _t(_("without conditioning on covariates"), lang)
    )
    group = _t(_("never-treated units"), lang) if control == "never" else _t(_("not-yet-treated units"), lang)
    return [
        _t(
            _(
                "This estimate is causal only under three assumptions: (1) parallel trends: without treatment, "
                "treated units would have followed on average the same trend as the %(group)s (%(trends)s); "
                "(2) no anticipation: units did not change course before their treatment year; (3) no "
                "spillovers: the treatment of some units does not change the outcome of the others (cluster "
                "networks may break this)."
            ),
            lang,
            group=group,
            trends=trends,
        )
    ]


def _limits(lang: str) -> list[str]:
    return [
        _t(
            _(
                "Limits: parallel trends cannot be proven, and the pre-treatment test has limited power. Firms "
                "choose to join and are selected; unobserved changes that drive both treatment and growth (a new "
                "project, a new manager) would bias the estimate. Evaluations of the French clusters found that "
                "selected firms were already performing better, so naive member/non-member comparisons overstate "
                "effects. The estimate concerns the treated units (ATT), not all firms."
            ),
            lang,
        )
    ]
