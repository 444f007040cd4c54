"""Every follow-up page answers for each role in both languages (the grants app's page table).

The fixture builds a funded project led by the demo member's organisation, labelled by Minalogic
(the demo cluster account's), with aid decided by the FUI (the demo funder account's) and a
region, an agreement, a milestone and a declared output; a second funded project has no
agreement yet. The reviewer account has no part in either: it must get 404 everywhere.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import translation

from poles.calls.models import Funder
from poles.grants import services
from poles.grants.models import ConsortiumAgreement, Output

from .factories import funded_project, member_organisation

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404


def matrix(ok: set[str], *, denied: set[str] = frozenset(), anonymous: int = LOGIN) -> dict[str, int]:
    out = {}
    for role in ROLES:
        if role == "anonymous":
            out[role] = OK if "anonymous" in ok else anonymous
        else:
            out[role] = OK if role in ok else DENIED if role in denied else HIDDEN
    return out


STAKEHOLDERS = {"officer", "funder", "cluster", "member", "analyst"}
MONEY = matrix({"officer", "funder"}, denied={"cluster", "member", "analyst"})
CONSORTIUM = matrix({"officer", "member"}, denied={"funder", "cluster", "analyst"})
SIGNED_IN = matrix(STAKEHOLDERS | {"reviewer"})


@pytest.fixture
def data(users):
    project = funded_project(lead=member_organisation(users))
    [agreement] = services.create_agreements(project, Funder.objects.get(slug="fui"), actor=users["funder"])
    milestone = services.add_milestone(project, actor=users["member"], title="Prototype", due_on="2011-09-30")
    output = services.declare_output(
        project, actor=users["member"], participation=project.participations.get(role="lead"), kind="jobs",
        achieved_on="2012-06-01", title="Two engineers hired", quantity=2, evidence_note="Payroll 2012",
    )  # fmt: skip
    fresh = funded_project(lead=member_organisation(users))
    return {
        "project": project, "agreement": agreement, "instalment": agreement.instalments.first(),
        "report": project.reports.first(), "milestone": milestone, "output": output, "fresh": fresh,
    }  # fmt: skip


PAGES = {
    "grants:home": (lambda d: reverse("grants:home") + "?late=false", SIGNED_IN),
    "grants:agreements": (lambda d: reverse("grants:agreements") + "?status=draft", SIGNED_IN),
    "grants:reports": (lambda d: reverse("grants:reports") + "?kind=progress", SIGNED_IN),
    "grants:outputs": (lambda d: reverse("grants:outputs") + "?kind=jobs", matrix(set(ROLES))),
    "grants:project": (lambda d: reverse("grants:project", args=[d["project"].pk]), matrix(STAKEHOLDERS, anonymous=HIDDEN)),
    "grants:agreement_create": (
        lambda d: reverse("grants:agreement_create", args=[d["fresh"].pk]), MONEY,
    ),
    "grants:agreement_detail": (
        lambda d: reverse("grants:agreement_detail", args=[d["agreement"].pk]), matrix(STAKEHOLDERS, anonymous=HIDDEN),
    ),
    "grants:agreement_sign": (lambda d: reverse("grants:agreement_sign", args=[d["agreement"].pk]), MONEY),
    "grants:agreement_terminate": (lambda d: reverse("grants:agreement_terminate", args=[d["agreement"].pk]), MONEY),
    "grants:instalment_pay": (lambda d: reverse("grants:instalment_pay", args=[d["instalment"].pk]), MONEY),
    "grants:report_detail": (
        lambda d: reverse("grants:report_detail", args=[d["report"].pk]), matrix(STAKEHOLDERS, anonymous=HIDDEN),
    ),
    "grants:report_edit": (lambda d: reverse("grants:report_edit", args=[d["report"].pk]), CONSORTIUM),
    "grants:milestone_add": (lambda d: reverse("grants:milestone_add", args=[d["project"].pk]), CONSORTIUM),
    "grants:milestone_edit": (lambda d: reverse("grants:milestone_edit", args=[d["milestone"].pk]), CONSORTIUM),
    "grants:output_add": (lambda d: reverse("grants:output_add", args=[d["project"].pk]), CONSORTIUM),
    "grants:output_detail": (
        lambda d: reverse("grants:output_detail", args=[d["output"].pk]), matrix(STAKEHOLDERS, anonymous=HIDDEN),
    ),
    "grants:output_edit": (lambda d: reverse("grants:output_edit", args=[d["output"].pk]), CONSORTIUM),
    "grants:output_review": (
        lambda d: reverse("grants:output_review", args=[d["output"].pk]),
        matrix({"officer", "funder"}, denied={"member", "cluster", "analyst"}),
    ),
    "grants:consortium_agreement": (
        lambda d: reverse("grants:consortium_agreement", args=[d["project"].pk]), CONSORTIUM,
    ),
    "grants:ip_add": (lambda d: reverse("grants:ip_add", args=[d["project"].pk]), CONSORTIUM),
    "grants:licence_add": (lambda d: reverse("grants:licence_add", args=[d["project"].pk]), CONSORTIUM),
}  # fmt: skip
NOT_PAGES = {"grants:report_submit", "grants:report_approve", "grants:report_send_back"}  # POST-only actions


def test_every_grants_page_is_in_the_table():
    names = {name for name in _names(get_resolver()) if name.startswith("grants:")}
    assert names == set(PAGES) | NOT_PAGES


def _names(resolver, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name
        elif isinstance(pattern, URLResolver):
            yield from _names(pattern, prefix + (f"{pattern.namespace}:" if pattern.namespace else ""))


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, language, users, client_for, data):
    url_of, expected = PAGES[name]
    with translation.override("fr"):
        url = url_of(data)
    if language == "en":
        url = "/en" + url
    for role in ROLES:
        response = client_for(users[role]).get(url)
        assert response.status_code == expected[role], f"{url} as {role}: {response.status_code}"
        if response.status_code == OK:
            assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(
    "url, ceiling",
    [
        ("/follow-up/", 25),
        ("/follow-up/agreements/", 20),
        ("/follow-up/reports/", 20),
        ("/follow-up/outputs/", 20),
    ],
)
def test_list_pages_query_ceiling(url, ceiling, users, client_for, data):
    for _ in range(3):
        extra = funded_project(lead=member_organisation(users))
        services.create_agreements(extra, Funder.objects.get(slug="fui"), actor=users["funder"])
    client = client_for(users["officer"])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"


def test_project_page_shows_money_reports_and_outputs(users, client_for, data):
    page = (
        client_for(users["member"]).get(reverse("grants:project", args=[data["project"].pk])).content.decode()
    )
    assert data["agreement"].reference in page and "Two engineers hired" in page and "Prototype" in page
    assert Output.objects.get(pk=data["output"].pk).status == "declared"


def _post(client, name, project, payload):
    return client.post(reverse(name, args=[project.pk]), payload)


def test_project_forms_save_and_return_to_their_section(users, client_for, data):
    """Milestone, output, IP, licence and consortium agreement: a valid post records and goes back."""
    project, member = data["project"], client_for(users["member"])
    lead = project.participations.get(role="lead").pk
    back = reverse("grants:project", args=[project.pk])
    posts = [
        ("grants:milestone_add", {"kind": "deliverable", "title": "Test bench", "due_on": "2012-03-31",
                                  "status": "planned"}, "#milestones", project.milestones),
        ("grants:output_add", {"participation": lead, "kind": "patent_filed", "achieved_on": "2012-05-01",
                               "title": "Sensor patent", "quantity": 1, "evidence_note": "INPI filing", "patent_number": "FR3101234"},
         "#outputs", project.outputs),
        ("grants:ip_add", {"participation": lead, "kind": "foreground", "protection": "patent",
                           "title": "Sensor design", "declared_on": "2012-05-02"}, "#ipr", project.ip_declarations),
        ("grants:consortium_agreement", {"status": "negotiating", "ownership": "Joint ownership",
                                         "access_rights": "Royalty-free for research"}, "#ipr", None),
    ]  # fmt: skip
    for name, payload, anchor, related in posts:
        before = related.count() if related is not None else 0
        response = _post(member, name, project, payload)
        assert response.status_code == 302, (
            name,
            response.context["form"].errors if response.context else response.status_code,
        )
        assert response["Location"] == back + anchor
        if related is not None:
            assert related.count() == before + 1, name
    ip = project.ip_declarations.get(title="Sensor design")
    licence = {"licensor": lead, "licensee_name": "Acme SA", "ip": ip.pk, "kind": "non_exclusive",
               "signed_on": "2012-06-01"}  # fmt: skip
    assert _post(member, "grants:licence_add", project, licence)["Location"] == back + "#ipr"
    assert project.licences.filter(licensee_name="Acme SA", ip=ip).exists()


def test_project_forms_refuse_bad_input_and_stale_versions_on_the_form(users, client_for, data):
    project, member = data["project"], client_for(users["member"])
    response = _post(member, "grants:milestone_add", project, {"kind": "milestone", "title": ""})
    assert response.status_code == 400 and project.milestones.count() == 1
    agreement = {"status": "negotiating", "ownership": "Joint", "access_rights": "Free"}
    assert _post(member, "grants:consortium_agreement", project, agreement).status_code == 302
    read = ConsortiumAgreement.objects.get(project=project).version  # what two partners read
    first = _post(
        member,
        "grants:consortium_agreement",
        project,
        {**agreement, "ownership": "Lead owns", "version": read},
    )
    assert first.status_code == 302
    with translation.override("en"):
        second = _post(
            member,
            "grants:consortium_agreement",
            project,
            {**agreement, "ownership": "Split", "version": read},
        )
    assert second.status_code == 400 and "changed" in second.content.decode().lower()
    saved = ConsortiumAgreement.objects.get(project=project)
    assert saved.ownership == "Lead owns" and saved.version == read + 1
