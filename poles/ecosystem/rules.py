"""Who may see and act on ecosystem actions, events, registrations, meetings and fund-raisings.

Actions, skills and published events are public. An event's registrations and meetings are seen
by the organisations concerned, the organising cluster's staff and officers. Fund-raisings are
seen by the firm, the staff of the clusters it currently belongs to, officers and analysts;
the cluster's staff or an officer validates them.
"""

from __future__ import annotations

import rules
from django.db.models import Q
from django.utils import timezone

from poles.clusters.models import Membership
from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.roles import roles_of

from .models import (
    Action,
    ActionParticipant,
    Event,
    FundRaising,
    Meeting,
    MeetingRequest,
    Registration,
    Skill,
)


def _staff(roles, field: str = "cluster_id") -> Q:
    return Q(**{f"{field}__in": roles.cluster_of}) if roles.cluster_of else Q(pk__in=[])


def current_member_orgs(cluster_ids):
    """Organisations currently members of the given clusters (a subquery)."""
    today = timezone.localdate()
    return (
        Membership.objects.filter(cluster_id__in=cluster_ids, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values("organisation_id")
    )


@scope(Action, VIEW)
@scope(ActionParticipant, VIEW)
@scope(Skill, VIEW)
def _public(qs, roles, user):
    return qs


@scope(Action, CHANGE)
def _changeable_actions(qs, roles, user):
    return qs if roles.is_officer else qs.filter(_staff(roles))


@scope(Skill, CHANGE)
def _changeable_skills(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(_staff(roles) | Q(organisation_id__in=roles.member_of))


@scope(Event, VIEW)
def _visible_events(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(~Q(status=Event.Status.DRAFT) | _staff(roles))


@scope(Event, CHANGE)
def _changeable_events(qs, roles, user):
    return qs if roles.is_officer else qs.filter(_staff(roles))


def _by_registration(qs, roles, orgs_field: str, staff_field: str):
    if roles.is_officer:
        return qs
    if not roles.authenticated:
        return qs.none()
    condition = _staff(roles, staff_field)
    for field in orgs_field.split("|"):
        condition |= Q(**{f"{field}__in": roles.member_of})
    return qs.filter(condition)


@scope(Registration, VIEW)
@scope(Registration, CHANGE)
def _registrations(qs, roles, user):
    return _by_registration(qs, roles, "organisation_id", "event__cluster_id")


@scope(MeetingRequest, VIEW)
@scope(MeetingRequest, CHANGE)
def _meeting_requests(qs, roles, user):
    return _by_registration(
        qs, roles, "requester__organisation_id|target__organisation_id", "event__cluster_id"
    )


@scope(Meeting, VIEW)
def _meetings(qs, roles, user):
    return _by_registration(
        qs, roles, "request__requester__organisation_id|request__target__organisation_id", "event__cluster_id"
    )


@scope(FundRaising, VIEW)
def _visible_fundraisings(qs, roles, user):
    if roles.reads_programme or roles.superuser:
        return qs
    if not roles.authenticated:
        return qs.none()
    condition = Q(organisation_id__in=roles.member_of)
    if roles.cluster_of:
        condition |= Q(organisation_id__in=current_member_orgs(roles.cluster_of))
    return qs.filter(condition)


@scope(FundRaising, CHANGE)
def _changeable_fundraisings(qs, roles, user):
    if roles.is_officer:
        return qs
    condition = Q(organisation_id__in=roles.member_of)
    if roles.cluster_of:
        condition |= Q(organisation_id__in=current_member_orgs(roles.cluster_of))
    return qs.filter(condition)


def _cluster_id(obj):
    if obj is None:
        return None
    if hasattr(obj, "cluster_id"):
        return obj.cluster_id
    if hasattr(obj, "event"):
        return obj.event.cluster_id
    return getattr(obj, "pk", None)  # a Cluster


@rules.predicate
def is_officer(user) -> bool:
    return roles_of(user).is_officer


@rules.predicate
def is_organising_staff(user, obj) -> bool:
    cluster_id = _cluster_id(obj)
    return cluster_id is not None and cluster_id in roles_of(user).cluster_of


@rules.predicate
def is_a_member(user) -> bool:
    return bool(roles_of(user).member_of)


@rules.predicate
def is_registration_member(user, registration) -> bool:
    return registration is not None and registration.organisation_id in roles_of(user).member_of


@rules.predicate
def is_target_member(user, request) -> bool:
    return request is not None and request.target.organisation_id in roles_of(user).member_of


@rules.predicate
def is_fundraiser_member(user, fundraising) -> bool:
    return fundraising is not None and fundraising.organisation_id in roles_of(user).member_of


@rules.predicate
def is_fundraiser_cluster_staff(user, fundraising) -> bool:
    roles = roles_of(user)
    if fundraising is None or not roles.cluster_of:
        return False
    return (
        Membership.objects.filter(
            organisation_id=fundraising.organisation_id, cluster_id__in=roles.cluster_of
        )
        .filter(Q(end__isnull=True) | Q(end__gte=fundraising.closed_on))
        .exists()
    )


organiser = is_officer | is_organising_staff
rules.add_perm("ecosystem.manage_action", organiser)
rules.add_perm("ecosystem.manage_event", organiser)
rules.add_perm("ecosystem.register", is_a_member | organiser)
rules.add_perm("ecosystem.change_registration", is_registration_member | organiser)
rules.add_perm("ecosystem.answer_meeting", is_target_member | is_officer)
rules.add_perm("ecosystem.declare_fundraising", is_a_member | is_officer)
rules.add_perm("ecosystem.follow_condition", rules.always_allow)
rules.add_perm("ecosystem.validate_fundraising", is_officer | is_fundraiser_cluster_staff)
