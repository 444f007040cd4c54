"""Guards of the proposal workflow: the conditions a transition checks on the locked proposal.

Each guard returns None when the move may go ahead, or a message (French or English, in the
reader's language) saying why not. `projects.workflow` attaches them to its transitions, so
every face (page, API, command) gets the same refusal with the same words.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import EligibilityCheck, LabelRequest, Participation, Project


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def call_accepts_submissions(project: Project, **context):
    """The call is open and its submission deadline has not passed."""
    call = project.call
    if call is None:
        return _("This project belongs to no call.")
    if call.status != call.Status.OPEN:
        return _("The call is not open to submissions (%(status)s).") % {"status": call.get_status_display()}
    if timezone.now() > call.submission_deadline:
        return _("The submission deadline (%(deadline)s) has passed.") % {
            "deadline": _when(call.submission_deadline)
        }
    return None


def has_one_lead(project: Project, **context):
    """Exactly one lead partner (the organisation that created the proposal)."""
    leads = project.participations.filter(role=Participation.Role.LEAD).count()
    if leads != 1:
        return _("The proposal needs exactly one lead partner.")
    return None


def asks_a_cluster(project: Project, **context):
    """At least one cluster is asked to label the proposal."""
    if not project.label_requests.exists():
        return _("Ask at least one cluster to label the proposal.")
    return None


def labelling_settled(project: Project, **context):
    """The labelling rule: at least one cluster labelled the proposal, and every cluster asked has
    answered or the call's labelling deadline has passed."""
    statuses = list(project.label_requests.values_list("status", flat=True))
    if LabelRequest.Status.LABELLED not in statuses:
        return _("No cluster has labelled the proposal yet.")
    if LabelRequest.Status.PENDING in statuses and timezone.now() <= project.call.labelling_deadline:
        return _(
            "Some clusters have not answered yet and the labelling deadline (%(deadline)s) has not passed."
        ) % {"deadline": _when(project.call.labelling_deadline)}
    return None


def latest_check(project: Project) -> EligibilityCheck | None:
    """The most recent eligibility check of the proposal."""
    return project.eligibility_checks.order_by("-checked_at", "-pk").first()


def effective_verdict(check: EligibilityCheck) -> str:
    """The check's verdict once the officers' overrides of warnings are taken into account."""
    from poles.calls.engine.eligibility import RuleResult, verdict
    from poles.calls.engine.messages import Message

    results = [
        RuleResult(
            index=row["index"],
            rule=row["rule"],
            status=row["status"],
            severity=row["severity"],
            message=Message(""),
        )
        for row in check.results
    ]
    return verdict(results, check.overrides.values_list("rule_index", flat=True))


def _fresh_check(project: Project):
    check = latest_check(project)
    if check is None:
        return None, _("Run the eligibility check first.")
    if project.submitted_at and check.checked_at < project.submitted_at:
        return None, _(
            "The proposal was submitted again after the last check: run the eligibility check again."
        )
    return check, None


def checked_eligible(project: Project, **context):
    """The latest eligibility check, taken after the last submission, passes once overrides count."""
    check, problem = _fresh_check(project)
    if problem:
        return problem
    found = effective_verdict(check)
    if found == EligibilityCheck.Verdict.INELIGIBLE:
        return _("A rule fails: the proposal cannot be declared eligible.")
    if found == EligibilityCheck.Verdict.WARNINGS:
        return _("Some warnings remain: override each one with a reason, or declare the proposal ineligible.")
    return None


def checked_not_eligible(project: Project, reason: str = "", **context):
    """The latest check fails a rule, or leaves a warning the officer refuses with a reason."""
    check, problem = _fresh_check(project)
    if problem:
        return problem
    found = effective_verdict(check)
    if found == EligibilityCheck.Verdict.ELIGIBLE:
        return _("Every rule passes: the proposal cannot be declared ineligible.")
    if found == EligibilityCheck.Verdict.WARNINGS and not (reason or "").strip():
        return _("Only warnings remain: give the reason for refusing the proposal.")
    return None
