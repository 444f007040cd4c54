"""Open data pages for each role (both languages), the import page's flow, the open-data API,
conditional GET and the anonymous rate limit of the API."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import get_resolver, reverse
from django.utils import translation

from poles.opendata.models import ImportRun
from poles.organisations.models import Organisation

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404
EVERYONE = dict.fromkeys(ROLES, OK)
OFFICERS = {role: OK if role == "officer" else LOGIN if role == "anonymous" else DENIED for role in ROLES}


@pytest.fixture
def run(users):
    return ImportRun.objects.create(
        kind="organisations", file_name="o.csv", data=b"name\n", created_by=users["officer"], status="rejected",
        result={"created": {}, "updated": {}, "skipped": {},
                "errors": [{"line": 2, "column": "siren", "message": {"en": "Bad SIREN", "fr": "SIREN invalide"}}]},
    )  # fmt: skip


PAGES = {
    "opendata:home": (lambda r: reverse("opendata:home"), EVERYONE),
    "opendata:download": (lambda r: reverse("opendata:download", args=["scdl-subventions.csv"]), EVERYONE),
    "opendata:imports": (lambda r: reverse("opendata:imports"), OFFICERS),
    "opendata:import_detail": (lambda r: reverse("opendata:import_detail", args=[r.pk]), OFFICERS),
}


def test_every_page_of_the_app_has_a_row():
    from django.urls import URLResolver

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "opendata":
                    yield from (f"opendata:{p.name}" for p in pattern.url_patterns)
                else:
                    yield from walk(pattern.url_patterns)

    names = set(walk(get_resolver().url_patterns))
    assert names - set(PAGES) == {"opendata:import_apply"}  # a POST action, tested below


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_answers_each_role(name, language, users, client_for, run):
    if name == "opendata:download" and language == "fr":
        pytest.skip("a file: the same bytes in both languages (the export takes seconds)")
    build, expected = PAGES[name]
    for role in ROLES:
        with translation.override(language):
            url = build(run)
        response = client_for(users[role]).get(url)
        assert response.status_code == expected[role], (name, role, language)


def test_home_page_in_french(client):
    response = client.get("/open-data/")
    assert response.status_code == 200
    assert "Données ouvertes" in response.content.decode()


def test_report_shows_the_errors_in_the_page_language(users, client_for, run):
    client = client_for(users["officer"])
    assert "SIREN invalide" in client.get(f"/open-data/imports/{run.pk}/").content.decode()
    assert "Bad SIREN" in client.get(f"/en/open-data/imports/{run.pk}/").content.decode()


def test_upload_dry_run_then_apply(users, client_for, django_capture_on_commit_callbacks):
    """Upload -> dry run (background task; immediate in tests) -> report -> apply -> applied."""
    client = client_for(users["officer"])
    data = "name,category,siren\nNouvelle Société,company,732829320\n".encode()
    upload = io.BytesIO(data)
    upload.name = "organisations.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/open-data/imports/", {"kind": "organisations", "file": upload})
    assert response.status_code == 302
    checked = ImportRun.objects.latest("pk")
    checked.refresh_from_db()
    assert checked.status == ImportRun.Status.CHECKED, checked.result
    assert checked.result["created"] == {"organisations": 1}
    assert not Organisation.objects.filter(siren="732829320").exists()
    report = client.get(f"/en/open-data/imports/{checked.pk}/").content.decode()
    assert "Apply this file" in report
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/open-data/imports/{checked.pk}/apply/")
    applied = ImportRun.objects.latest("pk")
    assert response.status_code == 302 and applied.pk != checked.pk
    assert applied.status == ImportRun.Status.APPLIED
    assert Organisation.objects.filter(siren="732829320").count() == 1


def test_rejected_upload_lists_errors_and_cannot_be_applied(
    users, client_for, django_capture_on_commit_callbacks
):
    client = client_for(users["officer"])
    upload = io.BytesIO(b"name,category,siren\nAcme,company,123456789\n")
    upload.name = "organisations.csv"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/open-data/imports/", {"kind": "organisations", "file": upload})
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.REJECTED
    page = client.get(f"/en/open-data/imports/{run.pk}/").content.decode()
    assert "not a valid SIREN" in page and "Apply this file" not in page
    client.post(f"/en/open-data/imports/{run.pk}/apply/")
    assert ImportRun.objects.latest("pk").pk == run.pk


def test_only_officers_may_apply(users, client_for, run):
    run.status = ImportRun.Status.CHECKED
    run.save()
    assert client_for(users["member"]).post(f"/en/open-data/imports/{run.pk}/apply/").status_code == 403


def test_api_lists_and_serves_the_exports(client):
    listing = client.get("/api/opendata/")
    assert listing.status_code == 200
    names = [item["name"] for item in listing.json()]
    assert names == ["360giving.json", "scdl-subventions.csv", "datapackage.zip"]
    package = client.get("/api/opendata/datapackage.zip/")
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        assert "datapackage.json" in archive.namelist() and "projects.csv" in archive.namelist()
    grants = json.loads(client.get("/api/opendata/360giving.json/").content)
    assert grants["grants"]
    assert client.get("/api/opendata/nothing.txt/").status_code == 404


def test_conditional_get_answers_304_until_the_data_changes(client, users, api_for):
    first = client.get("/api/organisations/?page_size=5")
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = client.get("/api/organisations/?page_size=5", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    org = Organisation.objects.order_by("name", "id").first()
    one = client.get(f"/api/organisations/{org.pk}/")
    assert client.get(f"/api/organisations/{org.pk}/", HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 304
    Organisation.objects.filter(pk=org.pk).update(name=org.name + " (renamed)", version=org.version + 1)
    assert client.get(f"/api/organisations/{org.pk}/", HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 200
    assert client.get("/api/organisations/?page_size=5", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_anonymous_api_use_is_rate_limited(client, users, api_for):
    from django.conf import settings

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/min"}
    cache.clear()
    try:
        with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
            codes = [client.get("/api/clusters/?page_size=1").status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            body = client.get("/api/clusters/?page_size=1").json()
            assert body["status"] == 429 and body["code"] == "throttled"
            # Signed-in users are not held by the anonymous limit.
            assert api_for(users["analyst"]).get("/api/clusters/?page_size=1").status_code == 200
    finally:
        cache.clear()
