"""Network pages on planted projects: only public projects make links; exports hold what the page shows."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest
from django.urls import reverse

from poles.analytics import network, selectors
from poles.organisations.models import Organisation
from poles.projects.models import Participation, Project

pytestmark = pytest.mark.django_db


def _pair_project(status: str, a: Organisation, b: Organisation, source="programme") -> Project:
    project = Project.objects.create(
        source=source, status=status, acronym=f"P-{status}", title=f"Pair {status}",
        external_id=f"pair-{status}" if source == "cordis" else "", start_date="2011-01-01",
    )  # fmt: skip
    for org in (a, b):
        Participation.objects.create(project=project, organisation=org, category=org.category)
    return project


def _links(client, url) -> set[tuple[int, int]]:
    response = client.get(url)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {(int(r["source_id"]), int(r["target_id"])) for r in rows}


def test_unfunded_proposals_never_make_links(planted, users, client_for):
    a, b, c = Organisation.objects.filter(participations__isnull=True).order_by("pk")[:3]
    _pair_project("rejected", a, b)
    _pair_project("under_review", a, c)
    client = client_for(users["officer"])
    links = _links(client, reverse("analytics:network") + "?export=csv")
    assert (a.pk, b.pk) not in links and (a.pk, c.pk) not in links
    funded = _pair_project("funded", b, c)
    funded.save()
    assert (b.pk, c.pk) in _links(client, reverse("analytics:network") + "?export=csv")
    # The ego page of a shows no partner at all: its only projects are unfunded.
    response = client.get(reverse("analytics:network_organisation", args=[a.pk]))
    assert response.context["partners"] == []


def test_overview_figures_and_exports_agree(planted, users, client_for):
    client = client_for(None)
    response = client.get(reverse("analytics:network"))
    assert response.status_code == 200
    summary = response.context["summary"]
    bundle = selectors.network_bundle()
    assert (summary.nodes, summary.edges) == (network.Adjacency.of(bundle.edges).n, len(bundle.edges))
    graphml = client.get(reverse("analytics:network") + "?export=graphml")
    assert graphml["Content-Type"].startswith("application/graphml+xml")
    graph = nx.read_graphml(io.BytesIO(graphml.content))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (summary.nodes, summary.edges)
    nodes = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("analytics:network") + "?export=nodes").content.decode("utf-8-sig")
            )
        )
    )
    assert len(nodes) == summary.nodes and {"name", "kind", "degree"} <= set(nodes[0])
    assert client.get(reverse("analytics:network") + "?export=pdf").status_code == 404
    clusters = response.context["cluster_chart"]
    assert clusters.figure is not None and clusters.rows
    urls = [u for t in clusters.figure["data"] if t["mode"] == "markers" for u in t["customdata"]]
    assert urls and all("/dashboards/network/clusters/" in u for u in urls)


def test_source_and_period_filters(planted, users, client_for):
    client = client_for(None)
    cordis = client.get(reverse("analytics:network") + "?source=cordis").context["summary"]
    programme = client.get(reverse("analytics:network") + "?source=programme").context["summary"]
    everything = client.get(reverse("analytics:network")).context["summary"]
    assert 0 < cordis.edges < everything.edges and 0 < programme.edges < everything.edges
    early = client.get(
        reverse("analytics:network") + "?source=programme&year_from=2006&year_to=2007"
    ).context["summary"]
    assert 0 < early.edges < programme.edges


def test_cluster_view_shows_members_and_their_partners(planted, users, client_for):
    response = client_for(None).get(reverse("analytics:network_cluster", args=["minalogic"]))
    assert response.status_code == 200
    assert response.context["members_active"] > 0
    chart = response.context["chart"]
    assert chart.figure is not None
    highlighted = [t for t in chart.figure["data"] if t["mode"] == "markers"]
    urls = [url for t in highlighted for url in t["customdata"]]
    assert urls and all(url.startswith("/en/dashboards/network/organisations/") for url in urls), urls[:3]
    graphml = client_for(None).get(
        reverse("analytics:network_cluster", args=["minalogic"]) + "?export=graphml"
    )
    graph = nx.read_graphml(io.BytesIO(graphml.content))
    assert graph.number_of_nodes() >= response.context["members_active"]


def test_ego_view_lists_partners_with_shared_projects(planted, users, client_for):
    org = (
        Participation.objects.filter(project__status="funded")
        .values_list("organisation_id", flat=True)
        .first()
    )
    response = client_for(None).get(reverse("analytics:network_organisation", args=[org]))
    partners = response.context["partners"]
    assert partners
    shared = (
        Participation.objects.filter(project__status="funded", project__participations__organisation_id=org)
        .exclude(organisation_id=org).values("organisation_id").distinct().count()
    )  # fmt: skip
    assert len(partners) == shared
    assert client_for(None).get(reverse("analytics:network_organisation", args=[10**9])).status_code == 404


def test_network_cache_follows_the_data(planted, users, client_for):
    client = client_for(None)
    before = client.get(reverse("analytics:network")).context["summary"].edges
    a, b = Organisation.objects.filter(participations__isnull=True).order_by("pk")[:2]
    _pair_project("funded", a, b)
    assert client.get(reverse("analytics:network")).context["summary"].edges == before + 1
