"""Who may see and act on the review (one place; DESIGN.md §2).

- The reviewer pool, assignments, declarations and individual reviews are seen by the officers of
  the programme; a reviewer sees their own pool record, assignments, declarations and reviews, and
  nobody else's (reviewers never learn who else reviews a proposal).
- Aggregated scores and the ranking are seen by the programme's officers and analysts and by the
  funders of the call, who select and decide on them.
- Officers manage the pool, assign and set the consensus; a reviewer declares and scores only on
  their own assignments (the services check the state: declared first, not withdrawn, not submitted).
"""

from __future__ import annotations

import rules
from django.db.models import Q

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.roles import roles_of

from .models import Assignment, ConflictDeclaration, ProjectScore, Review, Reviewer


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@scope(Reviewer, VIEW)
def _visible_reviewers(qs, roles, user):
    condition = Q(programme_id__in=roles.officer_of)
    if _authenticated(user):
        condition |= Q(user=user)
    return qs.filter(condition)


@scope(Reviewer, CHANGE)
def _changeable_reviewers(qs, roles, user):
    return qs.filter(programme_id__in=roles.officer_of)


def _own_or_programme(prefix: str, roles, user) -> Q:
    condition = Q(**{f"{prefix}project__call__programme_id__in": roles.officer_of})
    if _authenticated(user):
        condition |= Q(**{f"{prefix}reviewer__user": user})
    return condition


@scope(Assignment, VIEW)
def _visible_assignments(qs, roles, user):
    return qs.filter(_own_or_programme("", roles, user))


@scope(Assignment, CHANGE)
def _changeable_assignments(qs, roles, user):
    return qs.filter(_own_or_programme("", roles, user))


@scope(ConflictDeclaration, VIEW)
def _visible_declarations(qs, roles, user):
    condition = Q(project__call__programme_id__in=roles.officer_of)
    if _authenticated(user):
        condition |= Q(reviewer__user=user)
    return qs.filter(condition)


@scope(Review, VIEW)
def _visible_reviews(qs, roles, user):
    return qs.filter(_own_or_programme("assignment__", roles, user))


@scope(Review, CHANGE)
def _changeable_reviews(qs, roles, user):
    if not _authenticated(user):
        return qs.none()
    return qs.filter(assignment__reviewer__user=user, status=Review.Status.DRAFT)


def score_readers(roles) -> Q:
    """The proposals (as a Q on Project) whose aggregated scores a user may read."""
    condition = Q(call__programme_id__in=roles.reads_programme)
    if roles.funder_of:
        condition |= Q(call__call_funders__funder_id__in=roles.funder_of)
    return condition


@scope(ProjectScore, VIEW)
def _visible_scores(qs, roles, user):
    from poles.projects.models import Project

    return qs.filter(project__in=Project.objects.filter(score_readers(roles)).values("pk"))


@scope(ProjectScore, CHANGE)
def _changeable_scores(qs, roles, user):
    return qs.filter(project__call__programme_id__in=roles.officer_of)


# --------------------------------------------------------------------------- object permissions


def programme_of(obj) -> int | None:
    """The programme an object of the review belongs to (through its call)."""
    from poles.calls.models import Call
    from poles.projects.models import Project

    if obj is None:
        return None
    if isinstance(obj, Reviewer):
        return obj.programme_id
    if isinstance(obj, Call):
        return obj.programme_id
    project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    if project is None and isinstance(obj, Review):
        project = obj.assignment.project
    if project is None:
        return None
    if project.call_id:
        return project.call.programme_id
    return project.programme_id


@rules.predicate
def is_review_officer(user, obj=None) -> bool:
    """An officer of the programme the object belongs to (any officer when no object is given)."""
    roles = roles_of(user)
    if roles.superuser:
        return True
    if obj is None:
        return bool(roles.officer_of)
    return programme_of(obj) in roles.officer_of


@rules.predicate
def is_assigned_reviewer(user, obj) -> bool:
    """The reviewer the assignment (or review) was given to."""
    assignment = obj.assignment if isinstance(obj, Review) else obj
    if not isinstance(assignment, Assignment) or not _authenticated(user):
        return False
    return assignment.reviewer.user_id == user.pk


@rules.predicate
def reads_scores(user, obj=None) -> bool:
    """Officers and analysts of the programme, and the funders of the call."""
    from poles.calls.models import Call

    roles = roles_of(user)
    if roles.superuser:
        return True
    if obj is None:
        return bool(roles.reads_programme or roles.funder_of)
    if programme_of(obj) in roles.reads_programme:
        return True
    call = obj if isinstance(obj, Call) else getattr(getattr(obj, "project", obj), "call", None)
    return call is not None and call.call_funders.filter(funder_id__in=roles.funder_of).exists()


rules.add_perm("reviews.manage_pool", is_review_officer)
rules.add_perm("reviews.assign", is_review_officer)
rules.add_perm("reviews.set_consensus", is_review_officer)
rules.add_perm("reviews.declare", is_assigned_reviewer)
rules.add_perm("reviews.write_review", is_assigned_reviewer)
rules.add_perm("reviews.view_scores", reads_scores)
