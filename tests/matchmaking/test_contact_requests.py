"""Contact requests: relayed without exposing addresses, with consent, rate-limited and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from poles.core.audit import history
from poles.matchmaking import services
from poles.matchmaking.models import ContactRequest
from poles.organisations.models import Contact, Organisation
from poles.territories.models import Departement

SECRET = "directrice.secrete@partenaire.example"


@pytest.fixture
def recipient(db):
    org = Organisation.objects.create(
        name="Partenaire Joignable SAS",
        category="company",
        findable=True,
        departement=Departement.objects.get(code="38"),
    )
    Contact.objects.create(
        organisation=org, first_name="Claire", last_name="Secrète", email=SECRET, is_main=True
    )
    Contact.objects.create(
        organisation=org, first_name="Autre", last_name="Personne", email="autre@partenaire.example"
    )
    return org


def _send(user, recipient, n=1, **kwargs):
    return services.send_contact_request(
        sender=user, recipient=recipient, subject=kwargs.get("subject", f"Projet {n}"),
        message="Bonjour, nous cherchons un partenaire.", consent=kwargs.get("consent", True),
    )  # fmt: skip


def test_message_is_relayed_to_the_main_contact_with_the_sender_as_reply_to(
    recipient, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = _send(users["member"], recipient)
    assert request.status == ContactRequest.Status.SENT
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [SECRET]
    assert email.reply_to == [users["member"].email]
    assert "Bonjour, nous cherchons un partenaire." in email.body
    assert users["member"].email in email.body
    assert "Partenaire Joignable SAS" in email.body and "partner search" in email.body


def test_the_sender_never_sees_the_recipients_address(
    recipient, users, client_for, api_for, django_capture_on_commit_callbacks
):
    client = client_for(users["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matchmaking:contact", args=[recipient.pk]),
            {"subject": "Projet capteurs", "message": "Bonjour", "consent": "on"},
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Partenaire Joignable SAS" in page and SECRET not in page
    for url in (reverse("matchmaking:partner", args=[recipient.pk]), reverse("matchmaking:contact_requests")):
        assert SECRET not in client.get(url).content.decode()
    api = api_for(users["member"])
    listed = api.get("/api/contact-requests/").content.decode()
    assert "Projet capteurs" in listed and SECRET not in listed
    search = api.get("/api/partners/search/", {"q": "Partenaire Joignable"}).content.decode()
    assert SECRET not in search


def test_consent_is_required(recipient, users, client_for):
    with pytest.raises(ValidationError) as error:
        _send(users["member"], recipient, consent=False)
    assert "consent" in error.value.message_dict
    response = client_for(users["member"]).post(
        reverse("matchmaking:contact", args=[recipient.pk]), {"subject": "S", "message": "M"}
    )
    assert response.status_code == 400
    assert not ContactRequest.objects.filter(recipient=recipient).exists()


def test_only_organisations_that_opted_in_and_not_ones_own(recipient, users, member_org):
    Organisation.objects.filter(pk=recipient.pk).update(findable=False)
    recipient.refresh_from_db()
    with pytest.raises(ValidationError):
        _send(users["member"], recipient)
    Organisation.objects.filter(pk=member_org.pk).update(findable=True)
    member_org.refresh_from_db()
    with pytest.raises(ValidationError):
        _send(users["member"], member_org)
    assert not ContactRequest.objects.exists()


def test_five_requests_a_day_then_refused_then_allowed_again(recipient, users, settings):
    assert services.contact_requests_per_day() == 5
    for n in range(5):
        _send(users["member"], recipient, n)
    with pytest.raises(services.RateLimited) as refused:
        _send(users["member"], recipient, 6)
    assert refused.value.limit == 5 and dt.timedelta(0) < refused.value.retry_after <= dt.timedelta(days=1)
    assert ContactRequest.objects.filter(sender=users["member"]).count() == 5
    # Another user has their own allowance.
    _send(users["analyst"], recipient)
    # A day later the oldest request no longer counts.
    oldest = ContactRequest.objects.filter(sender=users["member"]).order_by("created_at").first()
    ContactRequest.objects.filter(pk=oldest.pk).update(
        created_at=oldest.created_at - dt.timedelta(days=1, minutes=1)
    )
    _send(users["member"], recipient, 7)


def test_rate_limit_answers_429_in_the_api_and_the_page(recipient, users, api_for, client_for):
    api = api_for(users["member"])
    payload = {"recipient": recipient.pk, "subject": "S", "message": "M", "consent": True}
    for _ in range(5):
        assert api.post("/api/contact-requests/", payload, format="json").status_code == 201
    refused = api.post("/api/contact-requests/", payload, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "throttled" and "24 heures" in body["message"]
    page = client_for(users["member"]).post(
        reverse("matchmaking:contact", args=[recipient.pk]), {"subject": "S", "message": "M", "consent": "on"}
    )
    assert page.status_code == 429
    assert ContactRequest.objects.filter(sender=users["member"]).count() == 5


def test_requests_are_audited_without_message_or_addresses(recipient, users):
    request = _send(users["member"], recipient)
    events = list(history(request))
    assert [e.action for e in events] == ["matchmaking.contactrequest.send"]
    event = events[0]
    assert event.actor == users["member"]
    assert event.after["recipient"] == recipient.pk and event.after["consent"] is True
    assert "Bonjour" not in str(event.after) and SECRET not in str(event.after)


def test_who_reads_a_request(recipient, users, api_for, client_for):
    from poles.accounts.models import RoleAssignment
    from poles.core.roles import forget_roles

    request = _send(users["member"], recipient, subject="Sujet confidentiel")
    RoleAssignment.objects.create(user=users["reviewer"], role="member", organisation=recipient)
    forget_roles(users["reviewer"])
    received = api_for(users["reviewer"]).get("/api/contact-requests/").json()["results"]
    assert [r["id"] for r in received] == [request.pk]
    assert received[0]["direction"] == "received" and received[0]["sender"]["email"] == users["member"].email
    assert (
        "Sujet confidentiel"
        in client_for(users["reviewer"]).get(reverse("matchmaking:contact_requests")).content.decode()
    )
    for role in ("officer", "analyst", "cluster", "funder"):
        assert api_for(users[role]).get("/api/contact-requests/").json()["results"] == []
        assert api_for(users[role]).get(f"/api/contact-requests/{request.pk}/").status_code == 404
        assert (
            "Sujet confidentiel"
            not in client_for(users[role]).get(reverse("matchmaking:contact_requests")).content.decode()
        )
    assert api_for(None).get("/api/contact-requests/").status_code == 401


def test_failed_relay_is_recorded(recipient, users, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: the relay fails
    with django_capture_on_commit_callbacks(execute=True):
        request = _send(users["member"], recipient)
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.FAILED


def test_the_subject_becomes_one_line(recipient, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = _send(users["member"], recipient, subject="Projet\nBcc: intrus@example.org")
    assert request.subject == "Projet Bcc: intrus@example.org"
    assert mail.outbox[0].to == [SECRET] and "intrus@example.org" not in mail.outbox[0].bcc
