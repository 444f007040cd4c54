"""Writes of the follow-up: agreements, instalments, payments, reports, milestones, outputs, IPR.

One function per transition (through `core.workflow.perform`), each inside a transaction, audited,
with notifications after commit. Money rules come from `engine` (schedules, conditions, checks),
so that pages, the API, the demo and the property tests obey the same rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.core import audit
from poles.core import services as core_services
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import can
from poles.core.roles import roles_of
from poles.core.workflow import perform
from poles.projects.models import Participation, Project

from . import engine, notifications
from .models import (
    Agreement,
    ConsortiumAgreement,
    Decision,
    Instalment,
    IPDeclaration,
    Licence,
    Milestone,
    Output,
    Payment,
    ProgressReport,
    SpendingLine,
)
from .workflow import AGREEMENT, INSTALMENT, OUTPUT, REPORT

DECIDED = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)
DEFAULT_DURATION_MONTHS = 36

CONDITION_MESSAGES = {
    "agreement_terminated": _("This instalment cannot be paid: the agreement was terminated."),
    "agreement_not_signed": _("This instalment cannot be paid yet: the agreement is not signed."),
    "progress_report_not_approved": _(
        "This instalment cannot be paid yet: it needs %(needed)s approved progress report(s), and %(approved)s "
        "is (are) approved so far."
    ),
    "final_report_not_approved": _("The balance cannot be paid yet: the final report is not approved."),
}
PAYMENT_MESSAGES = {
    "not_positive": _("A payment must be a positive amount."),
    "below_cent": _("A payment is in euros and cents (at most two decimals)."),
    "exceeds_decision": _(
        "Refused: paying %(amount)s EUR would bring the payments on this decision to %(total)s EUR, more than "
        "the %(decided)s EUR decided."
    ),
    "exceeds_instalment": _("Refused: only %(remaining)s EUR are left to pay on this instalment."),
}
SCHEDULE_MESSAGES = {
    "not_a_number": _("The call's instalment schedule has a share that is not a number (%(key)s)."),
    "share_out_of_range": _("The call's instalment schedule has a share outside 0–1 (%(key)s)."),
    "no_balance": _("The call's instalment schedule has no balance."),
    "shares_do_not_add_up": _("The call's instalment shares add up to %(total)s, not 1."),
}


def _plain(amount: Decimal) -> str:
    """An amount for a message: whole euros without decimals, else euros and cents."""
    amount = Decimal(amount)
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def _deny() -> None:
    raise PermissionDenied(_("You are not allowed to do this."))


def _money(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Enter an amount in euros.")}) from exc
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in euros.")})
    return amount


# --- Agreements --------------------------------------------------------------------------------


def schedule_for(project: Project) -> list[engine.Tranche]:
    """The instalment schedule of the project's call (the default one when the call sets none)."""
    config = project.call.instalments if project.call_id else {}
    try:
        return engine.parse_schedule(config)
    except engine.ScheduleError as exc:
        raise ValidationError(SCHEDULE_MESSAGES[exc.code] % {"key": "", "total": "", **exc.details}) from exc


def signs_per_partner(project: Project, funder) -> bool:
    """Whether `funder` signs one agreement per partner in this call (`instalments["per_partner"]`:
    true for every funder, or a list of funder codes)."""
    option = (project.call.instalments or {}).get("per_partner", False) if project.call_id else False
    if isinstance(option, list | tuple):
        return funder.slug in option
    return bool(option)


def decisions_without_agreement(project: Project, funder=None):
    """Decided aid on the project that no agreement covers yet."""
    qs = Decision.objects.filter(project=project, status__in=DECIDED, instalments__isnull=True)
    if funder is not None:
        qs = qs.filter(funder=funder)
    return qs.select_related("participation__organisation", "funder").order_by("funder", "participation")


def funders_to_agree(project: Project, user) -> list:
    """Funders the user may make an agreement for on this project (decided aid not yet covered)."""
    roles = roles_of(user)
    officer = _officer_of(user, project)
    funders = {}
    for decision in decisions_without_agreement(project):
        if officer or decision.funder_id in roles.funder_of:
            funders[decision.funder_id] = decision.funder
    return list(funders.values())


def _officer_of(user, project: Project) -> bool:
    from .rules import is_project_officer

    return bool(is_project_officer(user, project))


def create_agreements(project: Project, funder, *, actor) -> list[Agreement]:
    """Make the agreement(s) of `funder` on a funded project, with each decision's instalments.

    One agreement for the consortium, or one per partner when the call says the funder signs per
    partner. The project's reports are scheduled with the first agreement. Refused unless the
    project is funded, the funder decided aid on it, and the user is that funder's officer or a
    programme officer.
    """
    roles = roles_of(actor)
    if not (roles.superuser or funder.pk in roles.funder_of or _officer_of(actor, project)):
        _deny()
    if project.status != Project.Status.FUNDED:
        raise TransitionNotAllowed(
            _("An agreement is made only for a funded project (this one is %(status)s).")
            % {"status": project.get_status_display()},
            code="wrong_state",
        )
    tranches = schedule_for(project)
    with transaction.atomic():
        decisions = list(decisions_without_agreement(project, funder).select_for_update(of=("self",)))
        if not decisions:
            raise TransitionNotAllowed(
                _("%(funder)s has no decided aid on this project that is not already under an agreement.")
                % {"funder": funder},
                code="nothing_to_agree",
            )
        groups = (
            [([d], d.participation) for d in decisions]
            if signs_per_partner(project, funder)
            else [(decisions, None)]
        )
        created = [
            _make_agreement(project, funder, group, participation, tranches, actor)
            for group, participation in groups
        ]
        if not project.reports.exists():
            schedule_reports(project, tranches, actor=actor)
    return created


def _make_agreement(project, funder, decisions, participation, tranches, actor) -> Agreement:
    base = f"{project.call.reference if project.call_id else 'P'}-{project.pk}-{funder.slug}"
    reference = f"{base}-{participation.pk}" if participation else base
    agreement = Agreement.objects.create(
        project=project,
        funder=funder,
        participation=participation,
        reference=reference[:80],
        amount=sum((d.amount for d in decisions), Decimal(0)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rows = []
    for decision in decisions:
        amounts = engine.split(decision.amount, [t.share for t in tranches])
        for tranche, amount in zip(tranches, amounts, strict=True):
            rows.append(
                Instalment(
                    agreement=agreement,
                    decision=decision,
                    number=tranche.number,
                    kind=tranche.kind,
                    progress_reports_needed=tranche.progress_reports_needed,
                    share=tranche.share,
                    amount=amount,
                )  # fmt: skip
            )
    Instalment.objects.bulk_create(rows)
    audit.record(
        "grants.agreement.create",
        agreement,
        actor=actor,
        after={
            **audit.snapshot(agreement),
            "instalments": [
                {"decision": r.decision_id, "kind": r.kind, "share": r.share, "amount": r.amount}
                for r in rows
            ],
        },
    )
    return agreement


def schedule_reports(project: Project, tranches: list[engine.Tranche], *, actor) -> list[ProgressReport]:
    """Create the project's progress reports and final report from its start date and duration."""
    start = project.start_date or timezone.localdate()
    duration = project.duration_months or DEFAULT_DURATION_MONTHS
    intermediates = sum(1 for t in tranches if t.kind == engine.INTERMEDIATE)
    reports = [
        ProgressReport(
            project=project,
            kind=slot.kind,
            number=slot.number,
            period_start=slot.period_start,
            period_end=slot.period_end,
            due_on=slot.due_on,
        )  # fmt: skip
        for slot in engine.report_schedule(start, duration, intermediates)
    ]
    ProgressReport.objects.bulk_create(reports)
    audit.record(
        "grants.report.schedule",
        project,
        actor=actor,
        after=[{"kind": r.kind, "number": r.number, "due_on": r.due_on} for r in reports],
    )
    return list(project.reports.all())


def conditions_for(agreement: Agreement) -> engine.Conditions:
    """The facts the instalments' conditions are checked against."""
    reports = agreement.project.reports.filter(status=ProgressReport.Status.APPROVED)
    return engine.Conditions(
        signed=agreement.signed,
        approved_progress_reports=reports.filter(kind=ProgressReport.Kind.PROGRESS).count(),
        final_report_approved=reports.filter(kind=ProgressReport.Kind.FINAL).exists(),
        terminated=agreement.status == Agreement.Status.TERMINATED,
    )


def unmet_condition_message(instalment: Instalment, facts: engine.Conditions | None = None) -> str:
    """Why the instalment cannot be paid yet, in words ("" when it can)."""
    facts = facts or conditions_for(instalment.agreement)
    code = engine.unmet_condition(instalment.kind, instalment.progress_reports_needed, facts)
    if code is None:
        return ""
    return str(
        CONDITION_MESSAGES[code]
        % {"needed": instalment.progress_reports_needed, "approved": facts.approved_progress_reports}
    )


def refresh_instalments(project: Project, *, actor, reason: str = "") -> list[Instalment]:
    """Mark payable every planned instalment of the project whose condition now holds."""
    became = []
    with transaction.atomic():
        for agreement in project.agreements.exclude(status=Agreement.Status.TERMINATED):
            facts = conditions_for(agreement)
            for instalment in agreement.instalments.filter(status=Instalment.Status.PLANNED):
                if engine.unmet_condition(instalment.kind, instalment.progress_reports_needed, facts) is None:
                    payable = perform(
                        INSTALMENT, instalment, "make_payable", actor, reason=reason, apply=_payable_today
                    )
                    if payable.amount == 0:  # nothing to pay: settled at once, so the agreement can close
                        _settle(payable, actor, timezone.localdate())
                    else:
                        became.append(payable)
        if became:
            ids = [i.pk for i in became]
            transaction.on_commit(lambda: notifications.instalments_payable(ids))
    return became


def sign_agreement(
    agreement: Agreement,
    *,
    actor,
    funder_signed_on: dt.date,
    beneficiary_signed_on: dt.date,
    expected_version: int | None = None,
) -> Agreement:
    """Record both signatures; the advance (and whatever else is due) becomes payable."""
    today = timezone.localdate()
    errors = {}
    for name, day in (
        ("funder_signed_on", funder_signed_on),
        ("beneficiary_signed_on", beneficiary_signed_on),
    ):
        if day is None:
            errors[name] = _("Give the date of signature.")
        elif day > today:
            errors[name] = _("A signature date cannot be in the future.")
    if errors:
        raise ValidationError(errors)

    def apply(obj):
        obj.funder_signed_on, obj.beneficiary_signed_on = funder_signed_on, beneficiary_signed_on

    with transaction.atomic():
        signed = perform(AGREEMENT, agreement, "sign", actor, expected_version=expected_version, apply=apply)
        refresh_instalments(
            signed.project, actor=actor, reason=str(_("Agreement %(ref)s signed") % {"ref": signed.reference})
        )
    return signed


def terminate_agreement(
    agreement: Agreement, *, actor, reason: str, expected_version: int | None = None
) -> Agreement:
    """End an agreement early: what is not paid yet is cancelled (released), what was paid stays."""
    with transaction.atomic():
        ended = perform(
            AGREEMENT, agreement, "terminate", actor, reason=reason, expected_version=expected_version
        )
        for instalment in ended.instalments.filter(
            status__in=[Instalment.Status.PLANNED, Instalment.Status.PAYABLE]
        ):
            perform(INSTALMENT, instalment, "cancel", actor, reason=reason)
    return ended


def pay_instalment(
    instalment: Instalment,
    *,
    actor,
    amount,
    paid_on: dt.date,
    reference: str = "",
    expected_version: int | None = None,
) -> Payment:
    """Record a payment on an instalment (all or part of it).

    Refused with a clear message when the instalment's condition does not hold, when the amount
    would exceed what is left of the instalment or of the decision, or when it is not a positive
    amount in cents. The instalment is paid when payments reach its amount; the agreement closes
    when nothing is left to pay on it.
    """
    amount = _money(amount)
    if paid_on is None:
        raise ValidationError({"paid_on": _("Give the date of payment.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment date cannot be in the future.")})
    with transaction.atomic():
        locked = (
            Instalment.objects.select_for_update()
            .select_related("agreement__project", "decision")
            .get(pk=instalment.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        if not can(actor, "grants.pay_instalment", locked):
            raise TransitionNotAllowed(_("You are not allowed to do this."), code="permission_denied")
        if locked.status in (Instalment.Status.PAID, Instalment.Status.CANCELLED):
            raise TransitionNotAllowed(
                _("This instalment is %(status)s: nothing more can be paid on it.")
                % {"status": locked.get_status_display()},
                code="wrong_state",
            )
        facts = conditions_for(locked.agreement)
        if locked.status == Instalment.Status.PLANNED:
            unmet = unmet_condition_message(locked, facts)
            if unmet:
                raise TransitionNotAllowed(unmet, code="condition_not_met")
            locked = perform(INSTALMENT, locked, "make_payable", actor, apply=_payable_today)
        siblings = Instalment.objects.select_for_update().filter(decision_id=locked.decision_id)
        decision_paid = siblings.aggregate(total=Sum("paid"))["total"] or Decimal(0)
        refusal = engine.payment_refusal(
            amount,
            instalment_amount=locked.amount,
            instalment_paid=locked.paid,
            decision_amount=locked.decision.amount,
            decision_paid=decision_paid,
        )
        if refusal:
            message = PAYMENT_MESSAGES[refusal] % {
                "amount": _plain(amount),
                "total": _plain(decision_paid + amount),
                "decided": _plain(locked.decision.amount),
                "remaining": _plain(locked.remaining),
            }
            raise ValidationError({"amount": message})
        payment = Payment.objects.create(
            instalment=locked,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        before = audit.snapshot(locked, ["paid", "status", "version"])
        locked.paid += amount
        locked.version += 1
        locked.save(update_fields=["paid", "version", "updated_at"])
        audit.record(
            "grants.payment.create",
            locked,
            actor=actor,
            before=before,
            after={
                **audit.snapshot(locked, ["paid", "status", "version"]),
                "payment": audit.snapshot(payment),
            },
        )
        if locked.paid == locked.amount:
            _settle(locked, actor, paid_on)
    return payment


def _settle(instalment: Instalment, actor, day: dt.date) -> None:
    """The instalment is paid in full; the agreement closes when nothing is left to pay on it."""
    perform(INSTALMENT, instalment, "settle", actor, apply=lambda i: setattr(i, "paid_on", day))
    agreement = Agreement.objects.get(pk=instalment.agreement_id)
    open_left = agreement.instalments.filter(
        status__in=[Instalment.Status.PLANNED, Instalment.Status.PAYABLE]
    )
    if agreement.status == Agreement.Status.SIGNED and not open_left.exists():
        perform(AGREEMENT, agreement, "close", actor, apply=lambda a: setattr(a, "closed_on", day))


def _payable_today(instalment: Instalment) -> None:
    instalment.payable_since = timezone.localdate()


def reconciliation(decision: Decision) -> engine.Reconciliation:
    """A decision's money: decided, scheduled, paid, released and left to pay."""
    rows = [
        (i.amount, i.paid, i.status == Instalment.Status.CANCELLED)
        for i in Instalment.objects.filter(decision=decision)
    ]
    return engine.reconcile(decision.amount, rows)


# --- Reports -----------------------------------------------------------------------------------


def planned_budget(project: Project) -> dict[tuple[int, str], Decimal]:
    """Each partner's budget per cost type: the plan spending is compared with."""
    from poles.projects.models import BudgetLine

    return {
        (line.participation_id, line.cost_type): line.amount
        for line in BudgetLine.objects.filter(participation__project=project)
    }


def save_report(
    report: ProgressReport,
    *,
    actor,
    narrative: str | None = None,
    spending: dict[tuple[int, str], Decimal] | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """The consortium writes its report (while it is to be written or was sent back)."""
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        if not can(actor, "grants.edit_report", locked):
            _deny()
        if locked.status not in (ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED):
            raise TransitionNotAllowed(
                _("This report is %(status)s: it can no longer be changed.")
                % {"status": locked.get_status_display()},
                code="wrong_state",
            )
        before = {"narrative": locked.narrative, "spending": _spending_snapshot(locked)}
        if narrative is not None:
            locked.narrative = narrative
        if spending:
            partners = set(locked.project.participations.values_list("pk", flat=True))
            for (participation_id, cost_type), value in spending.items():
                if participation_id not in partners:
                    raise ValidationError(_("This organisation is not a partner of the project."))
                value = _money(value)
                if value < 0:
                    raise ValidationError(_("Spending cannot be negative."))
                SpendingLine.objects.update_or_create(
                    report=locked, participation_id=participation_id, cost_type=cost_type,
                    defaults={"amount": value},
                )  # fmt: skip
        locked.version += 1
        locked.save()
        after = {"narrative": locked.narrative, "spending": _spending_snapshot(locked)}
        if before != after:
            audit.record("grants.progressreport.update", locked, actor=actor, before=before, after=after)
    return locked


def _spending_snapshot(report: ProgressReport) -> dict[str, str]:
    return {
        f"{line.participation_id}:{line.cost_type}": str(line.amount)
        for line in report.spending.order_by("participation_id", "cost_type")
    }


def _report_guard(report: ProgressReport, **context):
    if not report.narrative.strip():
        return _("Write the narrative of the report before submitting it.")
    return None


def submit_report(report: ProgressReport, *, actor, expected_version: int | None = None) -> ProgressReport:
    """The consortium submits its report to the funders; milestones and spending are frozen in it."""
    refusal = _report_guard(ProgressReport.objects.get(pk=report.pk))
    if refusal:
        raise TransitionNotAllowed(refusal, code="guard")

    def apply(obj):
        obj.submitted_at = timezone.now()
        obj.submitted_by = actor
        obj.snapshot = {
            "spending": _spending_snapshot(obj),
            "milestones": [
                {"id": m.pk, "title": m.title, "kind": m.kind, "due_on": m.due_on, "status": m.status}
                for m in obj.project.milestones.filter(due_on__lte=obj.period_end)
            ],
        }
        obj.snapshot = audit.to_json(obj.snapshot)

    return perform(REPORT, report, "submit", actor, expected_version=expected_version, apply=apply)


def approve_report(
    report: ProgressReport, *, actor, comment: str = "", expected_version: int | None = None
) -> ProgressReport:
    """A funder (or an officer) approves the report: the instalments waiting for it become payable."""

    def apply(obj):
        obj.reviewed_at, obj.reviewed_by, obj.review_comment = timezone.now(), actor, comment

    with transaction.atomic():
        approved = perform(
            REPORT, report, "approve", actor, reason=comment, expected_version=expected_version, apply=apply
        )
        refresh_instalments(
            approved.project, actor=actor, reason=str(_("%(report)s approved") % {"report": approved})
        )
    return approved


def send_back_report(
    report: ProgressReport, *, actor, reason: str, expected_version: int | None = None
) -> ProgressReport:
    """A funder sends the report back to the consortium with what must change."""

    def apply(obj):
        obj.reviewed_at, obj.reviewed_by, obj.review_comment = timezone.now(), actor, reason

    return perform(
        REPORT, report, "send_back", actor, reason=reason, expected_version=expected_version, apply=apply
    )


# --- Milestones --------------------------------------------------------------------------------


def add_milestone(project: Project, *, actor, **values) -> Milestone:
    """The consortium (or an officer) adds a milestone or deliverable to its plan."""
    if not can(actor, "grants.manage_milestones", project):
        _deny()
    return core_services.create(Milestone, actor=actor, project=project, **values)


def update_milestone(
    milestone: Milestone, *, actor, expected_version: int | None = None, **changes
) -> Milestone:
    """Say where a milestone stands (achieved, delayed…), with optimistic locking."""
    if not can(actor, "grants.manage_milestones", milestone.project):
        _deny()
    changes.pop("project", None)
    return core_services.update(milestone, actor=actor, expected_version=expected_version, **changes)


# --- Outputs -----------------------------------------------------------------------------------


def declare_output(project: Project, *, actor, participation: Participation, **values) -> Output:
    """A partner (or the lead for it) declares an output; it waits for a funder's validation."""
    probe = Output(project=project, participation=participation)
    if participation.project_id != project.pk:
        raise ValidationError({"participation": _("This organisation is not a partner of the project.")})
    if not can(actor, "grants.declare_output", probe):
        _deny()
    values.pop("status", None)
    return core_services.create(
        Output, actor=actor, project=project, participation=participation,
        declared_by=actor if getattr(actor, "is_authenticated", False) else None, **values,
    )  # fmt: skip


def update_output(output: Output, *, actor, expected_version: int | None = None, **changes) -> Output:
    """Correct a declared or rejected output; a validated one is frozen (its evidence was checked)."""
    if not can(actor, "grants.declare_output", output):
        _deny()
    if output.status == Output.Status.VALIDATED:
        raise TransitionNotAllowed(_("A validated output can no longer be changed."), code="wrong_state")
    for frozen in ("project", "status", "validated_by", "validated_at", "declared_by"):
        changes.pop(frozen, None)
    participation = changes.get("participation")
    if participation is not None and participation.project_id != output.project_id:
        raise ValidationError({"participation": _("This organisation is not a partner of the project.")})
    with transaction.atomic():
        updated = core_services.update(output, actor=actor, expected_version=expected_version, **changes)
        if updated.status == Output.Status.REJECTED:
            updated = perform(OUTPUT, updated, "resubmit", actor)
    return updated


def validate_output(output: Output, *, actor, note: str = "", expected_version: int | None = None) -> Output:
    """A funder of the project (or an officer) checked the evidence: the output counts and is public."""

    def apply(obj):
        obj.validated_by, obj.validated_at, obj.review_note = actor, timezone.now(), note

    return perform(
        OUTPUT, output, "validate", actor, reason=note, expected_version=expected_version, apply=apply
    )


def reject_output(output: Output, *, actor, reason: str, expected_version: int | None = None) -> Output:
    """The evidence does not hold: the output is sent back to the partner with the reason."""

    def apply(obj):
        obj.review_note = reason

    return perform(
        OUTPUT, output, "reject", actor, reason=reason, expected_version=expected_version, apply=apply
    )


# --- IPR ---------------------------------------------------------------------------------------


def save_consortium_agreement(project: Project, *, actor, expected_version: int | None = None, **values):
    """Record (or update) the project's consortium agreement."""
    if not can(actor, "grants.manage_ipr", project):
        _deny()
    existing = ConsortiumAgreement.objects.filter(project=project).first()
    if existing:
        return core_services.update(existing, actor=actor, expected_version=expected_version, **values)
    return core_services.create(ConsortiumAgreement, actor=actor, project=project, **values)


def declare_ip(project: Project, *, actor, **values) -> IPDeclaration:
    """A partner declares background or foreground IP."""
    if not can(actor, "grants.manage_ipr", project):
        _deny()
    values.setdefault("declared_on", timezone.localdate())
    return core_services.create(
        IPDeclaration, actor=actor, project=project,
        declared_by=actor if getattr(actor, "is_authenticated", False) else None, **values,
    )  # fmt: skip


def record_licence(project: Project, *, actor, **values) -> Licence:
    """Record a licence between partners or to a third party."""
    if not can(actor, "grants.manage_ipr", project):
        _deny()
    return core_services.create(Licence, actor=actor, project=project, **values)
