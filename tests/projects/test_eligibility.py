"""The eligibility engine wired through the models: for each rule family, a proposal built through the
services that passes and one that fails, with the reasons in French and English; then overrides and
the declarations, allowed and refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from poles.accounts.models import RoleAssignment
from poles.calls.models import Call, Funder
from poles.core.audit import history
from poles.core.exceptions import TransitionNotAllowed
from poles.organisations.models import YearlyFigures
from poles.projects import services
from poles.projects.models import EligibilityCheck, Participation, Project
from tests.projects.factories import build_proposal, companies, lab, member_org

S = Project.Status


def _label(project, users, decision="labelled"):
    request = project.label_requests.get(cluster__slug="minalogic")
    services.answer_label_request(request, decision, actor=users["cluster"], opinion="Avis")
    return Project.objects.get(pk=project.pk)


def _set_rules(call, *rules):
    Call.objects.filter(pk=call.pk).update(rules=list(rules))


def _check(project, users):
    return services.run_eligibility_check(Project.objects.get(pk=project.pk), actor=users["officer"])


def _lab_led(users, call):
    """A proposal led by a research lab (its member user creates it)."""
    lab_org = lab()
    user = get_user_model().objects.create(username="lab-member", email="lab@x.example")
    RoleAssignment.objects.create(user=user, role="member", organisation=lab_org)
    project = services.create_proposal(
        call,
        lab_org,
        actor=user,
        acronym="LABLED",
        title="Projet porté par un laboratoire",
        lead_cluster=_minalogic(),
    )
    return project, user


def _shares(project, users, **values):
    for participation in project.participations.all():
        services.update_participation(participation, actor=users["member"], **values)


def _draft(users, call, **kwargs):
    return build_proposal(users, call, submit=False, **kwargs)


def _submit_label(project, users):
    project = services.submit(Project.objects.get(pk=project.pk), actor=users["member"])
    return _label(project, users)


# (rule, build a passing proposal, build a failing one, expected failing status, English, French)
def _pass_default(users, call):
    return _submit_label(_draft(users, call), users)


def _fail_one_company(users, call):
    return _submit_label(_draft(users, call, partners=[lab()]), users)


def _fail_no_lab(users, call):
    return _submit_label(_draft(users, call, partners=companies([member_org(users).pk], n=2)), users)


def _fail_large_lead(users, call):
    org = member_org(users)
    YearlyFigures.objects.update_or_create(
        organisation=org, year=timezone.now().year, defaults={"size_class": "large", "headcount": 900}
    )
    return _submit_label(_draft(users, call, partners=[*companies([org.pk], size="large"), lab()]), users)


def _fail_declined(users, call):
    project = services.submit(_draft(users, call), actor=users["member"])
    _label(project, users, "declined")
    return Project.objects.get(pk=project.pk)


def _fail_small_budget(users, call):
    return _submit_label(_draft(users, call, budget=100_000), users)


def _fail_outside_territory(users, call):
    project = _draft(users, call)
    _shares(project, users, territory_share=Decimal("0.2"))
    return _submit_label(project, users)


def _fail_outside_lead_cluster(users, call):
    project = _draft(users, call)
    _shares(project, users, lead_cluster_share=Decimal("0.1"))
    return _submit_label(project, users)


def _fail_lab_takes_the_aid(users, call):
    project = _draft(users, call)
    lab_part = project.participations.get(organisation__category="public_research")
    services.update_participation(
        lab_part, actor=users["member"], aid={Funder.objects.get(slug="fui"): Decimal(600_000)}
    )
    return _submit_label(project, users)


def _fail_duplicate(users, call):
    _submit_label(_draft(users, call), users)  # the same title, the same lead, the same call
    return _submit_label(_draft(users, call), users)


def _fail_lab_lead(users, call):
    project, user = _lab_led(users, call)
    for organisation in companies([project.participations.get().organisation_id], n=2):
        services.add_partner(project, organisation, actor=user)
    for participation in project.participations.all():
        services.update_participation(
            participation,
            actor=user,
            budget={"staff": Decimal(500_000)},
            territory_share=Decimal(1),
            lead_cluster_share=Decimal(1),
        )
    project = services.submit(Project.objects.get(pk=project.pk), actor=user)
    return _label(project, users)


def _minalogic():
    from poles.clusters.models import Cluster

    return Cluster.objects.get(slug="minalogic")


CASES = {
    "lead_is_company": ({"rule": "lead_is_company"}, _fail_lab_lead, "fail", "is not a company", "n'est pas une entreprise"),
    "min_companies": ({"rule": "min_companies", "params": {"min": 2}}, _fail_one_company, "fail", "fewer than the 2 required", "moins que les 2 exigées"),
    "min_research_bodies": ({"rule": "min_research_bodies", "params": {"min": 1}}, _fail_no_lab, "fail", "fewer than the 1 required", "moins que le minimum de 1"),
    "sme_required": ({"rule": "sme_required", "params": {"min": 1}}, _fail_large_lead, "fail", "SMEs in the consortium: 0", "PME du consortium : 0"),
    "min_labels": ({"rule": "min_labels", "params": {"min": 1}}, _fail_declined, "fail", "fewer than the 1 required", "moins que le minimum de 1"),
    "budget_bounds": ({"rule": "budget_bounds", "params": {"min": "750000", "max": "5000000"}, "severity": "warning"}, _fail_small_budget, "warning", "below the minimum", "inférieur au minimum"),
    "territory_share": ({"rule": "territory_share", "params": {"min": "0.5", "strict": True}}, _fail_outside_territory, "fail", "more than 50.0 % is required", "plus de 50,0 %"),
    "lead_cluster_share": ({"rule": "lead_cluster_share", "params": {"min": "0.25"}}, _fail_outside_lead_cluster, "fail", "below the minimum of 25.0 %", "25,0 %"),
    "lab_aid_share": ({"rule": "lab_aid_share", "params": {"max": "0.4"}}, _fail_lab_takes_the_aid, "fail", "above the maximum of 40.0 %", "40,0 %"),
    "no_duplicate": ({"rule": "no_duplicate"}, _fail_duplicate, "fail", "duplicates submission", "doublon"),
}  # fmt: skip


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_passes_and_fails_through_the_models(rule, users, open_call):
    spec, failing, status, english, french = CASES[rule]
    _set_rules(open_call, spec)
    passing = _pass_default(users, open_call)
    result = _check(passing, users).results[0]
    assert result["rule"] == rule and result["status"] == "pass", result["message"]["en"]
    Project.objects.filter(pk=passing.pk).update(status=S.WITHDRAWN)  # out of the duplicate search
    check = _check(failing(users, open_call), users)
    result = check.results[0]
    assert result["status"] == status, result["message"]["en"]
    assert english in result["message"]["en"]
    assert french in result["message"]["fr"].replace("\u202f", " ").replace("\xa0", " ")
    assert check.verdict == ("ineligible" if status == "fail" else "warnings")


def test_the_check_records_figures_and_an_audit_event(users, open_call):
    project = _pass_default(users, open_call)
    check = _check(project, users)
    assert check.verdict == EligibilityCheck.Verdict.ELIGIBLE and check.rules == open_call.rules
    companies_row = next(r for r in check.results if r["rule"] == "min_companies")
    assert companies_row["figures"]["count"] == 2
    assert set(companies_row["figures"]["orgs"]) == {
        str(p.organisation_id) for p in project.participations.filter(category="company")
    }
    assert history(project).filter(action="projects.eligibility.check").exists()


def test_only_officers_check_and_only_submitted_or_labelled_proposals(users, open_call):
    project = _draft(users, open_call)
    with pytest.raises(TransitionNotAllowed):
        services.run_eligibility_check(project, actor=users["officer"])
    from django.core.exceptions import PermissionDenied

    project = _submit_label(project, users)
    for role in ("member", "cluster", "funder"):
        with pytest.raises(PermissionDenied):
            services.run_eligibility_check(project, actor=users[role])


def test_a_warning_is_overridden_with_a_reason_then_the_proposal_is_eligible(
    users, open_call, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.core.exceptions import ValidationError

    officer = users["officer"]
    project = _fail_small_budget(users, open_call)
    check = _check(project, users)
    warning = next(r for r in check.results if r["status"] == "warning")
    with pytest.raises(TransitionNotAllowed) as caught:
        services.declare_eligible(Project.objects.get(pk=project.pk), actor=officer)
    assert "warnings remain" in str(caught.value.message)
    with pytest.raises(ValidationError):
        services.override_warning(check, warning["index"], actor=officer, reason="  ")
    with pytest.raises(ValidationError):
        services.override_warning(check, 999, actor=officer, reason="No such rule")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.override_warning(check, warning["index"], actor=users["member"], reason="My own proposal")
    services.override_warning(check, warning["index"], actor=officer, reason="Large test campaign")
    event = history(project).get(action="projects.eligibility.override")
    assert event.reason == "Large test campaign" and event.after["rule"] == "budget_bounds"
    with django_capture_on_commit_callbacks(execute=True):
        declared = services.declare_eligible(Project.objects.get(pk=project.pk), actor=officer)
    assert declared.status == S.ELIGIBLE
    assert any(m.subject == "CAPTEO est éligible" for m in mail.outbox)


def test_a_failure_is_never_overridden_and_makes_the_proposal_ineligible(users, open_call):
    from django.core.exceptions import ValidationError

    officer = users["officer"]
    _set_rules(open_call, {"rule": "min_companies", "params": {"min": 2}})
    project = _fail_one_company(users, open_call)
    check = _check(project, users)
    with pytest.raises(ValidationError) as caught:
        services.override_warning(check, 0, actor=officer, reason="Please")
    assert "cannot be overridden" in str(caught.value)
    with pytest.raises(TransitionNotAllowed):
        services.declare_eligible(Project.objects.get(pk=project.pk), actor=officer)
    declared = services.declare_ineligible(Project.objects.get(pk=project.pk), actor=officer)
    assert declared.status == S.INELIGIBLE


def test_refusing_a_warning_needs_a_reason_and_a_passing_proposal_is_never_ineligible(users, open_call):
    officer = users["officer"]
    project = _fail_small_budget(users, open_call)
    _check(project, users)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.declare_ineligible(Project.objects.get(pk=project.pk), actor=officer)
    assert "give the reason" in str(caught.value.message)
    assert (
        services.declare_ineligible(
            Project.objects.get(pk=project.pk), actor=officer, reason="Too small"
        ).status
        == S.INELIGIBLE
    )
    good = _pass_default(users, open_call)
    Project.objects.filter(pk=project.pk).update(status=S.WITHDRAWN)
    _check(good, users)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.declare_ineligible(Project.objects.get(pk=good.pk), actor=officer, reason="I do not like it")
    assert "Every rule passes" in str(caught.value.message)


def test_a_check_older_than_the_last_submission_does_not_count(users, open_call):
    officer, member = users["officer"], users["member"]
    project = _pass_default(users, open_call)
    _check(project, users)
    project = services.request_revision(Project.objects.get(pk=project.pk), actor=officer, reason="Clarify")
    project = services.submit(Project.objects.get(pk=project.pk), actor=member)
    Project.objects.filter(pk=project.pk).update(status=S.LABELLED)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.declare_eligible(Project.objects.get(pk=project.pk), actor=officer)
    assert "submitted again" in str(caught.value.message)


def test_duplicates_are_found_across_calls_by_consortium_and_title(users, open_call):
    from poles.projects.facts import fingerprints

    first = _pass_default(users, open_call)
    other_call = Call.objects.exclude(pk=open_call.pk).filter(status="open").first()
    assert other_call is not None  # the demo's open call
    twin = Project.objects.create(
        source="programme", call=other_call, programme=other_call.programme, status=S.SUBMITTED,
        acronym="TWIN", title=first.title, title_key=first.title_key,
    )  # fmt: skip
    for p in first.participations.all():
        Participation.objects.create(
            project=twin, organisation=p.organisation, role=p.role, category=p.category
        )
    prints = fingerprints(Project.objects.get(pk=first.pk))
    assert [f.submission_id for f in prints] == [str(twin.pk)]
    check = _check(first, users)
    row = next(r for r in check.results if r["rule"] == "no_duplicate")
    assert row["status"] == "fail" and row["figures"]["duplicates"][0]["reason"] == "same_consortium_title"
