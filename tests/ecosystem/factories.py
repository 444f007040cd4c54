"""Ecosystem rows for tests: a Minalogic event with B2B meetings, an action, a second member account."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from poles.accounts.models import RoleAssignment
from poles.clusters.models import Cluster, Membership
from poles.ecosystem.models import Action, Event
from poles.organisations.models import Organisation


def minalogic() -> Cluster:
    return Cluster.objects.get(slug="minalogic")


def other_minalogic_member(exclude: Organisation) -> Organisation:
    today = timezone.localdate()
    membership = (
        Membership.objects.filter(cluster__slug="minalogic", end__isnull=True, start__lte=today)
        .exclude(organisation=exclude)
        .filter(organisation__category="company")
        .order_by("pk")
        .first()
    )
    return membership.organisation


def member_account(organisation: Organisation, username: str):
    """A member log-in for `organisation` (the demo has one member account only)."""
    user = get_user_model().objects.create(username=username, email=f"{username}@x.example")
    RoleAssignment.objects.create(
        user=user, role="member", organisation=organisation, start=dt.date(2005, 1, 1)
    )
    return user


def make_event(*, status="published", capacity=None, b2b=True, days_ahead=30) -> Event:
    starts = timezone.now() + dt.timedelta(days=days_ahead)
    return Event.objects.create(
        cluster=minalogic(), title_fr="Rencontres d'affaires", title_en="Business meetings", starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6), venue="Grenoble", capacity=capacity, status=status, b2b=b2b,
        b2b_starts_at=starts + dt.timedelta(hours=2) if b2b else None, b2b_slots=4, b2b_tables=2,
    )  # fmt: skip


def make_action(year: int = 2012, kind="international", format="mission", country="JP") -> Action:
    return Action.objects.create(
        cluster=minalogic(), kind=kind, format=format, title_fr=f"Mission {year}", title_en=f"Mission {year}",
        start_date=dt.date(year, 5, 10), country=country, partner_name="Tsukuba Science City",
    )  # fmt: skip
