"""Members keep their organisation's opt-in and partner profile; others cannot; every change is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from poles.core.audit import history
from poles.core.exceptions import StaleObject
from poles.matchmaking import services
from poles.matchmaking.models import PartnerProfile
from poles.organisations.models import Competence, Organisation


def _post(member_org, **changes):
    profile = PartnerProfile.objects.filter(organisation=member_org).first()
    data = {
        "version": member_org.version,
        "profile_version": profile.version if profile else "",
        "findable": "on",
        "competences": [c.pk for c in Competence.objects.filter(slug__in=["mems", "lasers"])],
        "competences_text": "Capteurs MEMS et photonique",
        "offer_fr": "Conception de capteurs",
        "offer_en": "Sensor design",
        "equipment": "Banc de caractérisation optique",
        "past_projects": "Projet ANR OPTIMEMS (2019)",
        "show_platform_projects": "on",
        "languages": ["fr", "en"],
        "looking_for": "Un laboratoire de photonique",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_member_saves_profile_and_opt_in_and_the_partner_page_shows_it(users, client_for, member_org):
    client = client_for(users["member"])
    url = reverse("matchmaking:profile_edit", args=[member_org.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _post(member_org))
    assert response.status_code == 302, response.content.decode()[:2000]
    member_org.refresh_from_db()
    profile = member_org.partner_profile
    assert member_org.findable and member_org.competences_text == "Capteurs MEMS et photonique"
    assert set(member_org.competences.values_list("slug", flat=True)) == {"mems", "lasers"}
    assert profile.equipment == "Banc de caractérisation optique" and profile.languages == ["en", "fr"]
    page = (
        client_for(users["analyst"])
        .get(reverse("matchmaking:partner", args=[member_org.pk]))
        .content.decode()
    )
    assert "Banc de caractérisation optique" in page and "Projet ANR OPTIMEMS (2019)" in page


def test_opting_out_is_audited_with_before_and_after(users, client_for, member_org):
    client = client_for(users["member"])
    url = reverse("matchmaking:profile_edit", args=[member_org.pk])
    assert client.post(url, _post(member_org)).status_code == 302
    member_org.refresh_from_db()
    assert client.post(url, _post(member_org, findable=None)).status_code == 302
    member_org.refresh_from_db()
    assert not member_org.findable
    event = history(member_org).order_by("-id").first()
    assert event.actor == users["member"]
    assert event.before["findable"] is True and event.after["findable"] is False
    # Opted out: others get 404, the member still previews the page.
    assert (
        client_for(users["analyst"]).get(reverse("matchmaking:partner", args=[member_org.pk])).status_code
        == 404
    )
    assert client.get(reverse("matchmaking:partner", args=[member_org.pk])).status_code == 200


def test_a_stale_form_saves_nothing_and_keeps_the_input(users, client_for, member_org):
    client = client_for(users["member"])
    url = reverse("matchmaking:profile_edit", args=[member_org.pk])
    stale = _post(member_org, offer_fr="Ma saisie à ne pas perdre")
    Organisation.objects.filter(pk=member_org.pk).update(version=member_org.version + 1)
    response = client.post(url, stale)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ma saisie à ne pas perdre" in page and str(StaleObject.message) in page
    assert not PartnerProfile.objects.filter(
        organisation=member_org, offer_fr="Ma saisie à ne pas perdre"
    ).exists()


@pytest.mark.parametrize(
    "role, status", [("funder", 403), ("cluster", 403), ("analyst", 403), ("anonymous", 302)]
)
def test_others_cannot_edit_a_profile(role, status, users, client_for, member_org):
    url = reverse("matchmaking:profile_edit", args=[member_org.pk])
    response = client_for(users[role]).post(url, _post(member_org, offer_fr="Piraté"))
    assert response.status_code == status
    assert not PartnerProfile.objects.filter(offer_fr="Piraté").exists()
    if users[role] is not None:
        with pytest.raises(PermissionDenied):
            services.update_partner_profile(
                member_org, actor=users[role], findable=True, competences=[], competences_text="Piraté"
            )
    assert Organisation.objects.get(pk=member_org.pk).competences_text != "Piraté"


def test_unknown_language_is_refused(users, client_for, member_org):
    response = client_for(users["member"]).post(
        reverse("matchmaking:profile_edit", args=[member_org.pk]), _post(member_org, languages=["klingon"])
    )
    assert response.status_code == 400
    assert all("klingon" not in p.languages for p in PartnerProfile.objects.filter(organisation=member_org))
