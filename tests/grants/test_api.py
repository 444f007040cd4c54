"""The follow-up API: explicit actions, If-Match, the error envelope, and no leak between projects."""

from __future__ import annotations

import pytest
import yaml
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from poles.grants.models import Agreement, Instalment, Output

from .factories import funded_project, member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(users):
    return funded_project(lead=member_organisation(users))


def test_schema_lists_the_follow_up_and_stays_valid(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    validate_schema(schema)
    for path in [
        "/api/agreements/", "/api/agreements/{id}/sign/", "/api/instalments/{id}/pay/", "/api/progress-reports/{id}/submit/",
        "/api/progress-reports/{id}/approve/", "/api/outputs/{id}/validate/", "/api/licences/",
    ]:  # fmt: skip
        assert path in schema["paths"], path


def test_funder_agreement_signature_and_payments_through_the_api(project, users, api_for):
    funder = api_for(users["funder"])
    made = funder.post("/api/agreements/", {"project": project.pk, "funder": "fui"}, format="json")
    assert made.status_code == 201, made.json()
    agreement_id = made.json()[0]["id"]
    etag = funder.get(f"/api/agreements/{agreement_id}/")["ETag"]
    today = timezone.localdate().isoformat()
    signed = funder.post(
        f"/api/agreements/{agreement_id}/sign/", {"funder_signed_on": today, "beneficiary_signed_on": today},
        format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    stale = funder.post(
        f"/api/agreements/{agreement_id}/terminate/", {"reason": "x"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412 and stale.json()["code"] == "stale"

    advance = Instalment.objects.get(
        agreement_id=agreement_id, kind="advance", decision__participation__role="lead"
    )
    too_much = funder.post(
        f"/api/instalments/{advance.pk}/pay/", {"amount": "180001", "paid_on": today}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert too_much.status_code == 400
    assert (
        too_much.json()["code"] == "invalid"
        and "more than the 180000 EUR decided" in too_much.json()["errors"]["amount"][0]
    )
    paid = funder.post(
        f"/api/instalments/{advance.pk}/pay/", {"amount": "54000", "paid_on": today}, format="json"
    )
    assert paid.status_code == 201 and paid.json()["status"] == "paid"
    assert funder.get("/api/payments/", {"instalment": advance.pk}).json()["count"] == 1

    intermediate = Instalment.objects.get(
        agreement_id=agreement_id, kind="intermediate", decision=advance.decision
    )
    early = funder.post(
        f"/api/instalments/{intermediate.pk}/pay/", {"amount": "1", "paid_on": today}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert early.status_code == 409 and early.json()["code"] == "condition_not_met"
    assert "progress report" in early.json()["message"]

    member = api_for(users["member"])
    report = project.reports.get(kind="progress", number=1)
    lead = project.participations.get(role="lead")
    patched = member.patch(
        f"/api/progress-reports/{report.pk}/",
        {
            "narrative": "Done.",
            "spending": [{"participation": lead.pk, "cost_type": "staff", "amount": "1000"}],
        },
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert member.post(f"/api/progress-reports/{report.pk}/approve/", {}, format="json").status_code in (
        403,
        409,
    )
    assert member.post(f"/api/progress-reports/{report.pk}/submit/", format="json").status_code == 200
    approved = funder.post(f"/api/progress-reports/{report.pk}/approve/", {"comment": "ok"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert funder.get(f"/api/instalments/{intermediate.pk}/").json()["status"] == "payable"


def test_member_neither_pays_nor_sees_other_projects(project, users, api_for):
    other = funded_project()  # the member's organisation is not in it
    funder = api_for(users["funder"])
    for p in (project, other):
        assert (
            funder.post("/api/agreements/", {"project": p.pk, "funder": "fui"}, format="json").status_code
            == 201
        )
    mine = Agreement.objects.get(project=project)
    theirs = Agreement.objects.get(project=other)
    member = api_for(users["member"])
    listed = {row["id"] for row in member.get("/api/agreements/").json()["results"]}
    assert mine.pk in listed and theirs.pk not in listed
    assert member.get(f"/api/agreements/{theirs.pk}/").status_code == 404
    assert member.get(f"/api/instalments/{theirs.instalments.first().pk}/").status_code == 404
    assert member.get(f"/api/progress-reports/{other.reports.first().pk}/").status_code == 404
    assert member.post(f"/api/agreements/{mine.pk}/sign/", {}, format="json").status_code == 403
    assert (
        member.post("/api/agreements/", {"project": other.pk, "funder": "fui"}, format="json").status_code
        == 404
    )
    assert api_for(users["reviewer"]).get("/api/agreements/").json()["count"] == 0
    assert api_for(None).get("/api/agreements/").json()["count"] == 0


@pytest.mark.parametrize("language, fragment", [("en", "Enter a DOI"), ("fr", "Saisissez un DOI")])
def test_outputs_doi_is_checked_and_only_validated_outputs_are_public(
    project, users, api_for, language, fragment
):
    member = api_for(users["member"])
    lead = project.participations.get(role="lead")
    payload = {
        "project": project.pk, "participation": lead.pk, "kind": "publication", "achieved_on": "2012-03-01",
        "title": "Low-power sensing", "doi": "https://doi.org/10.1234/x", "evidence_url": "https://example.org/paper",
    }  # fmt: skip
    bad = member.post("/api/outputs/", payload, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert bad.status_code == 400 and fragment in bad.json()["errors"]["doi"][0]
    payload["doi"] = "10.1234/sens.2012.17"
    created = member.post("/api/outputs/", payload, format="json")
    assert created.status_code == 201, created.json()
    output_id = created.json()["id"]
    assert api_for(None).get(f"/api/outputs/{output_id}/").status_code == 404
    assert member.post(f"/api/outputs/{output_id}/validate/", {}, format="json").status_code in (403, 409)
    validated = api_for(users["funder"]).post(
        f"/api/outputs/{output_id}/validate/", {"comment": "DOI checked"}, format="json"
    )
    assert validated.status_code == 200 and validated.json()["status"] == "validated"
    assert api_for(None).get(f"/api/outputs/{output_id}/").json()["doi"] == "10.1234/sens.2012.17"
    assert Output.objects.get(pk=output_id).validated_at is not None
