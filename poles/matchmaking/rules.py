"""Who may search partners, build consortia, keep a partner profile and read contact requests.

Opt-in is the rule that matters most here: an organisation that did not opt in to partner search
(`findable=False`) never appears in search results, proposed consortia, partner pages or reasons.
The search index is built from findable organisations only (`indexing.py`); the scopes below
apply the same rule to the rows read through the ORM.
"""

import rules
from django.db.models import Q

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.predicates import is_officer, is_superuser
from poles.core.roles import roles_of
from poles.organisations.rules import is_member_of_organisation

from .models import ContactRequest, PartnerProfile


@scope(PartnerProfile, VIEW)
def _visible_profiles(qs, roles, user):
    """Profiles of findable organisations, to signed-in users; one's own profile always."""
    if not roles.authenticated:
        return qs.none()
    return qs.filter(Q(organisation__findable=True) | Q(organisation_id__in=roles.member_of))


@scope(PartnerProfile, CHANGE)
def _changeable_profiles(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(organisation_id__in=roles.member_of)


@scope(ContactRequest, VIEW)
def _visible_contact_requests(qs, roles, user):
    """The sender's own requests and those received by the user's organisations: nobody else's,
    not even officers' (the messages are private correspondence)."""
    if not roles.authenticated:
        return qs.none()
    return qs.filter(Q(sender=user) | Q(recipient_id__in=roles.member_of))


@scope(ContactRequest, CHANGE)
def _changeable_contact_requests(qs, roles, user):
    return qs.none()  # a relayed message is never edited


@rules.predicate
def is_member_of_lead(user, organisation) -> bool:
    """The user acts for the organisation that would lead the consortium."""
    return organisation is not None and organisation.pk in roles_of(user).member_of


rules.add_perm("matchmaking.search_partners", rules.is_authenticated)
rules.add_perm("matchmaking.send_contact_request", rules.is_authenticated)
rules.add_perm("matchmaking.build_consortium", is_member_of_lead | is_superuser)
rules.add_perm("matchmaking.change_partner_profile", is_officer | is_member_of_organisation)
