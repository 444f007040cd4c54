"""Nobody sees or changes what is not theirs — each test includes the data that could leak."""

from __future__ import annotations

import pytest
from django.urls import reverse

from poles.core.roles import roles_of
from poles.organisations.models import Contact, Organisation


@pytest.fixture
def own_and_other(users):
    own = Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))
    other = Organisation.objects.filter(category="company").exclude(pk=own.pk).first()
    Contact.objects.create(
        organisation=other, first_name="Secret", last_name="Person", email="secret.person@x.example"
    )
    Contact.objects.create(
        organisation=own, first_name="Own", last_name="Contact", email="own.contact@x.example"
    )
    return own, other


def test_member_cannot_change_another_organisation_in_the_ui(users, client_for, own_and_other):
    own, other = own_and_other
    client = client_for(users["member"])
    response = client.post(
        reverse("organisations:edit", args=[other.pk]), {"name": "Hijacked", "category": "company"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name != "Hijacked"
    assert client.get(reverse("organisations:edit", args=[own.pk])).status_code == 200


def test_member_cannot_change_another_organisation_in_the_api(users, api_for, own_and_other):
    own, other = own_and_other
    api = api_for(users["member"])
    response = api.patch(f"/api/organisations/{other.pk}/", {"name": "Hijacked"}, format="json")
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert Organisation.objects.get(pk=other.pk).name != "Hijacked"
    response = api.post(
        f"/api/organisations/{other.pk}/figures/", {"year": 2020, "headcount": 5}, format="json"
    )
    assert response.status_code == 403
    assert not other.figures.filter(year=2020, headcount=5).exists()
    response = api.patch(f"/api/organisations/{own.pk}/", {"acronym": "OWN"}, format="json")
    assert response.status_code == 200, response.json()
    assert Organisation.objects.get(pk=own.pk).acronym == "OWN"


def test_anonymous_never_sees_contacts(users, client_for, api_for, own_and_other):
    _own, other = own_and_other
    page = client_for(None).get(reverse("organisations:detail", args=[other.pk])).content.decode()
    assert "secret.person@x.example" not in page and "Secret" not in page
    api = api_for(None)
    assert api.get(f"/api/organisations/{other.pk}/contacts/").json() == []
    assert "secret.person" not in api.get(f"/api/organisations/{other.pk}/").content.decode()
    assert "secret.person" not in api.get("/api/organisations/", {"q": other.name}).content.decode()


@pytest.mark.parametrize(
    "role, sees", [("member", False), ("funder", False), ("analyst", False), ("officer", True)]
)
def test_contacts_of_another_organisation(role, sees, users, client_for, api_for, own_and_other):
    _own, other = own_and_other
    page = client_for(users[role]).get(reverse("organisations:detail", args=[other.pk])).content.decode()
    assert ("secret.person@x.example" in page) == sees
    data = api_for(users[role]).get(f"/api/organisations/{other.pk}/contacts/").json()
    assert any(c["email"] == "secret.person@x.example" for c in data) == sees


def test_cluster_staff_see_contacts_of_their_members_only(users, api_for):
    from django.utils import timezone

    from poles.clusters.models import Membership
    from poles.clusters.selectors import active_on

    today = timezone.localdate()
    member = Membership.objects.filter(active_on(today), cluster__slug="minalogic").first().organisation
    outsider = (
        Organisation.objects.exclude(memberships__cluster__slug="minalogic")
        .filter(category="company")
        .first()
    )
    Contact.objects.create(organisation=member, first_name="Member", last_name="Contact", email="m@x.example")
    Contact.objects.create(
        organisation=outsider, first_name="Outsider", last_name="Contact", email="o@x.example"
    )
    api = api_for(users["cluster"])
    assert any(
        c["email"] == "m@x.example" for c in api.get(f"/api/organisations/{member.pk}/contacts/").json()
    )
    assert api.get(f"/api/organisations/{outsider.pk}/contacts/").json() == []


def test_figures_hidden_from_the_public_but_size_class_shown(users, client_for, api_for, own_and_other):
    own, _other = own_and_other
    assert own.figures.exists()
    assert api_for(None).get(f"/api/organisations/{own.pk}/figures/").json() == []
    assert api_for(users["analyst"]).get(f"/api/organisations/{own.pk}/figures/").json() != []
    page = client_for(None).get(reverse("organisations:detail", args=[own.pk])).content.decode()
    assert 'id="figures-table"' not in page
    assert own.get_size_class_display() in page


def test_cluster_staff_manage_only_their_cluster_memberships(users, api_for):
    api = api_for(users["cluster"])
    org = Organisation.objects.filter(category="company").last()
    ok = api.post(
        "/api/memberships/",
        {"cluster": "minalogic", "organisation": org.pk, "start": "2024-01-01"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    refused = api.post(
        "/api/memberships/",
        {"cluster": "tenerrdis", "organisation": org.pk, "start": "2024-01-01"},
        format="json",
    )
    assert refused.status_code == 403
    assert not org.memberships.filter(cluster__slug="tenerrdis", start="2024-01-01").exists()


def test_pending_catalogue_records_are_hidden_from_the_public(users, api_for, client_for):
    from poles.instruments.models import Instrument

    pending = Instrument.objects.create(
        kind="practice", status="pending", title_fr="Brouillon secret", title_en="Secret draft", contact_person="X",
        contact_organisation="Y", aim_fr="a", aim_en="a", overview_fr="o", overview_en="o", created_on="2020-01-01",
    )  # fmt: skip
    assert client_for(None).get(reverse("instruments:detail", args=[pending.pk])).status_code == 404
    assert api_for(users["member"]).get(f"/api/instruments/{pending.pk}/").status_code == 404
    assert "Secret draft" not in api_for(None).get("/api/instruments/").content.decode()
    assert api_for(users["officer"]).get(f"/api/instruments/{pending.pk}/").status_code == 200
