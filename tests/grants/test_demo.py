"""The follow-up demo step on funded projects: money reconciles, conditions held, rows are valid."""

from __future__ import annotations

import datetime as dt

import pytest

from poles.demo.generator import SCALES, DemoContext
from poles.grants import engine, services
from poles.grants.demo import make_follow_up
from poles.grants.models import Agreement, Decision, Instalment, Output, Payment, ProgressReport

from .factories import funded_project, make_call

pytestmark = pytest.mark.django_db


def test_demo_follow_up_is_consistent():
    projects = [
        funded_project(call=make_call(year=year), start=dt.date(year, 9, 1), duration_months=months)
        for year, months in [(2007, 24), (2009, 36), (2011, 48), (2012, 30)]
    ]
    ctx = DemoContext(seed=3, scale=SCALES["tiny"], log=lambda m: None)
    make_follow_up(ctx)
    assert ctx.counts["agreements"] >= len(projects)
    for decision in Decision.objects.filter(project__in=projects):
        rec = services.reconciliation(decision)
        assert rec.balanced and rec.scheduled == decision.amount, decision
    for instalment in Instalment.objects.filter(agreement__project__in=projects).select_related("agreement"):
        paid = sum(p.amount for p in Payment.objects.filter(instalment=instalment))
        assert paid == instalment.paid
        if instalment.status in ("paid", "payable") and instalment.agreement.status != "terminated":
            facts = services.conditions_for(instalment.agreement)
            assert engine.unmet_condition(instalment.kind, instalment.progress_reports_needed, facts) is None
        if instalment.status == "paid":
            assert instalment.paid == instalment.amount and instalment.paid_on >= instalment.payable_since
    for agreement in Agreement.objects.filter(project__in=projects):
        left = agreement.instalments.filter(status__in=["planned", "payable"]).exists()
        assert (agreement.status == "closed") == (not left and agreement.status != "terminated")
    assert ProgressReport.objects.filter(project__in=projects, status="approved").exists()
    for output in Output.objects.filter(project__in=projects):
        output.full_clean()
    make_follow_up(ctx)  # a second run finds nothing left to do
    assert Agreement.objects.filter(project__in=projects).count() == ctx.counts["agreements"]
