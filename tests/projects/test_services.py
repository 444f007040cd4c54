"""Proposal services: every transition up to eligibility, allowed and refused (state, permission,
guard, deadline), with the registry captured at submission, revisions and e-mails."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from poles.calls.models import Funder
from poles.clusters.models import Cluster
from poles.core.audit import history
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.organisations.models import Organisation, YearlyFigures
from poles.projects import notifications, services
from poles.projects.models import LabelRequest, Participation, Project, ProjectRevision
from tests.projects.factories import build_proposal, companies, lab, member_org, shift_deadlines

S = Project.Status


def _answer(project, cluster_user, decision="labelled", cluster_slug="minalogic"):
    request = project.label_requests.get(cluster__slug=cluster_slug)
    return services.answer_label_request(request, decision, actor=cluster_user, opinion="Avis du pôle")


# ------------------------------------------------------------------ drafting


def test_the_applicant_drafts_in_an_open_call_led_by_its_organisation(users, open_call):
    project = build_proposal(users, open_call, submit=False)
    assert project.status == S.DRAFT and project.created_by == users["member"]
    lead = project.participations.get(role=Participation.Role.LEAD)
    assert lead.organisation == member_org(users)
    assert list(project.label_requests.values_list("cluster__slug", flat=True)) == ["minalogic"]
    assert project.total_cost == Decimal(1_800_000)
    actions = set(history(project).values_list("action", flat=True))
    assert {
        "projects.project.create",
        "projects.project.partner_add",
        "projects.project.participation_update",
    } <= actions


def test_nobody_drafts_for_an_organisation_they_do_not_belong_to(users, open_call):
    other = Organisation.objects.filter(category="company").exclude(pk=member_org(users).pk).first()
    for role in ("member", "officer", "cluster"):
        with pytest.raises(PermissionDenied):
            services.create_proposal(open_call, other, actor=users[role], acronym="X", title="Intrus")


def test_drafts_are_refused_in_a_call_past_its_deadline(users, open_call):
    shift_deadlines(open_call, labelling_days=-2, submission_days=-1)
    with pytest.raises(ValidationError):
        build_proposal(users, open_call, submit=False)


def test_only_the_consortium_lead_edits_and_only_in_draft_or_revision(users, open_call):
    project = build_proposal(users, open_call, submit=False)
    partner = project.participations.exclude(role="lead").first()
    with pytest.raises(PermissionDenied):
        services.update_proposal(project, actor=users["officer"], title="Rewritten by an officer")
    with pytest.raises(PermissionDenied):
        services.update_participation(partner, actor=users["cluster"], budget={"staff": Decimal(1)})
    project = services.submit(project, actor=users["member"])
    with pytest.raises(ValidationError) as caught:
        services.update_proposal(project, actor=users["member"], title="Too late")
    assert "only as a draft or when a revision is requested" in str(caught.value)
    assert Project.objects.get(pk=project.pk).title == "Capteurs éco-conçus"


def test_the_lead_cannot_be_removed_and_aid_is_asked_only_of_the_calls_funders(users, open_call):
    member = users["member"]
    project = build_proposal(users, open_call, submit=False)
    lead = project.participations.get(role="lead")
    with pytest.raises(ValidationError):
        services.remove_partner(lead, actor=member)
    with pytest.raises(ValidationError) as caught:
        services.update_participation(lead, actor=member, aid={Funder.objects.get(slug="feder"): Decimal(10)})
    assert "feder" in caught.value.message_dict
    partner = project.participations.exclude(role="lead").first()
    services.remove_partner(partner, actor=member)
    assert not Participation.objects.filter(pk=partner.pk).exists()


def test_a_stale_proposal_version_is_refused(users, open_call):
    project = build_proposal(users, open_call, submit=False)
    services.update_proposal(project, actor=users["member"], expected_version=project.version, summary="One")
    with pytest.raises(StaleObject):
        services.update_proposal(
            project, actor=users["member"], expected_version=project.version, summary="Two"
        )
    assert Project.objects.get(pk=project.pk).summary == "One"


def test_the_lead_cluster_is_always_asked_and_answered_requests_stay(users, open_call):
    member = users["member"]
    project = build_proposal(users, open_call, submit=False)
    tenerrdis = Cluster.objects.get(slug="tenerrdis")
    services.update_proposal(project, actor=member, clusters=[tenerrdis])
    assert set(project.label_requests.values_list("cluster__slug", flat=True)) == {"minalogic", "tenerrdis"}
    services.update_proposal(Project.objects.get(pk=project.pk), actor=member, clusters=[])
    assert set(project.label_requests.values_list("cluster__slug", flat=True)) == {"minalogic"}


# ------------------------------------------------------------------ submission


def test_submission_captures_the_registry_and_stores_revision_one(
    users, open_call, django_capture_on_commit_callbacks
):
    lead_org = member_org(users)
    big = companies([lead_org.pk], size="large")[0]
    # The registry's figures of the submission year decide the size class, whatever the current one.
    year = timezone.now().year
    YearlyFigures.objects.update_or_create(
        organisation=big, year=year, defaults={"size_class": "medium", "headcount": 120}
    )
    with django_capture_on_commit_callbacks(execute=True):
        project = build_proposal(users, open_call, partners=[big, lab()])
    assert project.status == S.SUBMITTED and project.submitted_at is not None
    captured = {p.organisation_id: p for p in project.participations.all()}
    assert captured[big.pk].size_class == "medium"
    assert captured[big.pk].category == "company"
    assert captured[lab().pk].size_class == ""
    grenoble_area = {lead_org.departement.region_id, lead_org.departement.former_region_id}
    minalogic_regions = set(Cluster.objects.get(slug="minalogic").regions.values_list("pk", flat=True))
    assert captured[lead_org.pk].in_territory == bool(grenoble_area & minalogic_regions)
    revision = ProjectRevision.objects.get(project=project)
    assert revision.number == 1 and revision.snapshot["title"] == "Capteurs éco-conçus"
    assert {m.to[0] for m in mail.outbox} >= {users["member"].email, users["cluster"].email}
    receipt = next(m for m in mail.outbox if m.to == [users["member"].email])
    assert receipt.subject == "Projet CAPTEO déposé"  # French by default
    request = next(m for m in mail.outbox if m.to == [users["cluster"].email])
    assert "Votre pôle est sollicité pour labelliser le projet CAPTEO" in request.body


def test_size_class_falls_back_to_the_latest_figures(users):
    from poles.projects.facts import size_classes_at

    org = Organisation.objects.filter(category="company", figures__year=2022).first()
    latest = org.figures.get(year=2022).size_class
    assert size_classes_at([org.pk], 2030) == {org.pk: latest}
    first = org.figures.order_by("year").first()
    assert size_classes_at([org.pk], first.year) == {org.pk: first.size_class}


@pytest.mark.parametrize(
    "language, fragment",
    [("en", "The submission deadline"), ("fr", "La date limite de dépôt")],
)
def test_submission_after_the_deadline_is_refused(language, fragment, users, open_call):
    project = build_proposal(users, open_call, submit=False)
    shift_deadlines(open_call, labelling_days=-3, submission_days=-1)
    with translation.override(language), pytest.raises(TransitionNotAllowed) as caught:
        services.submit(Project.objects.get(pk=project.pk), actor=users["member"])
    assert fragment in str(caught.value.message)
    assert Project.objects.get(pk=project.pk).status == S.DRAFT


def test_submission_needs_a_cluster_asked(users, open_call):
    project = build_proposal(users, open_call, submit=False)
    project.label_requests.all().delete()
    with pytest.raises(TransitionNotAllowed) as caught:
        services.submit(project, actor=users["member"])
    assert "Ask at least one cluster" in str(caught.value.message)


def test_only_the_lead_submits_and_only_from_draft_or_revision(users, open_call):
    project = build_proposal(users, open_call, submit=False)
    for role in ("officer", "cluster", "funder"):
        with pytest.raises(TransitionNotAllowed) as caught:
            services.submit(project, actor=users[role])
        assert caught.value.code == "permission_denied"
    project = services.submit(project, actor=users["member"])
    with pytest.raises(TransitionNotAllowed) as caught:
        services.submit(project, actor=users["member"])
    assert caught.value.code == "wrong_state"


def test_withdrawal_needs_a_reason(users, open_call):
    project = build_proposal(users, open_call)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.withdraw(project, actor=users["member"], reason=" ")
    assert caught.value.code == "reason_required"
    withdrawn = services.withdraw(project, actor=users["member"], reason="Partner left")
    assert withdrawn.status == S.WITHDRAWN
    assert history(project).get(action="projects.project.withdraw").reason == "Partner left"


# ------------------------------------------------------------------ revision


def test_revision_cycle_with_a_readable_diff(users, open_call, django_capture_on_commit_callbacks):
    from poles.projects import revisions

    member, officer = users["member"], users["officer"]
    project = build_proposal(users, open_call)
    with pytest.raises(TransitionNotAllowed):
        services.request_revision(project, actor=member, reason="I want to change it")
    with django_capture_on_commit_callbacks(execute=True):
        project = services.request_revision(project, actor=officer, reason="Detail the lab's tasks")
    assert project.status == S.REVISION
    assert any("Detail the lab's tasks" in m.body for m in mail.outbox if m.to == [member.email])
    lab_part = project.participations.get(organisation__category="public_research")
    services.update_participation(lab_part, actor=member, budget={"staff": Decimal(750_000)})
    services.update_proposal(
        Project.objects.get(pk=project.pk), actor=member, title="Capteurs éco-conçus, révisés"
    )
    project = services.submit(Project.objects.get(pk=project.pk), actor=member)
    first, second = project.revisions.order_by("number")
    assert second.number == 2
    with translation.override("en"):
        changes = revisions.compare(first.snapshot, second.snapshot)
    removed = [line.text for line in changes if line.kind == "removed"]
    added = [line.text for line in changes if line.kind == "added"]
    lab_name = lab_part.organisation.name
    assert f"{lab_name} — budget staff: 600000.00" in removed
    assert f"{lab_name} — budget staff: 750000.00" in added
    assert "Title: Capteurs éco-conçus, révisés" in added


# ------------------------------------------------------------------ labelling


def test_a_cluster_labels_and_the_proposal_is_labelled(users, open_call, django_capture_on_commit_callbacks):
    project = build_proposal(users, open_call)
    with django_capture_on_commit_callbacks(execute=True):
        _answer(project, users["cluster"])
    assert Project.objects.get(pk=project.pk).status == S.LABELLED
    assert any(m.subject == "CAPTEO a été labellisé par Minalogic" for m in mail.outbox)


def test_only_the_staff_of_the_cluster_asked_answer(users, open_call):
    project = build_proposal(users, open_call)
    request = project.label_requests.get()
    for role in ("member", "officer", "funder"):
        with pytest.raises(PermissionDenied):
            services.answer_label_request(request, "labelled", actor=users[role], opinion="ok")
    assert LabelRequest.objects.get(pk=request.pk).status == LabelRequest.Status.PENDING


def test_co_labelling_waits_for_every_cluster_until_the_deadline(users, open_call):
    from django.contrib.auth import get_user_model

    from poles.accounts.models import RoleAssignment

    member = users["member"]
    project = build_proposal(users, open_call, submit=False)
    services.update_proposal(project, actor=member, clusters=[Cluster.objects.get(slug="tenerrdis")])
    project = services.submit(Project.objects.get(pk=project.pk), actor=member)
    tenerrdis_staff = get_user_model().objects.create(username="tenerrdis-staff", email="t@x.example")
    RoleAssignment.objects.create(
        user=tenerrdis_staff, role="cluster", cluster=Cluster.objects.get(slug="tenerrdis")
    )
    _answer(project, users["cluster"])
    assert Project.objects.get(pk=project.pk).status == S.SUBMITTED  # Tenerrdis has not answered
    _answer(project, tenerrdis_staff, decision="declined", cluster_slug="tenerrdis")
    assert Project.objects.get(pk=project.pk).status == S.LABELLED  # every cluster answered, one label


def test_nothing_labels_a_proposal_every_cluster_declined(users, open_call):
    project = build_proposal(users, open_call)
    _answer(project, users["cluster"], decision="declined")
    assert Project.objects.get(pk=project.pk).status == S.SUBMITTED
    assert services.settle_labelling(Project.objects.get(pk=project.pk), actor=users["officer"]) is False


@pytest.mark.parametrize(
    "language, fragment",
    [("en", "The labelling deadline"), ("fr", "La date limite de labellisation")],
)
def test_labels_after_the_labelling_deadline_are_refused(language, fragment, users, open_call):
    project = build_proposal(users, open_call)
    shift_deadlines(open_call, labelling_days=-0.5, submission_days=5)
    with translation.override(language), pytest.raises(TransitionNotAllowed) as caught:
        _answer(Project.objects.get(pk=project.pk), users["cluster"])
    assert fragment in str(caught.value.message)
    assert caught.value.code == "deadline"
    assert project.label_requests.get().status == LabelRequest.Status.PENDING


def test_after_the_deadline_the_officer_settles_labelling(users, open_call):
    member = users["member"]
    project = build_proposal(users, open_call, submit=False)
    services.update_proposal(project, actor=member, clusters=[Cluster.objects.get(slug="tenerrdis")])
    project = services.submit(Project.objects.get(pk=project.pk), actor=member)
    unlabelled = build_proposal(users, open_call, title="Un autre projet")
    _answer(project, users["cluster"])
    # Tenerrdis has not answered and the deadline is ahead: the proposal waits.
    assert services.settle_labelling(Project.objects.get(pk=project.pk), actor=users["officer"]) is False
    shift_deadlines(open_call, labelling_days=-0.5, submission_days=5)
    with pytest.raises(PermissionDenied):
        services.settle_call_labelling(open_call, actor=member)
    counts = services.settle_call_labelling(open_call, actor=users["officer"])
    assert Project.objects.get(pk=project.pk).status == S.LABELLED
    assert Project.objects.get(pk=unlabelled.pk).status == S.SUBMITTED
    assert counts["labelled"] >= 1 and counts["waiting"] >= 1


# ------------------------------------------------------------------ notifications


def test_e_mails_follow_the_recipients_language(users, open_call):
    project = build_proposal(users, open_call)
    french = notifications.compose(
        "label_decision", project, "fr", cluster="Minalogic", decision="declined", opinion="Hors sujet"
    )
    english = notifications.compose(
        "label_decision", project, "en", cluster="Minalogic", decision="declined", opinion="Off topic"
    )
    assert french.subject == "Minalogic a refusé de labelliser CAPTEO"
    assert english.subject == "Minalogic declined to label CAPTEO"
    assert "/en/projects/" in english.body and "/en/" not in french.body
    users["member"].language = "en"
    assert notifications.language_of(users["member"]) == "en"
    assert notifications.language_of(users["cluster"]) == "fr"


def test_nothing_is_sent_when_the_change_rolls_back(users, open_call, django_capture_on_commit_callbacks):
    from django.db import transaction

    project = build_proposal(users, open_call, submit=False)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.submit(project, actor=users["member"])
        raise RuntimeError("the page failed after the service")
    assert callbacks == [] and mail.outbox == []
    assert Project.objects.get(pk=project.pk).status == S.DRAFT
