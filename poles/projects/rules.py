"""Who may see and act on projects (one place; DESIGN.md §2's confidentiality rule).

Confidential proposal content is visible only to its consortium, the clusters asked to label
it, the programme's officers, the funders of its call and its assigned reviewers. Funded
projects and external (CORDIS) projects are public — their title, consortium and aid — while
budgets, attachments, reviews and eligibility details stay confidential
(`projects.view_confidential`).
"""

import rules
from django.db.models import Q

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.roles import roles_of

from .models import (
    AidRequest,
    Attachment,
    BudgetLine,
    EligibilityCheck,
    LabelRequest,
    Participation,
    Project,
    ProjectRevision,
)

PUBLIC = Q(status=Project.Status.FUNDED) | Q(source=Project.Source.CORDIS)


def confidential_access(roles, user) -> Q:
    """The proposals a user may read in full (any status)."""
    condition = Q(pk__in=[])
    if roles.officer_of:
        condition |= Q(programme_id__in=roles.officer_of) | Q(call__programme_id__in=roles.officer_of)
    if roles.member_of:
        condition |= Q(participations__organisation_id__in=roles.member_of)
    if getattr(user, "is_authenticated", False):
        condition |= Q(created_by=user)
    not_draft = ~Q(status=Project.Status.DRAFT)
    if roles.cluster_of:
        condition |= Q(label_requests__cluster_id__in=roles.cluster_of) & not_draft
    if roles.funder_of:
        condition |= Q(call__call_funders__funder_id__in=roles.funder_of) & not_draft
    if roles.reviewer_of and getattr(user, "is_authenticated", False):
        # A reviewer reads a proposal once assigned (not withdrawn) and after signing a declaration
        # of no conflict of interest; before that, only the assignment page's summary.
        assigned = Project.objects.filter(
            assignments__reviewer__user=user, assignments__status__in=["assigned", "submitted"]
        ).values("pk")
        declared = Project.objects.filter(
            conflict_declarations__reviewer__user=user, conflict_declarations__has_conflict=False
        ).values("pk")
        condition |= Q(pk__in=assigned) & Q(pk__in=declared) & not_draft
    return condition


@scope(Project, VIEW)
def _visible_projects(qs, roles, user):
    if not roles.authenticated:
        return qs.filter(PUBLIC)
    ids = qs.filter(confidential_access(roles, user)).values("pk")
    return qs.filter(PUBLIC | Q(pk__in=ids))


@scope(Project, CHANGE)
def _changeable_projects(qs, roles, user):
    """Applicants change their consortium's proposals (the workflow decides when); officers all."""
    condition = Q(pk__in=[])
    if roles.officer_of:
        condition |= Q(call__programme_id__in=roles.officer_of)
    if roles.member_of:
        condition |= Q(participations__organisation_id__in=roles.member_of, participations__role="lead")
    if getattr(user, "is_authenticated", False):
        condition |= Q(created_by=user)
    return qs.filter(pk__in=qs.filter(condition).values("pk"))


def confidential_projects(qs_model, roles, user):
    """Primary keys of the projects the user reads in full, as a subquery (superusers: all)."""
    if roles.superuser:
        return Project.objects.values("pk")
    if not roles.authenticated:
        return Project.objects.none().values("pk")
    return Project.objects.filter(confidential_access(roles, user)).values("pk")


def visible_projects(roles, user):
    """Primary keys of the projects the user may see at all (public ones included), as a subquery."""
    if roles.superuser:
        return Project.objects.values("pk")
    return _visible_projects(Project.objects.all(), roles, user).values("pk")


@scope(Participation, VIEW)
def _visible_participations(qs, roles, user):
    """Who is in a consortium is public once the project is (funded or external); else confidential."""
    return qs.filter(project__in=visible_projects(roles, user))


@scope(Participation, CHANGE)
def _changeable_participations(qs, roles, user):
    return qs.filter(project__in=_changeable_projects(Project.objects.all(), roles, user).values("pk"))


def _confidential_scope(model, path="project"):
    @scope(model, VIEW)
    def _visible(qs, roles, user):
        return qs.filter(**{f"{path}__in": confidential_projects(model, roles, user)})

    return _visible


for _model, _path in (
    (BudgetLine, "participation__project"),
    (AidRequest, "participation__project"),
    (Attachment, "project"),
    (EligibilityCheck, "project"),
    (ProjectRevision, "project"),
    (LabelRequest, "project"),
):
    _confidential_scope(_model, _path)


@scope(Attachment, CHANGE)
def _changeable_attachments(qs, roles, user):
    return qs.filter(project__in=_changeable_projects(Project.objects.all(), roles, user).values("pk"))


@scope(LabelRequest, CHANGE)
def _answerable_label_requests(qs, roles, user):
    """A cluster's staff answer their own cluster's requests, on submitted proposals only."""
    if roles.superuser:
        return qs
    return qs.filter(cluster_id__in=roles.cluster_of).exclude(project__status=Project.Status.DRAFT)


def _project_of(obj):
    return obj if isinstance(obj, Project) else getattr(obj, "project", None)


@rules.predicate
def reads_confidential(user, obj) -> bool:
    project = _project_of(obj)
    if project is None:
        return False
    roles = roles_of(user)
    if roles.superuser:
        return True
    return Project.objects.filter(pk=project.pk).filter(confidential_access(roles, user)).exists()


@rules.predicate
def is_programme_officer(user, obj) -> bool:
    project = _project_of(obj)
    roles = roles_of(user)
    if roles.superuser:
        return True
    if project is None:
        return bool(roles.officer_of)
    programme_id = project.programme_id or (project.call.programme_id if project.call_id else None)
    return programme_id in roles.officer_of


@rules.predicate
def is_consortium_lead(user, obj) -> bool:
    project = _project_of(obj)
    if project is None:
        return False
    roles = roles_of(user)
    if getattr(user, "is_authenticated", False) and project.created_by_id == user.pk:
        return True
    return project.participations.filter(organisation_id__in=roles.member_of, role="lead").exists()


@rules.predicate
def is_labelling_cluster_staff(user, obj) -> bool:
    project = _project_of(obj)
    roles = roles_of(user)
    return project is not None and project.label_requests.filter(cluster_id__in=roles.cluster_of).exists()


@rules.predicate
def is_call_funder(user, obj) -> bool:
    project = _project_of(obj)
    roles = roles_of(user)
    return (
        project is not None
        and project.call_id is not None
        and project.call.call_funders.filter(funder_id__in=roles.funder_of).exists()
    )


@rules.predicate
def is_staff_of_asked_cluster(user, obj) -> bool:
    """Staff of the very cluster a labelling request is addressed to."""
    roles = roles_of(user)
    return roles.superuser or (isinstance(obj, LabelRequest) and obj.cluster_id in roles.cluster_of)


rules.add_perm("projects.view_confidential", reads_confidential)
rules.add_perm("projects.answer_label_request", is_staff_of_asked_cluster)
rules.add_perm("projects.add_project", rules.is_authenticated)
rules.add_perm("projects.change_project", is_consortium_lead | is_programme_officer)
rules.add_perm("projects.submit_project", is_consortium_lead)
rules.add_perm("projects.withdraw_project", is_consortium_lead | is_programme_officer)
rules.add_perm("projects.request_revision", is_programme_officer)
rules.add_perm("projects.record_labelling", is_labelling_cluster_staff | is_programme_officer)
rules.add_perm("projects.check_eligibility", is_programme_officer)
rules.add_perm("projects.manage_review", is_programme_officer)
rules.add_perm("projects.select_project", is_programme_officer)
rules.add_perm("projects.fund_project", is_programme_officer | is_call_funder)
