"""Personal data: export (command and the user's own download) and erasure by pseudonymisation,
which keeps aggregates and leaves the audit chain verifiable."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.urls import reverse

from poles.core import audit
from poles.core.roles import roles_of
from poles.organisations import services as organisation_services
from poles.organisations.models import Contact, Organisation


@pytest.fixture
def person(users):
    """The demo member, with a contact record bearing their e-mail and an audited change."""
    member = users["member"]
    member.email = "camille.member@x.example"
    member.first_name, member.last_name = "Camille", "Membre"
    member.save()
    own = Organisation.objects.get(pk=next(iter(roles_of(member).member_of)))
    contact = organisation_services.add_contact(
        own, actor=member, first_name="Camille", last_name="Membre", email=member.email, phone="0102030405"
    )
    organisation_services.update_organisation(own, actor=member, acronym="CAM")
    return member, contact


def _export(username: str, tmp_path) -> dict:
    out = tmp_path / "export.json"
    call_command("personal-data", "export", username, "-o", str(out))
    return json.loads(out.read_text())


def test_export_gathers_the_account_roles_contacts_and_activity(person, tmp_path):
    member, contact = person
    data = _export(member.username, tmp_path)
    assert data["account"]["email"] == "camille.member@x.example"
    assert any(r["role"] == "member" for r in data["records"]["accounts.roleassignment.user"])
    assert [c["id"] for c in data["contacts"]] == [contact.pk]
    assert data["audit_events"]["count"] >= 2
    assert "organisations.organisation.update" in data["audit_events"]["actions"]
    assert "password" not in data["account"]


def test_a_user_downloads_their_own_data(person, client_for):
    member, _contact = person
    response = client_for(member).get(reverse("accounts:my_data"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["account"]["username"] == member.username
    assert client_for(None).get(reverse("accounts:my_data")).status_code == 302


def _aggregates():
    from poles.projects.models import Project

    return (
        Organisation.objects.count(),
        Contact.objects.count(),
        Project.objects.aggregate(n=Count("id"), budget=Sum("id")),
    )


def test_erase_pseudonymises_keeps_aggregates_and_the_audit_chain(person, tmp_path, client):
    member, contact = person
    member.set_password("a-long-demo-password-42")
    member.save()
    before = _aggregates()
    events_before = list(audit.history(contact).values_list("id", "hash"))
    with pytest.raises(CommandError):
        call_command("personal-data", "erase", member.username)  # --yes is required
    call_command("personal-data", "erase", member.username, "--yes", "--reason", "request #12")
    member.refresh_from_db()
    contact.refresh_from_db()
    assert member.username == f"erased-{member.pk}" and member.email == "" and member.first_name == ""
    assert not member.is_active and not member.has_usable_password()
    assert contact.email == "" and contact.phone == "" and "Camille" not in contact.first_name
    assert _aggregates() == before  # nothing deleted: counts and sums unchanged
    assert member.roles.exists()  # the rows still point at the (pseudonymous) account
    intact, _count, broken = audit.verify_chain()
    assert intact and broken is None
    assert list(audit.history(contact).values_list("id", "hash")) == events_before
    assert audit.history(member).filter(action="accounts.user.erase", reason="request #12").exists()
    refused = client.post(
        reverse("accounts:login"), {"username": "member", "password": "a-long-demo-password-42"}
    )
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated
    data = _export(member.username, tmp_path)
    assert "camille" not in json.dumps(data).lower()


def test_the_header_offers_signed_in_users_their_data(users, client_for):
    page = client_for(users["member"]).get("/en/").content.decode()
    assert 'id="my-data-link"' in page and 'href="/en/accounts/my-data/"' in page
    assert 'id="my-data-link"' not in client_for(None).get("/en/").content.decode()
