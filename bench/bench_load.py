"""Load test: gunicorn on PostgreSQL, a realistic mix, requests/s, p95, errors and memory.

    python -m bench.run --only load            # 10-minute soak on the `national` data set
    python -m bench.run --quick --only load    # 30 s on the `tiny` data set

The data set is generated once into `poles_bench_load_<scale>` and reused by later runs. The
mix, by several client threads with keep-alive connections: anonymous browsing (home, lists,
a cluster, an organisation search) 60 %, API reads 30 %, an applicant saving a draft proposal
(PATCH through the service, near-deadline traffic) 10 %. Memory: the summed RSS of the gunicorn
processes, sampled every few seconds; "growth" compares the last minute with the first after
warm-up (a leak shows as steady growth over the soak); "growth_second_half" compares the last tenth
with the middle one, after the workers' caches have filled, and keeps the whole series.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.bench_foundation import PG_URL, _env, _poles, _postgres_available
from bench.lib import percentile, record

ROOT = Path(__file__).resolve().parent.parent
SETUP = """
import json, django; django.setup()
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from poles.core.roles import roles_of
from poles.clusters.models import Cluster
from poles.organisations.models import Organisation
from poles.projects.models import Project
member = get_user_model().objects.get(username="member")
orgs = roles_of(member).member_of
drafts = list(Project.objects.filter(status="draft", participations__organisation__in=orgs, participations__role="lead").values_list("id", flat=True)[:20])
print(json.dumps({
    "token": Token.objects.get_or_create(user=member)[0].key,
    "drafts": drafts,
    "clusters": list(Cluster.objects.values_list("slug", flat=True)[:20]),
    "organisations": list(Organisation.objects.order_by("?").values_list("id", flat=True)[:50]),
}))
"""


def _database(scale: str) -> str:
    """The demo data set with its demo accounts, generated once and reused."""
    import psycopg

    name = f"poles_bench_load_{scale}"
    url = PG_URL + name

    def ready() -> bool:
        try:
            with psycopg.connect(url) as conn:
                return bool(
                    conn.execute("SELECT count(*) FROM accounts_user WHERE username = 'member'").fetchone()[0]
                )
        except psycopg.Error:
            return False

    if ready():
        return url
    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = _env(url)
    _poles(["migrate", "-v", "0"], env)
    # DEBUG=1 only for the generation: it adds the demo accounts (the applicant saving drafts).
    _poles(["demo", "--scale", scale], {**env, "DEBUG": "1"}, stdout=subprocess.DEVNULL)
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(master: int) -> float:
    pids = [master]
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def _wait(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz")


def _requests(facts: dict):
    """The mix: (weight, method, path builder, body builder, needs the applicant's token)."""
    orgs, clusters, drafts = facts["organisations"], facts["clusters"], facts["drafts"]
    mix = [
        (15, "GET", lambda r: "/", None, False),
        (10, "GET", lambda r: "/clusters/", None, False),
        (10, "GET", lambda r: f"/clusters/{r.choice(clusters)}/", None, False),
        (
            15,
            "GET",
            lambda r: "/organisations/?q=" + r.choice(["tech", "bio", "lab", "ener", "a"]),
            None,
            False,
        ),
        (10, "GET", lambda r: f"/organisations/{r.choice(orgs)}/", None, False),
        (10, "GET", lambda r: f"/api/organisations/?page={r.randint(1, 20)}", None, False),
        (10, "GET", lambda r: "/api/clusters/", None, False),
        (10, "GET", lambda r: f"/api/organisations/{r.choice(orgs)}/", None, False),
    ]
    if drafts:
        mix.append(
            (10, "PATCH", lambda r: f"/api/projects/{r.choice(drafts)}/",
             lambda r: {"summary": f"Draft saved at {time.time():.3f} — rev {r.randint(1, 10**6)}"}, True)
        )  # fmt: skip
    return mix


def _client(port, facts, stop_at, samples, errors, seed):
    rnd = random.Random(seed)
    mix = _requests(facts)
    weights = [m[0] for m in mix]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.time() < stop_at:
        _w, method, path, body, auth = rnd.choices(mix, weights)[0]
        headers = {"Accept-Language": "fr"}
        payload = None
        if body is not None:
            payload = json.dumps(body(rnd)).encode()
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Token {facts['token']}"
        started = time.perf_counter()
        try:
            conn.request(method, path(rnd), body=payload, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{method} {type(exc).__name__}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        samples.append((time.perf_counter() - started, method))
        if status >= 400:
            errors.append(f"{method} {status}")


def _mean_tail(rss: list[tuple[float, float]], start: float, end: float = 1.0) -> float:
    """Mean resident size over the part [start, end) of the run (fractions of the samples)."""
    part = rss[int(len(rss) * start) : max(int(len(rss) * start) + 1, int(len(rss) * end))]
    return sum(v for _t, v in part) / len(part)


def run(ctx) -> list[dict]:
    if not _postgres_available():
        return [record("load.skipped_no_postgresql", 1, "flag", "lower")]
    scale = "tiny" if ctx.quick else "national"
    duration = 30 if ctx.quick else 600
    threads = 8
    workers = int(os.environ.get("BENCH_LOAD_WORKERS", "4"))
    url = _database(scale)
    env = {**_env(url), "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}
    facts = json.loads(subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, capture_output=True,
                                      text=True, check=True).stdout.strip().splitlines()[-1])  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "poles.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "-", "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait(port)
        # Warm-up: every worker imports, connects and fills its caches before we measure.
        warm: list = []
        _client(port, facts, time.time() + 5, warm, [], seed=0)
        samples: list = []
        errors: list = []
        rss: list[tuple[float, float]] = []
        start = time.time()
        stop_at = start + duration
        clients = [
            threading.Thread(target=_client, args=(port, facts, stop_at, samples, errors, i))
            for i in range(threads)
        ]
        for t in clients:
            t.start()
        while time.time() < stop_at:
            rss.append((time.time() - start, _rss_mb(server.pid)))
            time.sleep(2 if ctx.quick else 5)
        for t in clients:
            t.join()
        elapsed = time.time() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    params = {"scale": scale, "seconds": duration, "client_threads": threads, "gunicorn_workers": workers,
              "mix": "60% anonymous pages, 30% API reads, 10% draft saves" if facts["drafts"] else
              "67% anonymous pages, 33% API reads (no draft proposal in this data set)"}  # fmt: skip
    latencies = [s * 1000 for s, _m in samples]
    writes = [s * 1000 for s, m in samples if m == "PATCH"]
    window = max(1, len(rss) // 10)
    first, last = rss[:window], rss[-window:]
    growth = sum(v for _t, v in last) / len(last) - sum(v for _t, v in first) / len(first)
    records = [
        record("load.requests_per_s", round(len(samples) / elapsed, 1), "req/s", "higher", params=params),
        record("load.p50", round(percentile(latencies, 50), 1), "ms", "lower", params=params),
        record("load.p95", round(percentile(latencies, 95), 1), "ms", "lower", target=500, params=params),
        record(
            "load.errors",
            len(errors),
            "count",
            "lower",
            target=0,
            params={**params, "first": sorted(set(errors))[:10]},
        ),  # fmt: skip
        record("load.rss_start", round(first[0][1], 1), "MiB", "lower", params=params),
        record("load.rss_max", round(max(v for _t, v in rss), 1), "MiB", "lower", params=params),
        record("load.rss_growth", round(growth, 1), "MiB", "lower", params={**params, "samples": len(rss)}),
        # Stable memory: after the first half (caches filled, every worker warm) the resident size stops growing.
        record(
            "load.rss_growth_second_half",
            round(_mean_tail(rss, 0.9) - _mean_tail(rss, 0.5, 0.6), 1),
            "MiB",
            "lower",
            params={**params, "series_s_mib": [(round(t), round(v, 1)) for t, v in rss]},
        ),
    ]
    if writes:
        records.append(
            record("load.draft_save_p95", round(percentile(writes, 95), 1), "ms", "lower", params=params)
        )
    return records
