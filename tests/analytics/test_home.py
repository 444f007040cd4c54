"""The home page's figures are computed once, then served from the cache until the data change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from poles.analytics import selectors
from poles.clusters.models import Cluster, Membership
from poles.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _members_now() -> int:
    today = timezone.localdate()
    return len(set(
        Membership.objects.filter(start__lte=today).exclude(end__lt=today).values_list("organisation_id", flat=True)
    ))  # fmt: skip


def _membership_rows_read(queries) -> int:
    return sum('FROM "clusters_membership" INNER JOIN' in q["sql"] for q in queries)


def test_home_figures_are_cached_and_follow_a_new_membership(client):
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        page = client.get(reverse("home"))
    assert page.context["glance"]["members"] == _members_now()
    assert _membership_rows_read(first.captured_queries) == 1
    with CaptureQueriesContext(connection) as second:
        again = client.get(reverse("home"))
    assert _membership_rows_read(second.captured_queries) == 0  # served from the cache
    assert again.context["glance"] == page.context["glance"]

    newcomer = Organisation.objects.create(name="Nouvelle Pousse", category="company", siren="732829320")
    Membership.objects.create(
        cluster=Cluster.objects.get(slug="minalogic"), organisation=newcomer, start=dt.date(2010, 1, 1)
    )
    after = client.get(reverse("home"))
    assert after.context["glance"]["members"] == _members_now() == page.context["glance"]["members"] + 1


def test_the_cache_key_holds_the_language(client):
    cache.clear()
    french = client.get("/").context["size_table"]
    english = client.get("/en/").context["size_table"]
    assert [row[0] for row in french] != [row[0] for row in english]  # category labels are translated
    assert [row[1:] for row in french] == [row[1:] for row in english]


def test_home_figures_match_a_fresh_computation():
    cache.clear()
    today = timezone.localdate()
    cached = selectors.home_figures(today, 2006)
    frame = selectors.MembershipFrame.load()
    assert cached["glance"] == selectors.glance(frame, today)
    assert cached["history"] == selectors.members_by_year(frame, range(2006, today.year + 1))
