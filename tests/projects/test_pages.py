"""Every proposal page answers for each role in both languages; list pages stay within a query budget."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from poles.calls.models import Call
from poles.projects import services
from poles.projects.models import LabelRequest, Project
from tests.calls.pages import ALL_OK, DENIED, HIDDEN, LOGIN, OK, ROLES, check, only
from tests.projects.factories import member_org


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _open_call():
    return Call.objects.get(reference__startswith="aap-rd-")


def _member_draft(users) -> Project:
    """The demo member's draft in the open call."""
    return Project.objects.get(
        call=_open_call(),
        status="draft",
        participations__organisation=member_org(users),
        participations__role="lead",
    )


def _pending() -> Project:
    """The open call's proposal awaiting Minalogic's label (not the member's)."""
    return Project.objects.get(
        call=_open_call(),
        status="submitted",
        label_requests__cluster__slug="minalogic",
        label_requests__status="pending",
    )


def _attachment_url(users) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(100, 100)
    buffer = io.BytesIO()
    document.save(buffer)
    project = _member_draft(users)
    upload = SimpleUploadedFile("annexe.pdf", buffer.getvalue(), content_type="application/pdf")
    attachment = services.add_attachment(project, upload, "technical", actor=users["member"])
    return reverse("projects:attachment", args=[project.pk, attachment.pk])


LEAD_ONLY = only({"member"}, HIDDEN, officer=DENIED)  # the consortium lead drafts; officers read only
CONFIDENTIAL = {
    "anonymous": HIDDEN,
    "officer": OK,
    "funder": OK,
    "cluster": OK,
    "member": HIDDEN,
    "reviewer": HIDDEN,
    "analyst": HIDDEN,
}
ASKED_OFFICER = only({"officer"}, HIDDEN, funder=DENIED, cluster=DENIED)

PAGES = {
    "projects:list": (lambda u: reverse("projects:list") + "?status=eligible", ALL_OK),
    "projects:mine": (lambda u: reverse("projects:mine"), {**ALL_OK, "anonymous": LOGIN}),
    "projects:labelling": (
        lambda u: reverse("projects:labelling") + "?status=pending",
        only({"cluster"}, DENIED),
    ),
    "projects:label": (
        lambda u: reverse(
            "projects:label", args=[_pending().label_requests.get(cluster__slug="minalogic").pk]
        ),
        only({"cluster"}, HIDDEN, officer=DENIED, funder=DENIED),
    ),
    "projects:create": (
        lambda u: reverse("projects:create", args=[_open_call().reference]),
        only({"member"}, DENIED),
    ),
    "projects:detail": (
        lambda u: reverse("projects:detail", args=[_member_draft(u).pk]),
        only({"member", "officer"}, HIDDEN, anonymous=HIDDEN),
    ),
    "projects:edit": (lambda u: reverse("projects:edit", args=[_member_draft(u).pk]), LEAD_ONLY),
    "projects:partners": (
        lambda u: reverse("projects:partners", args=[_member_draft(u).pk]) + "?q=lab",
        LEAD_ONLY,
    ),
    "projects:participation": (
        lambda u: reverse(
            "projects:participation",
            args=[_member_draft(u).pk, _member_draft(u).participations.get(role="lead").pk],
        ),
        LEAD_ONLY,
    ),
    "projects:attachments": (
        lambda u: reverse("projects:attachments", args=[_member_draft(u).pk]),
        LEAD_ONLY,
    ),
    "projects:attachment": (_attachment_url, only({"member", "officer"}, HIDDEN, anonymous=HIDDEN)),
    "projects:submit": (lambda u: reverse("projects:submit", args=[_member_draft(u).pk]), LEAD_ONLY),
    "projects:withdraw": (
        lambda u: reverse("projects:withdraw", args=[_member_draft(u).pk]),
        only({"member", "officer"}, HIDDEN),
    ),
    "projects:request_revision": (
        lambda u: reverse("projects:request_revision", args=[_pending().pk]),
        ASKED_OFFICER,
    ),
    "projects:revisions": (lambda u: reverse("projects:revisions", args=[_pending().pk]), CONFIDENTIAL),
    "projects:eligibility": (
        lambda u: reverse("projects:eligibility", args=[_pending().pk]),
        {**ASKED_OFFICER, "anonymous": LOGIN},
    ),
}
NOT_PAGES = {
    "projects:partner_add",
    "projects:partner_remove",
    "projects:attachment_remove",
    "projects:eligibility_run",
    "projects:eligibility_override",
    "projects:declare",
    "projects:settle_labelling",
}  # fmt: skip  POST-only actions


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, role, language, users, client_for):
    check(PAGES, name, role, language, users, client_for)


def test_the_demo_open_call_holds_the_pages_data(users):
    assert _member_draft(users).status == "draft"
    assert _pending().label_requests.get(cluster__slug="minalogic").status == LabelRequest.Status.PENDING


@pytest.mark.parametrize(
    "url, role, ceiling",
    [
        ("/projects/", "officer", 14), ("/projects/?status=eligible", "officer", 14), ("/projects/", None, 14),
        ("/projects/mine/", "member", 16), ("/projects/labelling/", "cluster", 14),
        ("/api/projects/", "officer", 12), ("/api/label-requests/", "cluster", 10),
    ],
)  # fmt: skip
def test_list_pages_query_ceiling(url, role, ceiling, users, client_for):
    client = client_for(users[role] if role else None)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"


def test_the_proposal_page_query_count_does_not_grow_with_the_consortium(users, client_for):
    small = Project.objects.filter(call__reference__startswith="fui-", status="funded").order_by("pk")
    sizes = sorted(small, key=lambda p: p.participations.count())
    client = client_for(users["officer"])
    counts = []
    for project in (sizes[0], sizes[-1]):
        client.get(reverse("projects:detail", args=[project.pk]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
        counts.append(len(queries))
    assert sizes[0].participations.count() < sizes[-1].participations.count()
    assert counts[0] == counts[1], counts
