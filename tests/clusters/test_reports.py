"""Cluster KPI actuals computed from platform data, the yearly report page and its PDF, ratings."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from poles.clusters import kpis, reports
from poles.clusters.models import ClusterRating, ClusterReport, Kpi, Membership
from poles.ecosystem import services as eco_services
from poles.ecosystem.models import FundRaising
from poles.organisations.models import Organisation, YearlyFigures
from tests.ecosystem.factories import make_action, minalogic
from tests.grants.factories import funded_project, make_call

pytestmark = pytest.mark.django_db


def actual(source, year=2012):
    return kpis.compute(minalogic(), year, source).value


def new_company(name, size, category="company"):
    org = Organisation.objects.create(name=name, category=category, size_class=size)
    YearlyFigures.objects.create(
        organisation=org, year=2012, headcount=40 if size == "small" else 9000, size_class=size
    )
    return org


def test_member_counts_follow_memberships_and_sizes():
    before = {s: actual(s) for s in ("members", "member_smes", "member_research")}
    sme = new_company("Nano SME", "small")
    large = new_company("Big Group", "large")
    lab = Organisation.objects.create(name="Lab X", category="public_research")
    late = new_company("Joins in 2013", "small")
    gone = new_company("Left in March", "small")
    for org, start, end in [
        (sme, "2012-06-01", None), (large, "2010-01-01", None), (lab, "2011-01-01", None),
        (late, "2013-01-02", None), (gone, "2011-01-01", "2012-03-31"),
    ]:  # fmt: skip
        Membership.objects.create(cluster=minalogic(), organisation=org, start=start, end=end)
    assert actual("members") == before["members"] + 3
    assert actual("member_smes") == before["member_smes"] + 1
    assert actual("member_research") == before["member_research"] + 1
    breakdown = kpis.members_breakdown(minalogic(), 2012)
    assert breakdown["company"]["large"] >= 1 and breakdown["public_research"][""] >= 1


def test_projects_aid_and_triple_helix_come_from_labels_and_decisions():
    before = {
        s: actual(s, 2010)
        for s in ("labelled_projects", "funded_projects", "public_aid", "triple_helix_projects")
    }
    project = funded_project(call=make_call(year=2010))  # SME lead, large partner, public lab: triple helix
    aid = sum(d.amount for d in project.decisions.all())
    proposal = funded_project(call=make_call(year=2010), status="rejected", decision_status="proposed")
    assert actual("labelled_projects", 2010) == before["labelled_projects"] + 2
    assert actual("funded_projects", 2010) == before["funded_projects"] + 1
    assert actual("public_aid", 2010) == before["public_aid"] + aid
    assert actual("triple_helix_projects", 2010) == before["triple_helix_projects"] + 1
    assert proposal.pk not in kpis.funded_project_ids(minalogic(), 2010)
    project.participations.filter(category="public_research").update(category="training")
    assert actual("triple_helix_projects", 2010) == before["triple_helix_projects"]


def test_actions_and_sme_private_funding(users):
    before = {s: actual(s) for s in ("international_actions", "training_actions", "sme_private_funding")}
    make_action(2012)
    make_action(2012, kind="competence", format="training", country="FR")
    make_action(2012, kind="competence", format="skills", country="FR")
    make_action(2011)
    assert actual("international_actions") == before["international_actions"] + 1
    assert actual("training_actions") == before["training_actions"] + 1
    sme = new_company("Raising SME", "small")
    Membership.objects.create(cluster=minalogic(), organisation=sme, start="2008-01-01")
    outsider = new_company("Not a member", "small")
    validated = FundRaising.objects.create(
        organisation=sme, amount=1_500_000, investor_type="venture_capital", closed_on="2012-09-01"
    )
    eco_services.validate_fundraising(validated, actor=users["officer"])
    FundRaising.objects.create(
        organisation=sme, amount=900_000, investor_type="business_angels", closed_on="2012-10-01"
    )
    FundRaising.objects.create(
        organisation=outsider,
        amount=7_000_000,
        investor_type="venture_capital",
        closed_on="2012-09-01",
        status="validated",
    )
    assert actual("sme_private_funding") == before["sme_private_funding"] + Decimal(1_500_000)


@pytest.mark.parametrize(
    "target, value, status",
    [(None, Decimal(3), "no_target"), (Decimal(10), None, "missing"), (Decimal(10), Decimal(10), "reached"),
     (Decimal(10), Decimal(8), "close"), (Decimal(10), Decimal(7), "behind"), (Decimal(0), Decimal(0), "reached")],
)  # fmt: skip
def test_status(target, value, status):
    assert kpis.status_of(target, value) == status


def test_report_rows_put_contract_targets_beside_actuals():
    rows = {r.kpi.code: r for r in kpis.report_rows(minalogic(), 2012)}
    assert set(kpis.SOURCES) <= {r.kpi.source for r in rows.values()}
    members = rows["members"]
    assert members.target is not None and members.actual.value == actual("members")
    assert members.status == kpis.status_of(members.target, members.actual.value)
    reported = Kpi.objects.create(code="events-held", label_fr="Événements", label_en="Events held")
    rows = {r.kpi.code: r for r in kpis.report_rows(minalogic(), 2012, {reported.pk: Decimal(12)})}
    assert rows["events-held"].actual.value == 12 and rows["events-held"].actual.reported


def test_report_pdf_renders_a_non_blank_first_page():
    import pypdfium2

    make_action(2012)
    pdf = reports.render_report_pdf(minalogic(), 2012)
    assert pdf.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=1).to_pil().convert("L")
    out = io.BytesIO()
    image.save(out, format="PNG")
    pixels = list(image.getdata())
    dark = sum(1 for p in pixels if p < 128)
    assert dark / len(pixels) > 0.005, "the first page is blank"
    assert min(pixels) < 50 and out.getvalue().startswith(b"\x89PNG")


def test_report_page_edit_submit_and_ratings(users, client_for):
    url = reverse("clusters:report", args=["minalogic", 2012])
    page = client_for(None).get(url)
    assert page.status_code == 200
    assert str(int(actual("members"))) in page.content.decode()
    assert (
        client_for(None).get(reverse("clusters:report_pdf", args=["minalogic", 2012]))["Content-Type"]
        == "application/pdf"
    )
    edit = reverse("clusters:report_edit", args=["minalogic", 2012])
    assert client_for(users["member"]).get(edit).status_code == 403
    saved = client_for(users["cluster"]).post(
        edit, {"narrative_fr": "Une belle année.", "narrative_en": "A fine year."}
    )
    assert saved.status_code == 302
    report = ClusterReport.objects.get(cluster=minalogic(), year=2012)
    client_for(users["cluster"]).post(reverse("clusters:report_submit", args=["minalogic", 2012]))
    report.refresh_from_db()
    assert report.status == "submitted" and {r["kpi"] for r in report.snapshot["rows"]} >= {"members"}
    refused = client_for(users["cluster"]).post(
        edit, {"narrative_fr": "Changed", "narrative_en": "Changed", "version": report.version}
    )
    assert refused.status_code == 400
    assert ClusterReport.objects.get(pk=report.pk).narrative_fr == "Une belle année."
    reopen = reverse("clusters:report_reopen", args=["minalogic", 2012])
    client_for(users["cluster"]).post(reopen, {"reason": "typo"})
    assert ClusterReport.objects.get(pk=report.pk).status == "submitted"  # only officers reopen
    client_for(users["officer"]).post(reopen, {"reason": "Typo in the highlights"})
    assert ClusterReport.objects.get(pk=report.pk).status == "draft"
    rating_url = reverse("clusters:rating_add", args=["minalogic"])
    assert client_for(users["cluster"]).get(rating_url).status_code == 403
    response = client_for(users["officer"]).post(rating_url, {
        "evaluation": "Évaluation 2016", "year": 2016, "rating": "very_performant", "rated_on": "2016-07-01",
        "text_fr": "Très performant.", "text_en": "Very performant.",
    })  # fmt: skip
    assert response.status_code == 302
    assert ClusterRating.objects.filter(cluster=minalogic(), year=2016, rating="very_performant").exists()


def test_computed_indicators_cannot_be_typed_in(users):
    members = Kpi.objects.get(code="members")
    with pytest.raises(ValidationError):
        reports.save_report(
            minalogic(), 2012, actor=users["cluster"], values={members.pk: (Decimal(999), "")}
        )
    assert not ClusterReport.objects.filter(cluster=minalogic(), year=2012).exists()


def test_cluster_report_api(users, api_for):
    staff = api_for(users["cluster"])
    created = staff.post(
        "/api/cluster-reports/", {"cluster": "minalogic", "year": 2012, "narrative_fr": "Bilan", "narrative_en": "Review"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {row["kpi"] for row in body["rows"]} >= {"members", "public-aid", "sme-private-funding"}
    assert (
        api_for(None).get(f"/api/cluster-reports/{body['id']}/").status_code == 404
    )  # drafts are not public
    assert api_for(users["member"]).post(f"/api/cluster-reports/{body['id']}/submit/").status_code in (
        403,
        404,
    )
    bad = staff.patch(f"/api/cluster-reports/{body['id']}/", {"values": {"members": "999"}}, format="json")
    assert bad.status_code == 400
    assert staff.post(f"/api/cluster-reports/{body['id']}/submit/").status_code == 200
    assert api_for(None).get(f"/api/cluster-reports/{body['id']}/").json()["status"] == "submitted"
    other = api_for(users["cluster"]).post(
        "/api/cluster-reports/", {"cluster": "tenerrdis", "year": 2012}, format="json"
    )
    assert other.status_code == 403
