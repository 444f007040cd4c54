"""Who may see and change organisations, their figures and their contacts (one place)."""

import rules
from django.db.models import Q
from django.utils import timezone

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.predicates import is_officer
from poles.core.roles import roles_of

from .models import Contact, Organisation, YearlyFigures


def _current_member_orgs_of_clusters(cluster_ids) -> Q:
    today = timezone.localdate()
    return Q(
        memberships__cluster_id__in=cluster_ids,
        memberships__start__lte=today,
    ) & (Q(memberships__end__isnull=True) | Q(memberships__end__gte=today))


@scope(Organisation, VIEW)
def _visible_organisations(qs, roles, user):
    return qs  # the registry of organisations is public; personal data lives in Contact


@scope(Organisation, CHANGE)
def _changeable_organisations(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(pk__in=roles.member_of)


def _private_scope(qs, roles, prefix: str):
    """Rows attached to an organisation: the organisation itself, its clusters' staff, officers."""
    if roles.is_officer:
        return qs
    if not roles.authenticated:
        return qs.none()
    condition = Q(**{f"{prefix}__in": roles.member_of})
    if roles.cluster_of:
        member_ids = Organisation.objects.filter(_current_member_orgs_of_clusters(roles.cluster_of)).values(
            "pk"
        )
        condition |= Q(**{f"{prefix}__in": member_ids})
    return qs.filter(condition)


@scope(Contact, VIEW)
def _visible_contacts(qs, roles, user):
    return _private_scope(qs, roles, "organisation_id")


@scope(Contact, CHANGE)
def _changeable_contacts(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(organisation_id__in=roles.member_of)


@scope(YearlyFigures, VIEW)
def _visible_figures(qs, roles, user):
    if roles.reads_programme:
        return qs
    return _private_scope(qs, roles, "organisation_id")


@rules.predicate
def is_member_of_organisation(user, organisation) -> bool:
    return organisation is not None and organisation.pk in roles_of(user).member_of


can_change_organisation = is_officer | is_member_of_organisation
rules.add_perm("organisations.change_organisation", can_change_organisation)
rules.add_perm("organisations.add_organisation", is_officer)
rules.add_perm("organisations.change_figures", can_change_organisation)
rules.add_perm("organisations.change_contacts", can_change_organisation)
