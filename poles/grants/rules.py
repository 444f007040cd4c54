"""Who may see and act on decisions' follow-up (one place).

The follow-up of a funded project is seen by its stakeholders: the programme's officers and
analysts, the funders that decided aid on it, the organisations of its consortium and the staff
of the clusters that labelled it. Money moves (agreements, payments) belong to the agreement's
funder and the programme's officers; reports and outputs are written by the consortium and
reviewed by a funder of the project or an officer. Validated outputs are public.
"""

from __future__ import annotations

import rules
from django.db.models import Q

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.roles import roles_of
from poles.projects.models import Project

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

DECIDED = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)


def programme_q(programmes, prefix: str = "project__") -> Q:
    """Projects of the given programmes (a proposal's programme is its call's)."""
    return Q(**{f"{prefix}call__programme_id__in": programmes}) | Q(
        **{f"{prefix}programme_id__in": programmes}
    )


def stakeholder_projects(roles, *, funders: bool = True, clusters: bool = True, members: bool = True) -> Q:
    """The projects (as a Q on Project) whose follow-up a user with `roles` may read."""
    condition = Q(pk__in=[])
    if roles.reads_programme:
        condition |= programme_q(roles.reads_programme, prefix="")
    if funders and roles.funder_of:
        condition |= Q(
            pk__in=Decision.objects.filter(funder_id__in=roles.funder_of, status__in=DECIDED).values(
                "project_id"
            )
        )
    if members and roles.member_of:
        condition |= Q(participations__organisation_id__in=roles.member_of)
    if clusters and roles.cluster_of:
        condition |= Q(label_requests__cluster_id__in=roles.cluster_of, label_requests__status="labelled")
    return condition


def project_ids(roles, **kinds):
    """A subquery of the ids of the projects matching `stakeholder_projects`."""
    return Project.objects.filter(stakeholder_projects(roles, **kinds)).values("pk")


def _by_project(qs, roles, field: str = "project_id", **kinds):
    if not roles.authenticated:
        return qs.none()
    return qs.filter(**{f"{field}__in": project_ids(roles, **kinds)})


# --- Agreements, instalments, payments -----------------------------------------------------------


def _agreements_visible(roles):
    condition = Q(project_id__in=project_ids(roles, funders=False))
    if roles.funder_of:
        condition |= Q(funder_id__in=roles.funder_of)
    return Agreement.objects.filter(condition).values("pk")


def _agreements_changeable(roles):
    condition = Q(pk__in=[])
    if roles.officer_of:
        condition |= programme_q(roles.officer_of)
    if roles.funder_of:
        condition |= Q(funder_id__in=roles.funder_of)
    return Agreement.objects.filter(condition).values("pk")


@scope(Agreement, VIEW)
def _visible_agreements(qs, roles, user):
    return qs.filter(pk__in=_agreements_visible(roles)) if roles.authenticated else qs.none()


@scope(Agreement, CHANGE)
def _changeable_agreements(qs, roles, user):
    return qs.filter(pk__in=_agreements_changeable(roles))


@scope(Instalment, VIEW)
def _visible_instalments(qs, roles, user):
    return qs.filter(agreement_id__in=_agreements_visible(roles)) if roles.authenticated else qs.none()


@scope(Instalment, CHANGE)
def _changeable_instalments(qs, roles, user):
    return qs.filter(agreement_id__in=_agreements_changeable(roles))


@scope(Payment, VIEW)
def _visible_payments(qs, roles, user):
    if not roles.authenticated:
        return qs.none()
    return qs.filter(instalment__agreement_id__in=_agreements_visible(roles))


# --- Reports, milestones, spending, IPR -----------------------------------------------------------


def _consortium_projects(roles):
    condition = Q(pk__in=[])
    if roles.officer_of:
        condition |= programme_q(roles.officer_of, prefix="")
    if roles.member_of:
        condition |= Q(participations__organisation_id__in=roles.member_of)
    return Project.objects.filter(condition).values("pk")


def _reviewable_projects(roles):
    """Projects on which one of the user's funders decided aid (their reports and outputs it reviews)."""
    return Decision.objects.filter(funder_id__in=roles.funder_of, status__in=DECIDED).values("project_id")


for _model in (ProgressReport, Milestone, ConsortiumAgreement, IPDeclaration, Licence):

    @scope(_model, VIEW)
    def _visible_follow_up(qs, roles, user):
        return _by_project(qs, roles)

    @scope(_model, CHANGE)
    def _changeable_follow_up(qs, roles, user):
        condition = Q(project_id__in=_consortium_projects(roles))
        if qs.model is ProgressReport and roles.funder_of:
            condition |= Q(project_id__in=_reviewable_projects(roles))
        return qs.filter(condition)


@scope(SpendingLine, VIEW)
def _visible_spending(qs, roles, user):
    return _by_project(qs, roles, field="report__project_id")


@scope(Output, VIEW)
def _visible_outputs(qs, roles, user):
    public = Q(status=Output.Status.VALIDATED)
    if not roles.authenticated:
        return qs.filter(public)
    return qs.filter(public | Q(project_id__in=project_ids(roles)))


@scope(Output, CHANGE)
def _changeable_outputs(qs, roles, user):
    condition = Q(project_id__in=_consortium_projects(roles))
    if roles.funder_of:
        condition |= Q(project_id__in=_reviewable_projects(roles))
    return qs.filter(condition)


# --- Object permissions ----------------------------------------------------------------------------


def project_of(obj) -> Project | None:
    """The project a follow-up object belongs to."""
    if obj is None:
        return None
    if isinstance(obj, Project):
        return obj
    if isinstance(obj, Instalment):
        return obj.agreement.project
    if isinstance(obj, Payment):
        return obj.instalment.agreement.project
    if isinstance(obj, SpendingLine):
        return obj.report.project
    return getattr(obj, "project", None)


def funder_id_of(obj) -> int | None:
    if isinstance(obj, Agreement):
        return obj.funder_id
    if isinstance(obj, Instalment):
        return obj.agreement.funder_id
    if isinstance(obj, Payment):
        return obj.instalment.agreement.funder_id
    return None


@rules.predicate
def is_project_officer(user, obj) -> bool:
    roles = roles_of(user)
    if roles.superuser:
        return True
    project = project_of(obj)
    if project is None:
        return bool(roles.officer_of)
    programme_id = project.programme_id or (project.call.programme_id if project.call_id else None)
    return programme_id in roles.officer_of


@rules.predicate
def is_agreement_funder(user, obj) -> bool:
    funder_id = funder_id_of(obj)
    return funder_id is not None and funder_id in roles_of(user).funder_of


@rules.predicate
def is_project_funder(user, obj) -> bool:
    """A funder officer whose funder decided aid on the project."""
    project = project_of(obj)
    roles = roles_of(user)
    if project is None or not roles.funder_of:
        return False
    return Decision.objects.filter(
        project=project, funder_id__in=roles.funder_of, status__in=DECIDED
    ).exists()


@rules.predicate
def is_consortium_member(user, obj) -> bool:
    project = project_of(obj)
    roles = roles_of(user)
    if project is None or not roles.member_of:
        return False
    return project.participations.filter(organisation_id__in=roles.member_of).exists()


@rules.predicate
def is_output_partner(user, obj) -> bool:
    """The output's partner, or the consortium's lead (who reports for the whole consortium)."""
    roles = roles_of(user)
    participation = getattr(obj, "participation", None)
    if participation is None or not roles.member_of:
        return False
    if participation.organisation_id in roles.member_of:
        return True
    return participation.project.participations.filter(
        organisation_id__in=roles.member_of, role="lead"
    ).exists()


money = is_project_officer | is_agreement_funder
rules.add_perm("grants.create_agreement", is_project_officer | is_project_funder)
rules.add_perm("grants.sign_agreement", money)
rules.add_perm("grants.terminate_agreement", money)
rules.add_perm("grants.pay_instalment", money)
rules.add_perm("grants.follow_condition", rules.always_allow)
rules.add_perm("grants.edit_report", is_consortium_member | is_project_officer)
rules.add_perm("grants.submit_report", is_consortium_member | is_project_officer)
rules.add_perm("grants.review_report", is_project_funder | is_project_officer)
rules.add_perm("grants.manage_milestones", is_consortium_member | is_project_officer)
rules.add_perm("grants.declare_output", is_output_partner | is_project_officer)
rules.add_perm("grants.add_output", is_consortium_member | is_project_officer)
rules.add_perm("grants.validate_output", is_project_funder | is_project_officer)
rules.add_perm("grants.manage_ipr", is_consortium_member | is_project_officer)
