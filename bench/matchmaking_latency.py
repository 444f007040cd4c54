"""Partner search through Django on an existing database (run as a subprocess; prints JSON records).

    DATABASE_URL=... python -m bench.matchmaking_latency [--quick]

Measured on the loaded demo (`national` in a full run):

* the index build from the database (cold, what the first search of a process pays) and the
  data-change check that later requests pay at most every POLES_PARTNER_INDEX_CHECK_SECONDS;
* `selectors.search_partners` (the service the pages and the API call) with realistic queries:
  a need of 2-4 competence keywords and a few words, filters half the time, 0-2 consortium
  members; baseline: `engine.search` alone on the same index and queries, so the ratio is the
  cost of the Django layer (names, reasons in French, permissions);
* GET /api/partners/search/ through the whole stack (middleware, authentication, form
  validation, serialisation) with django.test.Client, as a signed-in user;
* `consortia.propose` on the open call for organisations that can lead (information only).
Target: search p95 under 100 ms.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poles.test_settings")


def _queries(rng: random.Random, data, n: int) -> list[dict]:
    from poles.matchmaking.vocabulary import COMPETENCES

    labels = [fr for entries in COMPETENCES.values() for _slug, fr, _en in entries]
    fillers = [
        "pour",
        "l'industrie",
        "démonstrateur",
        "projet",
        "partenaire",
        "innovation",
        "nouveaux",
        "marchés",
    ]
    ids = sorted(data.cards)
    regions = sorted({c.region for c in data.cards.values() if c.region})
    out = []
    for _ in range(n):
        words = rng.sample(labels, rng.randint(2, 4)) + rng.sample(fillers, 2)
        query = {"need": " ".join(words), "consortium": rng.sample(ids, rng.randint(0, 2))}
        if rng.random() < 0.5:
            kind = rng.choice(["category", "size", "region"])
            if kind == "category":
                query["categories"] = [rng.choice(["company", "ntbf", "public_research", "hei_research"])]
            elif kind == "size":
                query["sizes"] = rng.sample(["micro", "small", "medium", "mid", "large"], 2)
            else:
                query["regions"] = [rng.choice(regions)]
        out.append(query)
    return out


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import translation

    from bench.lib import latency_records, record
    from poles.calls.models import Call
    from poles.matchmaking import consortia, indexing, selectors
    from poles.matchmaking.engine import SearchFilters, search
    from poles.organisations.models import Organisation

    quick = "--quick" in sys.argv
    n = 100 if quick else 400
    rng = random.Random(2026)
    translation.activate("fr")
    vendor = connection.vendor
    data_set = os.environ.get("BENCH_DATA_SET", "national")
    params = {"database": vendor, "data_set": data_set, "queries": n, "k": 20}
    records = []

    started = time.perf_counter()
    data = indexing.build_partner_data()
    build_s = time.perf_counter() - started
    index_params = {
        **params,
        "indexed_organisations": len(data.index),
        "organisations": Organisation.objects.count(),
        "terms": len(data.index.tfidf.terms),
        "co_participation_pairs": int(data.index.together.nnz // 2),
        "clusters": len(data.index.clusters),
    }
    records.append(
        record(
            f"matchmaking.django.{vendor}.index_build", round(build_s, 3), "s", "lower", params=index_params
        )
    )
    checks = []
    for _ in range(20):
        t0 = time.perf_counter()
        indexing.data_fingerprint()
        checks.append(time.perf_counter() - t0)
    records += latency_records(f"matchmaking.django.{vendor}.data_change_check", checks, index_params)

    user, _created = get_user_model().objects.get_or_create(username="bench-matchmaking")
    queries = _queries(rng, data, n)
    indexing.partner_data()  # this process's cache, as a web process holds it

    def engine_only(q):
        filters = SearchFilters(
            categories=q.get("categories"), sizes=q.get("sizes"), regions=q.get("regions")
        )
        search(data.index, q["need"], filters, consortium_so_far=[str(c) for c in q["consortium"]], k=20)

    def service(q):
        selectors.search_partners(user, k=20, **q)

    for fn in (engine_only, service):
        for q in queries[:10]:
            fn(q)
    samples = {"engine": [], "service": []}
    for q in queries:
        for name, fn in (("engine", engine_only), ("service", service)):
            t0 = time.perf_counter()
            fn(q)
            samples[name].append(time.perf_counter() - t0)
    engine_records = latency_records(f"matchmaking.django.{vendor}.engine_search", samples["engine"], params)
    service_records = latency_records(
        f"matchmaking.django.{vendor}.service_search", samples["service"], params, target_p95_ms=100.0
    )
    for service_rec, engine_rec in zip(service_records, engine_records, strict=True):
        service_rec["baseline"] = engine_rec["value"]
        service_rec["ratio"] = (
            round(service_rec["value"] / engine_rec["value"], 2) if engine_rec["value"] else None
        )
    records += engine_records + service_records

    client = Client()
    client.force_login(user)

    def api_url(q) -> str:
        from urllib.parse import urlencode

        query = {"q": q["need"], "k": 20, "consortium": ",".join(str(c) for c in q["consortium"])}
        for key, name in (("categories", "category"), ("sizes", "size")):
            if q.get(key):
                query[name] = q[key]
        if q.get("regions"):
            query["region"] = q["regions"][0]
        return "/api/partners/search/?" + urlencode(query, doseq=True)

    urls = [api_url(q) for q in queries]
    for url in urls[:10]:
        assert client.get(url, HTTP_HOST="localhost").status_code == 200
    api = []
    for url in urls:
        t0 = time.perf_counter()
        response = client.get(url, HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="fr")
        api.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    records += latency_records(f"matchmaking.django.{vendor}.api_search", api, params, target_p95_ms=100.0)

    call = Call.objects.filter(status=Call.Status.OPEN).first()
    if call is not None:
        leads = list(
            Organisation.objects.filter(category="company", memberships__end__isnull=True)
            .order_by("pk")
            .distinct()[:400]
        )
        propose = []
        for q in queries[: 20 if quick else 60]:
            lead = rng.choice(leads)
            membership = lead.memberships.filter(end__isnull=True).select_related("cluster").first()
            request = consortia.ConsortiumRequest(
                call, lead, q["need"], membership.cluster if membership else None
            )
            t0 = time.perf_counter()
            consortia.propose(request)
            propose.append(time.perf_counter() - t0)
        records += latency_records(
            f"matchmaking.django.{vendor}.consortium_propose", propose, {**params, "queries": len(propose)}
        )
    print(json.dumps(records))


if __name__ == "__main__":
    main()
