"""The REST API: schema, authentication, errors in one format and both languages, locking."""

from __future__ import annotations

import pytest
import yaml
from drf_spectacular.validation import validate_schema

from poles.clusters.models import Membership
from poles.core.roles import roles_of
from poles.instruments.models import Instrument
from poles.organisations.models import Organisation


def test_schema_is_valid_openapi_3_and_lists_the_registry(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for endpoint in [
        "organisations",
        "clusters",
        "memberships",
        "contracts",
        "instruments",
        "regions",
        "departements",
    ]:
        assert f"/api/{endpoint}/" in paths, endpoint
    assert "/api/token/" in paths
    assert client.get("/api/docs/").status_code == 200


def test_token_round_trip_and_wrong_token(client, users, db):
    users["member"].set_password("a-long-demo-password")
    users["member"].save()
    response = client.post(
        "/api/token/",
        {"username": "member", "password": "a-long-demo-password"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    own = next(iter(roles_of(users["member"]).member_of))
    ok = client.patch(
        f"/api/organisations/{own}/", {"acronym": "TOK"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )  # fmt: skip
    assert ok.status_code == 200
    wrong = client.get("/api/organisations/", HTTP_AUTHORIZATION="Token not-a-token")
    assert wrong.status_code == 401
    assert wrong.json() == {
        "status": 401,
        "code": "authentication_failed",
        "message": wrong.json()["message"],
        "errors": {},
    }
    bad = client.post(
        "/api/token/", {"username": "member", "password": "nope"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "non_field_errors" in bad.json()["errors"]


@pytest.mark.parametrize(
    "language, fragment", [("en", "is not a valid SIRET"), ("fr", "n’est pas un SIRET valide")]
)
def test_invalid_siret_gets_a_400_naming_the_field_and_saves_nothing(language, fragment, users, api_for):
    api = api_for(users["officer"])
    before = Organisation.objects.count()
    response = api.post(
        "/api/organisations/", {"name": "Nouvelle SAS", "category": "company", "siret": "12345678901234"},
        format="json", HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == ["siret"]
    assert fragment in body["errors"]["siret"][0]
    assert Organisation.objects.count() == before


@pytest.mark.parametrize(
    "language, fragment",
    [("en", "not one of the target groups"), ("fr", "n’est pas l’un des groupes cibles")],
)
def test_unknown_target_group_is_refused(language, fragment, api_for):
    before = Instrument.objects.count()
    payload = {
        "kind": "practice", "title_fr": "T", "title_en": "T", "contact_person": "P", "contact_organisation": "O",
        "target_groups": ["company", "astronauts"], "aim_fr": "a", "aim_en": "a", "overview_fr": "o",
        "overview_en": "o", "created_on": "2020-01-01",
    }  # fmt: skip
    response = api_for(None).post("/api/instruments/", payload, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert "target_groups" in response.json()["errors"]
    assert fragment in response.json()["errors"]["target_groups"][0]
    assert Instrument.objects.count() == before


def test_anonymous_share_is_pending_and_invisible(api_for):
    payload = {
        "kind": "practice", "title_fr": "Pratique", "title_en": "Practice", "contact_person": "P",
        "contact_organisation": "O", "target_groups": ["company"], "aim_fr": "a", "aim_en": "a",
        "overview_fr": "o", "overview_en": "o", "created_on": "2020-01-01", "submitter_email": "a@b.example",
    }  # fmt: skip
    response = api_for(None).post("/api/instruments/", payload, format="json")
    assert response.status_code == 201 and response.json()["status"] == "pending"
    assert api_for(None).get(f"/api/instruments/{response.json()['id']}/").status_code == 404


@pytest.mark.parametrize(
    "language, fragment", [("en", "cannot end before it starts"), ("fr", "ne peut pas se terminer avant")]
)
def test_membership_ending_before_it_starts(language, fragment, users, api_for):
    org = Organisation.objects.filter(category="company").last()
    response = api_for(users["cluster"]).post(
        "/api/memberships/", {"cluster": "minalogic", "organisation": org.pk, "start": "2020-05-01", "end": "2019-01-01"},
        format="json", HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip
    assert response.status_code == 400
    assert fragment in response.json()["errors"]["end"][0]
    assert not Membership.objects.filter(organisation=org, start="2020-05-01").exists()


@pytest.mark.parametrize(
    "language, fragment", [("en", "greater than or equal to 0"), ("fr", "supérieure ou égale à")]
)
def test_negative_headcount(language, fragment, users, api_for):
    own = next(iter(roles_of(users["member"]).member_of))
    response = api_for(users["member"]).post(
        f"/api/organisations/{own}/figures/",
        {"year": 2023, "headcount": -3},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert fragment in response.json()["errors"]["headcount"][0]
    assert not Organisation.objects.get(pk=own).figures.filter(year=2023).exists()


def test_if_match_refuses_a_stale_update(users, api_for):
    api = api_for(users["officer"])
    org = Organisation.objects.filter(category="company").first()
    etag = api.get(f"/api/organisations/{org.pk}/")["ETag"]
    assert (
        api.patch(
            f"/api/organisations/{org.pk}/", {"acronym": "ONE"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    stale = api.patch(f"/api/organisations/{org.pk}/", {"acronym": "TWO"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale"
    assert Organisation.objects.get(pk=org.pk).acronym == "ONE"


def test_lists_are_paginated_and_filtered(api_for):
    data = api_for(None).get("/api/organisations/", {"category": "public_research", "page_size": 5}).json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert len(data["results"]) == 5
    assert {row["category"] for row in data["results"]} == {"public_research"}
    bad = api_for(None).get("/api/organisations/", {"category": "martians"})
    assert bad.status_code == 400 and "category" in bad.json()["errors"]
