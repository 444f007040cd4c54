"""Server-side latency of the dashboards and network pages on an existing database (run as a subprocess).

    DATABASE_URL=... python -m bench.dashboards_latency [--quick]

Requests go through the whole Django stack with django.test.Client (permission layer, selectors, engines,
templates), as bench.web_latency does for the foundation's pages. Each page is timed cold once (caches
emptied: the network's figures are cached per data state) and then `repeat` times warm. Restricted
dashboards are read as the role that may open them (bench accounts are created if missing). Also times one
stored impact-evaluation run on the platform's firm panel. Prints JSON records on the last line.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poles.test_settings")


def _accounts():
    import datetime as dt

    from django.contrib.auth import get_user_model

    from poles.accounts.models import RoleAssignment
    from poles.calls.models import Funder
    from poles.clusters.models import Cluster
    from poles.instruments.models import Programme

    programme = Programme.objects.order_by("start_year", "pk").first()
    wanted = {
        "bench-officer": {"role": "officer", "programme": programme},
        "bench-funder": {"role": "funder", "funder": Funder.objects.get(slug="fui")},
        "bench-cluster": {"role": "cluster", "cluster": Cluster.objects.get(slug="minalogic")},
    }
    users = {}
    for username, role in wanted.items():
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            RoleAssignment.objects.create(user=user, start=dt.date(2005, 1, 1), **role)
        users[username.removeprefix("bench-")] = user
    return programme, users


def main() -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from bench.lib import latency_records, percentile, record, time_calls
    from poles.calls.models import Call
    from poles.projects.models import Participation

    quick = "--quick" in sys.argv
    repeat = 10 if quick else 30
    programme, users = _accounts()
    call = Call.objects.filter(reference__startswith="sample-").order_by("-submission_deadline").first()
    busiest = (
        Participation.objects.filter(project__status="funded").values("organisation_id")
        .annotate(n=Count("pk")).order_by("-n", "organisation_id").first()["organisation_id"]
    )  # fmt: skip
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    pages = {
        "page.dashboard_programme_public": ("anonymous", f"/dashboards/programme/{programme.slug}/"),
        "page.dashboard_programme_officer": ("officer", f"/dashboards/programme/{programme.slug}/"),
        "page.dashboard_programme_filtered": (
            "officer",
            f"/dashboards/programme/{programme.slug}/?year_from=2009&region=84",
        ),
        "page.dashboard_funder": ("funder", "/dashboards/funders/fui/"),
        "page.dashboard_cluster": ("cluster", "/dashboards/clusters/minalogic/"),
        "page.dashboard_region": ("anonymous", "/dashboards/regions/84/"),
        "page.dashboard_call": ("anonymous", f"/dashboards/calls/{call.reference}/"),
        "page.dashboard_csv": ("anonymous", f"/dashboards/programme/{programme.slug}/?csv=aid-by-year"),
        "page.network": ("anonymous", "/dashboards/network/"),
        "page.network_period": ("anonymous", "/dashboards/network/?year_from=2008&year_to=2012"),
        "page.network_cluster": ("anonymous", "/dashboards/network/clusters/minalogic/"),
        "page.network_organisation": ("anonymous", f"/dashboards/network/organisations/{busiest}/"),
    }
    vendor = connection.vendor
    params = {
        "database": vendor,
        "requests": repeat,
        "data_set": os.environ.get("BENCH_DATA_SET", "national"),
    }
    records = []

    def get(role: str, url: str) -> None:
        response = clients[role].get(url, HTTP_HOST="localhost")
        assert response.status_code == 200, (url, role, response.status_code)

    health = time_calls(lambda: get("anonymous", "/healthz"), repeat=repeat, warmup=3)
    base_p50 = percentile([s * 1000 for s in health], 50)
    for name, (role, url) in pages.items():
        cache.clear()
        started = time.perf_counter()
        get(role, url)
        cold = (time.perf_counter() - started) * 1000
        samples = time_calls(lambda role=role, url=url: get(role, url), repeat=repeat, warmup=1)
        for rec in latency_records(f"{vendor}.{name}", samples, params, target_p95_ms=1000.0):
            if rec["name"].endswith(".p50"):
                rec["baseline"] = round(base_p50, 3)
                rec["ratio"] = round(rec["value"] / base_p50, 2)
            records.append(rec)
        records.append(
            record(f"{vendor}.{name}.cold", round(cold, 1), "ms", "lower", params={**params, "requests": 1})
        )
    records += _evaluation(programme, users["officer"], vendor, params)
    print(json.dumps(records))


def _evaluation(programme, officer, vendor: str, params: dict) -> list[dict]:
    """One stored run on the platform's firm panel, and the size of that panel. poles.test_settings runs
    tasks immediately, so the time is the run's whole computation."""
    from bench.lib import record
    from poles.evaluation import services

    started = time.perf_counter()
    run = services.start_run(officer, programme, services.RunOptions(control="notyet"), title="bench")
    seconds = time.perf_counter() - started
    panel = (run.results or {}).get("panel", {})
    truth = (run.results or {}).get("truth") or {}
    simple = ((run.results or {}).get("report", {}).get("results", {}).get("staggered") or {}).get(
        "simple"
    ) or {}
    return [
        record(
            f"{vendor}.evaluation.platform_run.seconds", round(seconds, 2), "s", "lower",
            params={**params, "status": run.status, "firms": panel.get("firms"), "treated": panel.get("treated"),
                    "years": panel.get("years"), "att_log_rd": simple.get("att"), "ci": [simple.get("ci_low"), simple.get("ci_high")],
                    "planted_truth": truth.get("simple")},
        )
    ]  # fmt: skip


if __name__ == "__main__":
    main()
