"""The partner-search API: schema, authentication, validation, consortia and checks."""

from __future__ import annotations

import pytest
import yaml
from drf_spectacular.validation import validate_schema

IDEA = "Capteurs MEMS communicants et logiciel embarqué pour la maintenance prédictive"


def test_schema_stays_valid_and_lists_the_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    validate_schema(schema)
    # A contact request of partner search is not an organisation's contact (same default name).
    assert "PartnerContactRequest" in schema["components"]["schemas"]
    assert "email" in schema["components"]["schemas"]["ContactRequest"]["properties"]
    for path in (
        "/api/partners/search/",
        "/api/consortia/propose/",
        "/api/consortia/check/",
        "/api/contact-requests/",
    ):
        assert path in schema["paths"], path


@pytest.mark.parametrize(
    "method, path",
    [("get", "/api/partners/search/?q=capteurs"), ("post", "/api/consortia/propose/"), ("post", "/api/consortia/check/"),
     ("get", "/api/contact-requests/"), ("post", "/api/contact-requests/")],
)  # fmt: skip
def test_anonymous_callers_are_refused_in_the_common_envelope(method, path, api_for):
    response = getattr(api_for(None), method)(path, {}, format="json")
    assert response.status_code == 401
    assert set(response.json()) == {"status", "code", "message", "errors"}


def test_search_answers_reasons_in_the_callers_language(users, api_for, member_org):
    api = api_for(users["member"])
    params = {"q": "logiciel embarqué capteurs", "consortium": str(member_org.pk), "k": 5}
    en = api.get("/api/partners/search/", params, HTTP_ACCEPT_LANGUAGE="en").json()
    fr = api.get("/api/partners/search/", params, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert 0 < en["count"] <= 5 and en["indexed"] > 100
    first_en, first_fr = en["results"][0], fr["results"][0]
    assert first_en["organisation"]["id"] == first_fr["organisation"]["id"]
    assert set(first_en["components"]) == {"text", "network", "complementarity", "experience"}
    codes = [r["code"] for r in first_en["reasons"]]
    assert codes == [r["code"] for r in first_fr["reasons"]]
    assert first_en["reasons"][0]["text"] != first_fr["reasons"][0]["text"]
    assert all(r["organisation"]["id"] != member_org.pk for r in en["results"])


def test_search_filters_and_bad_parameters(users, api_for):
    api = api_for(users["analyst"])
    labs = api.get(
        "/api/partners/search/", {"q": "recherche", "category": ["public_research", "hei_research"]}
    ).json()
    assert labs["results"] and {r["organisation"]["category"] for r in labs["results"]} <= {
        "public_research",
        "hei_research",
    }
    bad = api.get(
        "/api/partners/search/", {"q": "x", "category": "astronaut", "k": 500}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"category", "k"}


def test_propose_and_check_a_swap(users, api_for, member_org, open_call):
    api = api_for(users["member"])
    body = {
        "lead": member_org.pk,
        "call": open_call.pk,
        "idea": IDEA,
        "lead_cluster": "minalogic",
        "max_results": 3,
    }
    proposed = api.post("/api/consortia/propose/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert proposed.status_code == 200, proposed.json()
    data = proposed.json()
    assert data["slots"] and data["lead_findable"] is True
    best = data["consortia"][0]
    assert best["eligible"] is True and best["members"][0]["slot"] == "lead"
    assert {"fr", "en"} <= set(best["check"][0]["message"])
    members = {m["slot"]: m["organisation"] for m in best["members"] if m["slot"] != "lead"}
    checked = api.post("/api/consortia/check/", {**body, "members": members}, format="json").json()
    assert checked["eligible"] is True
    assert [m["organisation"] for m in checked["members"]] == [m["organisation"] for m in best["members"]]
    # Swap the research body for another company: the check re-runs and the lab rule fails.
    companies = api.get("/api/partners/search/", {"q": IDEA, "category": "company", "k": 10}).json()[
        "results"
    ]
    other_company = next(
        r["organisation"]["id"] for r in companies if r["organisation"]["id"] not in members.values()
    )
    swapped = api.post(
        "/api/consortia/check/", {**body, "members": {**members, "research": other_company}}, format="json"
    ).json()
    assert swapped["eligible"] is False
    assert {r["rule"]: r["status"] for r in swapped["check"]}["min_research_bodies"] == "fail"


def test_propose_refuses_users_without_an_organisation_and_foreign_leads(
    users, api_for, member_org, open_call
):
    body = {"lead": member_org.pk, "call": open_call.pk, "idea": IDEA}
    assert api_for(users["officer"]).post("/api/consortia/propose/", body, format="json").status_code == 403
    from poles.organisations.models import Organisation

    other = Organisation.objects.exclude(pk=member_org.pk).filter(category="company").first()
    refused = api_for(users["member"]).post(
        "/api/consortia/propose/", {**body, "lead": other.pk}, format="json"
    )
    assert refused.status_code == 400 and "lead" in refused.json()["errors"]


def test_a_call_with_broken_rules_answers_409_and_the_page_says_so(
    users, api_for, client_for, member_org, open_call
):
    from poles.calls.models import Call

    Call.objects.filter(pk=open_call.pk).update(rules=[{"rule": "no_such_rule"}])
    body = {"lead": member_org.pk, "call": open_call.pk, "idea": IDEA, "lead_cluster": "minalogic"}
    response = api_for(users["member"]).post("/api/consortia/propose/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    checked = api_for(users["member"]).post("/api/consortia/check/", {**body, "members": {}}, format="json")
    assert checked.status_code == 409
    page = client_for(users["member"]).get("/en/partners/consortium/", body)
    assert page.status_code == 200 and "cannot be checked" in page.content.decode()
