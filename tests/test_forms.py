"""Bad input in the web forms gets inline errors in the page's language, and nothing is saved."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from poles.clusters.models import Membership
from poles.core.roles import roles_of
from poles.instruments.models import Instrument
from poles.organisations.forms import OrganisationForm
from poles.organisations.models import Organisation


def url(name, *args, language="fr"):
    with translation.override(language):
        return reverse(name, args=args)


def own_org(users):
    return Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))


@pytest.mark.parametrize(
    "language, fragment", [("en", "is not a valid SIRET"), ("fr", "n’est pas un SIRET valide")]
)
def test_invalid_siret_in_the_profile_form(language, fragment, users, client_for):
    org = own_org(users)
    response = client_for(users["member"]).post(
        url("organisations:edit", org.pk, language=language),
        {"name": "Autre nom", "category": "company", "siret": "12345678901234", "version": org.version},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert fragment in page and "fr-input-group--error" in page
    org.refresh_from_db()
    assert org.name != "Autre nom"


@pytest.mark.parametrize(
    "language, fragment", [("en", "greater than or equal to 0"), ("fr", "supérieure ou égale à")]
)
def test_negative_headcount_in_the_figures_form(language, fragment, users, client_for):
    org = own_org(users)
    response = client_for(users["member"]).post(
        url("organisations:figures", org.pk, language=language), {"year": 2024, "headcount": "-2"}
    )
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert not org.figures.filter(year=2024).exists()


@pytest.mark.parametrize(
    "language, fragment", [("en", "cannot end before it starts"), ("fr", "ne peut pas se terminer avant")]
)
def test_membership_ending_before_it_starts_in_the_form(language, fragment, users, client_for):
    org = (
        Organisation.objects.filter(category="company")
        .exclude(memberships__cluster__slug="minalogic")
        .first()
    )
    response = client_for(users["cluster"]).post(
        url("clusters:membership_add", "minalogic", language=language),
        {"organisation": org.pk, "kind": "member", "start": "2024-06-01", "end": "2024-01-01"},
    )
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert not Membership.objects.filter(organisation=org, cluster__slug="minalogic").exists()


@pytest.mark.parametrize(
    "language, fragment",
    [("en", "not one of the target groups"), ("fr", "n’est pas l’un des groupes cibles")],
)
def test_unknown_target_group_in_the_share_form(language, fragment, client_for):
    before = Instrument.objects.count()
    response = client_for(None).post(
        url("instruments:share", language=language),
        {
            "kind": "practice", "title_fr": "T", "title_en": "T", "country": "FR", "contact_person": "P",
            "contact_organisation": "O", "target_groups": ["astronauts"], "aim_fr": "a", "aim_en": "a",
            "overview_fr": "o", "overview_en": "o", "created_on": "2020-01-01", "submitter_email": "a@b.example",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert Instrument.objects.count() == before


def test_stale_profile_edit_keeps_the_input_and_explains(users, client_for):
    org = own_org(users)
    client = client_for(users["member"])
    stale_version = org.version
    from poles.organisations.services import update_organisation

    update_organisation(org, actor=users["officer"], acronym="OFFICER")
    data = {k: v for k, v in model_to_dict(org, fields=OrganisationForm.Meta.fields).items() if v is not None}
    data.update(name="My typed name", version=stale_version, departement=org.departement_id or "")
    response = client.post(url("organisations:edit", org.pk, language="en"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this record" in page and "My typed name" in page
    assert Organisation.objects.get(pk=org.pk).acronym == "OFFICER"
