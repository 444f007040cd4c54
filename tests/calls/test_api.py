"""The calls API: public reads of published calls, officers' writes with If-Match, versions, actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from poles.calls.models import Call, CallVersion
from tests.projects.factories import make_call


def _payload(reference="api-call", **overrides):
    now = timezone.now()
    data = {
        "preset": "fui_25", "reference": reference, "title_fr": "Appel API", "title_en": "API call",
        "opens_at": (now - dt.timedelta(hours=1)).isoformat(), "labelling_deadline": (now + dt.timedelta(days=5)).isoformat(),
        "submission_deadline": (now + dt.timedelta(days=9)).isoformat(), "state_funder": "fui", "envelope": "8000000",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_officers_create_publish_and_read_versions(users, api_for):
    api = api_for(users["officer"])
    created = api.post("/api/calls/", _payload(), format="json")
    assert created.status_code == 201, created.json()
    call = created.json()
    assert call["status"] == "draft" and call["funders"] == [
        {"funder": "fui", "name": "Fonds unique interministériel", "envelope": "8000000"}
    ]
    assert api_for(None).get(f"/api/calls/{call['id']}/").status_code == 404  # a draft is not public
    published = api.post(
        f"/api/calls/{call['id']}/publish/", {}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert published.status_code == 200 and published.json()["status"] == "open"
    assert api_for(None).get(f"/api/calls/{call['id']}/").status_code == 200
    versions = api_for(None).get(f"/api/calls/{call['id']}/versions/").json()
    assert [v["number"] for v in versions] == [1] and versions[0]["snapshot"]["reference"] == "api-call"


@pytest.mark.parametrize("role", ["anonymous", "member", "cluster", "funder", "analyst"])
def test_only_officers_write_calls(role, users, api_for):
    api = api_for(users[role])
    response = api.post("/api/calls/", _payload(reference=f"x-{role}"), format="json")
    assert response.status_code in (401, 403) and response.json()["status"] == response.status_code
    assert not Call.objects.filter(reference=f"x-{role}").exists()
    open_call = Call.objects.get(reference__startswith="aap-rd-")
    patched = api.patch(f"/api/calls/{open_call.pk}/", {"title_en": "Hijacked", "reason": "x"}, format="json")
    assert patched.status_code in (401, 403)
    assert Call.objects.get(pk=open_call.pk).title_en != "Hijacked"


def test_a_published_call_changes_with_a_reason_and_if_match(users, api_for):
    api = api_for(users["officer"])
    call = make_call(users["officer"], reference="api-versioned")
    etag = api.get(f"/api/calls/{call.pk}/")["ETag"]
    no_reason = api.patch(
        f"/api/calls/{call.pk}/",
        {"caps": {"fui": {"per_partner": "400000"}}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    changed = api.patch(
        f"/api/calls/{call.pk}/", {"caps": {"fui": {"per_partner": "400000"}}, "reason": "Cap per partner"},
        format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["caps"] == {"fui": {"per_partner": "400000"}}
    stale = api.patch(
        f"/api/calls/{call.pk}/", {"title_en": "Late", "reason": "x"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    assert CallVersion.objects.get(call=call, number=2).reason == "Cap per partner"
    bad = api.patch(
        f"/api/calls/{call.pk}/", {"rules": [{"rule": "min_companies", "params": {"min": -1}}], "reason": "x"},
        format="json", HTTP_ACCEPT_LANGUAGE="fr",
    )  # fmt: skip
    assert bad.status_code == 400 and "nombre entier positif ou nul" in bad.json()["errors"]["rules"][0]


def test_closing_before_the_deadline_is_a_conflict_with_the_reason(users, api_for):
    call = make_call(users["officer"], reference="api-close")
    response = api_for(users["officer"]).post(
        f"/api/calls/{call.pk}/close/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409 and "has not passed yet" in response.json()["message"]


def test_the_public_list_shows_published_calls_only(users, api_for):
    make_call(users["officer"], reference="public-open")
    from poles.calls import services
    from poles.instruments.models import Programme

    now = timezone.now()
    services.create_call(
        Programme.objects.get(slug="poles-competitivite"), actor=users["officer"], preset="fui_classic",
        reference="secret-draft", title_fr="Brouillon", title_en="Draft", opens_at=now,
        labelling_deadline=now + dt.timedelta(days=1), submission_deadline=now + dt.timedelta(days=2),
    )  # fmt: skip
    public = {c["reference"] for c in api_for(None).get("/api/calls/", {"page_size": 100}).json()["results"]}
    assert "public-open" in public and "secret-draft" not in public
    officers = {
        c["reference"]
        for c in api_for(users["officer"]).get("/api/calls/", {"page_size": 100}).json()["results"]
    }
    assert "secret-draft" in officers
    assert api_for(None).get("/api/funders/").json()["count"] >= 5


def test_a_call_moves_through_its_phases_by_explicit_actions(users, api_for):
    call = make_call(users["officer"], reference="api-phases")
    Call.objects.filter(pk=call.pk).update(submission_deadline=timezone.now() - dt.timedelta(minutes=1))
    api = api_for(users["officer"])
    statuses = []
    for action in ("close", "start-review", "start-selection", "decide"):
        response = api.post(f"/api/calls/{call.pk}/{action}/", {}, format="json")
        assert response.status_code == 200, response.json()
        statuses.append(response.json()["status"])
    assert statuses == ["closed", "review", "selection", "decided"]
    again = api.post(f"/api/calls/{call.pk}/decide/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "wrong_state"
    assert api_for(users["funder"]).post(f"/api/calls/{call.pk}/close/", {}, format="json").status_code == 403
