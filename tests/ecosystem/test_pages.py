"""Every ecosystem page answers for each role in both languages; lists stay within a query budget;
registrations, meetings and fund-raisings never leak to other organisations."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import translation

from poles.ecosystem import services
from poles.ecosystem.models import FundRaising
from tests.grants.factories import member_organisation

from .factories import make_action, make_event, member_account, other_minalogic_member

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404


def matrix(ok, *, hidden=frozenset(), anonymous=LOGIN):
    return {
        r: OK if r in ok else (anonymous if r == "anonymous" else HIDDEN if r in hidden else DENIED)
        for r in ROLES
    }


ALL_OK = dict.fromkeys(ROLES, OK)
ORGANISERS = matrix({"officer", "cluster"})


@pytest.fixture
def data(users):
    own = member_organisation(users)
    event = make_event()
    services.register(event, own, actor=users["member"], wants_b2b=True, b2b_profile="Sensors")
    raised = services.declare_fundraising(
        own, actor=users["member"], amount=800_000, investor_type="business_angels", closed_on="2012-05-02"
    )
    return {"event": event, "action": make_action(2012), "fundraising": raised, "own": own}


PAGES = {
    "ecosystem:home": (lambda d: reverse("ecosystem:home"), ALL_OK),
    "ecosystem:actions": (lambda d: reverse("ecosystem:actions") + "?kind=international&cluster=minalogic", ALL_OK),
    "ecosystem:action_detail": (lambda d: reverse("ecosystem:action_detail", args=[d["action"].pk]), ALL_OK),
    "ecosystem:action_create": (lambda d: reverse("ecosystem:action_create"), ORGANISERS),
    "ecosystem:action_edit": (lambda d: reverse("ecosystem:action_edit", args=[d["action"].pk]), ORGANISERS),
    "ecosystem:participant_add": (lambda d: reverse("ecosystem:participant_add", args=[d["action"].pk]), ORGANISERS),
    "ecosystem:skills": (lambda d: reverse("ecosystem:skills") + "?direction=offered", ALL_OK),
    "ecosystem:skill_add": (lambda d: reverse("ecosystem:skill_add"), matrix({"officer", "cluster", "member"})),
    "ecosystem:events": (lambda d: reverse("ecosystem:events") + "?b2b=true", ALL_OK),
    "ecosystem:event_detail": (lambda d: reverse("ecosystem:event_detail", args=[d["event"].pk]), ALL_OK),
    "ecosystem:event_create": (lambda d: reverse("ecosystem:event_create"), ORGANISERS),
    "ecosystem:event_edit": (lambda d: reverse("ecosystem:event_edit", args=[d["event"].pk]), ORGANISERS),
    "ecosystem:event_register": (
        lambda d: reverse("ecosystem:event_register", args=[d["event"].pk]), matrix({"officer", "cluster", "member"}),
    ),
    "ecosystem:meeting_request": (lambda d: reverse("ecosystem:meeting_request", args=[d["event"].pk]), matrix({"member"})),
    "ecosystem:fundraisings": (lambda d: reverse("ecosystem:fundraisings") + "?year=2012", matrix(set(ROLES) - {"anonymous"})),
    "ecosystem:fundraising_add": (lambda d: reverse("ecosystem:fundraising_add"), matrix({"officer", "member"})),
    "ecosystem:fundraising_review": (
        lambda d: reverse("ecosystem:fundraising_review", args=[d["fundraising"].pk]),
        matrix({"officer", "cluster"}, hidden={"funder", "reviewer"}),
    ),
    "ecosystem:leverage": (lambda d: reverse("ecosystem:leverage") + "?from=2008&to=2012", ALL_OK),
}  # fmt: skip
NOT_PAGES = {
    "ecosystem:event_publish", "ecosystem:event_schedule", "ecosystem:registration_cancel", "ecosystem:meeting_answer",
}  # fmt: skip


def test_every_ecosystem_page_is_in_the_table():
    def names(resolver, prefix=""):
        from django.urls import URLPattern, URLResolver

        for p in resolver.url_patterns:
            if isinstance(p, URLPattern) and p.name:
                yield prefix + p.name
            elif isinstance(p, URLResolver):
                yield from names(p, prefix + (f"{p.namespace}:" if p.namespace else ""))

    assert {n for n in names(get_resolver()) if n.startswith("ecosystem:")} == set(PAGES) | NOT_PAGES


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, language, users, client_for, data):
    url_of, expected = PAGES[name]
    with translation.override("fr"):
        url = url_of(data)
    if language == "en":
        url = "/en" + url
    for role in ROLES:
        response = client_for(users[role]).get(url)
        assert response.status_code == expected[role], f"{url} as {role}: {response.status_code}"
        if response.status_code == OK:
            assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(
    "url, ceiling",
    [
        ("/ecosystem/", 15),
        ("/ecosystem/actions/", 15),
        ("/ecosystem/events/", 15),
        ("/ecosystem/fund-raising/", 15),
    ],
)
def test_list_pages_query_ceiling(url, ceiling, users, client_for, data):
    for year in (2009, 2010, 2011):
        make_action(year)
        make_event(days_ahead=year - 2000)
    client = client_for(users["officer"])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"


def test_no_leak_of_registrations_meetings_and_fundraisings(users, client_for, api_for, data):
    other = other_minalogic_member(data["own"])
    other_user = member_account(other, "leak-member")
    theirs = services.register(
        data["event"], other, actor=other_user, wants_b2b=True, b2b_profile="Secret plans"
    )
    secret = services.declare_fundraising(
        other, actor=other_user, amount=4_321_000, investor_type="venture_capital", closed_on="2012-04-04"
    )
    member = api_for(users["member"])
    regs = {r["id"] for r in member.get("/api/registrations/", {"event": data["event"].pk}).json()["results"]}
    assert theirs.pk not in regs
    assert member.get(f"/api/registrations/{theirs.pk}/").status_code == 404
    assert member.get(f"/api/fund-raisings/{secret.pk}/").status_code == 404
    assert "4321000" not in member.get("/api/fund-raisings/").content.decode()
    assert api_for(None).get("/api/fund-raisings/").json()["count"] == 0
    page = client_for(users["member"]).get(reverse("ecosystem:fundraisings")).content.decode()
    assert other.name not in page and data["own"].name in page
    # the organiser sees both; another cluster's staff would not (they are not Minalogic's)
    staff = api_for(users["cluster"])
    listed = staff.get("/api/registrations/", {"event": data["event"].pk}).json()["results"]
    assert {theirs.pk} <= {r["id"] for r in listed}
    assert staff.get(f"/api/fund-raisings/{secret.pk}/").status_code == 200
    assert FundRaising.objects.filter(pk=secret.pk, status="declared").exists()
    # anonymous visitors see the event, never who registered
    public = client_for(None).get(reverse("ecosystem:event_detail", args=[data["event"].pk])).content.decode()
    assert other.name not in public and "Secret plans" not in public


def test_event_api_register_and_schedule(users, api_for, data):
    other = other_minalogic_member(data["own"])
    other_user = member_account(other, "api-member")
    response = api_for(other_user).post(
        f"/api/events/{data['event'].pk}/register/",
        {"organisation": other.pk, "wants_b2b": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    mine = data["event"].registrations.get(organisation=data["own"])
    asked = api_for(users["member"]).post(
        "/api/meeting-requests/", {"requester": mine.pk, "target": response.json()["id"]}, format="json"
    )
    assert asked.status_code == 201, asked.json()
    assert (
        api_for(users["member"]).post(f"/api/meeting-requests/{asked.json()['id']}/accept/").status_code
        == 403
    )
    assert api_for(other_user).post(f"/api/meeting-requests/{asked.json()['id']}/accept/").status_code == 200
    assert api_for(users["member"]).post(f"/api/events/{data['event'].pk}/schedule/").status_code == 403
    scheduled = api_for(users["cluster"]).post(f"/api/events/{data['event'].pk}/schedule/")
    assert scheduled.status_code == 200 and len(scheduled.json()) == 1
    leverage = api_for(None).get("/api/leverage/", {"from": 2008, "to": 2012})
    assert leverage.status_code == 200 and leverage.json()[-1]["cluster"] is None
