"""Dashboards on planted calls and decisions: figures equal the database's own sums, readers see what they may.

Every "no leak" test holds the data that could leak: decisions on rejected proposals, other funders' aid,
other clusters' proposals.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster
from poles.grants.models import Decision
from poles.instruments.models import Programme
from poles.organisations.models import COMPANY_CATEGORIES
from poles.projects.models import Participation, Project

pytestmark = pytest.mark.django_db

AID = Decision.objects.filter(project__status="funded", status__in=["decided", "notified"])


def programme_url(**query):
    url = reverse("analytics:programme", args=[Programme.objects.get().slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def total(queryset) -> float:
    return float(queryset.aggregate(s=Sum("amount"))["s"] or 0)


@pytest.fixture
def leak_bait(planted):
    """A rejected proposal carrying a (wrongly) decided 123,456,789 EUR decision: it must never be counted."""
    project = Project.objects.filter(status="rejected").first()
    part = project.participations.first()
    Decision.objects.create(
        project=project, participation=part, funder=Funder.objects.get(slug="fui"), eligible_cost=Decimal(1),
        rate=Decimal("0.5"), amount=Decimal(123_456_789), status="decided",
    )  # fmt: skip
    return project


def test_programme_figures_equal_the_database_sums(planted, leak_bait, users, client_for):
    response = client_for(users["officer"]).get(programme_url())
    assert response.status_code == 200
    figures = response.context["figures"]
    funded = Project.objects.filter(status="funded").count()
    assert figures.funded_projects == funded >= planted.funded
    assert figures.aid == pytest.approx(total(AID))
    sme = AID.filter(
        participation__category__in=list(COMPANY_CATEGORIES),
        participation__size_class__in=["micro", "small", "medium"], participation__public_controlled=False,
    )  # fmt: skip
    assert figures.sme_share == pytest.approx(total(sme) / total(AID))
    submitted = Project.objects.filter(source="programme").exclude(status="draft")
    assert figures.selection_rate == pytest.approx(funded / submitted.count())
    page = response.content.decode()
    assert "123" + "\u00a0" + "456" not in page and "123456789" not in page


def test_public_dashboard_shows_funded_projects_only(planted, leak_bait, users, client_for):
    officer = client_for(users["officer"]).get(programme_url())
    for role in ("anonymous", "member", "reviewer"):
        response = client_for(users[role]).get(programme_url())
        assert response.status_code == 200
        built = response.context["built"]
        assert not built.sees_proposals
        assert built.figures.selection_rate is None
        assert built.chart("selection-rates") is None
        assert built.figures.aid == officer.context["figures"].aid
        assert 'id="public-notice"' in response.content.decode()
        assert client_for(users[role]).get(programme_url(csv="selection-rates")).status_code == 404
    rates = officer.context["built"].chart("selection-rates")
    assert (
        sum(row[1] for row in rates.rows)
        == Project.objects.filter(source="programme").exclude(status="draft").count()
    )


def test_csv_download_is_the_chart_table_with_the_page_filters(planted, users, client_for):
    client = client_for(users["analyst"])
    page = client.get(programme_url(year_from=2008))
    chart = page.context["built"].chart("aid-by-year")
    assert chart.csv_url == "?year_from=2008&csv=aid-by-year"
    response = client.get(programme_url(year_from=2008, csv="aid-by-year"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [str(c) for c in chart.columns]
    since_2008 = AID.filter(project__call__submission_deadline__year__gte=2008)
    years = sorted(set(since_2008.values_list("project__call__submission_deadline__year", flat=True)))
    assert [int(r[0]) for r in rows[1:]] == years and years[0] == 2008
    assert sum(float(r[-1]) for r in rows[1:]) == pytest.approx(total(since_2008), abs=len(rows))
    assert client.get(programme_url(csv="no-such-chart")).status_code == 404


def test_funder_and_region_filters_narrow_the_aid_counted(planted, users, client_for):
    client = client_for(users["officer"])
    region = Funder.objects.filter(slug__startswith="region-", decisions__isnull=False).first()
    response = client.get(programme_url(funder=region.slug))
    assert response.context["figures"].aid == pytest.approx(total(AID.filter(funder=region)))
    code = region.region.code
    response = client.get(programme_url(region=code))
    in_region = AID.filter(participation__organisation__departement__region__code=code)
    assert response.context["figures"].aid == pytest.approx(total(in_region))
    bad = client.get(programme_url(year_from="soon"))
    assert bad.status_code == 200 and bad.context["figures"].funded_projects == 0


def test_funder_dashboard_is_for_that_funder_and_the_programme(planted, users, client_for):
    fui = reverse("analytics:funder", args=["fui"])
    other = Funder.objects.filter(slug__startswith="region-", decisions__isnull=False).first()
    expected = {"officer": 200, "analyst": 200, "funder": 200, "member": 403, "cluster": 403, "reviewer": 403}
    for role, status in expected.items():
        assert client_for(users[role]).get(fui).status_code == status, role
    assert client_for(None).get(fui).status_code == 302
    # The FUI officer may not read another funder's dashboard...
    assert client_for(users["funder"]).get(reverse("analytics:funder", args=[other.slug])).status_code == 403
    # ...and on its own, sees its aid and the co-financing of its projects, with selection rates.
    response = client_for(users["funder"]).get(fui)
    assert response.context["built"].sees_proposals
    assert response.context["figures"].aid == pytest.approx(
        total(AID.filter(project__decisions__funder__slug="fui").distinct())
    )


def test_cluster_dashboard_is_for_its_staff_and_the_programme(planted, users, client_for):
    minalogic = reverse("analytics:cluster", args=["minalogic"])
    tenerrdis = reverse("analytics:cluster", args=["tenerrdis"])
    assert client_for(users["cluster"]).get(minalogic).status_code == 200
    assert client_for(users["cluster"]).get(tenerrdis).status_code == 403
    assert client_for(users["analyst"]).get(tenerrdis).status_code == 200
    assert client_for(users["member"]).get(minalogic).status_code == 403
    assert client_for(None).get(minalogic).status_code == 302
    response = client_for(users["cluster"]).get(minalogic)
    cluster = Cluster.objects.get(slug="minalogic")
    led = Project.objects.filter(source="programme", lead_cluster=cluster).exclude(status="draft").count()
    rates = response.context["built"].chart("selection-rates")
    assert sum(row[1] for row in rates.rows) == led
    # Its staff see selection rates on their cluster's dashboard, not on the programme's.
    assert not client_for(users["cluster"]).get(programme_url()).context["built"].sees_proposals


def test_region_and_call_dashboards(planted, users, client_for):
    code = (
        Participation.objects.filter(project__status="funded")
        .values_list("organisation__departement__region__code", flat=True)
        .first()
    )
    response = client_for(None).get(reverse("analytics:region", args=[code]))
    in_region = AID.filter(participation__organisation__departement__region__code=code)
    assert response.context["figures"].aid == pytest.approx(total(in_region))
    call = Call.objects.filter(reference__startswith="sample-").first()
    response = client_for(None).get(reverse("analytics:call", args=[call.reference]))
    assert response.context["figures"].aid == pytest.approx(total(AID.filter(project__call=call)))
    call.status = "draft"
    call.save()
    assert client_for(None).get(reverse("analytics:call", args=[call.reference])).status_code == 404
    assert (
        client_for(users["officer"]).get(reverse("analytics:call", args=[call.reference])).status_code == 200
    )


def test_maps_fall_back_to_tables_without_the_boundaries(planted, users, client_for, settings, tmp_path):
    settings.POLES_SHARED_DIR = tmp_path
    response = client_for(None).get(programme_url())
    chart = response.context["built"].chart("aid-map-regions")
    assert chart.figure is None and "regions-version-simplifiee.geojson" in chart.notice
    assert chart.rows and sum(r[1] for r in chart.rows) == pytest.approx(total(AID), abs=len(chart.rows))


def test_maps_are_drawn_from_the_local_geojson(planted, users, client_for, shared_dir):
    response = client_for(None).get(reverse("analytics:region", args=["84"]))
    chart = response.context["built"].chart("aid-map-departements")
    assert chart.rows and chart.figure is not None
    drawn = {trace["name"] for trace in chart.figure["data"] if trace.get("fill") == "toself"}
    assert "Isère" in drawn and "Gironde" not in drawn  # only the region's départements


def test_outputs_per_million_appear_only_when_outputs_are_recorded(planted, users, client_for):
    from poles.analytics.selectors import output_model

    response = client_for(None).get(programme_url())
    built = response.context["built"]
    if output_model() is None:
        assert built.chart("outputs-per-million") is None and not built.outputs_recorded
    else:
        assert built.outputs_recorded


def test_query_count_does_not_grow_with_the_rows(planted, users, client_for):
    client = client_for(users["officer"])
    client.get(programme_url())
    with CaptureQueriesContext(connection) as few:
        client.get(programme_url(year_from=2009))
    with CaptureQueriesContext(connection) as many:
        client.get(programme_url())
    assert len(many) == len(few) <= 30
