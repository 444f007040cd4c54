"""Agreements, instalments, payments and reports through the services, on real rows (no mocks)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from poles.calls.models import Funder
from poles.core.audit import history
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.grants import notifications, services
from poles.grants.models import Agreement, Decision, Instalment, Payment, ProgressReport

from .factories import funded_project, make_call, member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(users):
    return funded_project(lead=member_organisation(users))


@pytest.fixture
def agreement(project, users):
    [made] = services.create_agreements(project, Funder.objects.get(slug="fui"), actor=users["funder"])
    return made


def sign(agreement, users, actor="funder"):
    day = timezone.localdate() - dt.timedelta(days=3)
    return services.sign_agreement(
        agreement, actor=users[actor], funder_signed_on=day, beneficiary_signed_on=day
    )


def approve_next(project, users, kind="progress"):
    report = project.reports.filter(kind=kind).exclude(status="approved").order_by("number").first()
    services.save_report(report, actor=users["member"], narrative="Work packages 1 and 2 on track.")
    services.submit_report(report, actor=users["member"])
    return services.approve_report(report, actor=users["funder"], comment="Fine.")


def test_agreement_carries_each_decisions_schedule_and_the_reports(agreement, project):
    decisions = Decision.objects.filter(project=project, funder__slug="fui")
    assert agreement.amount == sum(d.amount for d in decisions) == 390_000
    assert agreement.status == "draft" and agreement.participation is None
    for decision in decisions:
        rows = list(Instalment.objects.filter(decision=decision).order_by("number"))
        assert [r.kind for r in rows] == ["advance", "intermediate", "balance"]
        assert sum(r.amount for r in rows) == decision.amount
        assert all(r.status == "planned" for r in rows)
    kinds = list(project.reports.values_list("kind", "number"))
    assert kinds == [("progress", 1), ("progress", 2), ("final", 1)]
    assert history(agreement).filter(action="grants.agreement.create").exists()


def test_rounding_reconciles_to_the_euro(users):
    project = funded_project(amounts={"fui": [100_001, 7, 0]}, lead=member_organisation(users))
    services.create_agreements(project, Funder.objects.get(slug="fui"), actor=users["funder"])
    for decision in Decision.objects.filter(project=project, funder__slug="fui"):
        rec = services.reconciliation(decision)
        assert rec.scheduled == decision.amount and rec.balanced and rec.remaining == decision.amount


def test_per_partner_agreements_when_the_call_says_so(users):
    call = make_call(instalments={"advance": 0.5, "balance": 0.5, "per_partner": ["fui"]})
    project = funded_project(call=call)
    made = services.create_agreements(project, Funder.objects.get(slug="fui"), actor=users["funder"])
    assert len(made) == 3 and {a.participation_id for a in made} == set(
        project.participations.values_list("pk", flat=True)
    )
    assert all(a.instalments.count() == 2 for a in made)
    region = services.create_agreements(project, Funder.objects.get(slug="region-84"), actor=users["officer"])
    assert len(region) == 1 and region[0].participation is None


def test_who_may_make_an_agreement_and_when(project, users):
    fui = Funder.objects.get(slug="fui")
    for role in ("member", "cluster", "analyst", "reviewer"):
        with pytest.raises(PermissionDenied):
            services.create_agreements(project, fui, actor=users[role])
    with pytest.raises(PermissionDenied):  # the FUI officer cannot sign for the region
        services.create_agreements(project, Funder.objects.get(slug="region-84"), actor=users["funder"])
    proposal = funded_project(status="selected")
    with pytest.raises(TransitionNotAllowed) as exc:
        services.create_agreements(proposal, fui, actor=users["funder"])
    assert exc.value.code == "wrong_state"
    services.create_agreements(project, fui, actor=users["funder"])
    with pytest.raises(TransitionNotAllowed) as exc:
        services.create_agreements(project, fui, actor=users["funder"])
    assert exc.value.code == "nothing_to_agree"
    assert Agreement.objects.filter(project=project).count() == 1


@pytest.mark.parametrize(
    "language, fragment",
    [("en", "the agreement is not signed"), ("fr", "la convention n’est pas signée")],
)
def test_the_advance_waits_for_the_signature(agreement, users, language, fragment):
    advance = agreement.instalments.get(kind="advance", decision__participation__role="lead")
    with translation.override(language), pytest.raises(TransitionNotAllowed) as exc:
        services.pay_instalment(
            advance, actor=users["funder"], amount=advance.amount, paid_on=timezone.localdate()
        )
    assert exc.value.code == "condition_not_met"
    assert fragment in str(exc.value.message)
    assert not Payment.objects.filter(instalment=advance).exists()
    sign(agreement, users)
    advance.refresh_from_db()
    assert advance.status == "payable" and advance.payable_since == timezone.localdate()
    assert agreement.instalments.filter(kind="advance", status="payable").count() == 3
    assert agreement.instalments.exclude(kind="advance").filter(status="planned").count() == 6
    payment = services.pay_instalment(
        advance, actor=users["funder"], amount=advance.amount, paid_on=timezone.localdate(), reference="VIR-1"
    )
    advance.refresh_from_db()
    assert advance.status == "paid" and advance.paid == advance.amount == payment.amount
    actions = set(history(advance).values_list("action", flat=True))
    assert {"grants.instalment.make_payable", "grants.payment.create", "grants.instalment.settle"} <= actions


def test_intermediate_waits_for_an_approved_progress_report_and_balance_for_the_final(
    agreement, project, users
):
    sign(agreement, users)
    intermediate = agreement.instalments.filter(kind="intermediate").first()
    with pytest.raises(TransitionNotAllowed) as exc:
        services.pay_instalment(intermediate, actor=users["funder"], amount=1, paid_on=timezone.localdate())
    assert "1 approved progress report" in str(exc.value.message)
    report = project.reports.get(kind="progress", number=1)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.submit_report(report, actor=users["member"])
    assert "narrative" in str(exc.value.message)
    approve_next(project, users)
    intermediate.refresh_from_db()
    assert intermediate.status == "payable"
    assert agreement.instalments.filter(kind="balance", status="planned").count() == 3
    approve_next(project, users, kind="final")
    assert agreement.instalments.filter(status="payable").count() == 9


def test_paying_more_than_the_decision_or_the_instalment_is_refused(agreement, users):
    sign(agreement, users)
    advance = agreement.instalments.get(kind="advance", decision__participation__role="lead")
    decision = advance.decision
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.pay_instalment(
            advance, actor=users["funder"], amount=decision.amount + 1, paid_on=timezone.localdate()
        )
    assert "more than the 180000 EUR decided" in exc.value.message_dict["amount"][0]
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        services.pay_instalment(
            advance, actor=users["funder"], amount=decision.amount + 1, paid_on=timezone.localdate()
        )
    assert "plus que les 180000 EUR décidés" in exc.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as exc:
        services.pay_instalment(
            advance, actor=users["funder"], amount=advance.amount + 1, paid_on=timezone.localdate()
        )
    assert "only 54000 EUR are left" in exc.value.message_dict["amount"][0]
    services.pay_instalment(advance, actor=users["funder"], amount="50000.50", paid_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.pay_instalment(
            advance, actor=users["funder"], amount="3999.51", paid_on=timezone.localdate()
        )
    services.pay_instalment(advance, actor=users["funder"], amount="3999.50", paid_on=timezone.localdate())
    advance.refresh_from_db()
    assert advance.status == "paid"
    with pytest.raises(TransitionNotAllowed):
        services.pay_instalment(advance, actor=users["funder"], amount=1, paid_on=timezone.localdate())
    for bad in (0, -5, "abc"):
        with pytest.raises(ValidationError):
            services.pay_instalment(
                agreement.instalments.filter(kind="advance", status="payable").first(),
                actor=users["funder"], amount=bad, paid_on=timezone.localdate(),
            )  # fmt: skip
    with pytest.raises(ValidationError):
        services.pay_instalment(
            agreement.instalments.filter(kind="advance", status="payable").first(),
            actor=users["funder"], amount=10, paid_on=timezone.localdate() + dt.timedelta(days=1),
        )  # fmt: skip


def test_only_the_agreements_funder_or_an_officer_pays(agreement, users):
    sign(agreement, users, actor="officer")
    advance = agreement.instalments.filter(kind="advance").first()
    for role in ("member", "cluster", "analyst"):
        with pytest.raises(TransitionNotAllowed) as exc:
            services.pay_instalment(advance, actor=users[role], amount=1, paid_on=timezone.localdate())
        assert exc.value.code == "permission_denied"
    services.pay_instalment(advance, actor=users["officer"], amount=1, paid_on=timezone.localdate())


def test_stale_payment_is_refused(agreement, users):
    sign(agreement, users)
    advance = agreement.instalments.filter(kind="advance").first()
    advance.refresh_from_db()
    read = advance.version
    services.pay_instalment(
        advance, actor=users["funder"], amount=10, paid_on=timezone.localdate(), expected_version=read
    )
    with pytest.raises(StaleObject):
        services.pay_instalment(
            advance, actor=users["funder"], amount=10, paid_on=timezone.localdate(), expected_version=read
        )
    advance.refresh_from_db()
    assert advance.paid == 10


def test_agreement_closes_when_everything_is_paid_and_termination_releases_the_rest(users):
    project = funded_project(lead=member_organisation(users), amounts={"fui": [1000, 500, 0]})
    [agreement] = services.create_agreements(project, Funder.objects.get(slug="fui"), actor=users["funder"])
    sign(agreement, users)
    approve_next(project, users)
    approve_next(project, users, kind="final")
    for instalment in agreement.instalments.all():
        if instalment.amount:
            services.pay_instalment(
                instalment, actor=users["funder"], amount=instalment.amount, paid_on=timezone.localdate()
            )
    agreement.refresh_from_db()
    assert agreement.status == "closed" and agreement.closed_on == timezone.localdate()
    assert not agreement.instalments.exclude(
        status="paid"
    ).exists()  # the lab's 0 EUR tranches settled at once

    other = funded_project(lead=member_organisation(users))
    [second] = services.create_agreements(other, Funder.objects.get(slug="fui"), actor=users["funder"])
    sign(second, users)
    advance = second.instalments.filter(kind="advance").first()
    services.pay_instalment(
        advance, actor=users["funder"], amount=advance.amount, paid_on=timezone.localdate()
    )
    with pytest.raises(TransitionNotAllowed):
        services.terminate_agreement(second, actor=users["funder"], reason="")
    services.terminate_agreement(second, actor=users["funder"], reason="Consortium dissolved")
    for decision in Decision.objects.filter(project=other, funder__slug="fui"):
        rec = services.reconciliation(decision)
        assert rec.balanced and rec.remaining == 0
        assert rec.paid + rec.cancelled == decision.amount


def test_report_review_cycle_and_its_permissions(agreement, project, users):
    report = project.reports.get(kind="progress", number=1)
    with pytest.raises(PermissionDenied):
        services.save_report(report, actor=users["cluster"], narrative="x")
    lead = project.participations.get(role="lead")
    services.save_report(
        report, actor=users["member"], narrative="Done.", spending={(lead.pk, "staff"): Decimal("120000")}
    )
    submitted = services.submit_report(report, actor=users["member"])
    assert submitted.snapshot["spending"] == {f"{lead.pk}:staff": "120000.00"}
    with pytest.raises(TransitionNotAllowed):
        services.save_report(submitted, actor=users["member"], narrative="changed after submission")
    with pytest.raises(TransitionNotAllowed) as exc:
        services.approve_report(submitted, actor=users["member"])
    assert exc.value.code == "permission_denied"
    with pytest.raises(TransitionNotAllowed) as exc:
        services.send_back_report(submitted, actor=users["funder"], reason=" ")
    assert exc.value.code == "reason_required"
    returned = services.send_back_report(
        submitted, actor=users["funder"], reason="Spending of the lab is missing."
    )
    assert returned.status == "returned" and returned.review_comment.startswith("Spending")
    services.save_report(returned, actor=users["member"], narrative="Done, lab included.")
    services.submit_report(returned, actor=users["member"])
    approved = services.approve_report(returned, actor=users["funder"])
    assert approved.status == "approved"
    actions = list(history(report).values_list("action", flat=True))
    assert actions.count("grants.progressreport.submit") == 2 and "grants.progressreport.send_back" in actions


def test_reports_notify_the_other_side(agreement, project, users, django_capture_on_commit_callbacks):
    report = project.reports.get(kind="progress", number=1)
    services.save_report(report, actor=users["member"], narrative="n")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_report(report, actor=users["member"])
    assert [m.to for m in mail.outbox] == [[users["funder"].email]]
    assert "Rapport à examiner" in mail.outbox[0].subject  # French unless the user says otherwise
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_back_report(report, actor=users["funder"], reason="Add the lab's spending.")
    assert [users["member"].email] in [m.to for m in mail.outbox]
    assert "Add the lab's spending." in mail.outbox[0].body


def test_notify_due_is_idempotent(agreement, project, users):
    sign(agreement, users)
    first = project.reports.get(kind="progress", number=1)
    ProgressReport.objects.filter(pk=first.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    second = project.reports.get(kind="progress", number=2)
    ProgressReport.objects.filter(pk=second.pk).update(due_on=timezone.localdate() + dt.timedelta(days=10))
    mail.outbox.clear()
    counts = notifications.notify_due()
    assert counts["late"] >= 2 and counts["due"] >= 1 and counts["payable"] >= 1
    recipients = {tuple(m.to) for m in mail.outbox}
    assert (users["member"].email,) in recipients and (users["funder"].email,) in recipients
    sent = len(mail.outbox)
    assert notifications.notify_due() == {"due": 0, "late": 0, "payable": 0}
    assert len(mail.outbox) == sent


def test_the_notify_command_sends_once(agreement, project, users):
    from io import StringIO

    from django.core.management import call_command

    sign(agreement, users)
    ProgressReport.objects.filter(project=project, kind="progress", number=1).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    mail.outbox.clear()
    out = StringIO()
    call_command("followup", "notify", "--days", "15", stdout=out)
    assert "6 about late reports" in out.getvalue()  # 3 reports due in the past × (member + funder)
    assert "3 about payable instalments" in out.getvalue() and len(mail.outbox) == 9
    sent = len(mail.outbox)
    again = StringIO()
    call_command("followup", "notify", stdout=again)
    assert len(mail.outbox) == sent and "0 about late reports" in again.getvalue()
