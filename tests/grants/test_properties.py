"""Property tests on the service layer: whatever payments are attempted, money always reconciles.

Each example builds a funded project with random decisions and a random schedule, signs (or not)
its agreement, approves some reports, then throws random payments at random instalments. Accepted
payments must respect the conditions; refused ones must change nothing; at every step each
decision reconciles exactly: scheduled = decided = paid + left to pay (+ released).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poles.calls.models import Funder
from poles.core.exceptions import TransitionNotAllowed
from poles.grants import engine, services
from poles.grants.models import Agreement, Decision, Instalment, Payment

from .factories import funded_project, make_call, member_organisation

pytestmark = pytest.mark.django_db

schedules = st.tuples(
    st.integers(0, 100), st.lists(st.integers(0, 100), min_size=0, max_size=3), st.integers(0, 100)
).filter(lambda t: t[0] + sum(t[1]) + t[2] > 0)


def as_config(weights) -> dict:
    advance, intermediates, balance = weights
    total = Decimal(advance + sum(intermediates) + balance)

    def share(w):
        return (Decimal(w) / total).quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)

    config = {"advance": str(share(advance)), "intermediate": [str(share(w)) for w in intermediates]}
    config["balance"] = str(
        Decimal(1) - Decimal(config["advance"]) - sum(Decimal(s) for s in config["intermediate"])
    )
    return config


def check_reconciles(project) -> None:
    for decision in Decision.objects.filter(project=project, funder__slug="fui"):
        rec = services.reconciliation(decision)
        assert rec.balanced, rec
        assert 0 <= rec.paid <= decision.amount
        paid_rows = Payment.objects.filter(instalment__decision=decision)
        assert sum((p.amount for p in paid_rows), Decimal(0)) == rec.paid
    for instalment in Instalment.objects.filter(agreement__project=project):
        assert 0 <= instalment.paid <= instalment.amount
        if instalment.status == "paid":
            assert instalment.paid == instalment.amount
        elif instalment.status == "payable":
            assert instalment.paid < instalment.amount
        elif instalment.status == "planned":
            assert instalment.paid == 0


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    amounts=st.lists(st.integers(0, 2_000_000), min_size=3, max_size=3),
    weights=schedules,
    signed=st.booleans(),
    approved=st.integers(0, 3),
    final=st.booleans(),
    attempts=st.lists(
        st.tuples(st.integers(0, 50), st.decimals(min_value=-10, max_value=2_500_000, places=2)), max_size=12
    ),
)
def test_payments_always_reconcile_with_the_decisions(
    users, amounts, weights, signed, approved, final, attempts
):
    config = as_config(weights)
    with transaction.atomic():
        project = funded_project(
            call=make_call(instalments=config), amounts={"fui": amounts}, lead=member_organisation(users)
        )
        [agreement] = services.create_agreements(
            project, Funder.objects.get(slug="fui"), actor=users["funder"]
        )
        check_reconciles(project)
        if signed:
            day = timezone.localdate() - dt.timedelta(days=1)
            services.sign_agreement(
                agreement, actor=users["funder"], funder_signed_on=day, beneficiary_signed_on=day
            )
        reports = list(project.reports.filter(kind="progress").order_by("number"))[:approved]
        if final:
            reports.append(project.reports.get(kind="final"))
        for report in reports:
            services.save_report(report, actor=users["member"], narrative="n")
            services.submit_report(report, actor=users["member"])
            services.approve_report(report, actor=users["funder"])
        instalments = list(Instalment.objects.filter(agreement=agreement).order_by("pk"))
        for index, amount in attempts:
            target = Instalment.objects.get(pk=instalments[index % len(instalments)].pk)
            decision_paid = sum(i.paid for i in Instalment.objects.filter(decision_id=target.decision_id))
            count = Payment.objects.count()
            facts = services.conditions_for(Agreement.objects.get(pk=agreement.pk))
            try:
                services.pay_instalment(
                    target, actor=users["funder"], amount=amount, paid_on=timezone.localdate()
                )
            except (ValidationError, TransitionNotAllowed):
                after = Instalment.objects.get(pk=target.pk)
                assert Payment.objects.count() == count and after.paid == target.paid
            else:
                assert engine.unmet_condition(target.kind, target.progress_reports_needed, facts) is None
                assert 0 < amount <= target.amount - target.paid
                assert decision_paid + amount <= target.decision.amount
            check_reconciles(project)
        transaction.set_rollback(True)
