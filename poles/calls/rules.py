"""Who may see and manage funders and calls (one place).

A published call (any status but draft) is public: its dates, funders, envelopes, rules, rates and
criteria are what applicants read before they apply. A call in preparation is visible only to the
officers of its programme, who alone create, edit, publish and close calls.
"""

import rules
from django.db.models import Q

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.predicates import is_officer
from poles.core.roles import roles_of

from .models import Call, CallFunder, CallVersion, Funder


@scope(Funder, VIEW)
def _visible_funders(qs, roles, user):
    return qs  # funders are public bodies


@scope(Funder, CHANGE)
def _changeable_funders(qs, roles, user):
    return qs if roles.is_officer else qs.none()


def visible_calls(roles) -> Q:
    """Published calls for everyone; calls in preparation for their programme's officers."""
    condition = ~Q(status=Call.Status.DRAFT)
    if roles.officer_of:
        condition |= Q(programme_id__in=roles.officer_of)
    return condition


@scope(Call, VIEW)
def _visible_calls(qs, roles, user):
    return qs.filter(visible_calls(roles))


@scope(Call, CHANGE)
def _changeable_calls(qs, roles, user):
    return qs.filter(programme_id__in=roles.officer_of) if roles.officer_of else qs.none()


@scope(CallFunder, VIEW)
def _visible_call_funders(qs, roles, user):
    return qs.filter(call__in=Call.objects.filter(visible_calls(roles)))


@scope(CallFunder, CHANGE)
def _changeable_call_funders(qs, roles, user):
    return qs.filter(call__programme_id__in=roles.officer_of) if roles.officer_of else qs.none()


@scope(CallVersion, VIEW)
def _visible_versions(qs, roles, user):
    return qs.filter(call__in=Call.objects.filter(visible_calls(roles)))


@rules.predicate
def is_call_officer(user, obj) -> bool:
    """An officer of the call's programme (any programme when no call is given)."""
    roles = roles_of(user)
    if roles.superuser:
        return True
    if obj is None:
        return bool(roles.officer_of)
    call = obj if isinstance(obj, Call) else getattr(obj, "call", None)
    return call is not None and call.programme_id in roles.officer_of


rules.add_perm("calls.add_call", is_officer)
rules.add_perm("calls.manage_call", is_call_officer)
