"""The programme at a glance (home page)."""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from poles.core import charts
from poles.territories import geometry
from poles.territories.models import Region

from . import selectors


def home(request):
    today = timezone.localdate()
    programme = selectors.main_programme()
    frame = selectors.MembershipFrame.load()
    glance = selectors.glance(frame, today)
    columns, table = selectors.members_by_category_and_size(frame, today)
    first_year = programme.start_year if programme else today.year
    history = selectors.members_by_year(frame, range(first_year, today.year + 1))
    regions = [row for row in selectors.clusters_by_region(Region.Kind.CURRENT) if row[2]]
    first_wave = dt.date(first_year + 2, 12, 31)
    former = [
        row for row in selectors.clusters_by_region(Region.Kind.FORMER, labelled_by=first_wave) if row[2]
    ]
    missing = _("The map needs the boundaries file %(file)s; the table below gives the same figures.")
    context = {
        "title": _("The programme at a glance"),
        "programme": programme,
        "glance": glance,
        "size_columns": columns,
        "size_table": table,
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
