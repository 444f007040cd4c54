"""Nobody reads a proposal that is not theirs — pages and API answer 404 — and every test holds the
data that could leak: another organisation's proposal and documents, another cluster's labelling
request, drafts, the programme's unfunded proposals."""

from __future__ import annotations

import html
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from poles.accounts.models import RoleAssignment
from poles.clusters.models import Cluster
from poles.projects import services
from poles.projects.models import LabelRequest, Project
from tests.projects.factories import build_proposal, companies, lab, member_org


def _pdf() -> bytes:
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 200)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def world(users, open_call, settings, tmp_path):
    """The member's proposal, another organisation's (with a confidential document), a proposal asked
    only of Tenerrdis, a draft asked of Minalogic, and a funded past project."""
    settings.MEDIA_ROOT = tmp_path
    own = build_proposal(users, open_call, title="Notre projet à nous")
    other_org = companies([member_org(users).pk], n=1, size="medium")[0]
    stranger = get_user_model().objects.create(username="stranger", email="stranger@x.example")
    RoleAssignment.objects.create(user=stranger, role="member", organisation=other_org)
    minalogic, tenerrdis = Cluster.objects.get(slug="minalogic"), Cluster.objects.get(slug="tenerrdis")

    def proposal(title, cluster, submit=True):
        project = services.create_proposal(
            open_call, other_org, actor=stranger, acronym="SECRET", title=title, summary="Contenu confidentiel",
            lead_cluster=cluster,
        )  # fmt: skip
        for organisation in (*companies([other_org.pk, member_org(users).pk], n=1, size="large"), lab()):
            services.add_partner(project, organisation, actor=stranger)
        return services.submit(project, actor=stranger) if submit else project

    secret = proposal("Projet secret d'un autre", minalogic, submit=False)
    document = services.add_attachment(
        secret,
        SimpleUploadedFile("secret.pdf", _pdf(), content_type="application/pdf"),
        "technical",
        actor=stranger,
    )
    secret = services.submit(Project.objects.get(pk=secret.pk), actor=stranger)
    tenerrdis_only = proposal("Projet pour Tenerrdis seulement", tenerrdis)
    draft = proposal("Brouillon demandé à Minalogic", minalogic, submit=False)
    past = Project.objects.filter(call__reference__startswith="fui-").order_by("pk")
    funded = past.filter(status=Project.Status.FUNDED).first()
    unfunded = past.filter(status__in=[Project.Status.REJECTED, Project.Status.RESERVE]).first()
    return {
        "own": own, "secret": secret, "document": document, "tenerrdis_only": tenerrdis_only, "draft": draft,
        "funded": Project.objects.get(pk=funded.pk), "unfunded": unfunded, "stranger": stranger,
        "tenerrdis_request": tenerrdis_only.label_requests.get(cluster=tenerrdis),
    }  # fmt: skip


def _text(response) -> str:
    """A page's text with HTML entities decoded (an escaped apostrophe must not hide a leak)."""
    return html.unescape(response.content.decode())


API_PATHS = ["", "participations/", "revisions/", "eligibility/", "attachments/"]


def _hidden_everywhere(client, api, project, extra_text):
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:revisions", args=[project.pk])).status_code == 404
    for path in API_PATHS:
        assert api.get(f"/api/projects/{project.pk}/{path}").status_code == 404, path
    query = {"q": extra_text[:30]}  # the list filtered on the very title that must not show
    results = _text(client.get(reverse("projects:list"), query, HTTP_HX_REQUEST="true"))  # the results only
    assert 'id="result-count">0 ' in results
    listed = results + api.get("/api/projects/", query).content.decode()
    assert extra_text not in listed


def test_an_applicant_reads_only_its_consortiums_proposals(users, client_for, api_for, world):
    client, api = client_for(users["member"]), api_for(users["member"])
    assert client.get(reverse("projects:detail", args=[world["own"].pk])).status_code == 200
    assert api.get(f"/api/projects/{world['own'].pk}/participations/").status_code == 200
    _hidden_everywhere(client, api, world["secret"], "Projet secret d'un autre")
    _hidden_everywhere(client, api, world["draft"], "Brouillon demandé à Minalogic")
    _hidden_everywhere(client, api, world["unfunded"], world["unfunded"].title)
    found = _text(client.get(reverse("projects:list"), {"q": "Notre projet"}, HTTP_HX_REQUEST="true"))
    assert (
        'id="result-count">1 ' in found and "Notre projet à nous" in found
    )  # the filter does find what is visible
    mine = {row["id"] for row in api.get("/api/projects/", {"page_size": 500}).json()["results"]}
    assert world["own"].pk in mine and world["secret"].pk not in mine


def test_nobody_downloads_another_proposals_document(users, client_for, api_for, world):
    secret, document = world["secret"], world["document"]
    url = reverse("projects:attachment", args=[secret.pk, document.pk])
    for role in ("member", "reviewer", "analyst", "anonymous"):
        assert client_for(users[role]).get(url).status_code == 404, role
        assert (
            api_for(users[role]).get(f"/api/projects/{secret.pk}/attachments/{document.pk}/").status_code
            == 404
        )
    # The document's id behind the applicant's own proposal does not open it either.
    own = world["own"]
    assert (
        client_for(users["member"])
        .get(reverse("projects:attachment", args=[own.pk, document.pk]))
        .status_code
        == 404
    )
    assert (
        api_for(users["member"]).get(f"/api/projects/{own.pk}/attachments/{document.pk}/").status_code == 404
    )
    # Those the proposal is shared with do read it: its author, the officers, the cluster asked.
    for user in (world["stranger"], users["officer"], users["cluster"]):
        assert client_for(user).get(url).status_code == 200


def test_a_cluster_reads_only_the_submitted_proposals_it_was_asked_to_label(
    users, client_for, api_for, world
):
    client, api = client_for(users["cluster"]), api_for(users["cluster"])
    assert client.get(reverse("projects:detail", args=[world["secret"].pk])).status_code == 200
    _hidden_everywhere(client, api, world["tenerrdis_only"], "Projet pour Tenerrdis seulement")
    _hidden_everywhere(client, api, world["draft"], "Brouillon demandé à Minalogic")
    request = world["tenerrdis_request"]
    assert client.get(reverse("projects:label", args=[request.pk])).status_code == 404
    assert api.get(f"/api/label-requests/{request.pk}/").status_code == 404
    assert (
        api.post(f"/api/label-requests/{request.pk}/label/", {"opinion": "hijack"}, format="json").status_code
        == 404
    )
    assert LabelRequest.objects.get(pk=request.pk).status == LabelRequest.Status.PENDING
    queue = _text(client.get(reverse("projects:labelling")))
    listed = api.get("/api/label-requests/", {"page_size": 500}).content.decode()
    assert "Projet pour Tenerrdis seulement" not in queue + listed
    assert "Brouillon demandé à Minalogic" not in queue + listed
    assert "Projet secret d'un autre" in queue and "Projet secret d'un autre" in listed


def test_the_public_sees_funded_projects_only_and_never_their_figures(users, client_for, api_for, world):
    client, api = client_for(None), api_for(None)
    funded = world["funded"]
    page = client.get(reverse("projects:detail", args=[funded.pk]))
    assert page.status_code == 200
    assert 'id="consortium-table"' in page.content.decode() and "Budget (EUR)" not in page.content.decode()
    body = api.get(f"/api/projects/{funded.pk}/").json()
    assert body["title"] == funded.title and "total_cost" not in body
    assert api.get(f"/api/projects/{funded.pk}/participations/").status_code == 404
    for key in ("secret", "unfunded", "own", "draft"):
        _hidden_everywhere(client, api, world[key], world[key].title)
    statuses = {row["status"] for row in api.get("/api/projects/", {"page_size": 500}).json()["results"]}
    assert statuses == {"funded"}


def test_funders_read_the_submitted_proposals_of_their_calls_only(users, client_for, api_for, world):
    client, api = client_for(users["funder"]), api_for(users["funder"])  # the FUI funds the test call
    assert client.get(reverse("projects:detail", args=[world["secret"].pk])).status_code == 200
    _hidden_everywhere(client, api, world["draft"], "Brouillon demandé à Minalogic")


def test_changing_what_one_only_reads_is_forbidden(users, client_for, api_for, world):
    secret = world["secret"]
    api = api_for(users["cluster"])  # reads it (asked to label), may not change it
    etag = api.get(f"/api/projects/{secret.pk}/")["ETag"]
    response = api.patch(
        f"/api/projects/{secret.pk}/", {"title": "Hijacked"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 403
    assert api.post(f"/api/projects/{secret.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 403
    assert client_for(users["cluster"]).get(reverse("projects:edit", args=[secret.pk])).status_code == 403
    assert Project.objects.get(pk=secret.pk).title == "Projet secret d'un autre"
