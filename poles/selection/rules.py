"""Who may see and act on selection runs and co-financing decisions (one place).

- Selection runs (the optimiser's proposal, its reasons, the officers' adjustments) are seen by the
  programme's officers and analysts and by the funders of the call; officers run, adjust and
  confirm them.
- Decisions (grants.Decision: one funder's aid to one partner) are seen by the programme's officers
  and analysts and by the funders of the call (co-financing is prepared together); a partner sees
  its own once decided; decided aid to a funded project is public, as grants are. Officers and the
  decision's own funder adjust the eligible cost; only the decision's funder decides.
- A decision letter is read by the officers, the funders who decided in it and the partner.
"""

from __future__ import annotations

import rules
from django.db.models import Q

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.roles import roles_of
from poles.grants.models import Decision
from poles.projects.models import Project

from .models import SelectionItem, SelectionRun

DECIDED = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)


def _call_readers(roles, prefix: str) -> Q:
    condition = Q(**{f"{prefix}programme_id__in": roles.reads_programme})
    if roles.funder_of:
        condition |= Q(**{f"{prefix}call_funders__funder_id__in": roles.funder_of})
    return condition


@scope(SelectionRun, VIEW)
def _visible_runs(qs, roles, user):
    if not roles.authenticated:
        return qs.none()
    return qs.filter(pk__in=qs.filter(_call_readers(roles, "call__")).values("pk"))


@scope(SelectionRun, CHANGE)
def _changeable_runs(qs, roles, user):
    return qs.filter(call__programme_id__in=roles.officer_of)


@scope(SelectionItem, VIEW)
def _visible_items(qs, roles, user):
    if not roles.authenticated:
        return qs.none()
    return qs.filter(pk__in=qs.filter(_call_readers(roles, "run__call__")).values("pk"))


@scope(SelectionItem, CHANGE)
def _changeable_items(qs, roles, user):
    return qs.filter(run__call__programme_id__in=roles.officer_of)


def decision_readers(roles) -> Q:
    """The decisions (as a Q on Decision) a user with `roles` may read."""
    public = Q(status__in=DECIDED, project__status=Project.Status.FUNDED)
    if not roles.authenticated:
        return public
    condition = public | Q(project__call__programme_id__in=roles.reads_programme)
    if roles.funder_of:
        condition |= Q(project__call__call_funders__funder_id__in=roles.funder_of)
    if roles.member_of:
        condition |= Q(participation__organisation_id__in=roles.member_of, status__in=DECIDED)
    return condition


@scope(Decision, VIEW)
def _visible_decisions(qs, roles, user):
    return qs.filter(pk__in=qs.filter(decision_readers(roles)).values("pk"))


@scope(Decision, CHANGE)
def _changeable_decisions(qs, roles, user):
    return qs.filter(Q(project__call__programme_id__in=roles.officer_of) | Q(funder_id__in=roles.funder_of))


# --------------------------------------------------------------------------- object permissions


def _call_of(obj):
    from poles.calls.models import Call

    if isinstance(obj, Call):
        return obj
    if isinstance(obj, SelectionRun):
        return obj.call
    if isinstance(obj, SelectionItem):
        return obj.run.call
    if isinstance(obj, Decision):
        return obj.project.call
    project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    return project.call if project is not None else None


@rules.predicate
def is_selection_officer(user, obj=None) -> bool:
    """An officer of the programme of the call the object belongs to."""
    roles = roles_of(user)
    if roles.superuser:
        return True
    if obj is None:
        return bool(roles.officer_of)
    call = _call_of(obj)
    return call is not None and call.programme_id in roles.officer_of


@rules.predicate
def reads_selection(user, obj=None) -> bool:
    """Officers and analysts of the programme, and the funders of the call."""
    roles = roles_of(user)
    if roles.superuser:
        return True
    if obj is None:
        return bool(roles.reads_programme or roles.funder_of)
    call = _call_of(obj)
    if call is None:
        return False
    if call.programme_id in roles.reads_programme:
        return True
    return call.call_funders.filter(funder_id__in=roles.funder_of).exists()


@rules.predicate
def is_decision_funder(user, obj) -> bool:
    """A funder officer of the funder that makes this decision."""
    return isinstance(obj, Decision) and obj.funder_id in roles_of(user).funder_of


@rules.predicate
def reads_letter(user, participation) -> bool:
    """Officers of the programme, the funders deciding for the partner, and the partner itself."""
    roles = roles_of(user)
    if roles.superuser:
        return True
    if participation is None:
        return False
    if participation.organisation_id in roles.member_of:
        return True
    if participation.project.call_id and participation.project.call.programme_id in roles.officer_of:
        return True
    return participation.decisions.filter(funder_id__in=roles.funder_of).exists()


rules.add_perm("selection.run", is_selection_officer)
rules.add_perm("selection.adjust", is_selection_officer)
rules.add_perm("selection.confirm", is_selection_officer)
rules.add_perm("selection.view", reads_selection)
rules.add_perm("selection.compute_decisions", is_selection_officer)
rules.add_perm("selection.adjust_decision", is_selection_officer | is_decision_funder)
rules.add_perm("selection.decide", is_decision_funder)
rules.add_perm("selection.view_letter", reads_letter)
