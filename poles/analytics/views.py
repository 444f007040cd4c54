"""The programme at a glance (home page), the dashboards and the collaboration network pages."""

import csv
import io

import pandas as pd
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster
from poles.core import charts
from poles.core.permissions import VIEW, get_or_404, restrict
from poles.core.roles import roles_of
from poles.instruments.models import Programme
from poles.organisations.models import Organisation
from poles.projects.models import Project
from poles.territories import geometry
from poles.territories.models import Region

from . import dashboards, network, selectors
from .filters import DashboardFilter, NetworkFilter


def home(request):
    today = timezone.localdate()
    programme = selectors.main_programme()
    first_year = programme.start_year if programme else today.year
    figures = selectors.home_figures(today, first_year)
    history, regions, former = figures["history"], figures["regions"], figures["former"]
    missing = _("The map needs the boundaries file %(file)s; the table below gives the same figures.")
    context = {
        "title": _("The programme at a glance"),
        "programme": programme,
        "glance": figures["glance"],
        "size_columns": figures["size_columns"],
        "size_table": figures["size_table"],
        "history_chart": charts.line(
            "members-by-year",
            _("Member organisations on 31 December"),
            [y for y, _t, _c in history],
            {_("All members"): [t for _y, t, _c in history], _("Companies"): [c for _y, _t, c in history]},
            x_label=_("Year"),
        ),
        "map_chart": charts.choropleth(
            "clusters-by-region",
            _("Labelled clusters by region"),
            geometry.geojson("regions"),
            [c for c, _n, _v in regions],
            [n for _c, n, _v in regions],
            [v for _c, _n, v in regions],
            value_label=_("Clusters"),
            notice=missing % {"file": geometry.FILES["regions"]},
        ),
        "former_map_chart": charts.choropleth(
            "clusters-by-former-region",
            _("Clusters labelled %(first)s–%(last)s, by region of the time")
            % {"first": first_year, "last": first_year + 2},
            geometry.geojson("former_regions"),
            [c for c, _n, _v in former],
            [n for _c, n, _v in former],
            [v for _c, _n, v in former],
            value_label=_("Clusters"),
            notice=missing % {"file": geometry.FILES["former_regions"]},
        ),
    }
    return render(request, "analytics/home.html", context)


# ---------------------------------------------------------------------------------------------
# Dashboards
# ---------------------------------------------------------------------------------------------


def _visible_calls(user):
    """Calls a dashboard may be opened for: every call once open; drafts for the programme's officers."""
    roles = roles_of(user)
    calls = Call.objects.select_related("programme")
    if roles.superuser:
        return calls
    return calls.filter(~Q(status=Call.Status.DRAFT) | Q(programme_id__in=roles.officer_of))


def _subject_object(request, kind: str, key: str):
    if kind == "programme":
        return get_object_or_404(Programme, slug=key)
    if kind == "funder":
        return get_object_or_404(Funder, slug=key)
    if kind == "cluster":
        return get_or_404(Cluster.objects.all(), request.user, slug=key)
    if kind == "region":
        return get_object_or_404(Region, kind=Region.Kind.CURRENT, code=key)
    if kind == "call":
        return get_object_or_404(_visible_calls(request.user), reference=key)
    raise Http404


def dashboard(request, kind: str, key: str):
    """One dashboard: its filters (in the URL), headline figures, charts with tables and CSV downloads."""
    obj = _subject_object(request, kind, key)
    if not dashboards.may_open(request.user, kind, obj):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    subject = dashboards.subject(kind, obj)
    sees = dashboards.sees_proposals(request.user, kind, obj)
    filterset = DashboardFilter(
        request.GET or None, queryset=subject.projects, request=request, exclude=(subject.fixed_filter,)
    )
    valid = not filterset.is_bound or filterset.is_valid()
    projects = filterset.qs if valid else subject.projects.none()
    proposals = None
    if subject.proposals is not None:
        proposals = DashboardFilter(
            request.GET or None, queryset=subject.proposals, request=request, exclude=(subject.fixed_filter,)
        ).qs if valid else subject.proposals.none()  # fmt: skip
    built = dashboards.build(
        subject, projects, filterset.aid_restriction() if valid else None, sees=sees, proposals=proposals
    )
    wanted = request.GET.get("csv")
    if wanted:
        chart = built.chart(wanted)
        if chart is None:
            raise Http404
        return dashboards.csv_response(chart, f"{kind}-{key}-{wanted}")
    query = request.GET.copy()
    query.pop("csv", None)
    dashboards.with_csv_links(built, query)
    context = {
        "title": subject.title,
        "breadcrumb": [(_("Dashboards"), reverse("analytics:index")), (str(obj), None)],
        "subject": subject,
        "filter": filterset,
        "built": built,
        "figures": built.figures,
        "kind": kind,
        "object": obj,
        "network_url": reverse("analytics:network_cluster", args=[obj.slug]) if kind == "cluster" else "",
    }
    return render(request, "analytics/dashboard.html", context)


def index(request):
    """Every dashboard the reader may open, and the network."""
    user = request.user
    roles = roles_of(user)
    funders = [f for f in Funder.objects.order_by("name") if dashboards.may_open(user, "funder", f)]
    clusters = Cluster.objects.order_by("name")
    if not (roles.superuser or roles.reads_programme):
        clusters = clusters.filter(pk__in=roles.cluster_of)
    context = {
        "title": _("Dashboards"),
        "breadcrumb": [(_("Dashboards"), None)],
        "programmes": Programme.objects.order_by("start_year", "slug"),
        "regions": Region.objects.filter(kind=Region.Kind.CURRENT).order_by("name"),
        "funders": funders,
        "clusters": [c for c in clusters if dashboards.may_open(user, "cluster", c)],
        "calls": _visible_calls(user).order_by("-opens_at"),
    }
    return render(request, "analytics/index.html", context)


# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------

NODE_LIMIT = 150


def _network_filter(request) -> tuple[NetworkFilter, str, int | None, int | None]:
    filterset = NetworkFilter(request.GET or None, queryset=Project.objects.none(), request=request)
    source, first, last = filterset.values()
    return filterset, source, first, last


def _organisation_urls(ids) -> dict[int, str]:
    pattern = reverse("analytics:network_organisation", args=[0])
    return {int(i): pattern.replace("/0/", f"/{int(i)}/") for i in ids}


def _export(request, graph, edges, organisations, name: str) -> HttpResponse | None:
    wanted = request.GET.get("export")
    if not wanted:
        return None
    if wanted == "graphml":
        response = HttpResponse(network.graphml(graph), content_type="application/graphml+xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.graphml"'
        return response
    if wanted not in ("csv", "nodes"):
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if wanted == "nodes":
        writer.writerow(["organisation_id", "name", "kind", "region", "degree", "strength"])
        degree, strength = dict(graph.degree()), dict(graph.degree(weight="weight"))
        for node, data in graph.nodes(data=True):
            writer.writerow([node, data.get("name", ""), data.get("kind", ""), data.get("region", ""),
                             degree.get(node, 0), strength.get(node, 0)])  # fmt: skip
    else:
        names = (
            organisations.set_index("organisation_id")["name"].to_dict() if not organisations.empty else {}
        )
        writer.writerow(["source_id", "source", "target_id", "target", "projects", "first_year", "last_year"])
        for source, target, weight, first, last in edges[network.EDGE_COLUMNS].itertuples(index=False):
            writer.writerow([source, names.get(source, ""), target, names.get(target, ""), weight,
                             _year(first), _year(last)])  # fmt: skip
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    suffix = "-organisations" if wanted == "nodes" else "-links"
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    return response


def _year(value) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return ""


def _kind_labels() -> dict[str, str]:
    return {k: str(v) for k, v in dashboards.KIND_LABELS.items()}


def network_overview(request):
    """The whole network of public projects: size, components, bridges, research–SME and cluster links."""
    filterset, source, first, last = _network_filter(request)
    stamp = selectors.network_stamp()
    bundle = selectors.network_bundle(source, first, last, stamp=stamp)
    if request.GET.get("export"):
        graph = network.to_graph(bundle.edges, bundle.organisations)
        return _export(request, graph, bundle.edges, bundle.organisations, "network")
    summary = selectors.network_summary(source, first, last, stamp=stamp)
    names = (
        bundle.organisations.set_index("organisation_id")["name"].to_dict()
        if not bundle.organisations.empty
        else {}
    )
    kinds = _kind_labels()
    bridging = [
        {"id": int(row.organisation_id), "name": names.get(row.organisation_id, "?"),
         "betweenness": row.betweenness, "degree": row.degree}
        for row in summary.bridging.itertuples(index=False) if row.betweenness > 0
    ]  # fmt: skip
    clusters = dict(Cluster.objects.values_list("pk", "name"))
    slugs = dict(Cluster.objects.values_list("pk", "slug"))
    top_pairs = summary.cluster_links.head(20)
    pair_chart = charts.bar(
        "cluster-links", _("Strongest links between clusters (projects shared by their members)"),
        [f"{clusters.get(a, a)} — {clusters.get(b, b)}" for a, b in zip(top_pairs["cluster_a"], top_pairs["cluster_b"], strict=True)],
        [int(w) for w in top_pairs["weight"]], value_label=_("Projects shared"), horizontal=True,
    )  # fmt: skip
    pair_chart.columns = [_("Clusters"), _("Projects shared")]
    if pair_chart.figure is not None:
        pair_chart.figure["layout"] = {"yaxis": {"autorange": "reversed", "automargin": True}, "height": 520}
    graph = network.cluster_graph(summary.cluster_links, clusters)
    cluster_urls = {
        pk: reverse("analytics:network_cluster", args=[slugs[pk]]) for pk in graph.nodes if pk in slugs
    }
    cluster_chart = charts.Chart(
        "cluster-graph", _("Clusters linked by their members' shared projects"),
        network.figure(graph, network.layout(graph), urls=cluster_urls, kind_labels={network.CLUSTER: _("Cluster")})
        if graph.number_of_edges() else None,
        [_("Cluster"), _("Clusters it is linked to"), _("Projects shared")],
        sorted(([graph.nodes[n]["name"], graph.degree(n), graph.degree(n, weight="weight")] for n in graph.nodes),
               key=lambda row: (-row[2], row[0])),
    )  # fmt: skip
    if not cluster_chart.rows:
        cluster_chart.notice = _("No public project matches these filters yet.")
    periods = network.by_period(network.in_period(bundle.participations, first, last))
    period_chart = charts.line(
        "network-by-period", _("Organisations and links by period"),
        [f"{a}–{b}" for a, b in zip(periods["first_year"], periods["last_year"], strict=True)],
        {_("Organisations"): [int(v) for v in periods["organisations"]], _("Links"): [int(v) for v in periods["links"]]},
        x_label=_("Period"),
    )  # fmt: skip
    period_chart.columns = [_("Period"), _("Organisations"), _("Links"), _("Density"), _("Components"),
                            _("Largest component (%)")]  # fmt: skip
    period_chart.rows = [
        [f"{a}–{b}", int(n), int(m), round(float(d), 5), int(c), round(100 * float(s), 1)]
        for a, b, n, m, d, c, s in periods.itertuples(index=False)
    ]
    kind_rows = [
        [kinds.get(a, a), kinds.get(b, b), int(links), int(projects)]
        for a, b, links, projects in summary.kind_links.itertuples(index=False)
    ]
    for chart in (pair_chart, period_chart):
        if not chart.rows:
            chart.figure = None
            chart.notice = _("No public project matches these filters yet.")
    query = request.GET.copy()
    context = {
        "title": _("Collaboration network"),
        "breadcrumb": [(_("Dashboards"), reverse("analytics:index")), (_("Collaboration network"), None)],
        "filter": filterset,
        "summary": summary,
        "bridging": bridging,
        "pair_chart": pair_chart,
        "cluster_chart": cluster_chart,
        "period_chart": period_chart,
        "kind_rows": kind_rows,
        "cluster_pairs": [
            {
                "a": clusters.get(a, a),
                "b": clusters.get(b, b),
                "a_slug": slugs.get(a),
                "b_slug": slugs.get(b),
                "weight": int(w),
                "links": int(n),
            }
            for a, b, w, n in top_pairs.itertuples(index=False)
        ],  # fmt: skip
        "exports": _export_links(query),
        "source": source,
    }
    return render(request, "analytics/network.html", context)


def _export_links(query) -> dict[str, str]:
    links = {}
    for name in ("graphml", "csv", "nodes"):
        params = query.copy()
        params["export"] = name
        links[name] = "?" + params.urlencode()
    return links


def _neighbourhood_page(request, *, centre: set[int], title: str, crumbs, name: str, extra: dict, stamp=None):
    filterset, source, first, last = _network_filter(request)
    bundle = selectors.network_bundle(source, first, last, stamp=stamp)
    edges = network.neighbourhood(bundle.edges, centre)
    nodes = set(edges["source"]) | set(edges["target"]) | centre
    organisations = selectors.network_organisations(nodes)
    if request.GET.get("export"):
        return _export(request, network.to_graph(edges, organisations, centre), edges, organisations, name)
    drawn, trimmed = network.strongest(edges, {c for c in centre if c in nodes}, NODE_LIMIT)
    graph = network.to_graph(drawn, organisations, centre if len(centre) <= NODE_LIMIT else None)
    positions = network.layout(graph)
    figure = network.figure(graph, positions, highlight=centre, urls=_organisation_urls(graph.nodes),
                            kind_labels=_kind_labels())  # fmt: skip
    names = organisations.set_index("organisation_id")["name"].to_dict() if not organisations.empty else {}
    kinds = organisations.set_index("organisation_id")["kind"].to_dict() if not organisations.empty else {}
    chart = charts.Chart("network-graph", title, figure if graph.number_of_edges() else None,
                         [_("Organisation"), _("Partner"), _("Projects shared"), _("First shared project"), _("Last shared project")],
                         [[names.get(a, a), names.get(b, b), int(w), _year(f), _year(t)]
                          for a, b, w, f, t in edges.sort_values("weight", ascending=False)[network.EDGE_COLUMNS].head(300).itertuples(index=False)])  # fmt: skip
    if not graph.number_of_edges():
        chart.notice = _("No co-participation in a public project matches these filters.")
    elif trimmed:
        chart.notice = _(
            "The drawing shows the %(limit)s most connected organisations; the table and the exports hold all "
            "%(count)s."
        ) % {"limit": NODE_LIMIT, "count": len(nodes)}
    context = {
        "title": title,
        "breadcrumb": crumbs,
        "filter": filterset,
        "chart": chart,
        "exports": _export_links(request.GET.copy()),
        "kind_labels": _kind_labels(),
        "names": names,
        "kinds": kinds,
        "edges": edges,
        **extra,
    }
    return context


def network_cluster(request, slug: str):
    """One cluster's members, the partners they work with in public projects, and the links among them."""
    cluster = get_or_404(Cluster.objects.all(), request.user, slug=slug)
    _f, source, first, last = _network_filter(request)
    stamp = selectors.network_stamp()
    bundle = selectors.network_bundle(source, first, last, stamp=stamp)
    members = bundle.memberships
    centre = set(members.loc[members["cluster_id"] == cluster.pk, "organisation_id"].tolist())
    active = centre & (set(bundle.edges["source"]) | set(bundle.edges["target"]))
    crumbs = [
        (_("Dashboards"), reverse("analytics:index")),
        (_("Collaboration network"), reverse("analytics:network")),
        (cluster.name, None),
    ]
    context = _neighbourhood_page(
        request, centre=active, title=_("Collaboration network of %(cluster)s") % {"cluster": cluster.name},
        crumbs=crumbs, name=f"network-{cluster.slug}", extra={"cluster": cluster}, stamp=stamp,
    )  # fmt: skip
    if isinstance(context, HttpResponse):
        return context
    edges = context["edges"]
    internal = edges["source"].isin(active) & edges["target"].isin(active)
    partners = (set(edges["source"]) | set(edges["target"])) - active
    # Only this cluster's pairs: computed from its members' links, without the whole network's summary.
    touching = bundle.edges[bundle.edges["source"].isin(centre) | bundle.edges["target"].isin(centre)]
    links = network.cluster_links(touching, members)
    mine = links[(links["cluster_a"] == cluster.pk) | (links["cluster_b"] == cluster.pk)].head(10)
    names = dict(Cluster.objects.values_list("pk", "name"))
    context.update(
        members_total=len(centre),
        members_active=len(active),
        internal_links=int(internal.sum()),
        external_partners=len(partners),
        linked_clusters=[
            {"name": names.get(b if a == cluster.pk else a), "weight": int(w), "links": int(n)}
            for a, b, w, n in mine.itertuples(index=False)
        ],
        member_rows=_member_rows(edges, active, context["names"], context["kinds"]),
    )
    return render(request, "analytics/network_cluster.html", context)


def _member_rows(edges, members: set[int], names, kinds) -> list[dict]:
    """Per member in the network: partners, partners that are members too, projects shared (summed over
    its links) — one grouping over both directions of the links, not one scan per member."""
    if edges.empty or not members:
        return []
    forward = edges[["source", "target", "weight"]].set_axis(["org", "other", "weight"], axis=1)
    backward = edges[["target", "source", "weight"]].set_axis(["org", "other", "weight"], axis=1)
    both = pd.concat([forward, backward], ignore_index=True)
    mine = both[both["org"].isin(members)]
    partners = mine.groupby("org")["other"].nunique()
    inside = mine[mine["other"].isin(members)].groupby("org")["other"].nunique()
    projects = mine.groupby("org")["weight"].sum()
    kind_labels = _kind_labels()
    rows = [
        {"id": int(org), "name": names.get(org, "?"), "kind": kind_labels.get(kinds.get(org, ""), ""),
         "partners": int(partners.get(org, 0)), "inside": int(inside.get(org, 0)), "projects": int(projects.get(org, 0))}
        for org in members
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r["partners"], r["name"]))[:100]


def network_organisation(request, pk: int):
    """One organisation's partners in public projects (its ego network) and the links among them."""
    organisation = get_or_404(restrict(Organisation.objects.all(), request.user, VIEW), request.user, pk=pk)
    crumbs = [
        (_("Dashboards"), reverse("analytics:index")),
        (_("Collaboration network"), reverse("analytics:network")),
        (organisation.name, None),
    ]
    context = _neighbourhood_page(
        request, centre={organisation.pk}, title=_("Partners of %(name)s") % {"name": organisation.name},
        crumbs=crumbs, name=f"network-organisation-{organisation.pk}", extra={"organisation": organisation},
    )  # fmt: skip
    if isinstance(context, HttpResponse):
        return context
    edges = context["edges"]
    mine = edges[(edges["source"] == organisation.pk) | (edges["target"] == organisation.pk)]
    kind_labels = _kind_labels()
    partners = []
    for source, target, weight, first, last in mine[network.EDGE_COLUMNS].itertuples(index=False):
        other = target if source == organisation.pk else source
        partners.append({"id": int(other), "name": context["names"].get(other, "?"),
                         "kind": kind_labels.get(context["kinds"].get(other, ""), ""), "projects": int(weight),
                         "first": _year(first), "last": _year(last)})  # fmt: skip
    context["partners"] = sorted(partners, key=lambda p: (-p["projects"], p["name"]))
    return render(request, "analytics/network_organisation.html", context)
