"""The proposals API: drafting with If-Match, the consortium, documents, and each workflow action with
its error envelope (400 invalid, 403 forbidden, 404 hidden, 409 refused transition, 412 stale)."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from poles.calls.models import Call
from poles.projects.models import LabelRequest, Project
from tests.projects.factories import build_proposal, companies, member_org, shift_deadlines


def _envelope(response, status, code=None):
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"status", "code", "message", "errors"} and body["status"] == status
    if code:
        assert body["code"] == code
    return body


def _pdf() -> bytes:
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 200)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_schema_lists_the_workflow_actions(client):
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]
    for path in [
        "/api/calls/", "/api/calls/{id}/publish/", "/api/calls/{id}/versions/", "/api/funders/",
        "/api/projects/", "/api/projects/{id}/submit/", "/api/projects/{id}/withdraw/",
        "/api/projects/{id}/request-revision/", "/api/projects/{id}/eligibility/",
        "/api/projects/{id}/eligibility/override/", "/api/projects/{id}/declare-eligible/",
        "/api/projects/{id}/declare-ineligible/", "/api/projects/{id}/participations/",
        "/api/projects/{id}/participations/{participation_id}/", "/api/projects/{id}/attachments/",
        "/api/projects/{id}/attachments/{attachment_id}/", "/api/projects/{id}/revisions/",
        "/api/label-requests/", "/api/label-requests/{id}/label/", "/api/label-requests/{id}/decline/",
    ]:  # fmt: skip
        assert path in paths, path


def test_an_applicant_drafts_builds_and_submits_through_the_api(users, api_for, open_call):
    api = api_for(users["member"])
    created = api.post(
        "/api/projects/",
        {"call": open_call.pk, "acronym": "APIX", "title": "Projet par l'API", "lead_cluster": "minalogic",
         "clusters": ["tenerrdis"], "keywords": ["capteurs"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    project_id, etag = created.json()["id"], created["ETag"]
    assert created.json()["clusters_asked"] == ["minalogic", "tenerrdis"]
    partner = companies([member_org(users).pk])[0]
    added = api.post(
        f"/api/projects/{project_id}/participations/",
        {"organisation": partner.pk, "budget": {"staff": "400000", "equipment": "50000"}, "aid": {"fui": "100000"}},
        format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert added.status_code == 201, added.json()
    assert added.json()["budget"] == {"staff": "400000.00", "equipment": "50000.00"}
    stale = api.patch(
        f"/api/projects/{project_id}/", {"title": "Old version"}, format="json", HTTP_IF_MATCH=etag
    )
    _envelope(stale, 412, "stale")
    etag = added["ETag"]
    changed = api.patch(
        f"/api/projects/{project_id}/participations/{added.json()['id']}/",
        {"budget": {"staff": "450000"}, "territory_share": "0.8"}, format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["budget"] == {"staff": "450000.00"}
    submitted = api.post(f"/api/projects/{project_id}/submit/", format="json", HTTP_IF_MATCH=changed["ETag"])
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    again = api.post(f"/api/projects/{project_id}/submit/", format="json")
    _envelope(again, 409, "wrong_state")
    assert Project.objects.get(pk=project_id).title == "Projet par l'API"


@pytest.mark.parametrize(
    "language, fragment", [("en", "Unknown cost types: robots"), ("fr", "Types de coût inconnus : robots")]
)
def test_a_wrong_budget_is_refused_in_the_callers_language(language, fragment, users, api_for, open_call):
    project = build_proposal(users, open_call, submit=False)
    lead = project.participations.get(role="lead")
    response = api_for(users["member"]).patch(
        f"/api/projects/{project.pk}/participations/{lead.pk}/", {"budget": {"robots": "1"}},
        format="json", HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip
    body = _envelope(response, 400, "invalid")
    assert fragment in body["errors"]["budget"][0]


@pytest.mark.parametrize(
    "language, fragment", [("en", "The submission deadline"), ("fr", "La date limite de dépôt")]
)
def test_submitting_after_the_deadline_answers_409_with_the_reason(
    language, fragment, users, api_for, open_call
):
    project = build_proposal(users, open_call, submit=False)
    shift_deadlines(open_call, labelling_days=-2, submission_days=-1)
    response = api_for(users["member"]).post(
        f"/api/projects/{project.pk}/submit/", format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    body = _envelope(response, 409, "guard")
    assert fragment in body["message"]


def test_drafts_are_only_created_in_open_calls_for_ones_own_organisation(users, api_for, open_call):
    closed = Call.objects.filter(reference="fui-1").get()
    api = api_for(users["member"])
    response = api.post(
        "/api/projects/", {"call": closed.pk, "acronym": "X", "title": "Trop tard"}, format="json"
    )
    assert _envelope(response, 400, "invalid")["errors"].keys() == {"call"}
    other = companies([member_org(users).pk])[0]
    response = api.post(
        "/api/projects/", {"call": open_call.pk, "acronym": "X", "title": "Pour un autre", "organisation": other.pk},
        format="json",
    )  # fmt: skip
    _envelope(response, 403)
    assert not Project.objects.filter(title="Pour un autre").exists()


def test_labelling_through_the_api_with_if_match(users, api_for, open_call):
    project = build_proposal(users, open_call)
    request = project.label_requests.get()
    api = api_for(users["cluster"])
    read = api.get(f"/api/label-requests/{request.pk}/")
    assert read.status_code == 200 and read.json()["status"] == "pending"
    missing = api.post(f"/api/label-requests/{request.pk}/label/", {}, format="json")
    assert "opinion" in _envelope(missing, 400)["errors"]
    labelled = api.post(
        f"/api/label-requests/{request.pk}/label/",
        {"opinion": "Très bon projet"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert labelled.status_code == 200 and labelled.json()["status"] == "labelled"
    assert Project.objects.get(pk=project.pk).status == "labelled"
    stale = api.post(
        f"/api/label-requests/{request.pk}/decline/",
        {"opinion": "Finalement non"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    _envelope(stale, 412, "stale")
    forbidden = api_for(users["member"]).post(
        f"/api/label-requests/{request.pk}/label/", {"opinion": "Moi-même"}, format="json"
    )
    _envelope(forbidden, 403)
    assert LabelRequest.objects.get(pk=request.pk).opinion == "Très bon projet"


def test_eligibility_through_the_api(users, api_for, open_call):
    project = build_proposal(users, open_call, budget=100_000)  # below the FUI 25 budget bounds: a warning
    request = project.label_requests.get()
    api_for(users["cluster"]).post(
        f"/api/label-requests/{request.pk}/label/", {"opinion": "Oui"}, format="json"
    )
    officer = api_for(users["officer"])
    _envelope(api_for(users["member"]).post(f"/api/projects/{project.pk}/eligibility/", format="json"), 403)
    assert officer.get(f"/api/projects/{project.pk}/eligibility/").status_code == 404  # no check yet
    ran = officer.post(f"/api/projects/{project.pk}/eligibility/", format="json")
    assert ran.status_code == 201 and ran.json()["verdict"] == "warnings"
    warning = next(r for r in ran.json()["results"] if r["status"] == "warning")
    assert {"fr", "en"} <= set(warning["message"]) and warning["figures"]["total"] == "300000.00"
    refused = officer.post(f"/api/projects/{project.pk}/declare-eligible/", {}, format="json")
    assert "Des avertissements subsistent" in _envelope(refused, 409, "guard")["message"]  # French by default
    failing = next((r for r in ran.json()["results"] if r["status"] == "fail"), None)
    assert failing is None
    overridden = officer.post(
        f"/api/projects/{project.pk}/eligibility/override/", {"rule_index": warning["index"], "reason": "Essais lourds"},
        format="json",
    )  # fmt: skip
    assert overridden.status_code == 201 and overridden.json()["effective_verdict"] == "eligible"
    etag = officer.get(f"/api/projects/{project.pk}/")["ETag"]
    declared = officer.post(
        f"/api/projects/{project.pk}/declare-eligible/", {}, format="json", HTTP_IF_MATCH=etag
    )
    assert declared.status_code == 200 and declared.json()["status"] == "eligible"
    seen = api_for(users["member"]).get(f"/api/projects/{project.pk}/eligibility/").json()
    assert seen["effective_verdict"] == "eligible" and seen["overrides"][0]["reason"] == "Essais lourds"


def test_revision_and_withdrawal_actions(users, api_for, open_call):
    project = build_proposal(users, open_call)
    member, officer = api_for(users["member"]), api_for(users["officer"])
    _envelope(
        member.post(f"/api/projects/{project.pk}/request-revision/", {"reason": "x"}, format="json"), 403
    )
    _envelope(officer.post(f"/api/projects/{project.pk}/request-revision/", {}, format="json"), 400)
    revised = officer.post(
        f"/api/projects/{project.pk}/request-revision/", {"reason": "Préciser le budget"}, format="json"
    )
    assert revised.status_code == 200 and revised.json()["status"] == "revision"
    assert member.get(f"/api/projects/{project.pk}/revisions/").json()[0]["number"] == 1
    withdrawn = member.post(
        f"/api/projects/{project.pk}/withdraw/", {"reason": "Consortium dissous"}, format="json"
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_documents_through_the_api(users, api_for, open_call, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = build_proposal(users, open_call, submit=False)
    api = api_for(users["member"])
    refused = api.post(
        f"/api/projects/{project.pk}/attachments/",
        {
            "kind": "technical",
            "file": SimpleUploadedFile("annexe.pdf", b"MZ not a pdf", content_type="application/pdf"),
        },
        format="multipart",
    )
    assert "pas un document PDF valide" in _envelope(refused, 400, "invalid")["errors"]["file"][0]
    assert list(tmp_path.rglob("*.*")) == [] and not project.attachments.exists()
    data = _pdf()
    stored = api.post(
        f"/api/projects/{project.pk}/attachments/",
        {"kind": "technical", "file": SimpleUploadedFile("annexe.pdf", data, content_type="application/pdf")},
        format="multipart",
    )
    assert stored.status_code == 201, stored.json()
    download = api.get(stored.json()["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    assert api.get(f"/api/projects/{project.pk}/attachments/").json()[0]["name"] == "annexe.pdf"
    etag = api.get(f"/api/projects/{project.pk}/")["ETag"]
    assert api.delete(stored.json()["download"], HTTP_IF_MATCH=etag).status_code == 204
    assert not project.attachments.exists()
