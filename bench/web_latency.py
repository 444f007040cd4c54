"""Server-side latency of pages and API lists on an existing database (run as a subprocess).

    DATABASE_URL=... python -m bench.web_latency [--quick]

Requests go through the whole Django stack (middleware, permission layer, templates or
serializers, database) with django.test.Client, without a network hop. Prints JSON records.
`/healthz` (one `SELECT 1`) is the baseline each page's ratio is computed against.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poles.test_settings")


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.lib import latency_records, percentile, time_calls

    quick = "--quick" in sys.argv
    repeat = 15 if quick else 60
    client = Client()
    words = ["tec", "nano", "énergie", "lab", "Grenoble", "systèmes", "bio", "robot"]
    state = {"i": 0}

    def search_url() -> str:
        state["i"] += 1
        return f"/organisations/?q={words[state['i'] % len(words)]}"

    targets = {
        "healthz": lambda: "/healthz",
        "page.home": lambda: "/",
        "page.clusters": lambda: "/clusters/",
        "page.cluster_detail": lambda: "/clusters/minalogic/",
        "page.organisation_search": search_url,
        "api.organisations": lambda: "/api/organisations/",
        "api.organisations_search": lambda: f"/api/organisations/?q={words[state['i'] % len(words)]}",
        "api.clusters": lambda: "/api/clusters/",
        "api.memberships": lambda: "/api/memberships/",
        "api.contracts": lambda: "/api/contracts/",
        "api.instruments": lambda: "/api/instruments/",
    }
    vendor = connection.vendor
    records = []
    samples = {}
    for name, url in targets.items():

        def call(url=url):
            response = client.get(url(), HTTP_HOST="localhost")
            assert response.status_code == 200, (url(), response.status_code)

        samples[name] = time_calls(call, repeat=repeat, warmup=3)
    base_p50 = percentile([s * 1000 for s in samples["healthz"]], 50)
    for name, values in samples.items():
        params = {
            "database": vendor,
            "requests": repeat,
            "data_set": os.environ.get("BENCH_DATA_SET", "national"),
        }
        target = 1000.0 if name.startswith("page.") else 500.0 if name.startswith("api.") else None
        for rec in latency_records(f"{vendor}.{name}", values, params, target_p95_ms=target):
            if rec["name"].endswith(".p50") and name != "healthz":
                rec["baseline"] = round(base_p50, 3)
                rec["ratio"] = round(rec["value"] / base_p50, 2)
            records.append(rec)
    print(json.dumps(records))


if __name__ == "__main__":
    main()
