"""Organisations that did not opt in never appear: not in the UI, not in the API, not in a reason.

Every test creates a non-findable organisation that matches the query better than anything else,
next to a findable twin with the same profile, so a leak would show up as a result.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from poles.clusters.models import Cluster
from poles.core.permissions import VIEW, restrict
from poles.matchmaking import consortia, services
from poles.matchmaking.models import PartnerProfile
from poles.organisations.models import Organisation
from poles.projects.models import Participation, Project
from poles.territories.models import Departement

NEED = "zircotronique quantique pour capteurs"


def _org(name, *, findable, category="company", size="small", text="zircotronique quantique"):
    return Organisation.objects.create(
        name=name, category=category, size_class=size, findable=findable, competences_text=text,
        departement=Departement.objects.get(code="38"), commune="Grenoble",
    )  # fmt: skip


@pytest.fixture
def twins(db):
    hidden = _org("Zircon Caché SAS", findable=False)
    shown = _org("Zircon Visible SAS", findable=True)
    PartnerProfile.objects.create(
        organisation=hidden, offer_fr="zircotronique", equipment="Banc zircotronique"
    )
    return hidden, shown


def _external_project(number, *members):
    project = Project.objects.create(
        source=Project.Source.CORDIS, status=Project.Status.EXTERNAL, external_id=f"TEST-{number}",
        acronym=f"T{number}", title="Projet test", start_date=dt.date(2019, 1, 1),
    )  # fmt: skip
    for i, org in enumerate(members):
        Participation.objects.create(
            project=project, organisation=org, category=org.category, role="lead" if i == 0 else "partner"
        )
    return project


def test_search_page_and_api_show_the_findable_twin_only(twins, users, client_for, api_for):
    hidden, shown = twins
    page = client_for(users["member"]).get(reverse("matchmaking:search"), {"q": NEED}).content.decode()
    assert shown.name in page
    assert hidden.name not in page
    body = api_for(users["analyst"]).get("/api/partners/search/", {"q": NEED}).json()
    ids = [r["organisation"]["id"] for r in body["results"]]
    assert shown.pk in ids and hidden.pk not in ids
    assert hidden.name not in str(body)


def test_a_non_findable_consortium_member_is_ignored_not_revealed(twins, users, api_for):
    hidden, shown = twins
    body = (
        api_for(users["member"])
        .get("/api/partners/search/", {"q": NEED, "consortium": f"{hidden.pk}"})
        .json()
    )
    assert body["ignored_members"] == [str(hidden.pk)]
    assert hidden.name not in str(body)


@pytest.mark.parametrize("role", ["member", "officer", "analyst"])
def test_partner_page_and_contact_form_answer_404_for_non_findable(role, twins, users, client_for):
    hidden, shown = twins
    client = client_for(users[role])
    assert client.get(reverse("matchmaking:partner", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("matchmaking:contact", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("matchmaking:partner", args=[shown.pk])).status_code == 200


def test_profiles_of_non_findable_organisations_are_out_of_every_scope_but_their_own(twins, users):
    hidden, _shown = twins
    for role in ("funder", "analyst", "cluster", "member"):
        assert not restrict(PartnerProfile.objects.filter(organisation=hidden), users[role], VIEW).exists()
    from poles.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=users["reviewer"], role="member", organisation=hidden)
    from poles.core.roles import forget_roles

    forget_roles(users["reviewer"])
    assert restrict(PartnerProfile.objects.filter(organisation=hidden), users["reviewer"], VIEW).exists()


def test_reasons_never_name_a_non_findable_intermediary(twins, member_org, users, api_for):
    hidden, shown = twins
    _external_project(1, member_org, hidden)
    _external_project(2, hidden, shown)
    body = (
        api_for(users["member"])
        .get("/api/partners/search/", {"q": NEED, "consortium": str(member_org.pk)})
        .json()
    )
    result = next(r for r in body["results"] if r["organisation"]["id"] == shown.pk)
    assert all(r["code"] != "partner_of_partner" for r in result["reasons"])
    assert hidden.name not in str(body)
    # The same history with the intermediary opted in does produce the reason: the test can fail.
    Organisation.objects.filter(pk=hidden.pk).update(findable=True)
    body = (
        api_for(users["member"])
        .get("/api/partners/search/", {"q": NEED, "consortium": str(member_org.pk)})
        .json()
    )
    result = next(r for r in body["results"] if r["organisation"]["id"] == shown.pk)
    assert any(r["code"] == "partner_of_partner" and hidden.name in r["text"] for r in result["reasons"])


def test_opting_out_removes_an_organisation_from_search_at_once(twins, users, api_for):
    _hidden, shown = twins

    def found() -> bool:
        body = api_for(users["member"]).get("/api/partners/search/", {"q": NEED}).json()
        return shown.pk in [r["organisation"]["id"] for r in body["results"]]

    assert found()
    services.update_partner_profile(
        shown, actor=users["officer"], findable=False, competences=[], competences_text=shown.competences_text
    )
    assert not found()
    services.update_partner_profile(
        Organisation.objects.get(pk=shown.pk), actor=users["officer"], findable=True, competences=[],
        competences_text=shown.competences_text,
    )  # fmt: skip
    assert found()


def test_the_builder_never_proposes_a_non_findable_organisation(member_org, open_call, users, api_for):
    idea = "zircotronique quantique pour capteurs"
    hidden = [
        _org("Zircon PME cachée", findable=False, size="small", text=idea),
        _org("Zircon Labo caché", findable=False, category="public_research", size="", text=idea),
    ]
    shown = [
        _org("Zircon PME visible", findable=True, size="small", text=idea),
        _org("Zircon Labo visible", findable=True, category="public_research", size="", text=idea),
    ]
    request = consortia.ConsortiumRequest(
        call=open_call, lead=member_org, idea=idea, lead_cluster=Cluster.objects.get(slug="minalogic")
    )
    outcome = consortia.propose(request)
    proposed = set()
    for proposal in outcome.proposals:
        for seat in proposal.seats:
            proposed.add(int(seat.org_id))
            proposed.update(alternative.card.id for alternative in seat.alternatives)
    assert not proposed & {o.pk for o in hidden}
    assert proposed & {o.pk for o in shown}
    response = api_for(users["member"]).post(
        "/api/consortia/propose/", {"lead": member_org.pk, "call": open_call.pk, "idea": idea, "lead_cluster": "minalogic"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert not any(h.name in response.content.decode() for h in hidden)
    with pytest.raises(ValidationError):
        consortia.recheck(request, {"company": str(hidden[0].pk), "research": str(shown[1].pk)})
